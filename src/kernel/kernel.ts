// The Kernel: one boot of the model, and its tasks. It boots the hstates and the first process, runs the
// task lifecycle (spawn, threads, exit), and hands out the two roles: `sys` (syscalls.ts), the entries a
// thread makes, and `views` (views.ts), what an observer reads. Its members named after those entries
// delegate to them, so callers may write kernel.madvise(...) or kernel.sys.madvise(...).
// Linux: init/main.c:start_kernel() => hugetlb_init() (the pools), kernel/fork.c and kernel/exit.c (the
// task lifecycle); compare gVisor's split of pkg/sentry/mm into lifecycle.go, syscalls.go and procfs.go.
import type { Folio } from './folio.js';
import { Hstate } from './hstate.js';
import { Mm, Process, Thread } from './mm.js';
import { installedEntries } from './pgtable.js';
import { KernelLog } from './printk.js';
import type { FaultPoint } from '../abi/index.js';
import type { Profile } from './profiles.js';
import { exitThread } from './signal.js';
import type { FaultCounter, KernelState } from './state.js';
import { Syscalls } from './syscalls.js';
import { alloc_pid, find_task_by_vpid, reapDead } from './task.js';
import { KernelTrace } from './trace.js';
import type { TaskRef, WaitStatus } from './types.js';
import { PAGE_SIZE } from './uapi.js';
import { Views } from './views.js';
import { WORDING } from './wording.js';

export interface BootParams {
  readonly profile: Profile;
  /** default_hugepagesz= on the kernel command line: the hstate MFD_HUGETLB / MAP_HUGETLB use without a size flag. */
  readonly default_hugepagesz: number;
  /** nr_hugepages per hstate size (bytes); sizes not listed start with an empty pool. */
  readonly nr_hugepages: ReadonlyMap<number, number>;
  /** The first process's comm (TASK_COMM_LEN: cut to 15 characters), as dmesg prints it. */
  readonly comm: string;
  /** kernel.faults: named fault-injection points, and which attempts there fail. */
  readonly faults?: ReadonlyMap<FaultPoint, FaultCounter>;
}

/** x86_64 hstates, by index: 2 MiB (PMD) and 1 GiB (PUD). Their pools start at fixed physical addresses. */
const X86_64_HSTATES: readonly { shift: number; firstPfn: number }[] = [
  { shift: 21, firstPfn: 0x40000000 / PAGE_SIZE }, // 1 GiB physical
  { shift: 30, firstPfn: 0x100000000 / PAGE_SIZE }, // 4 GiB physical
];

const FIRST_PID = 1000;
const TASK_COMM_LEN = 16;

/** start_kernel() as far as the model goes: the hstates with their boot-time pools, and empty global state. */
function boot(params: BootParams): KernelState {
  const hstates = X86_64_HSTATES.map((h, i) => new Hstate(h.shift, i, h.firstPfn));
  const defaultHstate = hstates.find((h) => h.size === params.default_hugepagesz);
  if (defaultHstate === undefined) throw new Error(`no hstate of ${params.default_hugepagesz} bytes`);
  for (const h of hstates) {
    const n = params.nr_hugepages.get(h.size) ?? 0;
    for (let i = 0; i < n; i++) h.grow();
  }
  const folioOfPfn = (pfn: number): Folio | undefined => {
    for (const h of hstates) {
      const f = h.folioOf(pfn);
      if (f !== undefined) return f;
    }
    return undefined;
  };
  return {
    switches: params.profile.switches,
    wording: WORDING[params.profile.switches.wording],
    hstates,
    defaultHstate,
    log: new KernelLog(),
    processes: new Map(),
    current: null,
    num_poisoned_pages: 0,
    rawPoisoned: new Set(),
    signals: [],
    findings: [],
    mfCalls: [],
    held: [],
    deadLocks: new Map(),
    tainted: false,
    memory_failure_early_kill: false,
    memory_failure_recovery: true,
    hw_memory_failure: false,
    panicked: false,
    mfStats: { total: 0, ignored: 0, failed: 0, delayed: 0, recovered: 0 },
    faults: new Map([...(params.faults ?? [])].map(([point, c]) => [point, { ...c }])),
    nextPid: FIRST_PID,
    nextIno: 1,
    trace: null,
    folioOfPfn,
  };
}

export class Kernel {
  /** The first process's main thread (pid 1000, tid 1000). */
  readonly init: TaskRef;
  /** The entries a thread makes (syscalls, sysfs writes, loads and stores). */
  readonly sys: Syscalls;
  /** What an observer reads (procfs-like views, page tables and folios for `show`, signals, dmesg). */
  readonly views: Views;
  private readonly k: KernelState;

