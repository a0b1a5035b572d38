// The Kernel facade: one boot of the model. Each method names the syscall or path it models and runs
// it as the given thread (`current`); the work is done in the per-concept modules.
// Linux: the syscall entry (arch/x86/entry), return to user mode (kernel/entry/common.c:
// exit_to_user_mode_loop() delivers pending signals), /proc/meminfo (fs/proc/meminfo.c).
import type { Folio } from './folio.js';
import { Hstate } from './hstate.js';
import { checkInvariants, type Violation } from './invariants.js';
import { do_madvise } from './madvise.js';
import { do_user_addr_fault } from './fault.js';
import { copy_process } from './fork.js';
import { ANON_HUGEPAGE, hugetlbfs_fallocate, hugetlbfs_read_iter, HugetlbFile } from './hugetlbfs.js';
import { hard_offline_page_store, hwpoison_inject, kill_me_maybe } from './hwpoison-inject.js';
import { fdOf } from './madvise.js';
import { pagemap, smaps } from './proc.js';
import { deliverPending, exitThread, unblockSigbus } from './signal.js';
import {
  mcopy_continue, mwriteprotect_range, sys_userfaultfd, userfaultfd_api, userfaultfd_read, userfaultfd_register,
  userfaultfd_unregister, UffdCtx,
} from './userfaultfd.js';
import { Mm, Process, Thread } from './mm.js';
import { close, do_munmap, ftruncate, memfd_create, mmap } from './mmap.js';
import { rmap_walk } from './hugetlb.js';
import { entryKind, installedEntries, pageTableRuns, pageTableTree, PMD_SHIFT, PUD_SHIFT, sizeOfShift, slotEntry, type LeafEntry } from './pgtable.js';
import { KernelLog } from './printk.js';
import { KernelTrace } from './trace.js';
import type { FaultPoint, Profile } from './profiles.js';
import type { KernelState } from './state.js';
import type {
  AccessResult, BytesCheck, Errno, FolioInfo, FolioView, VmaView, MappingInfo, Meminfo, MfStats, PageTableRun, PagemapEntry, PoolInfo,
  SigbusAction, SignalEvent, SmapsInfo, SysRet, TaskRef, UffdEvent,
} from './types.js';
import { PAGE_SHIFT, PAGE_SIZE, type McePolicy, type UffdFeature, type UffdRegisterMode } from './uapi.js';

export interface BootParams {
  readonly profile: Profile;
  /** default_hugepagesz= on the kernel command line: the hstate MFD_HUGETLB / MAP_HUGETLB use without a size flag. */
  readonly default_hugepagesz: number;
  /** nr_hugepages per hstate size (bytes); sizes not listed start with an empty pool. */
  readonly nr_hugepages: ReadonlyMap<number, number>;
  /** The first process's comm (TASK_COMM_LEN: cut to 15 characters), as dmesg prints it. */
  readonly comm: string;
  /** kernel.faults: named fault-injection points and how many attempts there fail. */
  readonly faults?: ReadonlyMap<FaultPoint, number>;
}

/** x86_64 hstates, by index: 2 MiB (PMD) and 1 GiB (PUD). Their pools start at fixed physical addresses. */
const X86_64_HSTATES: readonly { shift: number; firstPfn: number }[] = [
  { shift: 21, firstPfn: 0x40000000 / PAGE_SIZE }, // 1 GiB physical
  { shift: 30, firstPfn: 0x100000000 / PAGE_SIZE }, // 4 GiB physical
];

const FIRST_PID = 1000;

/** What an observer sees of a folio (folioAt; folioView adds to it). */
function folioInfo(f: Folio): FolioInfo {
  return {
    pfn: f.pfn,
    size: f.size,
    refcount: f.refcount,
    mapcount: f.mapcount,
    hwpoison: f.hwpoison,
    rawHwpUnreliable: f.rawHwpUnreliable,
    raw_hwp_list: [...f.raw_hwp_list],
    anon: f.anon,
    inPageCache: f.mapping !== null,
  };
}
const TASK_COMM_LEN = 16;

export class Kernel {
  /** The first process's main thread (pid 1000, tid 1000). */
  readonly init: TaskRef = { pid: FIRST_PID, tid: FIRST_PID };
  private readonly k: KernelState;
  private nextTid = FIRST_PID + 1;

