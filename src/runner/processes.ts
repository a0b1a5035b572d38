// The processes and threads of one test, by the names the scenario gave them (DESIGN.md "Scenarios":
// the test starts in process `main`, thread `main`; `fork`/`spawn` name processes, `thread` names
// threads, `in:` picks the acting one). Compare the kernel's pid → task_struct lookup: here a name →
// TaskRef table, plus what the runner learned about each process (killed by which signal).
//
// Invariants:
// - every process the test created is in `created`, in creation order, even when its name was rebound
//   (a `fork` inside a loop): the test exit_groups each one at its end;
// - a thread name maps to a thread of the process its `thread` step acted in (the loader checked `C.T`).

import type { Kernel, SigInfo, TaskRef } from '../kernel/index.js';
import { MAIN } from '../scenario/index.js';
import type { TaskName } from '../scenario/index.js';

export interface ProcessEntry {
  readonly name: string;
  /** Its main thread (tid = pid). */
  readonly main: TaskRef;
  readonly how: 'main' | 'fork' | 'spawn';
  /** The signal whose default action killed it, once one did. */
  killedBy?: SigInfo;
}

/** The acting thread of a step, resolved. */
export interface Acting {
  readonly task: TaskRef;
  readonly process: ProcessEntry;
  /** `C` for a main thread, `C.T` for a named thread. */
  readonly label: string;
}

export class Processes {
  private readonly byName = new Map<string, ProcessEntry>();
  private readonly threads = new Map<string, TaskRef>();
  private readonly created: ProcessEntry[] = [];

  constructor(private readonly kernel: Kernel, main: TaskRef) {
    this.addProcess(MAIN, main, 'main');
  }

  addProcess(name: string, main: TaskRef, how: ProcessEntry['how']): void {
    const p: ProcessEntry = { name, main, how };
    this.byName.set(name, p);
    this.created.push(p);
  }

  addThread(name: string, task: TaskRef): void {
    this.threads.set(name, task);
  }

  /** The process named `name` (the loader checked the name; undefined only when its step failed). */
  get(name: string): ProcessEntry | undefined {
    return this.byName.get(name);
  }

  /** The acting thread for `in:` (absent: main's main thread); which name is not bound yet, when one is not. */
  resolve(t: TaskName | undefined): Acting | { readonly missing: 'process' | 'thread'; readonly name: string } {
    const name = t?.process ?? MAIN;
    const process = this.byName.get(name);
    if (process === undefined) return { missing: 'process', name };
    if (t?.thread === undefined) return { task: process.main, process, label: name };
    const task = this.threads.get(t.thread);
    if (task === undefined || task.pid !== process.main.pid) return { missing: 'thread', name: `${name}.${t.thread}` };
    return { task, process, label: `${name}.${t.thread}` };
  }

  /** The latest process with this pid (names are only rebound by new processes, never to old pids). */
  byPid(pid: number): ProcessEntry | undefined {
    for (let i = this.created.length - 1; i >= 0; i--) {
      const p = this.created[i];
      if (p?.main.pid === pid) return p;
    }
    return undefined;
  }

  /** A process is alive until a signal killed it and while any thread of it the test knows is alive. */
  alive(p: ProcessEntry): boolean {
    return this.liveThread(p.main.pid) !== undefined;
  }

  /** A live thread of process `pid` to observe it through (its main thread first); none once it died. */
  liveThread(pid: number): TaskRef | undefined {
    const p = this.byPid(pid);
    if (p?.killedBy !== undefined) return undefined;
    if (p !== undefined && this.kernel.alive(p.main)) return p.main;
    for (const t of this.threads.values()) if (t.pid === pid && this.kernel.alive(t)) return t;
    return undefined;
  }

  /** Every process the test created (main first), in creation order. */
  all(): readonly ProcessEntry[] {
    return this.created;
  }
}
