// Views of model state for `dump:` and the per-test observations, as data: a named mapping's
// page-table runs relative to its start, and long lists capped. Compare Linux's ptdump
// (mm/ptdump.c), which walks a range and folds equal consecutive entries. report/ words them.

import type { Kernel, PageTableRun, TaskRef } from '../kernel/index.js';
import type { NamedMapping } from './context.js';
import type { Capped, MappingRun } from './results.js';

/** Runs over the parts of a named mapping still mapped. */
export function mappingRuns(kernel: Kernel, task: TaskRef, m: NamedMapping): PageTableRun[] {
  return m.live.flatMap((piece) => kernel.pageTableRuns(task, piece.start, piece.end));
}

/** Runs with their bounds as offsets from the named mapping's start. */
export const relativeRuns = (runs: readonly PageTableRun[], m: NamedMapping): MappingRun[] =>
  runs.map((r) => ({ start: r.start - m.start, end: r.end - m.start, size: r.size, kind: r.kind, count: r.count }));

/** The first `keep` items of a list and how many were left out. */
export const capped = <T>(xs: readonly T[], keep: number): Capped<T> =>
  ({ first: xs.slice(0, keep), more: Math.max(0, xs.length - keep) });