  constructor(readonly params: BootParams) {
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
    this.k = {
      switches: params.profile.switches,
      hstates,
      defaultHstate,
      log: new KernelLog(),
      processes: new Map(),
      current: null,
      num_poisoned_pages: 0,
      rawPoisoned: new Set(),
      signals: [],
      memory_failure_early_kill: false,
      memory_failure_recovery: true,
      hw_memory_failure: false,
      panicked: false,
      mfStats: { total: 0, ignored: 0, failed: 0, delayed: 0, recovered: 0 },
      faults: new Map(params.faults ?? []),
      nextIno: 1,
      trace: null,
      folioOfPfn,
    };
    const init = new Process(FIRST_PID, params.comm.slice(0, TASK_COMM_LEN - 1), new Mm());
    init.threads.set(FIRST_PID, new Thread(init, FIRST_PID));
    this.k.processes.set(FIRST_PID, init);
  }

  /** Model operations so far (page-table entries created or visited); the runner budgets them. */
  get ops(): number {
    let n = installedEntries;
    for (const p of this.k.processes.values()) n += p.mm.pt.ops;
    return n;
  }

  private thread(task: TaskRef): Thread {
    const t = this.k.processes.get(task.pid)?.threads.get(task.tid);
    if (t === undefined) throw new Error(`no thread ${task.pid}/${task.tid}`);
    return t;
  }

  /** Run fn as thread task (current), then return to user mode: pending signals are delivered. */
  private enter<T>(task: TaskRef, fn: (t: Thread, p: Process) => T): T {
    const t = this.thread(task);
    if (!t.alive) throw new Error(`thread ${task.tid} is dead`);
    this.k.current = t;
    try {
      return fn(t, t.process);
    } finally {
      this.k.current = null;
      deliverPending(this.k);
      this.reap();
    }
  }

  /**
   * do_exit() of every process that died (killed, or its last thread left): its mm and fds go. The
   * process stays as a zombie, so observers see an empty mm rather than an error.
   */
  private reap(): void {
    for (const p of this.k.processes.values()) {
      if (p.alive) continue;
      for (const vma of [...p.mm.vmas]) do_munmap(p, vma.start, vma.end - vma.start);
      for (const fd of [...p.fds.keys()]) close(p, fd);
    }
  }

  /**
   * A new process with an empty mm (fork + exec of a test binary). Used between tests: one boot runs
   * them in turn, as one selftest binary would, but each test gets a process of its own.
   */
  spawn(): TaskRef {
    const pid = this.nextTid++;
    const p = new Process(pid, this.params.comm.slice(0, TASK_COMM_LEN - 1), new Mm());
    p.threads.set(pid, new Thread(p, pid));
    this.k.processes.set(pid, p);
    return { pid, tid: pid };
  }

  /** exit_group(): unmap everything, close every fd, and reap the process. */
  exit_group(task: TaskRef): void {
    const p = this.k.processes.get(task.pid);
    if (p === undefined) return;
    p.alive = false;
    for (const t of p.threads.values()) t.alive = false;
    this.reap();
  }

  /** pthread_create: a new thread in task's process. */
  clone_thread(task: TaskRef): TaskRef {
    const creator = this.thread(task);
    const p = creator.process;
    const tid = this.nextTid++;
    const t = new Thread(p, tid);
    t.mceProcess = creator.mceProcess; // copy_process() keeps PF_MCE_* of the creating thread
    t.mceEarly = creator.mceEarly;
    p.threads.set(tid, t);
    return { pid: p.pid, tid };
  }

  /** pthread_exit / the thread returns. */
  exit_thread(task: TaskRef): void {
    const t = this.thread(task);
    exitThread(t);
    t.process.threads.delete(t.tid);
    this.reap();
  }

  /** Whether the thread (and its process) is still alive. */
  alive(task: TaskRef): boolean {
    const p = this.k.processes.get(task.pid);
    return p !== undefined && p.alive && (p.threads.get(task.tid)?.alive ?? false);
  }

  memfd_create(task: TaskRef, name: string, flags: number): SysRet {
    return this.enter(task, (_t, p) => memfd_create(this.k, p, name, flags));
  }

  ftruncate(task: TaskRef, fd: number, length: number): SysRet {
    return this.enter(task, (_t, p) => ftruncate(p, fd, length));
  }

