// Findings: the model noting that it just ran a line of the modelled code that is known to be wrong,
// the way a Linux WARN or KASAN report names the line that misbehaved. Each has a stable id (abi FINDING_IDS,
// docs/findings.md); the runner prints them after the step that caused them and the report words them.
// Linux has no such record: the lines it marks are cited where the model runs them (hgm.ts, memory-failure.ts).
import type { FindingId } from '../abi/index.js';
import type { Mm } from './mm.js';
import type { KernelState } from './state.js';

/** One finding, as facts: which defect, in which process, about which raw page and address. */
export interface KernelFinding {
  readonly id: FindingId;
  /** The process it concerns (whose mapping or whose call). */
  readonly pid: number;
  /** The raw page's pfn (the folio's head pfn + raw). */
  readonly pfn: number;
  /** The raw page's index in its folio. */
  readonly raw: number;
  /** The user address concerned, when there is one. */
  readonly addr?: number;
  /** A second raw index the finding names (RFC-F3: the raw page that should have been mapped). */
  readonly other?: number;
  /**
   * A count the finding names (RFC-F4: the folio's refcount after the second put; RFC-F6: the entries
   * that still map the folio).
   */
  readonly count?: number;
}

/**
 * Record a finding for the runner to print after the current step. A defect of the modelled code
 * (RFC-F*) taints the kernel: its accounting invariants no longer hold, by that defect.
 */
export function noteFinding(k: KernelState, f: KernelFinding): void {
  k.findings.push(f);
  if (f.id !== 'MAPPED') k.tainted = true;
}

/** The pid of the process whose mm this is (0 when none: a finding about an mm no process has). */
export function pidOfMm(k: KernelState, mm: Mm): number {
  for (const p of k.processes.values()) if (p.mm === mm) return p.pid;
  return 0;
}
