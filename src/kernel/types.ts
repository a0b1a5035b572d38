// Public result types of the kernel model: what a syscall, a fault or an injector hands back.
// Compare Linux's uapi headers: errno names, si_code names and flag names are kept verbatim.
// Errno names are the project's vocabulary (src/abi ERRNO_NAMES).
import type { ErrnoName, UffdRangeIoctl } from '../abi/index.js';

/** An errno name, as the model returns it. */
export type Errno = ErrnoName;

/**
 * A syscall's outcome: the value it returned, or the errno (the C library's -1 + errno). `blocked`:
 * the call sleeps in handle_userfault() (GUP through a userfaultfd range without UFFD_FEATURE_SIGBUS)
 * and never returns unless a monitor resolves the fault; errno is then EINTR, what the call would
 * return if a signal interrupted the wait.
 */
export type SysRet =
  | {
    readonly ok: true;
    readonly value: number;
    /** What the call wrote into its argument struct besides the return (uffdio_register.ioctls). */
    readonly out?: { readonly ioctls?: readonly UffdRangeIoctl[] };
  }
  | { readonly ok: false; readonly errno: Errno; readonly blocked?: { readonly uffd: number } };

export type SiCode = 'BUS_ADRERR' | 'BUS_OBJERR' | 'BUS_MCEERR_AR' | 'BUS_MCEERR_AO' | 'SEGV_MAPERR' | 'SI_KERNEL';
export type SigNo = 'SIGBUS' | 'SIGSEGV' | 'SIGKILL';

/** What waitpid(2) reports for a dead process: WIFEXITED with WEXITSTATUS, or WIFSIGNALED with WTERMSIG. */
export type WaitStatus = { readonly exited: number } | { readonly signaled: SigNo };

/** What a handler installed with SA_SIGINFO would see. */
export interface SigInfo {
  readonly signo: SigNo;
  readonly si_code: SiCode;
  readonly si_addr: number;
  /** 0 when the signal carries no lsb (everything but BUS_MCEERR_*). */
  readonly si_addr_lsb: number;
}

/** One signal sent by the kernel, and what became of it. */
export interface SignalEvent {
  readonly pid: number;
  readonly tid: number;
  readonly info: SigInfo;
  /** `forced`: force_sig (AR, faults); `queued`: send_sig_mceerr (AO). */
  readonly how: 'forced' | 'queued';
  /**
   * delivered: the process's handler ran and recorded it; thread-exited: the handler recorded it and
   * called pthread_exit (the selftests' handler); pending: blocked by sigprocmask, still queued;
   * ignored: SIG_IGN discarded it (queued signals only); dropped: a SIGBUS was already pending for that
   * thread (standard signals coalesce); killed: the default action killed the process.
   */
  readonly outcome: 'delivered' | 'thread-exited' | 'pending' | 'ignored' | 'dropped' | 'killed';
}

/** What a process does with SIGBUS (sigaction): the selftests' recording handler is the start state. */
export type SigbusAction = 'record' | 'exit_thread' | 'default' | 'ignore';

/** Identifies a thread: pid (tgid) and tid. The first process is pid 1000, its main thread tid 1000. */
export interface TaskRef {
  readonly pid: number;
  readonly tid: number;
}

/** A one-byte access: the value read (or written), or the signal the fault raised in the accessing thread. */
export type AccessResult =
  | { readonly ok: true; readonly value: number }
  | { readonly ok: false; readonly signal: SigInfo }
  /** The fault waits for a userfaultfd monitor (no UFFD_FEATURE_SIGBUS): the thread blocks. */
  | { readonly ok: false; readonly blocked: 'userfaultfd'; readonly uffd: number };

/**
 * What one-byte loads at addr, addr+stride, … (readEvery) found, in address order: `count` loads that
 * read `value`, one that raised a signal, or one that blocked on a userfaultfd.
 */
export type ProbeRun =
  | { readonly kind: 'read'; readonly addr: number; readonly count: number; readonly value: number }
  | { readonly kind: 'signal'; readonly addr: number; readonly signal: SigInfo }
  | { readonly kind: 'blocked'; readonly addr: number; readonly uffd: number };