  mmap(task: TaskRef, addr: number, length: number, prot: number, flags: number, fd: number, offset: number): SysRet {
    return this.enter(task, (_t, p) => mmap(this.k, p, addr, length, prot, flags, fd, offset));
  }

  munmap(task: TaskRef, addr: number, length: number): SysRet {
    return this.enter(task, (_t, p) => do_munmap(p, addr, length));
  }

  close(task: TaskRef, fd: number): SysRet {
    return this.enter(task, (_t, p) => close(p, fd));
  }

  madvise(task: TaskRef, addr: number, length: number, advice: number): SysRet {
    return this.enter(task, (t) => do_madvise(this.k, t, addr, length, advice));
  }

  /**
   * fork(): a child process; page tables copied per copy_hugetlb_page_range()'s rule. value = child pid.
   * With UFFD_FEATURE_EVENT_FORK, fork does not return until the FORK message is read
   * (dup_userfaultfd_complete()): `readers` are the uffds another thread is blocked reading, which take
   * the message at once; otherwise the fork is blocked on that uffd.
   */
  fork(task: TaskRef, readers: readonly number[] = []): SysRet {
    return this.enter(task, (t) => {
      const child = copy_process(this.k, t, this.nextTid++);
      for (const [fd, f] of t.process.fds) {
        if (!(f instanceof UffdCtx) || !f.events.some((ev) => ev.event === 'FORK')) continue;
        if (!readers.includes(fd)) return { ok: false, errno: 'EINTR', blocked: { uffd: fd } };
        userfaultfd_read(t.process, fd);
      }
      return { ok: true, value: child.pid };
    });
  }

  /** sigaction(SIGBUS): the process's disposition. */
  sigaction(task: TaskRef, action: SigbusAction): void {
    this.thread(task).process.sigbus = action;
  }

  /** sigprocmask(SIG_BLOCK / SIG_UNBLOCK, {SIGBUS}) for the thread. */
  sigprocmask(task: TaskRef, block: boolean): void {
    this.enter(task, (t) => {
      if (block) t.sigbusBlocked = true;
      else unblockSigbus(this.k, t);
    });
  }

  /** prctl(PR_MCE_KILL, PR_MCE_KILL_SET, EARLY|LATE) or PR_MCE_KILL_CLEAR, for the thread (kernel/sys.c). */
  prctl_mce_kill(task: TaskRef, policy: McePolicy): SysRet {
    const t = this.thread(task);
    t.mceProcess = policy !== 'clear';
    t.mceEarly = policy === 'early';
    return { ok: true, value: 0 };
  }

  /** sysctl vm.*: memory_failure_early_kill, memory_failure_recovery, nr_hugepages (of the default hstate). */
  sysctl(name: 'vm.memory_failure_early_kill' | 'vm.memory_failure_recovery' | 'vm.nr_hugepages', value: number): SysRet {
    if (!Number.isInteger(value) || value < 0) return { ok: false, errno: 'EINVAL' };
    switch (name) {
      case 'vm.memory_failure_early_kill':
        if (value > 1) return { ok: false, errno: 'EINVAL' };
        this.k.memory_failure_early_kill = value === 1;
        return { ok: true, value: 0 };
      case 'vm.memory_failure_recovery':
        if (value > 1) return { ok: false, errno: 'EINVAL' };
        this.k.memory_failure_recovery = value === 1;
        return { ok: true, value: 0 };
      case 'vm.nr_hugepages':
        return this.set_nr_hugepages(this.k.defaultHstate.size, value);
    }
  }

  /** echo N > /sys/kernel/mm/hugepages/hugepages-<size>kB/nr_hugepages. */
  set_nr_hugepages(size: number, count: number): SysRet {
    const h = this.k.hstates.find((hs) => hs.size === size);
    if (h === undefined || !Number.isInteger(count) || count < 0) return { ok: false, errno: 'EINVAL' };
    h.setMax(count);
    return { ok: true, value: 0 };
  }

  /** echo PFN > /sys/kernel/debug/hwpoison/corrupt-pfn, written by task: memory_failure(pfn, MF_SW_SIMULATED). */
  corrupt_pfn(task: TaskRef, pfn: number): SysRet {
    return this.enter(task, () => hwpoison_inject(this.k, pfn));
  }

