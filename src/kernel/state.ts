// Global kernel state shared by the model's modules: what one boot holds.
// Compare Linux's globals: hstates[], num_poisoned_pages, sysctl_memory_failure_*, the task list.
import type { KernelBug } from './bug.js';
import type { KernelFinding } from './findings.js';
import type { Folio } from './folio.js';
import type { Hstate } from './hstate.js';
import type { Process, Thread } from './mm.js';
import type { KernelLog } from './printk.js';
import type { KernelSwitches } from './profiles.js';
import type { KernelTrace } from './trace.js';
import type { SignalEvent } from './types.js';
import type { Wording } from './wording.js';

/** A fault point's counters: `skip` attempts succeed, then `fail` attempts fail (failFault counts them down). */
export interface FaultCounter {
  skip: number;
  fail: number;
}

export interface KernelState {
  /** The profile's per-subsystem switch records. */
  readonly switches: KernelSwitches;
  /** The dmesg wording table the profile names (switches.wording), resolved at boot. */
  readonly wording: Wording;
  /** hstates[], ordered by hstate index. */
  readonly hstates: readonly Hstate[];
  readonly defaultHstate: Hstate;
  readonly log: KernelLog;
  /** for_each_process() order: creation order. */
  readonly processes: Map<number, Process>;
  /** The thread executing in the kernel right now (current). */
  current: Thread | null;
  /** num_poisoned_pages (HardwareCorrupted, in raw pages). */
  num_poisoned_pages: number;
  /** Raw pfns poisoned outside any hugetlb folio (dissolved folios' raw pages): PG_hwpoison on the raw page. */
  readonly rawPoisoned: Set<number>;
  /** Signals sent since the runner last took them. */
  readonly signals: SignalEvent[];
  /** The raw pfns memory_failure() was called for since the runner last took them. */
  readonly mfCalls: number[];
  /** Findings noted since the runner last took them (findings.ts). */
  readonly findings: KernelFinding[];
  /** Set by any memory_failure() without MF_SW_SIMULATED (hw_memory_failure): unpoison is refused after. */
  hw_memory_failure: boolean;
  /** sysctl vm.memory_failure_recovery (0: memory_failure() panics). */
  memory_failure_recovery: boolean;
  /** The sleeping locks current holds, in the order taken (bug.ts lock()). */
  readonly held: string[];
  /** Locks a task died holding (BUG), with the bug: whoever takes one next sleeps for good. */
  readonly deadLocks: Map<string, KernelBug>;
  /** A known defect of the modelled code ran (a finding, a BUG): the model's invariants are off. */
  tainted: boolean;
  /** The kernel panicked: every process is dead and nothing runs any more. */
  panicked: boolean;
  /** Per-node memory-failure stats (node 0 only), when the profile has them. */
  readonly mfStats: { total: number; ignored: number; failed: number; delayed: number; recovered: number };
  /** Named fault-injection points that fail their next N attempts. */
  /** kernel.faults: per named point, attempts still to let through, then attempts still to fail. */
  readonly faults: Map<string, FaultCounter>;
  /** sysctl vm.memory_failure_early_kill. */
  memory_failure_early_kill: boolean;
  /** The next pid or tid alloc_pid() hands out (processes and threads share the space). */
  nextPid: number;
  /** The next inode number get_next_ino() hands out. */
  nextIno: number;
  /** The kernel path being recorded for `run --trace`, or null. */
  trace: KernelTrace | null;
  /** pfn_to_page + page_folio for hugetlb pfns. */
  folioOfPfn(pfn: number): Folio | undefined;
}