/** readEvery's answer: the runs, the loads made, the work it cost, and why it stopped early (if it did). */
export interface RangeRead {
  readonly runs: readonly ProbeRun[];
  /** Loads made (the pages read). */
  readonly loads: number;
  /** Model operations: kernel entries (faulting loads) plus present entries read through and runs of values. */
  readonly ops: number;
  /** The acting thread exited or its process died (a signal's action), or a load blocked: the loop ended there. */
  readonly stopped: 'dead' | 'blocked' | null;
}

/** A userfaultfd message read with read(2) (struct uffd_msg). */
export type UffdEvent =
  | { readonly event: 'PAGEFAULT'; readonly address: number; readonly flags: readonly ('WRITE' | 'WP' | 'MINOR')[] }
  | { readonly event: 'FORK'; readonly child_uffd: number };

/** /proc/PID/smaps fields for the VMA containing an address, in kB. */
export interface SmapsInfo {
  readonly Size: number;
  readonly KernelPageSize: number;
  /** vma_mmu_pagesize(): the hugepage size on x86_64, as KernelPageSize. */
  readonly MMUPageSize: number;
  /** hugetlb pages are not accounted in Rss/Pss (smaps_hugetlb_range() fills only the *_Hugetlb fields). */
  readonly Rss: number;
  readonly Pss: number;
  readonly Shared_Hugetlb: number;
  readonly Private_Hugetlb: number;
  /** hugetlb pages are never swapped, nor mlock-accounted by the model. */
  readonly Swap: number;
  readonly Locked: number;
  /** HGM kernels: present leaves per level (HGM v2 33/46); absent elsewhere. */
  readonly HugetlbPudMapped?: number;
  readonly HugetlbPmdMapped?: number;
  readonly HugetlbPteMapped?: number;
}

/** /proc/PID/pagemap bits of one 4 KiB page (Documentation/admin-guide/mm/pagemap.rst). */
export interface PagemapEntry {
  readonly present: boolean; // bit 63
  readonly swapped: boolean; // bit 62
  readonly file_shared: boolean; // bit 61
  readonly exclusive: boolean; // bit 56
  readonly uffd_wp: boolean; // bit 57
  /** PFN of the 4 KiB page (bits 0-54) when present, else 0. */
  readonly pfn: number;
}

/** Per-node memory-failure stats (/sys/devices/system/node/node0/memory_failure/*). */
export interface MfStats {
  readonly total: number;
  readonly ignored: number;
  readonly failed: number;
  readonly delayed: number;
  readonly recovered: number;
}

export type EntryKindName = 'none' | 'present' | 'hwpoison' | 'migration' | 'marker';

/** The page-table entry that maps an address, as a walk finds it. */
export interface MappingInfo {
  /** Size of the entry's range: 4K (PTE), 2M (PMD) or 1G (PUD); the hstate size when nothing is there. */
  readonly size: number;
  readonly kind: EntryKindName;
  readonly write: boolean;
  readonly dirty: boolean;
  readonly uffdWp: boolean;
  /** Start of the entry's range. */
  readonly start: number;
}

export interface FolioInfo {
  readonly pfn: number; // head pfn
  readonly size: number;
  readonly refcount: number;
  /** entire mapcount (hugetlb folios are mapped as a whole without HGM). */
  readonly mapcount: number;
  readonly hwpoison: boolean;
  readonly rawHwpUnreliable: boolean;
  /** Raw page indices, in the order memory_failure recorded them. */
  readonly raw_hwp_list: readonly number[];
  readonly anon: boolean;
  readonly inPageCache: boolean;
}

export interface PoolInfo {
  readonly size: number;
  readonly total: number;
  readonly free: number;
  readonly resv: number;
  readonly surplus: number;
}

export interface Meminfo {
  /** kB, as /proc/meminfo prints it (4 kB per counted raw page). */
  readonly HardwareCorrupted: number;
  /** The default hstate's pool. */
  readonly HugePages_Total: number;
  readonly HugePages_Free: number;
  readonly HugePages_Rsvd: number;
  readonly HugePages_Surp: number;
  readonly Hugepagesize: number; // kB
  readonly Hugetlb: number; // kB, all hstates
}

/** Result of checking bytes: all equal, or the first address that differs. */
export type BytesCheck =
  | { readonly ok: true }
  | { readonly ok: false; readonly addr: number; readonly found: number };
