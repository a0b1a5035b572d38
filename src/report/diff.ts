// `hgmsim diff EXPECTED ACTUAL`: a semantic diff of two TAP streams read by tap-read.ts. Per level it
// compares the plan, then each test point — paired by name when the name is unique on both sides, the
// rest in order — by its result (status and directive) and by the `# ` lines before it, descending into
// runner-nested child streams; then the lines after the last point. Only what differs is printed:
// `-` the expected side, `+` the actual side, under an `@@ path (what)` header, then a one-line summary.
// Line order inside a test's `# ` lines is compared with a longest-common-subsequence diff.

import { pointLine } from './tap-read.js';
import type { TapLevel, TapPoint } from './tap-read.js';

export type DiffKind = 'plan' | 'result' | 'lines' | 'missing' | 'extra' | 'trailing' | 'bailout';

export interface DiffEntry {
  /** The labels of the test points leading here, outermost first; empty at the top level. */
  readonly path: readonly string[];
  readonly kind: DiffKind;
  /** Hunks of the expected side (`-`) and the actual side (`+`), in order. */
  readonly hunks: readonly { readonly removed: readonly string[]; readonly added: readonly string[] }[];
}

/** Above this many line pairs, a section is compared after trimming its common head and tail only. */
const LCS_LIMIT = 4_000_000;

type Hunk = { removed: string[]; added: string[] };

/** The hunks that turn `a` into `b`: an LCS diff, trimmed of the common head and tail first. */
export function lineHunks(a: readonly string[], b: readonly string[]): Hunk[] {
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const x = a.slice(head, a.length - tail);
  const y = b.slice(head, b.length - tail);
  if (x.length === 0 && y.length === 0) return [];
  if (x.length * y.length > LCS_LIMIT) return [{ removed: x, added: y }];
  // lcs[i][j]: length of the LCS of x[i..] and y[j..].
  const lcs: number[][] = Array.from({ length: x.length + 1 }, () => new Array<number>(y.length + 1).fill(0));
  for (let i = x.length - 1; i >= 0; i--) {
    const row = lcs[i]!;
    const below = lcs[i + 1]!;
    for (let j = y.length - 1; j >= 0; j--) row[j] = x[i] === y[j] ? below[j + 1]! + 1 : Math.max(below[j]!, row[j + 1]!);
  }
  const hunks: Hunk[] = [];
  let open: Hunk | null = null;
  const hunk = (): Hunk => {
    if (!open) {
      open = { removed: [], added: [] };
      hunks.push(open);
    }
    return open;
  };
  let i = 0;
  let j = 0;
  while (i < x.length || j < y.length) {
    if (i < x.length && j < y.length && x[i] === y[j]) {
      open = null;
      i++;
      j++;
    } else if (j >= y.length || (i < x.length && lcs[i + 1]![j]! >= lcs[i]![j + 1]!)) hunk().removed.push(x[i++]!);
    else hunk().added.push(y[j++]!);
  }
  return hunks;
}

/** How a path names a test point: its name, or `test N` when it has none. */
export const label = (p: TapPoint): string => p.name || `test ${p.id}`;

/** Pairs the points of two levels: by unique name first, then the rest in order. */
export function pairPoints(e: readonly TapPoint[], a: readonly TapPoint[]): [TapPoint | undefined, TapPoint | undefined][] {
  const unique = (ps: readonly TapPoint[]): Map<string, TapPoint> => {
    const seen = new Map<string, number>();
    for (const p of ps) if (p.name) seen.set(p.name, (seen.get(p.name) ?? 0) + 1);
    return new Map(ps.filter((p) => p.name && seen.get(p.name) === 1).map((p) => [p.name, p]));
  };
  const ue = unique(e);
  const ua = unique(a);
  const partner = new Map<TapPoint, TapPoint>();
  for (const [name, p] of ue) {
    const q = ua.get(name);
    if (q) partner.set(p, q);
  }
  const taken = new Set(partner.values());
  const restA = a.filter((q) => !taken.has(q));
  for (const p of e) {
    if (partner.has(p)) continue;
    const q = restA.shift();
    if (!q) break;
    partner.set(p, q);
    taken.add(q);
  }
  const pairs: [TapPoint | undefined, TapPoint | undefined][] = e.map((p) => [p, partner.get(p)]);
  for (const q of a) if (!taken.has(q)) pairs.push([undefined, q]);
  return pairs;
}

