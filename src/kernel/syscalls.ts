// The syscall entries: what a test's threads ask of the kernel (syscalls, sysfs/debugfs writes, loads
// and stores). Each runs as the given thread through enter(); the work is done in the per-concept modules.
// Linux: the syscall entry (arch/x86/entry/common.c:do_syscall_64()) and return to user mode
// (kernel/entry/common.c:exit_to_user_mode_loop() delivers pending signals); compare gVisor's
// pkg/sentry/mm/syscalls.go. The sysctl and sysfs pool writes come from the harness, not a test thread.
import { do_user_addr_fault, readableAt } from './fault.js';
import { copy_process } from './fork.js';
import { hugetlbfs_fallocate, hugetlbfs_read_iter, HugetlbFile } from './hugetlbfs.js';
import { hard_offline_page_store, hwpoison_inject, kill_me_maybe } from './hwpoison-inject.js';
import { do_madvise, fdOf } from './madvise.js';
import { soft_offline_page_store } from './soft-offline.js';
import type { Process, Thread } from './mm.js';
import { close, do_munmap, ftruncate, memfd_create, mmap } from './mmap.js';
import { TaskHalted, haltTask } from './bug.js';
import { deliverPending, exitThread, unblockSigbus } from './signal.js';
import type { KernelState } from './state.js';
import { alloc_pid, find_task_by_vpid, reapDead } from './task.js';
import type { AccessResult, Errno, ProbeRun, RangeRead, SigbusAction, SysRet, TaskRef, UffdEvent } from './types.js';
import { PAGE_SIZE, SEEK, type McePolicy } from './uapi.js';
import type { UffdFeature, UffdRegisterMode } from '../abi/index.js';
import {
  mcopy_continue, mfill_atomic_poison, mwriteprotect_range, sys_userfaultfd, userfaultfd_api, userfaultfd_read, userfaultfd_register,
  userfaultfd_unregister, UffdCtx,
  type UffdioPoisonRet,
} from './userfaultfd.js';

/** INT_MAX & PAGE_MASK (include/linux/fs.h): the most one read(2) or write(2) transfers. */
const MAX_RW_COUNT = 0x7ffff000;

export type SysctlName = 'vm.memory_failure_early_kill' | 'vm.memory_failure_recovery' | 'vm.nr_hugepages';

export class Syscalls {
  constructor(private readonly k: KernelState) {}

  /**
   * Run fn as thread task (current), then return to user mode: pending signals are delivered and the
   * processes that died are reaped. Every entry below goes through here. A task that hits BUG() or
   * sleeps on a lock a dead task holds does not return: TaskHalted goes on to the caller.
   * Preconditions: the thread is alive (the runner never acts as a dead thread; doing so is a bug).
   */
  private enter<T>(task: TaskRef, fn: (t: Thread, p: Process) => T): T {
    const t = find_task_by_vpid(this.k, task);
    if (!t.alive) throw new Error(`thread ${task.tid} is dead`);
    this.k.current = t;
    try {
      return fn(t, t.process);
    } catch (e) {
      // BUG() or a lock a dead task holds: the thread never returns to user mode (bug.ts).
      if (e instanceof TaskHalted) haltTask(this.k, t, e.halt, exitThread);
      throw e;
    } finally {
      this.k.current = null;
      deliverPending(this.k);
      reapDead(this.k);
    }
  }

  memfd_create(task: TaskRef, name: string, flags: number): SysRet {
    return this.enter(task, (_t, p) => memfd_create(this.k, p, name, flags));
  }

  ftruncate(task: TaskRef, fd: number, length: number): SysRet {
    return this.enter(task, (_t, p) => ftruncate(this.k, p, fd, length));
  }

  mmap(task: TaskRef, addr: number, length: number, prot: number, flags: number, fd: number, offset: number): SysRet {
    return this.enter(task, (_t, p) => mmap(this.k, p, addr, length, prot, flags, fd, offset));
  }

  munmap(task: TaskRef, addr: number, length: number): SysRet {
    return this.enter(task, (_t, p) => do_munmap(this.k, p, addr, length));
  }

  close(task: TaskRef, fd: number): SysRet {
    return this.enter(task, (_t, p) => close(this.k, p, fd));
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
      const child = copy_process(this.k, t, alloc_pid(this.k));
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
    this.enter(task, (_t, p) => {
      p.sigbus = action;
    });
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
    return this.enter(task, (t) => {
      t.mceProcess = policy !== 'clear';
      t.mceEarly = policy === 'early';
      return { ok: true, value: 0 };
    });
  }

