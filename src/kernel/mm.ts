// Processes, threads, mm_struct and VMAs.
// Linux: include/linux/mm_types.h (struct mm_struct, struct vm_area_struct), mm/mmap.c
// (get_unmapped_area() top-down, do_mmap(), do_vmi_munmap()), include/linux/sched.h (PF_MCE_*).
// Unlike Linux, mmap_base is fixed (no ASLR), so every run places mappings at the same addresses.
import type { Hstate } from './hstate.js';
import type { HugetlbFile, Inode } from './hugetlbfs.js';
import type { SigbusAction, SigInfo, WaitStatus } from './types.js';
import type { UffdCtx, UffdRegistration } from './userfaultfd.js';
import { PageTable } from './pgtable.js';

/** Top of the mmap area; mappings are placed top-down below it (arch_get_unmapped_area_topdown()). */
export const MMAP_BASE = 0x7f5e80000000;
/** Lowest address get_unmapped_area hands out (mmap_min_addr is far lower; this keeps addresses readable). */
export const MMAP_MIN = 0x100000000;

/** Private reservation map (struct resv_map for an HPAGE_RESV_OWNER VMA): indices whose reservation was consumed. */
export class ResvMap {
  readonly consumed = new Set<number>();
}

export class Vma {
  /** anon_vma: set once an anonymous folio was mapped here (mm/rmap.c:anon_vma_prepare()). */
  anonVma = false;
  /** userfaultfd registration, or null. */
  uffd: UffdRegistration | null = null;
  /** VM_HUGETLB_HGM: MADV_SPLIT enabled high-granularity mapping here (HGM v2 13/46). */
  hgm = false;

  constructor(
    readonly mm: Mm,
    public start: number,
    public end: number,
    /** VM_SHARED / VM_MAYSHARE. */
    readonly shared: boolean,
    readonly prot: { readonly read: boolean; readonly write: boolean },
    /** hugetlbfs inode behind the mapping (the internal one for MAP_ANONYMOUS). */
    readonly inode: Inode,
    /** vm_pgoff, in bytes. */
    public pgoffBytes: number,
    readonly noreserve: boolean,
    /** Private reservations (HPAGE_RESV_OWNER), or null for shared and MAP_NORESERVE mappings. */
    readonly resv: ResvMap | null,
  ) {}

  get hstate(): Hstate {
    return this.inode.hstate;
  }

  /** vma_hugecache_offset(): page-cache index (hugepage units) of addr. */
  indexOf(addr: number): number {
    return Math.floor((addr - this.start + this.pgoffBytes) / this.hstate.size);
  }

  /** The address at which this VMA maps page-cache index idx, or undefined when outside the VMA. */
  addressOf(idx: number): number | undefined {
    const addr = this.start + idx * this.hstate.size - this.pgoffBytes;
    return addr >= this.start && addr < this.end ? addr : undefined;
  }
}

export class Mm {
  /** Sorted by start. */
  readonly vmas: Vma[] = [];
  readonly pt = new PageTable();

  /** find_vma(), restricted to the VMA that contains addr. */
  findVma(addr: number): Vma | undefined {
    return this.vmas.find((v) => v.start <= addr && addr < v.end);
  }

  insert(vma: Vma): void {
    this.vmas.push(vma);
    this.vmas.sort((a, b) => a.start - b.start);
  }

  remove(vma: Vma): void {
    const i = this.vmas.indexOf(vma);
    if (i >= 0) this.vmas.splice(i, 1);
  }

  /**
   * hugetlb_get_unmapped_area() => vm_unmapped_area() top-down: the highest free, `align`-aligned
   * range of `len` bytes below MMAP_BASE.
   */
  getUnmappedArea(len: number, align: number): number | undefined {
    let ceiling = MMAP_BASE;
    for (let i = this.vmas.length - 1; i >= -1; i--) {
      const v = this.vmas[i];
      if (v !== undefined && v.start >= ceiling) continue;
      const floor = v === undefined ? MMAP_MIN : v.end;
      const candidate = ceiling - len - ((ceiling - len) % align);
      if (ceiling - len >= floor && candidate >= floor) return candidate;
      if (v === undefined) return undefined;
      ceiling = v.start;
    }
    return undefined;
  }

  overlaps(start: number, end: number): boolean {
    return this.vmas.some((v) => v.start < end && start < v.end);
  }
}

export class Thread {
  alive = true;
  /** A SIGBUS queued but not yet delivered (standard signals coalesce: a second one is dropped). */
  pendingSigbus = false;
  /** The pending SIGBUS's siginfo. */
  pendingInfo: SigInfo | null = null;
  /** The pending SIGBUS's handler ends the thread (pthread_exit) when it runs. */
  exitOnDelivery = false;
  /** SIGBUS is in the thread's blocked mask (sigprocmask). */
  sigbusBlocked = false;
  /** PF_MCE_PROCESS / PF_MCE_EARLY (prctl PR_MCE_KILL). */
  mceProcess = false;
  mceEarly = false;

  constructor(
    readonly process: Process,
    readonly tid: number,
  ) {}
}

/** An open file: a hugetlbfs file or a userfaultfd context. */
export type OpenFile = HugetlbFile | UffdCtx;

export class Process {
  alive = true;
  /** Dead and its mm and fds released (reapDead): a zombie, nothing left to reap. */
  reaped = false;
  /** How it ended, as waitpid(2) reports it (kernel/exit.c: do_exit()'s code); undefined while alive. */
  waitStatus: WaitStatus | undefined;
  readonly threads = new Map<number, Thread>();
  readonly fds = new Map<number, OpenFile>();
  /**
   * What SIGBUS does in this process (sigaction is process-wide). Every process starts with a handler
   * that records the siginfo, as the selftests install one (SA_SIGINFO) before touching poisoned memory.
   */
  sigbus: SigbusAction = 'record';

  constructor(
    readonly pid: number,
    /** task->comm: TASK_COMM_LEN - 1 characters at most. */
    readonly comm: string,
    readonly mm: Mm,
  ) {}

  /** get_unused_fd_flags(): the lowest free descriptor (0-2 are stdio). */
  allocFd(): number {
    let fd = 3;
    while (this.fds.has(fd)) fd++;
    return fd;
  }
}
