// BUG() and the sleeping locks a task can die holding.
// Linux: include/asm-generic/bug.h (BUG_ON), arch/x86/kernel/traps.c:handle_bug() => die() =>
// kernel/exit.c:make_task_dead(): an oops in process context prints the report and ends the task where
// it stood. Nothing unwinds: the mutexes and rwsems it held stay held, so any later task that needs
// one sleeps in D state for good. The model raises BUG by throwing TaskHalted from the BUG site; the
// syscall entry (syscalls.ts enter()) catches it, ends the thread and leaves its locks held.
// Only the locks a memory_failure() can die holding are modelled, where the model takes them:
// mf_mutex (memory_failure(), soft_offline_page()), the file's i_mmap_rwsem (hwpoison_user_mappings(),
// mmap, munmap, and exit, which skips reaping an mm behind it) and the folio lock (memory_failure()).
// Left out: the folio lock in the fault and read paths, i_mmap_rwsem in fork, truncate and punch.
import type { Folio } from './folio.js';
import type { Inode } from './hugetlbfs.js';
import type { Thread } from './mm.js';
import { hex } from './printk.js';
import type { KernelState } from './state.js';
import { trace } from './trace.js';

/** Where a BUG_ON fired: the file and line the oops names, and the function RIP points into. */
export interface BugSite {
  readonly file: string;
  readonly line: number;
  readonly func: string;
}

/** A BUG the kernel hit: the site, the task, and the locks it died holding. */
export interface KernelBug extends BugSite {
  readonly pid: number;
  readonly tid: number;
  readonly comm: string;
  readonly locks: readonly string[];
}

/** Why a thread left the kernel without returning: it hit BUG(), or it sleeps on a lock a dead task holds. */
export type Halt =
  | { readonly kind: 'bug'; readonly bug: KernelBug }
  | { readonly kind: 'lock'; readonly lock: string; readonly holder: KernelBug };

/** Thrown from a BUG site or a lock a dead task holds, caught at the syscall entry. */
export class TaskHalted {
  constructor(readonly halt: Halt) {}
}

/** The mutex memory_failure(), soft_offline_page() and unpoison serialise on (mm/memory-failure.c). */
export const MF_MUTEX = 'mf_mutex';
/** The file's i_mmap_rwsem (taken for write by hugetlb_page_mapping_lock_write(), vma_link(), unmap). */
export const i_mmap_lock = (inode: Inode): string => `i_mmap_rwsem of inode ${inode.ino}`;
/** The folio lock (PG_locked). */
const folioLockNames = new WeakMap<Folio, string>();
/** Its name, written once per folio (memory_failure takes it per injection). */
export function folio_lock_name(folio: Folio): string {
  let name = folioLockNames.get(folio);
  if (name === undefined) {
    name = `folio lock of ${hex(folio.pfn)}`;
    folioLockNames.set(folio, name);
  }
  return name;
}

/**
 * mutex_lock() / down_write() / folio_lock() for the current task. The model runs one task at a time,
 * so a lock is only ever found held when a task died holding it: then current sleeps for good.
 */
export function lock(k: KernelState, name: string): void {
  const holder = k.deadLocks.get(name);
  if (holder !== undefined) {
    trace(k, () => `${name}: held by ${holder.comm}:${holder.tid} since its kernel BUG; sleeping for good`);
    throw new TaskHalted({ kind: 'lock', lock: name, holder });
  }
  k.held.push(name);
}

/** mutex_unlock() / up_write() / folio_unlock(): the last acquisition of `name` by current. */
export function unlock(k: KernelState, name: string): void {
  const i = k.held.lastIndexOf(name);
  if (i >= 0) k.held.splice(i, 1);
}

/** A lock a task died holding, if `name` is one. */
export const lockHolder = (k: KernelState, name: string): KernelBug | undefined => k.deadLocks.get(name);

/**
 * BUG_ON(cond) taken: print the oops as x86 die() does, then leave the task where it stands (the
 * caller's stack never resumes). The locks current holds are recorded with the bug.
 */
export function BUG(k: KernelState, site: BugSite): never {
  const t = k.current;
  const pid = t?.process.pid ?? 0;
  const comm = t?.process.comm ?? 'swapper/0';
  const bug: KernelBug = { ...site, pid, tid: t?.tid ?? 0, comm, locks: [...k.held] };
  k.log.printk(`kernel BUG at ${site.file}:${site.line}!`);
  k.log.printk('invalid opcode: 0000 [#1] PREEMPT SMP NOPTI');
  k.log.printk(`CPU: 0 PID: ${pid} Comm: ${comm} Not tainted`);
  k.log.printk(`RIP: 0010:${site.func}`);
  trace(k, () => `kernel BUG at ${site.file}:${site.line} in ${site.func}()`);
  throw new TaskHalted({ kind: 'bug', bug });
}

/**
 * make_task_dead() for a halted task: the locks current held stay held (by the bug, or, for a task
 * asleep on a lock, by the bug that task waits behind); a task that hit BUG is dead.
 */
export function haltTask(k: KernelState, t: Thread, halt: Halt, exitThread: (t: Thread) => void): void {
  const owner = halt.kind === 'bug' ? halt.bug : halt.holder;
  for (const name of k.held) if (!k.deadLocks.has(name)) k.deadLocks.set(name, owner);
  k.held.length = 0;
  // A task asleep on a lock stays as it is: its step never returns, and the runner ends the test there.
  if (halt.kind === 'bug') {
    k.tainted = true; // TAINT_DIE
    exitThread(t);
  }
}
