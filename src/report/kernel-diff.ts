// `hgmsim diff` between a model stream and a kernel stream (a golden and the recording of its exported
// program on a real kernel): both sides are read in kernel view (kernel-view.ts, kernel-noise.ts) and
// compared line by line, test by test, paired as diff.ts pairs them. The result counts the lines that
// agree and those the model prints but a kernel cannot observe, and lists each difference as a model
// line against a kernel line, either of them absent.

import { label, lineHunks, pairPoints, plain, where } from './diff.js';
import type { DiffPaint } from './diff.js';
import { linesInKernelView } from './kernel-view.js';
import { headerOrigin } from './stream-origin.js';
import { pointLine } from './tap-read.js';
import type { PointStatus, TapLevel, TapPoint } from './tap-read.js';

export type KernelDifferenceKind = 'header' | 'plan' | 'lines' | 'result' | 'missing' | 'extra' | 'trailing' | 'bailout';

export interface KernelDifference {
  /** The labels of the test points leading here, outermost first; empty outside any test. */
  readonly path: readonly string[];
  /** The innermost test point the difference is in (the model's, else the kernel's); null outside any test. */
  readonly test: { readonly number: number; readonly name: string } | null;
  readonly kind: KernelDifferenceKind;
  /** The model's line in kernel view, null when the kernel has a line the model does not. */
  readonly model: string | null;
  /** The kernel's line in kernel view, null when the model has a line the kernel does not. */
  readonly kernel: string | null;
}

export interface KernelComparison {
  /** Lines equal in kernel view (header, plan, `# ` lines, results, lines after the last test). */
  readonly agree: number;
  /** Model lines and summary segments a kernel cannot observe, and the kernel's notes saying so. */
  readonly notObservable: number;
  readonly differences: readonly KernelDifference[];
}

/** The reason prefix of a kernel test the exported program could not perform (an MCE, an HGM ioctl). */
const NOT_PERFORMABLE = /^not performable on a kernel\b/;

const notPerformable = (p: TapPoint): boolean => p.status === 'skip' && NOT_PERFORMABLE.test(p.reason);

interface Tally {
  agree: number;
  notObservable: number;
  readonly differences: KernelDifference[];
}

type Test = KernelDifference['test'];

/** Compares two line lists (already in kernel view): equal lines agree, the rest pair up hunk by hunk. */
function compareLines(model: readonly string[], kernel: readonly string[], path: readonly string[], test: Test, kind: KernelDifferenceKind, out: Tally): void {
  let removed = 0;
  for (const h of lineHunks(model, kernel)) {
    removed += h.removed.length;
    for (let i = 0; i < Math.max(h.removed.length, h.added.length); i++) {
      out.differences.push({ path, test, kind, model: h.removed[i] ?? null, kernel: h.added[i] ?? null });
    }
  }
  out.agree += model.length - removed;
}

/** A level's header comment (the first line before its first test, or after a plan with none), and the level without it. */
function splitHead(level: TapLevel): { head: string[]; rest: TapLevel } {
  const [first, ...others] = level.points;
  const lines = first ? first.comments : level.trailing;
  if (lines[0] === undefined || headerOrigin(lines[0]) === null) return { head: [], rest: level };
  const rest = first ? { ...level, points: [{ ...first, comments: lines.slice(1) }, ...others] } : { ...level, trailing: lines.slice(1) };
  return { head: [lines[0]], rest };
}

const TOTALS = /^# Totals: (.*)$/;

/**
 * A model result as the kernel's program reports it: it has no verdicts, so an XFAIL is the failure it
 * expected (`not ok`) and an XPASS the pass (`ok`), both without the verdict's words.
 */
function rawOutcome(p: TapPoint): TapPoint {
  if (p.status === 'xfail') return { ...p, ok: false, status: 'fail', reason: '' };
  if (p.status === 'xpass') return { ...p, ok: true, status: 'pass', reason: '' };
  return p;
}

/** A count moved from one `# Totals:` key to another. */
interface Move {
  readonly from: PointStatus;
  readonly to: PointStatus;
}

/**
 * The model's `# Totals:` line as the kernel counts it: each test the kernel could not perform is a
 * skip there, whatever the model's result was; an xfail is a fail and an xpass a pass (rawOutcome).
 */
function totalsAsKernelCounts(line: string, moved: readonly Move[]): string {
  const m = TOTALS.exec(line);
  if (!m || moved.length === 0) return line;
  const counts = (m[1] ?? '').split(' ').map((w) => {
    const [key = '', n = ''] = w.split(':');
    return { key, n: Number(n) };
  });
  for (const mv of moved) {
    const from = counts.find((c) => c.key === mv.from);
    const to = counts.find((c) => c.key === mv.to);
    if (from && to) {
      from.n--;
      to.n++;
    }
  }
  return `# Totals: ${counts.map((c) => `${c.key}:${c.n}`).join(' ')}`;
}