  /** echo PHYS > /sys/devices/system/memory/hard_offline_page: memory_failure(pfn, 0). */
  hard_offline_page(task: TaskRef, phys: number): SysRet {
    return this.enter(task, () => hard_offline_page_store(this.k, phys));
  }

  /**
   * The thread's load at addr consumes an uncorrected error: the load first needs a present entry
   * (a fault may end in its own SIGBUS), then the MCE handler runs kill_me_maybe() on return to user.
   */
  mce(task: TaskRef, addr: number): AccessResult {
    return this.enter(task, (t) => {
      const r = do_user_addr_fault(this.k, t, addr, false);
      if ('blocked' in r) return { ok: false, blocked: 'userfaultfd', uffd: fdOf(t, r.blocked) };
      if (!('entry' in r)) return { ok: false, signal: r };
      const phys = r.entry.folio.pfn * PAGE_SIZE + r.offset;
      const before = this.k.signals.length;
      kill_me_maybe(this.k, t, phys);
      const mine = this.k.signals.slice(before).find((ev) => ev.tid === t.tid && ev.info.signo === 'SIGBUS');
      return mine === undefined ? { ok: true, value: r.entry.folio.contents.get(r.offset) } : { ok: false, signal: mine.info };
    });
  }

  /** The pfn of the page-cache page at a file offset (for pfn injectors on pages nobody maps); null if none. */
  pfnOfFile(task: TaskRef, fd: number, offset: number): number | null {
    const f = this.thread(task).process.fds.get(fd);
    if (!(f instanceof HugetlbFile)) return null;
    const size = f.inode.hstate.size;
    const folio = f.inode.pageCache.get(Math.floor(offset / size));
    return folio === undefined ? null : folio.pfn + Math.floor((offset % size) / PAGE_SIZE);
  }

  /** Head pfn of the n-th free hugepage of an hstate (free-list order); null if there are fewer. */
  pfnOfFreeHugepage(size: number, n: number): number | null {
    return this.k.hstates.find((h) => h.size === size)?.freeFolio(n)?.pfn ?? null;
  }

  /** pread(fd, buf, count, offset) (read when offset is undefined: at and advancing f_pos). value = bytes read. */
  pread(task: TaskRef, fd: number, count: number, offset?: number): SysRet {
    const f = this.thread(task).process.fds.get(fd);
    if (f === undefined) return { ok: false, errno: 'EBADF' };
    if (!(f instanceof HugetlbFile) || count < 0 || (offset ?? 0) < 0) return { ok: false, errno: 'EINVAL' };
    const r = hugetlbfs_read_iter(f.inode, offset ?? f.pos, count);
    if (r === 'EIO') return { ok: false, errno: 'EIO' }; // ksys_read() leaves f_pos alone on error
    if (offset === undefined) f.pos += r;
    return { ok: true, value: r };
  }

  /** pwrite on hugetlbfs: -EINVAL (hugetlbfs has no write_iter). */
  pwrite(task: TaskRef, fd: number, _count: number, _offset: number): SysRet {
    const f = this.thread(task).process.fds.get(fd);
    return { ok: false, errno: f === undefined ? 'EBADF' : 'EINVAL' };
  }

  /** fallocate(fd, mode, offset, len); mode bits FALLOC_FL_*. */
  fallocate(task: TaskRef, fd: number, mode: number, offset: number, len: number): SysRet {
    const f = this.thread(task).process.fds.get(fd);
    if (f === undefined) return { ok: false, errno: 'EBADF' };
    if (!(f instanceof HugetlbFile)) return { ok: false, errno: 'ENODEV' };
    const r = hugetlbfs_fallocate(f.inode, mode, offset, len);
    return r === 0 ? { ok: true, value: 0 } : { ok: false, errno: r };
  }

  /** userfaultfd(flags): value = the uffd. */
  userfaultfd(task: TaskRef): SysRet {
    return sys_userfaultfd(this.thread(task).process);
  }

  /** UFFDIO_API with the requested features; EINVAL when one is not offered by this kernel. */
  uffdio_api(task: TaskRef, uffd: number, features: readonly UffdFeature[]): SysRet {
    return userfaultfd_api(this.k, this.thread(task).process, uffd, features);
  }

  /** UFFDIO_REGISTER [addr, addr+len) with modes. */
  uffdio_register(task: TaskRef, uffd: number, addr: number, len: number, modes: readonly UffdRegisterMode[]): SysRet {
    return userfaultfd_register(this.thread(task).process, uffd, addr, len, modes);
  }

