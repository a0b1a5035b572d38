// Public result types of the kernel model: what a syscall, a fault or an injector hands back.
// Compare Linux's uapi headers: errno names, si_code names and flag names are kept verbatim.
// Nothing here is imported from outside src/kernel.

export type Errno =
  | 'EPERM' | 'ENOENT' | 'EINTR' | 'EIO' | 'ENXIO' | 'EBADF' | 'EAGAIN' | 'ENOMEM' | 'EACCES' | 'EFAULT' | 'EBUSY'
  | 'EEXIST' | 'ENODEV' | 'EINVAL' | 'ENOSPC' | 'ENOSYS' | 'EOPNOTSUPP' | 'EHWPOISON';

/**
 * A syscall's outcome: the value it returned, or the errno (the C library's -1 + errno). `blocked`:
 * the call sleeps in handle_userfault() (GUP through a userfaultfd range without UFFD_FEATURE_SIGBUS)
 * and never returns unless a monitor resolves the fault; errno is then EINTR, what the call would
 * return if a signal interrupted the wait.
 */
export type SysRet =
  | { readonly ok: true; readonly value: number }
  | { readonly ok: false; readonly errno: Errno; readonly blocked?: { readonly uffd: number } };

export type SiCode = 'BUS_ADRERR' | 'BUS_OBJERR' | 'BUS_MCEERR_AR' | 'BUS_MCEERR_AO' | 'SEGV_MAPERR' | 'SI_KERNEL';
export type SigNo = 'SIGBUS' | 'SIGSEGV' | 'SIGKILL';

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

/** A userfaultfd message read with read(2) (struct uffd_msg). */
export type UffdEvent =
  | { readonly event: 'PAGEFAULT'; readonly address: number; readonly flags: readonly ('WRITE' | 'WP' | 'MINOR')[] }
  | { readonly event: 'FORK'; readonly child_uffd: number };

/** /proc/PID/smaps fields for the VMA containing an address, in kB. */
export interface SmapsInfo {
  readonly Size: number;
  readonly KernelPageSize: number;
  readonly Shared_Hugetlb: number;
  readonly Private_Hugetlb: number;
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

/** Runs of equal consecutive entries over a range, for `dump` and the summary line. */
export interface PageTableRun {
  readonly start: number;
  readonly end: number;
  readonly size: number;
  readonly kind: EntryKindName;
  readonly count: number;
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

/** A page-table level of x86_64 as `show` names it. */
export type PtLevel = 'PUD' | 'PMD' | 'PTE';

/**
 * A run of `count` equal consecutive entries of one page table over [start, end) (clipped to the VMA):
 * none, the same entry kind and flags, and for present entries consecutive pages of one folio.
 * A `table` run is always one entry, with the lower level's runs in `children`.
 */
export interface PtRun {
  readonly level: PtLevel;
  readonly start: number;
  readonly end: number;
  /** Bytes one entry of this level maps: 1 GiB (PUD), 2 MiB (PMD), 4 KiB (PTE). */
  readonly size: number;
  readonly count: number;
  readonly kind: EntryKindName | 'table';
  /** present: the folio's head pfn; hwpoison and migration: the pfn the swap entry holds. */
  readonly pfn?: number;
  /** present: the raw page index in the folio of the run's first byte. */
  readonly subpage?: number;
  /** present: writable / dirty; present and marker: uffd-wp; marker: PTE_MARKER_POISONED. */
  readonly write?: boolean;
  readonly dirty?: boolean;
  readonly uffdWp?: boolean;
  readonly poisoned?: boolean;
  readonly children?: readonly PtRun[];
}

/** A hugetlb folio as `show` draws it: what FolioInfo says, plus HGM's and the RFC's counters and the pool flags. */
export interface FolioView extends FolioInfo {
  /** HGM: entries smaller than the hstate size that map part of the folio. */
  readonly subMapcount: number;
  /** RFC 3/7: per listed raw page, the unmap counters (empty without the RFC). */
  readonly rawHwpUnmaps: readonly { readonly raw: number; readonly nr_vmas_mapped: number; readonly nr_expected_unmaps: number; readonly nr_actual_unmaps: number }[];
  /** On the hstate's free list (HPageFreed). */
  readonly free: boolean;
  /** Dissolved into buddy pages. */
  readonly dissolved: boolean;
}

/** A VMA as `show` draws it (kernel side; the runner adds the test's names). */
export interface VmaView {
  readonly start: number;
  readonly end: number;
  /** VM_SHARED. */
  readonly shared: boolean;
  /** MAP_ANONYMOUS (the internal hugetlbfs inode) rather than a memfd/hugetlbfs file. */
  readonly anonymous: boolean;
  /** The file's name (memfd:NAME), empty for MAP_ANONYMOUS. */
  readonly file: string;
  /** vm_pgoff in bytes. */
  readonly pgoff: number;
  /** The VMA's hstate size (2 MiB or 1 GiB). */
  readonly hugepagesz: number;
  /** VM_HUGETLB_HGM. */
  readonly hgm: boolean;
  /** userfaultfd registration modes, sorted (e.g. ["MINOR", "MISSING", "WP"]); empty when not registered. */
  readonly uffd: readonly string[];
  /** PUD-level runs covering [start, end), tables expanded. */
  readonly tree: readonly PtRun[];
}