  constructor(readonly params: BootParams) {
    this.k = boot(params);
    this.sys = new Syscalls(this.k);
    this.views = new Views(this.k);
    this.init = this.spawn();
  }

  /** Model operations so far (page-table entries created or visited); the runner budgets them. */
  get ops(): number {
    let n = installedEntries;
    for (const p of this.k.processes.values()) n += p.mm.pt.ops;
    return n;
  }

  /**
   * A new process with an empty mm (fork + exec of a test binary). Used between tests: one boot runs
   * them in turn, as one selftest binary would, but each test gets a process of its own.
   */
  spawn(): TaskRef {
    const pid = alloc_pid(this.k);
    const p = new Process(pid, this.params.comm.slice(0, TASK_COMM_LEN - 1), new Mm());
    p.threads.set(pid, new Thread(p, pid));
    this.k.processes.set(pid, p);
    return { pid, tid: pid };
  }

  /** exit_group(status): unmap everything, close every fd, and reap the process (waitpid: exited, status & 0xff). */
  exit_group(task: TaskRef, status = 0): void {
    const p = this.k.processes.get(task.pid);
    if (p === undefined) return;
    if (p.alive) p.waitStatus = { exited: status % 256 };
    p.alive = false;
    for (const t of p.threads.values()) t.alive = false;
    reapDead(this.k);
  }

  /** pthread_create: a new thread in task's process. */
  clone_thread(task: TaskRef): TaskRef {
    const creator = find_task_by_vpid(this.k, task);
    const p = creator.process;
    const tid = alloc_pid(this.k);
    const t = new Thread(p, tid);
    t.mceProcess = creator.mceProcess; // copy_process() keeps PF_MCE_* of the creating thread
    t.mceEarly = creator.mceEarly;
    p.threads.set(tid, t);
    return { pid: p.pid, tid };
  }

  /** pthread_exit / the thread returns. */
  exit_thread(task: TaskRef): void {
    const t = find_task_by_vpid(this.k, task);
    exitThread(t);
    t.process.threads.delete(t.tid);
    reapDead(this.k);
  }

  /** Whether the thread (and its process) is still alive. */
  /** waitpid(2)'s view of process `pid`: how it ended, or undefined while it runs (or when there is none). */
  waitStatus(pid: number): WaitStatus | undefined {
    return this.k.processes.get(pid)?.waitStatus;
  }

  alive(task: TaskRef): boolean {
    const p = this.k.processes.get(task.pid);
    return p !== undefined && p.alive && (p.threads.get(task.tid)?.alive ?? false);
  }

  /** Record the kernel path of every entry from now on (`run --trace`); takeTrace() hands it over. */
  startTrace(): void {
    this.k.trace ??= new KernelTrace();
  }

  /** The kernel path recorded since the last call (empty when not tracing). */
  takeTrace(): string[] {
    return this.k.trace?.take() ?? [];
  }

  /** Make attempts at a named fault-injection point fail: the next `times`, after `skip` that succeed (e.g. raw_hwp_page_alloc). */
  failNext(point: FaultPoint, times: number, skip = 0): void {
    this.k.faults.set(point, { skip, fail: times });
  }

