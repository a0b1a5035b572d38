// Reading TAP back for `hgmsim diff`: ours, plain kselftest output (kselftest.h, kselftest_harness.h) and
// runner-nested output (run_kselftest.sh / runner.sh: every child line prefixed with `# `, one
// `ok N selftests: DIR: NAME` per binary), into a tree: level → test points → status, reason, the `# `
// lines before each point, and the child stream nested in them. tap-parser reads each level; it knows
// only SKIP and TODO (reference/ecosystem.md §2.3), so the kselftest directives (XFAIL, XPASS, `error`,
// TIMEOUT, `exit=N`) are split off the name here.

import { Parser } from 'tap-parser';

export type PointStatus = 'pass' | 'fail' | 'skip' | 'xfail' | 'xpass' | 'todo' | 'error';

export interface TapPoint {
  readonly id: number;
  readonly ok: boolean;
  /** The description, without directive. */
  readonly name: string;
  readonly status: PointStatus;
  /** The directive's text: a skip reason, `exit=1`, `TIMEOUT 45 seconds`; empty when none. */
  readonly reason: string;
  /** The `# ` lines (and unknown lines) between the previous point and this one, child stream excluded. */
  readonly comments: readonly string[];
  /** A nested stream found in the comments (`# TAP version 13` onwards, one `# ` stripped). */
  readonly child?: TapLevel;
}

export interface TapLevel {
  /** `1..N`, or `1..0 # SKIP reason`; null when the level has no plan. */
  readonly plan: string | null;
  readonly points: readonly TapPoint[];
  /** Lines after the last point (totals, verdict matrix). */
  readonly trailing: readonly string[];
  readonly bailout?: string;
}

