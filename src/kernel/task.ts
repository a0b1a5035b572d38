// The task table: finding a thread by pid/tid and releasing what dead processes held.
// Linux: kernel/pid.c:find_task_by_vpid(), kernel/exit.c:do_exit() => exit_mm(), exit_files().
// Unlike Linux, a dead process stays in the table as a zombie with an empty mm until the boot ends, so
// observers read an empty address space rather than an error; nothing waits for it.
import { i_mmap_lock, lockHolder } from './bug.js';
import { close, do_munmap } from './mmap.js';
import type { Thread } from './mm.js';
import type { KernelState } from './state.js';
import type { TaskRef } from './types.js';

/** kernel/pid.c:find_task_by_vpid() for a thread of a process; a missing one is an hgmsim bug, not an errno. */
export function find_task_by_vpid(k: KernelState, task: TaskRef): Thread {
  const t = k.processes.get(task.pid)?.threads.get(task.tid);
  if (t === undefined) throw new Error(`no thread ${task.pid}/${task.tid}`);
  return t;
}

/** alloc_pid(): the next pid or tid, shared by processes and threads as in Linux. */
export function alloc_pid(k: KernelState): number {
  return k.nextPid++;
}

/**
 * do_exit() of every process that died (killed, or its last thread left): its mm and fds go. The
 * process stays as a zombie, so observers see an empty mm rather than an error.
 */
export function reapDead(k: KernelState): void {
  for (const p of k.processes.values()) {
    if (p.alive || p.reaped) continue;
    // exit_mmap() takes each file's i_mmap_rwsem to unmap a hugetlb VMA: behind a lock a task died
    // holding (its own, after a BUG), the exit sleeps for good and the mm stays.
    if (p.mm.vmas.some((vma) => lockHolder(k, i_mmap_lock(vma.inode)) !== undefined)) continue;
    for (const vma of [...p.mm.vmas]) do_munmap(k, p, vma.start, vma.end - vma.start);
    for (const fd of [...p.fds.keys()]) close(k, p, fd);
    p.reaped = true;
  }
}