  /**
   * prctl(PR_MCE_KILL_GET) (kernel/sys.c): PR_MCE_KILL_EARLY (1) or PR_MCE_KILL_LATE (0) when the thread
   * set a policy (PF_MCE_PROCESS), else PR_MCE_KILL_DEFAULT (2).
   */
  prctl_mce_kill_get(task: TaskRef): SysRet {
    return this.enter(task, (t) => ({ ok: true, value: t.mceProcess ? (t.mceEarly ? 1 : 0) : 2 }));
  }

  /** sysctl vm.*: memory_failure_early_kill, memory_failure_recovery, nr_hugepages (of the default hstate). */
  sysctl(name: SysctlName, value: number): SysRet {
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

  /** echo TEXT > /sys/devices/system/memory/soft_offline_page (a physical address): the bytes written, or the error. */
  soft_offline_page(task: TaskRef, text: string): SysRet {
    return this.enter(task, () => soft_offline_page_store(this.k, text));
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

  /** pread(fd, buf, count, offset) (read when offset is undefined: at and advancing f_pos). value = bytes read. */
  pread(task: TaskRef, fd: number, count: number, offset?: number): SysRet {
    return this.enter(task, (_t, p) => {
      const f = p.fds.get(fd);
      if (f === undefined) return { ok: false, errno: 'EBADF' };
      if (!(f instanceof HugetlbFile) || count < 0 || (offset ?? 0) < 0) return { ok: false, errno: 'EINVAL' };
      // fs/read_write.c rw_verify_area(): one read moves at most MAX_RW_COUNT bytes (observed on 6.1 and
      // 6.12: a 2 GiB pread returns 0x7ffff000).
      const r = hugetlbfs_read_iter(this.k.switches.hugetlbfs, f.inode, offset ?? f.pos, Math.min(count, MAX_RW_COUNT));
      if (r === 'EIO') return { ok: false, errno: 'EIO' }; // ksys_read() leaves f_pos alone on error
      if (offset === undefined) f.pos += r;
      return { ok: true, value: r };
    });
  }

  /**
   * lseek(fd, offset, whence): hugetlbfs_file_operations uses default_llseek (fs/read_write.c): SEEK_END
   * and SEEK_CUR add i_size or f_pos, SEEK_DATA/SEEK_HOLE see the whole file as data (-ENXIO at or past
   * i_size), a negative result is -EINVAL; ksys_lseek() refuses a whence above SEEK_MAX.
   */
  lseek(task: TaskRef, fd: number, offset: number, whence: number): SysRet {
    return this.enter(task, (_t, p) => {
      const f = p.fds.get(fd);
      if (f === undefined) return { ok: false, errno: 'EBADF' };
      if (!(f instanceof HugetlbFile)) return { ok: false, errno: 'ESPIPE' };
      let pos: number;
      switch (whence) {
        case SEEK.SEEK_SET: pos = offset; break;
        case SEEK.SEEK_CUR: pos = f.pos + offset; break;
        case SEEK.SEEK_END: pos = f.inode.size + offset; break;
        case SEEK.SEEK_DATA:
          if (offset >= f.inode.size) return { ok: false, errno: 'ENXIO' };
          pos = offset;
          break;
        case SEEK.SEEK_HOLE:
          if (offset >= f.inode.size) return { ok: false, errno: 'ENXIO' };
          pos = f.inode.size;
          break;
        default: return { ok: false, errno: 'EINVAL' };
      }
      if (pos < 0 || !Number.isSafeInteger(pos)) return { ok: false, errno: 'EINVAL' };
      f.pos = pos;
      return { ok: true, value: pos };
    });
  }

  /** pwrite on hugetlbfs: -EINVAL (hugetlbfs has no write_iter). */
  pwrite(task: TaskRef, fd: number, _count: number, _offset: number): SysRet {
    return this.enter(task, (_t, p) => ({ ok: false, errno: p.fds.get(fd) === undefined ? 'EBADF' : 'EINVAL' }));
  }

  /** fallocate(fd, mode, offset, len); mode bits FALLOC_FL_*. */
  fallocate(task: TaskRef, fd: number, mode: number, offset: number, len: number): SysRet {
    return this.enter(task, (_t, p) => {
      const f = p.fds.get(fd);
      if (f === undefined) return { ok: false, errno: 'EBADF' };
      if (!(f instanceof HugetlbFile)) return { ok: false, errno: 'ENODEV' };
      const r = hugetlbfs_fallocate(this.k, f.inode, mode, offset, len);
      return r === 0 ? { ok: true, value: 0 } : { ok: false, errno: r };
    });
  }

  /** userfaultfd(flags): value = the uffd. */
  userfaultfd(task: TaskRef): SysRet {
    return this.enter(task, (_t, p) => sys_userfaultfd(p));
  }

  /** UFFDIO_API with the requested features; EINVAL when one is not offered by this kernel. */
  uffdio_api(task: TaskRef, uffd: number, features: readonly UffdFeature[]): SysRet {
    return this.enter(task, (_t, p) => userfaultfd_api(this.k, p, uffd, features));
  }

  /** UFFDIO_REGISTER [addr, addr+len) with modes. */
  uffdio_register(task: TaskRef, uffd: number, addr: number, len: number, modes: readonly UffdRegisterMode[]): SysRet {
    return this.enter(task, (_t, p) => userfaultfd_register(this.k, p, uffd, addr, len, modes));
  }

  /** UFFDIO_UNREGISTER. */
  uffdio_unregister(task: TaskRef, uffd: number, addr: number, len: number): SysRet {
    return this.enter(task, (_t, p) => userfaultfd_unregister(p, uffd, addr, len));
  }

  /** UFFDIO_CONTINUE [addr, addr+len): map page-cache pages (minor faults). */
  uffdio_continue(task: TaskRef, uffd: number, addr: number, len: number): SysRet {
    return this.enter(task, (_t, p) => mcopy_continue(p, uffd, addr, len));
  }

  /** UFFDIO_WRITEPROTECT [addr, addr+len), wp on or off. */
  /** ioctl(uffd, UFFDIO_POISON, {range}): the return and what it wrote to `updated`. */
  uffdio_poison(task: TaskRef, uffd: number, addr: number, len: number): UffdioPoisonRet {
    return this.enter(task, (_t, p) => mfill_atomic_poison(this.k, p, uffd, addr, len));
  }

  uffdio_writeprotect(task: TaskRef, uffd: number, addr: number, len: number, wp: boolean): SysRet {
    return this.enter(task, (_t, p) => mwriteprotect_range(p, uffd, addr, len, wp));
  }

  /** read(uffd): the oldest unread message, or EAGAIN when none is queued (O_NONBLOCK). */
  uffd_read(task: TaskRef, uffd: number): UffdEvent | { readonly errno: Errno } {
    return this.enter(task, (_t, p) => userfaultfd_read(p, uffd));
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
   * One-byte loads by the thread at addr, addr+stride, … below addr+length, as a C check loop reads a
   * range. A load the page tables allow never enters the kernel: the loads through one present entry
   * are read from its folio at once (costing its contents' intervals). Any other load is access()'s
   * kernel entry, its own, so a signal it raises is delivered before the next load as between steps.
   * Stops when the thread is gone (its signal's action) or a load blocks on a userfaultfd.
   */
  readEvery(task: TaskRef, addr: number, length: number, stride: number): RangeRead {
    const t = find_task_by_vpid(this.k, task);
    const end = addr + length;
    const runs: ProbeRun[] = [];
    let loads = 0;
    let ops = 0;
    for (let pos = addr; pos < end;) {
      const hit = readableAt(t.process.mm, pos);
      if (hit !== undefined) {
        const count = Math.ceil((Math.min(end, hit.entryEnd) - pos) / stride);
        for (const r of hit.entry.folio.contents.sample(hit.offset, stride, count)) {
          runs.push({ kind: 'read', addr: pos + r.index * stride, count: r.count, value: r.value });
          ops++;
        }
        ops++;
        loads += count;
        pos += count * stride;
        continue;
      }
      const r = this.access(task, pos, 'read');
      loads++;
      ops++;
      if (r.ok) runs.push({ kind: 'read', addr: pos, count: 1, value: r.value });
      else if ('signal' in r) runs.push({ kind: 'signal', addr: pos, signal: r.signal });
      else {
        runs.push({ kind: 'blocked', addr: pos, uffd: r.uffd });
        return { runs, loads, ops, stopped: 'blocked' };
      }
      if (!t.alive) return { runs, loads, ops, stopped: 'dead' };
      pos += stride;
    }
    return { runs, loads, ops, stopped: null };
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
}