  /** UFFDIO_UNREGISTER. */
  uffdio_unregister(task: TaskRef, uffd: number, addr: number, len: number): SysRet {
    return userfaultfd_unregister(this.thread(task).process, uffd, addr, len);
  }

  /** UFFDIO_CONTINUE [addr, addr+len): map page-cache pages (minor faults). */
  uffdio_continue(task: TaskRef, uffd: number, addr: number, len: number): SysRet {
    return mcopy_continue(this.thread(task).process, uffd, addr, len);
  }

  /** UFFDIO_WRITEPROTECT [addr, addr+len), wp on or off. */
  uffdio_writeprotect(task: TaskRef, uffd: number, addr: number, len: number, wp: boolean): SysRet {
    return mwriteprotect_range(this.thread(task).process, uffd, addr, len, wp);
  }

  /** read(uffd): the oldest unread message, or EAGAIN when none is queued (O_NONBLOCK). */
  uffd_read(task: TaskRef, uffd: number): UffdEvent | { readonly errno: Errno } {
    return userfaultfd_read(this.thread(task).process, uffd);
  }

  /** /proc/PID/smaps of the VMA containing addr; null when none. */
  smaps(task: TaskRef, addr: number): SmapsInfo | null {
    return smaps(this.thread(task).process.mm, addr, this.k.switches.hgm);
  }

  /** /proc/PID/pagemap for the 4 KiB page at addr. */
  pagemap(task: TaskRef, addr: number): PagemapEntry {
    return pagemap(this.thread(task).process.mm, addr);
  }

  /** Per-node memory-failure stats; null on kernels without them (the sysfs files do not exist). */
  mfStats(): MfStats | null {
    return this.k.switches.per_node_mf_stats ? { ...this.k.mfStats } : null;
  }

  /**
   * vma_shareable(): a 2 MiB shared mapping that covers a PUD-aligned 1 GiB range would share PMD tables
   * (huge_pmd_share), which the model does not do yet; the runner refuses such mappings.
   */
  pmdShareable(task: TaskRef, addr: number): boolean {
    const vma = this.thread(task).process.mm.findVma(addr);
    if (vma === undefined || !vma.shared || vma.hstate.shift !== PMD_SHIFT) return false;
    const base = Math.ceil(vma.start / 2 ** PUD_SHIFT) * 2 ** PUD_SHIFT;
    return base + 2 ** PUD_SHIFT <= vma.end;
  }

  /** Record the kernel path of every entry from now on (`run --trace`); takeTrace() hands it over. */
  startTrace(): void {
    this.k.trace ??= new KernelTrace();
  }

  /** The kernel path recorded since the last call (empty when not tracing). */
  takeTrace(): string[] {
    return this.k.trace?.take() ?? [];
  }

  /** Make the next `times` attempts at a named fault-injection point fail (e.g. raw_hwp_page_alloc). */
  failNext(point: FaultPoint, times: number): void {
    this.k.faults.set(point, times);
  }

  /** One byte load/store by the thread; a fault that cannot be resolved raises its signal in that thread. */
  access(task: TaskRef, addr: number, op: 'read' | 'write', value = 0): AccessResult {
    return this.enter(task, (t) => {
      const r = do_user_addr_fault(this.k, t, addr, op === 'write');
      if ('blocked' in r) return { ok: false, blocked: 'userfaultfd', uffd: fdOf(t, r.blocked) };
      if (!('entry' in r)) return { ok: false, signal: r };
      const contents = r.entry.folio.contents;
      if (op === 'write') {
        contents.fill(r.offset, r.offset + 1, value & 0xff);
        return { ok: true, value: value & 0xff };
      }
      return { ok: true, value: contents.get(r.offset) };
    });
  }

  /**
   * memset(addr, value, length) by the thread: one fault per entry, then the whole entry's part of the
   * range is written at once. Stops at the first byte whose fault raises a signal.
   */
  memset(task: TaskRef, addr: number, length: number, value: number): AccessResult {
    return this.enter(task, (t) => {
      const end = addr + length;
      for (let pos = addr; pos < end;) {
        const r = do_user_addr_fault(this.k, t, pos, true);
        if ('blocked' in r) return { ok: false, blocked: 'userfaultfd', uffd: fdOf(t, r.blocked) };
        if (!('entry' in r)) return { ok: false, signal: r };
        const n = Math.min(end, r.entryEnd) - pos;
        r.entry.folio.contents.fill(r.offset, r.offset + n, value & 0xff);
        pos += n;
      }
      return { ok: true, value: length };
    });
  }