function compareLevel(modelLevel: TapLevel, kernelLevel: TapLevel, path: readonly string[], out: Tally): void {
  const { head: modelHead, rest: model } = splitHead(modelLevel);
  const { head: kernelHead, rest: kernel } = splitHead(kernelLevel);
  compareLines(linesInKernelView(modelHead, 'model').lines, linesInKernelView(kernelHead, 'kernel').lines, path, null, 'header', out);
  compareLines(model.plan === null ? [] : [model.plan], kernel.plan === null ? [] : [kernel.plan], path, null, 'plan', out);
  if (model.bailout !== kernel.bailout) {
    out.differences.push({ path, test: null, kind: 'bailout', model: model.bailout ?? null, kernel: kernel.bailout ?? null });
  }
  const moved: Move[] = [];
  for (const [p, q] of pairPoints(model.points, kernel.points)) {
    if (!q) {
      out.differences.push({ path: [...path, label(p!)], test: { number: p!.id, name: p!.name }, kind: 'missing', model: pointLine(p!), kernel: null });
      continue;
    }
    if (!p) {
      out.differences.push({ path: [...path, label(q)], test: { number: q.id, name: q.name }, kind: 'extra', model: null, kernel: pointLine(q) });
      continue;
    }
    const here = [...path, label(p)];
    const test = { number: p.id, name: p.name };
    if (notPerformable(q) && !notPerformable(p)) {
      // Every line the model printed for the test, and its result, is something the kernel never ran.
      out.notObservable += p.comments.length + 1;
      moved.push({ from: p.status, to: 'skip' });
      continue;
    }
    const raw = rawOutcome(p);
    if (raw.status !== p.status) moved.push({ from: p.status, to: raw.status });
    const mv = linesInKernelView(p.comments, 'model');
    const kv = linesInKernelView(q.comments, 'kernel');
    out.notObservable += mv.hidden + kv.hidden;
    compareLines(mv.lines, kv.lines, here, test, 'lines', out);
    if (p.child && q.child) compareLevel(p.child, q.child, here, out);
    else if (p.child || q.child) {
      const nested = (l: TapLevel | undefined): string | null => (l ? '# (a nested TAP stream)' : null);
      out.differences.push({ path: here, test, kind: 'lines', model: nested(p.child), kernel: nested(q.child) });
    }
    compareLines([pointLine(raw)], [pointLine(q)], here, test, 'result', out);
  }
  const mt = linesInKernelView(model.trailing.map((l) => totalsAsKernelCounts(l, moved)), 'model');
  const kt = linesInKernelView(kernel.trailing, 'kernel');
  out.notObservable += mt.hidden + kt.hidden;
  compareLines(mt.lines, kt.lines, path, null, 'trailing', out);
}

/** A model stream against a kernel stream, in kernel view. Pure: the same trees give the same result. */
export function compareKernelView(model: TapLevel, kernel: TapLevel): KernelComparison {
  const out: Tally = { agree: 0, notObservable: 0, differences: [] };
  compareLevel(model, kernel, [], out);
  return out;
}

/** `N lines agree, M differ, K not observable`. */
export const kernelViewSummary = (c: KernelComparison): string =>
  `${c.agree} lines agree, ${c.differences.length} differ, ${c.notObservable} not observable`;

const KIND_TEXT: { readonly [K in KernelDifferenceKind]: string } = {
  header: 'header',
  plan: 'plan',
  lines: '# lines',
  result: 'result',
  missing: 'missing on the kernel',
  extra: 'only on the kernel',
  trailing: 'lines after the last test',
  bailout: 'bail out',
};

/**
 * The comparison as `hgmsim diff` prints it: `--- MODEL (model)` / `+++ KERNEL (kernel)`, an `@@` header
 * per run of differences in one place, `-` the model's line and `+` the kernel's, then the summary.
 */
export function renderKernelDiff(modelName: string, kernelName: string, c: KernelComparison, paint: DiffPaint = plain): string {
  const out: string[] = [];
  if (c.differences.length > 0) out.push(paint.header(`--- ${modelName} (model)`), paint.header(`+++ ${kernelName} (kernel)`));
  let open = '';
  for (const d of c.differences) {
    const header = `@@ ${where(d.path)} (${KIND_TEXT[d.kind]})`;
    if (header !== open) out.push(paint.header(header));
    open = header;
    if (d.model !== null) out.push(paint.removed(`- ${d.model}`));
    if (d.kernel !== null) out.push(paint.added(`+ ${d.kernel}`));
  }
  out.push(paint.summary(`kernel view: ${kernelViewSummary(c)}`));
  return `${out.join('\n')}\n`;
}
