// The Kernel facade: one boot of the model. Each method names the syscall or path it models; the
// work is done in the per-concept modules (mm, hugetlb, memory-failure, …).
import type { Profile } from './profiles.js';
import type {
  AccessResult, BytesCheck, FolioInfo, MappingInfo, Meminfo, PageTableRun, PoolInfo, SignalEvent, SysRet, TaskRef,
} from './types.js';

export interface BootParams {
  readonly profile: Profile;
  /** default_hugepagesz= on the kernel command line: the hstate MFD_HUGETLB / MAP_HUGETLB use without a size flag. */
  readonly default_hugepagesz: number;
  /** nr_hugepages per hstate size (bytes); sizes not listed start with an empty pool. */
  readonly nr_hugepages: ReadonlyMap<number, number>;
  /** The first process's comm (TASK_COMM_LEN: cut to 15 characters), as dmesg prints it. */
  readonly comm: string;
}

const todo = (): never => {
  throw new Error('kernel: not yet implemented');
};

export class Kernel {
  /** The first process's main thread (pid 1000, tid 1000). */
  readonly init: TaskRef = { pid: 1000, tid: 1000 };
  /** Model operations so far (entries created or visited, bytes ranges touched); the runner budgets them. */
  ops = 0;

  constructor(readonly params: BootParams) {}

  /** pthread_create: a new thread in task's process. */
  clone_thread(_task: TaskRef): TaskRef { return todo(); }
  /** pthread_exit / the thread returns. */
  exit_thread(_task: TaskRef): void { todo(); }
  /** Whether the thread (and its process) is still alive. */
  alive(_task: TaskRef): boolean { return todo(); }

  memfd_create(_task: TaskRef, _name: string, _flags: number): SysRet { return todo(); }
  ftruncate(_task: TaskRef, _fd: number, _length: number): SysRet { return todo(); }
  mmap(_task: TaskRef, _addr: number, _length: number, _prot: number, _flags: number, _fd: number, _offset: number): SysRet { return todo(); }
  munmap(_task: TaskRef, _addr: number, _length: number): SysRet { return todo(); }
  close(_task: TaskRef, _fd: number): SysRet { return todo(); }
  madvise(_task: TaskRef, _addr: number, _length: number, _advice: number): SysRet { return todo(); }

  /** One byte load/store by the thread; a fault that cannot be resolved raises its signal in that thread. */
  access(_task: TaskRef, _addr: number, _op: 'read' | 'write', _value?: number): AccessResult { return todo(); }
  /** memset(addr, value, length) by the thread: stops at the first byte whose fault raises a signal. */
  memset(_task: TaskRef, _addr: number, _length: number, _value: number): AccessResult { return todo(); }

  // Observation: no side effects, no faults.
  /** Whether every byte of [addr, addr+length) holds value, read through the mapping's backing folios. */
  checkBytes(_task: TaskRef, _addr: number, _length: number, _value: number): BytesCheck { return todo(); }
  /** The entry a page-table walk finds for addr; null when no VMA covers addr. */
  mappingAt(_task: TaskRef, _addr: number): MappingInfo | null { return todo(); }
  /** Runs of equal entries over [start, end) (must lie in VMAs). */
  pageTableRuns(_task: TaskRef, _start: number, _end: number): PageTableRun[] { return todo(); }
  /** The folio mapped at addr (present or hwpoison entry), else the page-cache folio behind addr; null if none. */
  folioAt(_task: TaskRef, _addr: number): FolioInfo | null { return todo(); }
  /** The raw pfn mapped at addr through a present entry; null otherwise. */
  pfnOf(_task: TaskRef, _addr: number): number | null { return todo(); }
  meminfo(): Meminfo { return todo(); }
  pool(_size: number): PoolInfo { return todo(); }
  /** Signals the kernel sent since the previous call, in order. */
  takeSignals(): SignalEvent[] { return todo(); }
  /** The kernel log, oldest first, without timestamps. */
  get dmesg(): readonly string[] { return todo(); }
}