/** Directives tap-parser leaves in the name (kselftest's extras), in the order they are tried. */
const NAME_DIRECTIVES: readonly { readonly re: RegExp; readonly status: (ok: boolean) => PointStatus }[] = [
  { re: /(?:^|\s)#\s*XFAIL\b\s*(.*)$/i, status: () => 'xfail' },
  { re: /(?:^|\s)#\s*XPASS\b\s*(.*)$/i, status: () => 'xpass' },
  { re: /^#\s*error\b\s*(.*)$/i, status: () => 'error' },
  { re: /(?:^|\s)#\s*((?:TIMEOUT|exit=)\S*(?:\s.*)?)$/i, status: (ok) => (ok ? 'pass' : 'fail') },
  { re: /(?:^|\s)#\s*(kernel BUG\b.*)$/, status: (ok) => (ok ? 'pass' : 'fail') },
];

const VERSION_LINE = /^(?:TAP version \d+|KTAP version \d+)$/;

/**
 * Streams nested deeper than this (runner nesting, `# ` per level, or indented subtests) are not read
 * as streams: the kselftest runner nests two or three deep, and each level re-reads the text below it.
 */
export const MAX_TAP_NESTING = 16;

/** Lines that open a nested stream: a version line or an indented `# Subtest:`, after any `# ` prefixes. */
const NESTED_HEAD = /^(?:TAP version \d+|KTAP version \d+|\s*# Subtest:)/;

/**
 * How deep the streams of a text nest, in one pass and without parsing: the most `# ` prefixes before a
 * version line, or the deepest 4-space indentation of a TAP line. diff refuses texts deeper than
 * MAX_TAP_NESTING before reading them.
 */
export function tapNesting(text: string): number {
  let deepest = 0;
  for (const line of text.split('\n')) {
    let rest = line;
    let hashes = 0;
    while (rest.startsWith('# ')) {
      rest = rest.slice(2);
      hashes++;
    }
    const indent = /^ */.exec(rest)?.[0].length ?? 0;
    if (hashes > 0 && NESTED_HEAD.test(rest)) deepest = Math.max(deepest, hashes);
    if (indent >= 4 && /^\s*(?:(?:not )?ok\b|\d+\.\.\d+|# Subtest:|K?TAP version)/.test(rest)) deepest = Math.max(deepest, hashes + Math.floor(indent / 4));
  }
  return deepest;
}

interface Assert {
  ok: boolean;
  id?: number;
  name: string;
  skip: boolean | string;
  todo: boolean | string;
}

function classify(a: Assert): { name: string; status: PointStatus; reason: string } {
  const name = a.name.trim();
  if (a.skip !== false) return { name, status: 'skip', reason: a.skip === true ? '' : a.skip };
  if (a.todo !== false) return { name, status: 'todo', reason: a.todo === true ? '' : a.todo };
  for (const d of NAME_DIRECTIVES) {
    const m = d.re.exec(name);
    if (m) return { name: name.slice(0, m.index).trim(), status: d.status(a.ok), reason: (m[1] ?? '').trim() };
  }
  return { name, status: a.ok ? 'pass' : 'fail', reason: '' };
}

/** Splits a point's comments into its own lines and the child stream they carry (runner nesting). */
function splitChild(lines: readonly string[], depth: number): { own: string[]; child?: TapLevel } {
  const start = depth >= MAX_TAP_NESTING ? -1 : lines.findIndex((l) => l.startsWith('# ') && VERSION_LINE.test(l.slice(2)));
  if (start < 0) return { own: [...lines] };
  const childLines = lines.slice(start).map((l) => (l === '#' ? '' : l.startsWith('# ') ? l.slice(2) : l));
  const child = readLevel(`${childLines.join('\n')}\n`, depth + 1);
  return { own: lines.slice(0, start), ...(child ? { child } : {}) };
}

/** Lines that make a text TAP: a version line, a plan, a test point or a bail out, unindented. */
const TAP_LINE = /^(?:TAP version \d+\s*$|\d+\.\.\d+|(?:not )?ok\b|Bail out!)/;

function readLevel(text: string, depth: number): TapLevel | null {
  const input = text.split('\n');
  if (!input.some((l) => TAP_LINE.test(l))) return null;
  // tap-parser adds lines of its own when the input ends (`TAP version 14`, `1..0 # no tests found`,
  // `# test count(3) != plan(2)`), and may hold the input's last lines until then: a comment or an
  // unknown line is kept only while the input still has an unclaimed copy of it.
  const unclaimed = new Map<string, number>();
  for (const l of input) unclaimed.set(l, (unclaimed.get(l) ?? 0) + 1);
  const claim = (line: string): boolean => {
    const n = unclaimed.get(line) ?? 0;
    if (n > 0) unclaimed.set(line, n - 1);
    return n > 0;
  };
  const hasPlan = input.some((l) => /^\d+\.\.\d+/.test(l));
  const parser = new Parser({ passes: true });
  let plan: string | null = null;
  let bailout: string | undefined;
  let pending: string[] = [];
  const points: TapPoint[] = [];
  parser.on('plan', (p: { start: number; end: number; comment?: string }) => {
    if (hasPlan) plan = `${p.start}..${p.end}${p.comment ? ` # ${p.comment}` : ''}`;
  });
  parser.on('comment', (c: string) => {
    const line = c.replace(/\n$/, '');
    if (claim(line)) pending.push(line);
  });
  parser.on('extra', (e: string) => {
    const line = e.replace(/\n$/, '');
    if (!VERSION_LINE.test(line.trim()) && claim(line)) pending.push(line);
  });
  parser.on('bailout', (reason: string) => {
    bailout = reason;
  });
  parser.on('assert', (a: Assert) => {
    const { own, child } = splitChild(pending, depth);
    pending = [];
    points.push({ id: a.id ?? points.length + 1, ok: a.ok, ...classify(a), comments: own, ...(child ? { child } : {}) });
  });
  parser.end(text.endsWith('\n') ? text : `${text}\n`);
  return { plan, points, trailing: pending, ...(bailout !== undefined ? { bailout } : {}) };
}

/** The TAP tree of a text, or null when the text is not TAP (no version line, plan or test point). */
export function readTap(text: string): TapLevel | null {
  return readLevel(text.replace(/\r\n/g, '\n'), 0);
}

/** The directive word each status prints with (kselftest's spelling); none for pass and fail. */
const DIRECTIVE: { readonly [S in PointStatus]: string } = {
  pass: '', fail: '', skip: 'SKIP', todo: 'TODO', xfail: 'XFAIL', xpass: 'XPASS', error: 'error',
};

/** A point's result line, rebuilt: `ok 3 name # SKIP reason`, `not ok 2 name # exit=1`. */
export function pointLine(p: TapPoint): string {
  const head = `${p.ok ? 'ok' : 'not ok'} ${p.id}${p.name ? ` ${p.name}` : ''}`;
  const words = [DIRECTIVE[p.status], p.reason].filter((w) => w !== '').join(' ');
  return words ? `${head} # ${words}` : head;
}