  // The syscall entries (syscalls.ts), for callers that hold the Kernel.
  readonly memfd_create: Syscalls['memfd_create'] = (...a) => this.sys.memfd_create(...a);
  readonly ftruncate: Syscalls['ftruncate'] = (...a) => this.sys.ftruncate(...a);
  readonly mmap: Syscalls['mmap'] = (...a) => this.sys.mmap(...a);
  readonly munmap: Syscalls['munmap'] = (...a) => this.sys.munmap(...a);
  readonly close: Syscalls['close'] = (...a) => this.sys.close(...a);
  readonly madvise: Syscalls['madvise'] = (...a) => this.sys.madvise(...a);
  readonly fork: Syscalls['fork'] = (...a) => this.sys.fork(...a);
  readonly sigaction: Syscalls['sigaction'] = (...a) => this.sys.sigaction(...a);
  readonly sigprocmask: Syscalls['sigprocmask'] = (...a) => this.sys.sigprocmask(...a);
  readonly prctl_mce_kill: Syscalls['prctl_mce_kill'] = (...a) => this.sys.prctl_mce_kill(...a);
  readonly prctl_mce_kill_get: Syscalls['prctl_mce_kill_get'] = (...a) => this.sys.prctl_mce_kill_get(...a);
  readonly sysctl: Syscalls['sysctl'] = (...a) => this.sys.sysctl(...a);
  readonly set_nr_hugepages: Syscalls['set_nr_hugepages'] = (...a) => this.sys.set_nr_hugepages(...a);
  readonly corrupt_pfn: Syscalls['corrupt_pfn'] = (...a) => this.sys.corrupt_pfn(...a);
  readonly hard_offline_page: Syscalls['hard_offline_page'] = (...a) => this.sys.hard_offline_page(...a);
  readonly soft_offline_page: Syscalls['soft_offline_page'] = (...a) => this.sys.soft_offline_page(...a);
  readonly mce: Syscalls['mce'] = (...a) => this.sys.mce(...a);
  readonly pread: Syscalls['pread'] = (...a) => this.sys.pread(...a);
  readonly lseek: Syscalls['lseek'] = (...a) => this.sys.lseek(...a);
  readonly pwrite: Syscalls['pwrite'] = (...a) => this.sys.pwrite(...a);
  readonly fallocate: Syscalls['fallocate'] = (...a) => this.sys.fallocate(...a);
  readonly userfaultfd: Syscalls['userfaultfd'] = (...a) => this.sys.userfaultfd(...a);
  readonly uffdio_api: Syscalls['uffdio_api'] = (...a) => this.sys.uffdio_api(...a);
  readonly uffdio_register: Syscalls['uffdio_register'] = (...a) => this.sys.uffdio_register(...a);
  readonly uffdio_unregister: Syscalls['uffdio_unregister'] = (...a) => this.sys.uffdio_unregister(...a);
  readonly uffdio_continue: Syscalls['uffdio_continue'] = (...a) => this.sys.uffdio_continue(...a);
  readonly uffdio_poison: Syscalls['uffdio_poison'] = (...a) => this.sys.uffdio_poison(...a);
  readonly uffdio_writeprotect: Syscalls['uffdio_writeprotect'] = (...a) => this.sys.uffdio_writeprotect(...a);
  readonly uffd_read: Syscalls['uffd_read'] = (...a) => this.sys.uffd_read(...a);
  readonly access: Syscalls['access'] = (...a) => this.sys.access(...a);
  readonly memset: Syscalls['memset'] = (...a) => this.sys.memset(...a);
  readonly readEvery: Syscalls['readEvery'] = (...a) => this.sys.readEvery(...a);

  // The observer views (views.ts), for callers that hold the Kernel.
  readonly checkBytes: Views['checkBytes'] = (...a) => this.views.checkBytes(...a);
  readonly checkFileBytes: Views['checkFileBytes'] = (...a) => this.views.checkFileBytes(...a);
  readonly filePosition: Views['filePosition'] = (...a) => this.views.filePosition(...a);
  readonly mappingAt: Views['mappingAt'] = (...a) => this.views.mappingAt(...a);
  readonly pageTableRuns: Views['pageTableRuns'] = (...a) => this.views.pageTableRuns(...a);
  readonly vmaViews: Views['vmaViews'] = (...a) => this.views.vmaViews(...a);
  readonly folioView: Views['folioView'] = (...a) => this.views.folioView(...a);
  readonly folioAt: Views['folioAt'] = (...a) => this.views.folioAt(...a);
  readonly pfnOf: Views['pfnOf'] = (...a) => this.views.pfnOf(...a);
  readonly pfnOfFile: Views['pfnOfFile'] = (...a) => this.views.pfnOfFile(...a);
  readonly pfnOfFreeHugepage: Views['pfnOfFreeHugepage'] = (...a) => this.views.pfnOfFreeHugepage(...a);
  readonly meminfo: Views['meminfo'] = () => this.views.meminfo();
  readonly pool: Views['pool'] = (...a) => this.views.pool(...a);
  readonly smaps: Views['smaps'] = (...a) => this.views.smaps(...a);
  readonly pagemap: Views['pagemap'] = (...a) => this.views.pagemap(...a);
  readonly mfStats: Views['mfStats'] = () => this.views.mfStats();
  readonly pmdShareable: Views['pmdShareable'] = (...a) => this.views.pmdShareable(...a);
  readonly poisonedStillMapped: Views['poisonedStillMapped'] = (...a) => this.views.poisonedStillMapped(...a);
  readonly checkInvariants: Views['checkInvariants'] = () => this.views.checkInvariants();
  readonly takeSignals: Views['takeSignals'] = () => this.views.takeSignals();
  readonly takeFindings: Views['takeFindings'] = () => this.views.takeFindings();
  readonly takePoisonCalls: Views['takePoisonCalls'] = () => this.views.takePoisonCalls();
  readonly folioHeadAt: Views['folioHeadAt'] = (...a) => this.views.folioHeadAt(...a);

  /** The kernel log, oldest first, without timestamps. */
  get dmesg(): readonly string[] {
    return this.views.dmesg();
  }
}