  // Observation: no side effects, no faults.

  /**
   * Whether every byte of [addr, addr+length) holds value, read through the backing folios without
   * faulting: the mapped folio, else the page-cache folio behind a file offset, else zero (a hole).
   * Poisoned pages read normally: software injection corrupts no data.
   */
  checkBytes(task: TaskRef, addr: number, length: number, value: number): BytesCheck {
    const mm = this.thread(task).process.mm;
    const end = addr + length;
    for (let pos = addr; pos < end;) {
      const vma = mm.findVma(pos);
      if (vma === undefined) return { ok: false, addr: pos, found: -1 };
      const h = vma.hstate;
      const hend = Math.min(end, pos - (pos % h.size) + h.size);
      const folio = this.backingFolio(task, pos);
      const off = pos % h.size;
      const miss = folio === undefined
        ? (value === 0 ? -1 : off)
        : folio.contents.findMismatch(off, off + (hend - pos), value);
      if (miss >= 0) return { ok: false, addr: pos - off + miss, found: folio?.contents.get(miss) ?? 0 };
      pos = hend;
    }
    return { ok: true };
  }

  private backingFolio(task: TaskRef, addr: number): Folio | undefined {
    const mm = this.thread(task).process.mm;
    const vma = mm.findVma(addr);
    if (vma === undefined) return undefined;
    const slot = mm.pt.walk(addr);
    const e = slot === undefined ? undefined : slotEntry(slot);
    if (e?.kind === 'present') return e.folio;
    if (e?.kind === 'hwpoison') return this.k.folioOfPfn(e.pfn);
    return vma.inode.pageCache.get(vma.indexOf(addr));
  }

  /** The entry a page-table walk finds for addr; null when no VMA covers addr. */
  mappingAt(task: TaskRef, addr: number): MappingInfo | null {
    const mm = this.thread(task).process.mm;
    const vma = mm.findVma(addr);
    if (vma === undefined) return null;
    const slot = mm.pt.walk(addr);
    const e = slot === undefined ? undefined : slotEntry(slot);
    if (slot === undefined || e === undefined || e.kind === 'table') {
      // A none slot inside a split hugepage's table has that table's entry size.
      const size = slot === undefined ? vma.hstate.size : Math.min(sizeOfShift(slot.shift), vma.hstate.size);
      return { size, kind: 'none', write: false, dirty: false, uffdWp: false, start: addr - (addr % size) };
    }
    const size = sizeOfShift(slot.shift);
    return {
      size,
      kind: entryKind(e),
      write: e.kind === 'present' && e.write,
      dirty: e.kind === 'present' && e.dirty,
      uffdWp: (e.kind === 'present' || e.kind === 'marker') && e.uffdWp,
      start: slot.start,
    };
  }

  /** Runs of equal entries over [start, end); none ranges count in the VMA's hugepage size. */
  pageTableRuns(task: TaskRef, start: number, end: number): PageTableRun[] {
    const mm = this.thread(task).process.mm;
    const noneSize = mm.findVma(start)?.hstate.size ?? this.k.defaultHstate.size;
    return pageTableRuns(mm.pt, start, end, noneSize);
  }

  /** The thread's VMAs in address order, each with its page table as a tree of folded runs (for `show`). */
  vmaViews(task: TaskRef): VmaView[] {
    const mm = this.thread(task).process.mm;
    return mm.vmas.map((v) => ({
      start: v.start,
      end: v.end,
      shared: v.shared,
      anonymous: v.inode.name === ANON_HUGEPAGE,
      file: v.inode.name === ANON_HUGEPAGE ? '' : v.inode.name,
      pgoff: v.pgoffBytes,
      hugepagesz: v.hstate.size,
      hgm: v.hgm,
      uffd: v.uffd === null ? [] : [...v.uffd.modes].sort(),
      tree: pageTableTree(mm.pt, v.start, v.end),
    }));
  }

