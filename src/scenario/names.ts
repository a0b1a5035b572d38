// The scenario language's vocabulary as value lists: every enum name a YAML file may spell, kept
// verbatim from the kernel uapi (MFD_*, MAP_*, PROT_*, MADV_*, si_code names). The types live in
// types.ts; each list here is checked at compile time to hold every member of its type. Names the
// kernel spells too (profiles, switches, fault points, errno, userfaultfd features and modes) live
// once in src/abi and are not repeated here.

import type {
  EntryKind, FallocFlag, MadviseAdvice, MapFlag, MceKillPolicy, MfdFlag, MfStatName, PagemapBit, ProtFlag,
  SeekWhence, SigbusActionName, SigbusCode, SmapsField, SysctlName, UffdEventName,
  VerdictResult,
} from './types.js';

/** Identity on a list that must name every member of T exactly as the type does (a compile-time check). */
const everyOf =
  <T extends string>() =>
  <const A extends readonly T[]>(list: A & ([Exclude<T, A[number]>] extends [never] ? unknown : never)): A =>
    list;

export const MFD_FLAGS = everyOf<MfdFlag>()(['MFD_HUGETLB', 'MFD_HUGE_2MB', 'MFD_HUGE_1GB', 'MFD_CLOEXEC', 'MFD_MF_KEEP_UE_MAPPED']);
export const MAP_FLAGS = everyOf<MapFlag>()([
  'MAP_SHARED', 'MAP_PRIVATE', 'MAP_ANONYMOUS', 'MAP_HUGETLB', 'MAP_NORESERVE', 'MAP_FIXED', 'MAP_HUGE_2MB',
  'MAP_HUGE_1GB',
]);
export const PROT_FLAGS = everyOf<ProtFlag>()(['PROT_READ', 'PROT_WRITE']);
export const MADVISE_ADVICES = everyOf<MadviseAdvice>()([
  'MADV_HWPOISON', 'MADV_SOFT_OFFLINE', 'MADV_SPLIT', 'MADV_COLLAPSE', 'MADV_DONTNEED', 'MADV_REMOVE',
]);
export const SIGBUS_CODES = everyOf<SigbusCode>()(['BUS_ADRERR', 'BUS_OBJERR', 'BUS_MCEERR_AR', 'BUS_MCEERR_AO']);
export const ENTRY_KINDS = everyOf<EntryKind>()(['none', 'present', 'hwpoison', 'migration', 'marker']);
export const VERDICT_RESULTS = everyOf<VerdictResult>()(['pass', 'skip', 'fail']);
export const SIGBUS_ACTIONS = everyOf<SigbusActionName>()(['record', 'exit_thread', 'default', 'ignore']);
export const MCE_KILL_POLICIES = everyOf<MceKillPolicy>()(['PR_MCE_KILL_EARLY', 'PR_MCE_KILL_LATE', 'PR_MCE_KILL_CLEAR']);
export const SYSCTL_NAMES = everyOf<SysctlName>()([
  'vm.memory_failure_early_kill', 'vm.memory_failure_recovery', 'vm.nr_hugepages',
]);
export const FALLOC_FLAGS = everyOf<FallocFlag>()(['FALLOC_FL_PUNCH_HOLE', 'FALLOC_FL_KEEP_SIZE']);
export const SEEK_WHENCE = everyOf<SeekWhence>()(['SEEK_SET', 'SEEK_CUR', 'SEEK_END', 'SEEK_DATA', 'SEEK_HOLE']);
export const UFFD_EVENTS = everyOf<UffdEventName>()(['FORK', 'PAGEFAULT']);
export const MF_STAT_NAMES = everyOf<MfStatName>()(['total', 'ignored', 'failed', 'delayed', 'recovered']);
export const SMAPS_FIELDS = everyOf<SmapsField>()([
  'Size', 'KernelPageSize', 'MMUPageSize', 'Rss', 'Pss', 'Shared_Hugetlb', 'Private_Hugetlb', 'Swap', 'Locked',
  'HugetlbPudMapped', 'HugetlbPmdMapped', 'HugetlbPteMapped',
]);
export const PAGEMAP_BITS = everyOf<PagemapBit>()(['present', 'swapped', 'file_shared', 'exclusive', 'uffd_wp']);

/**
 * The largest hugetlb pool (per hstate) hgmsim models: kernel.nr_hugepages, the nr_hugepages step and
 * sysctl vm.nr_hugepages above it are UNSUPPORTED. Growing the model's pool costs time per hugepage,
 * so an unbounded count would hang a run instead of failing it (32 GiB of 2 MiB pages, 16 TiB of 1 GiB).
 */
export const MAX_NR_HUGEPAGES = 16384;

/** A name an `as:`, `let` or loop binds: a C identifier. */
export const NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** `in:`: a process or thread name, or PROCESS.THREAD. */
export const TASK_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$/;
/** The process and thread every test starts in. */
export const MAIN = 'main';