function compareLevel(e: TapLevel, a: TapLevel, path: readonly string[], out: DiffEntry[]): void {
  if (e.plan !== a.plan) out.push({ path, kind: 'plan', hunks: [{ removed: [e.plan ?? '(no plan)'], added: [a.plan ?? '(no plan)'] }] });
  if (e.bailout !== a.bailout) {
    const text = (b: string | undefined): string[] => (b === undefined ? [] : [`Bail out! ${b}`]);
    out.push({ path, kind: 'bailout', hunks: [{ removed: text(e.bailout), added: text(a.bailout) }] });
  }
  for (const [p, q] of pairPoints(e.points, a.points)) {
    if (!q) {
      out.push({ path: [...path, label(p!)], kind: 'missing', hunks: [{ removed: [...p!.comments, pointLine(p!)], added: [] }] });
      continue;
    }
    if (!p) {
      out.push({ path: [...path, label(q)], kind: 'extra', hunks: [{ removed: [], added: [...q.comments, pointLine(q)] }] });
      continue;
    }
    const here = [...path, label(p)];
    const lines = lineHunks(p.comments, q.comments);
    if (lines.length > 0) out.push({ path: here, kind: 'lines', hunks: lines });
    if (p.child && q.child) compareLevel(p.child, q.child, here, out);
    else if (p.child || q.child) {
      const mark = (l: TapLevel | undefined): string[] => (l ? ['# (a nested TAP stream)'] : []);
      out.push({ path: here, kind: 'lines', hunks: [{ removed: mark(p.child), added: mark(q.child) }] });
    }
    if (p.status !== q.status || p.reason !== q.reason || p.name !== q.name || p.ok !== q.ok) {
      out.push({ path: here, kind: 'result', hunks: [{ removed: [pointLine(p)], added: [pointLine(q)] }] });
    }
  }
  const trailing = lineHunks(e.trailing, a.trailing);
  if (trailing.length > 0) out.push({ path, kind: 'trailing', hunks: trailing });
}

/** Every difference between two TAP trees, in reading order of the expected side. */
export function diffTap(expected: TapLevel, actual: TapLevel): DiffEntry[] {
  const out: DiffEntry[] = [];
  compareLevel(expected, actual, [], out);
  return out;
}

const KIND_TEXT: { readonly [K in DiffKind]: string } = {
  plan: 'plan',
  result: 'result',
  lines: '# lines',
  missing: 'missing',
  extra: 'extra',
  trailing: 'lines after the last test',
  bailout: 'bail out',
};

const TEST_KINDS: ReadonlySet<DiffKind> = new Set(['result', 'lines', 'missing', 'extra']);

/** `a > b` for a path, `top level` for the empty one. */
export const where = (path: readonly string[]): string => (path.length ? path.join(' > ') : 'top level');

/** `identical`, or `2 tests differ: a (result), b > c (# lines); plan differs at top level`. */
export function diffSummary(entries: readonly DiffEntry[]): string {
  if (entries.length === 0) return 'identical';
  const tests = new Map<string, Set<string>>();
  const other: string[] = [];
  for (const d of entries) {
    if (TEST_KINDS.has(d.kind)) {
      const key = where(d.path);
      const kinds = tests.get(key) ?? new Set<string>();
      tests.set(key, kinds);
      kinds.add(KIND_TEXT[d.kind]);
    } else other.push(`${KIND_TEXT[d.kind]} differ${d.kind === 'trailing' ? '' : 's'} at ${where(d.path)}`);
  }
  const parts: string[] = [];
  if (tests.size > 0) {
    const list = [...tests].map(([k, kinds]) => `${k} (${[...kinds].join(', ')})`).join(', ');
    parts.push(`${tests.size} ${tests.size === 1 ? 'test differs' : 'tests differ'}: ${list}`);
  }
  return [...parts, ...other].join('; ');
}

export interface DiffPaint {
  readonly header: (s: string) => string;
  readonly removed: (s: string) => string;
  readonly added: (s: string) => string;
  readonly summary: (s: string) => string;
}

export const plain: DiffPaint = { header: (s) => s, removed: (s) => s, added: (s) => s, summary: (s) => s };

/** The diff as printed: `--- E` / `+++ A`, each entry's header and lines, then the summary line. */
export function renderDiff(expectedName: string, actualName: string, entries: readonly DiffEntry[], paint: DiffPaint = plain): string {
  if (entries.length === 0) return `${paint.summary(diffSummary(entries))}\n`;
  const out = [paint.header(`--- ${expectedName}`), paint.header(`+++ ${actualName}`)];
  for (const d of entries) {
    out.push(paint.header(`@@ ${where(d.path)} (${KIND_TEXT[d.kind]})`));
    for (const h of d.hunks) {
      for (const l of h.removed) out.push(paint.removed(`- ${l}`));
      for (const l of h.added) out.push(paint.added(`+ ${l}`));
    }
  }
  out.push(paint.summary(diffSummary(entries)));
  return `${out.join('\n')}\n`;
}