  /** The hugetlb folio whose head pfn is `pfn` (also free or dissolved ones), for `show`; null if none. */
  folioView(pfn: number): FolioView | null {
    const f = this.k.folioOfPfn(pfn);
    if (f === undefined || f.pfn !== pfn) return null;
    return {
      ...folioInfo(f),
      subMapcount: f.subMapcount,
      // struct raw_hwp_page carries the counters only with the RFC (3/7).
      rawHwpUnmaps: this.k.switches.rfc_pagesize_unmap ? [...f.rawHwpUnmaps].map(([raw, c]) => ({ raw, ...c })) : [],
      free: f.freed,
      dissolved: f.dissolved,
    };
  }

  /** The folio mapped at addr (present or hwpoison entry), else the page-cache folio behind addr; null if none. */
  folioAt(task: TaskRef, addr: number): FolioInfo | null {
    const f = this.backingFolio(task, addr);
    if (f === undefined) return null;
    return folioInfo(f);
  }

  /** The raw pfn mapped at addr through a present entry; null otherwise. */
  pfnOf(task: TaskRef, addr: number): number | null {
    const mm = this.thread(task).process.mm;
    const slot = mm.pt.walk(addr);
    const e = slot === undefined ? undefined : slotEntry(slot);
    if (slot === undefined || e?.kind !== 'present') return null;
    return e.folio.pfn + e.subpage + Math.floor((addr - slot.start) / 2 ** PAGE_SHIFT);
  }

  meminfo(): Meminfo {
    const h = this.k.defaultHstate;
    return {
      HardwareCorrupted: this.k.num_poisoned_pages * (PAGE_SIZE / 1024),
      HugePages_Total: h.total,
      HugePages_Free: h.free,
      HugePages_Rsvd: h.resv,
      HugePages_Surp: h.surplus,
      Hugepagesize: h.kB,
      Hugetlb: this.k.hstates.reduce((sum, hs) => sum + hs.total * hs.kB, 0),
    };
  }

  pool(size: number): PoolInfo {
    const h = this.k.hstates.find((hs) => hs.size === size);
    if (h === undefined) return { size, total: 0, free: 0, resv: 0, surplus: 0 };
    return { size, total: h.total, free: h.free, resv: h.resv, surplus: h.surplus };
  }

  /**
   * The raw pages of the folio holding `pfn` that raw_hwp_list records and some present entry still
   * maps, with the process and address. "No poisoned raw page stays mapped" holds upstream; under the
   * RFC a failure path or the posted code can break it, which a run reports as a finding about the RFC.
   */
  poisonedStillMapped(pfn: number): { pfn: number; raw: number; pid: number; addr: number }[] {
    const folio = this.k.folioOfPfn(pfn);
    if (folio === undefined || folio.raw_hwp_list.length === 0) return [];
    const out: { pfn: number; raw: number; pid: number; addr: number }[] = [];
    for (const where of rmap_walk(folio)) {
      const mm: Mm = where.vma.mm;
      const p = this.processOf(mm);
      if (p === undefined || !p.alive) continue;
      const pid = p.pid;
      // One walk per listed raw page (not the whole folio's range: a split 1 GiB page has ~1000 entries).
      for (const raw of folio.raw_hwp_list) {
        const addr = where.address + raw * PAGE_SIZE;
        const slot = mm.pt.walk(addr);
        const e: LeafEntry | undefined = slot === undefined ? undefined : (slotEntry(slot) as LeafEntry | undefined);
        if (e?.kind === 'present' && e.folio === folio) out.push({ pfn: folio.pfn + raw, raw, pid, addr });
      }
    }
    return out;
  }

  private processOf(mm: Mm): Process | undefined {
    for (const p of this.k.processes.values()) if (p.mm === mm) return p;
    return undefined;
  }

  /** The model's named invariants that do not hold now (checkInvariants after every step in tests). */
  checkInvariants(): Violation[] {
    // Checking walks every table; it must not count against a test's step budget.
    const ops = [...this.k.processes.values()].map((p) => [p.mm.pt, p.mm.pt.ops] as const);
    const violations = checkInvariants(this.k);
    for (const [pt, n] of ops) pt.ops = n;
    return violations;
  }

  /** Signals the kernel sent since the previous call, in order. */
  takeSignals(): SignalEvent[] {
    return this.k.signals.splice(0, this.k.signals.length);
  }

  /** The kernel log, oldest first, without timestamps. */
  get dmesg(): readonly string[] {
    return this.k.log.lines;
  }
}
