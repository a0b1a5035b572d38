// TAP version 13 in the kselftest shape (reference/ecosystem.md §1): one stream prints like a selftest
// binary (kselftest.h: header, plan, `# ` lines, result lines, `# Totals:`); two or more nest like
// run_kselftest.sh (every child line prefixed with `# `, one `ok N selftests: hgmsim: …` per stream, the
// runner's own totals). Pure functions of the result records: reruns are byte-identical. TapWriter
// emits the same text piece by piece as streams and tests finish, so a long run shows progress and an
// interrupt leaves what finished; renderTap is the writer collecting into a string.

import type { Outcome, StreamResult, TestResult } from '../runner/index.js';
import { bytesText, lossSigbusText, outputLines, poolLostText, reasonText, stepLines, summaryLines } from './observations.js';
import { escapeControls, streamProblems } from './problems.js';
import type { ReportOptions } from './problems.js';

export type { ReportOptions } from './problems.js';

/** A TAP description: `\` and `#` escaped (TAP 14), one line. */
export function escapeDescription(text: string): string {
  return text.replace(/[\r\n]+/g, ' ').replace(/\\/g, '\\\\').replace(/#/g, '\\#');
}

/** A directive's reason: one line (a `#` there is harmless, the directive has begun). */
const oneLine = (text: string): string => text.replace(/[\r\n]+/g, ' ');

/** The stream's name as the runner prints it: `<scenario> <size> [<profile>]`. */
export const streamName = (s: Pick<StreamResult, 'scenario' | 'size' | 'profile'>): string => `${s.scenario} ${s.size} [${s.profile}]`;

/** Why the test skipped or failed, short; undefined when nothing stopped it. */
export const reasonOf = (t: TestResult): string | undefined => (t.stop === undefined ? undefined : reasonText(t.stop));

/** `ok N name`, `not ok N name`, `ok N name # SKIP reason`, `ok N name # XFAIL why`, `ok N name # XPASS`. */
export function resultLine(n: number, t: TestResult): string {
  const name = escapeDescription(t.name);
  switch (t.outcome) {
    case 'pass':
      return `ok ${n} ${name}`;
    case 'fail':
      // kselftest's `not ok N name # exit=…` shape: a kernel BUG says so on the result line.
      return t.stop?.kind === 'bug' ? `not ok ${n} ${name} # ${reasonText(t.stop)}` : `not ok ${n} ${name}`;
    case 'skip':
      return `ok ${n} ${name} # SKIP${t.stop ? ` ${oneLine(reasonText(t.stop))}` : ''}`;
    case 'xfail':
      return `ok ${n} ${name} # XFAIL ${oneLine(t.why ?? reasonOf(t) ?? 'unknown')}`;
    case 'xpass':
      return `ok ${n} ${name} # XPASS`;
  }
}

export type Counts = { [K in Outcome | 'error']: number };

export function totalsLine(c: Counts): string {
  return `# Totals: pass:${c.pass} fail:${c.fail} xfail:${c.xfail} xpass:${c.xpass} skip:${c.skip} error:${c.error}`;
}

export function countOutcomes(tests: readonly TestResult[]): Counts {
  const c: Counts = { pass: 0, fail: 0, xfail: 0, xpass: 0, skip: 0, error: 0 };
  for (const t of tests) c[t.outcome]++;
  return c;
}

/** The `# ` lines of one test, in order: its own output (with -v, its steps), summary, basis, departure. */
export function testLines(t: TestResult, opts: ReportOptions): string[] {
  const out: string[] = [];
  const steps = opts.verbose ? t.steps : [];
  let next = 0;
  const flushSteps = (upTo: number): void => {
    for (let s = steps[next]; s !== undefined && s.outputBefore <= upTo; s = steps[++next]) {
      for (const line of stepLines(s)) out.push(line);
    }
  };
  t.output.forEach((record, i) => {
    flushSteps(i);
    for (const line of outputLines(record)) out.push(`# ${line}`);
  });
  flushSteps(Number.POSITIVE_INFINITY);
  for (const line of summaryLines(t.observations)) out.push(`# ${line}`);
  for (const line of t.basis) out.push(`# basis: ${line}`);
  if (t.departure !== 'none') out.push(`# departs from its verdict: expected ${t.expected}, got ${t.status}`);
  return out;
}

/** The part of a stream known before its first test runs. */
export type StreamHead = Pick<StreamResult, 'scenario' | 'size' | 'profile' | 'switches'>;

function headLines(s: StreamHead, tests: number): string[] {
  const out = ['TAP version 13', `# hgmsim ${s.scenario} ${s.size}, profile ${s.profile}`];
  if (s.switches.length > 0) out.push(`# switches: ${s.switches.map((w) => `${w.name}=${w.value}`).join(', ')}`);
  out.push(`1..${tests}`);
  return out;
}

/** A test's `# ` lines and its result line. A -v probe loop gives hundreds of thousands: never spread. */
function testBlock(t: TestResult, n: number, opts: ReportOptions, out: string[]): void {
  for (const line of testLines(t, opts)) out.push(line);
  out.push(resultLine(n, t));
}

/** The end of a stream: its totals, then `Bail out!` when an author error stopped it. */
function tailLines(s: StreamResult): string[] {
  const out = [totalsLine(countOutcomes(s.tests))];
  if (s.error) out.push(`Bail out! ${s.error.file}:${s.error.line}:${s.error.col}: ${s.error.code} ${oneLine(s.error.message)}`);
  return out;
}

/** One stream as a selftest binary prints it. */
export function streamLines(s: StreamResult, opts: ReportOptions = {}): string[] {
  const out = headLines(s, s.tests.length);
  s.tests.forEach((t, i) => testBlock(t, i + 1, opts, out));
  for (const line of tailLines(s)) out.push(line);
  return out;
}

/** The runner's line for a stream: from its exit status, an author error and its golden (kselftest runner.sh). */
export function runnerResultLine(n: number, s: StreamResult): string {
  const name = `selftests: hgmsim: ${escapeDescription(streamName(s))}`;
  const p = streamProblems(s);
  if (p.notes.length > 0) return `not ok ${n} ${name} # ${p.notes.join('; ')}`;
  return p.skip ? `ok ${n} ${name} # SKIP` : `ok ${n} ${name}`;
}

const MATRIX_MARK = '!';

/** Tests × profiles: each cell the outcome, marked when it departs from the verdict. */
export function verdictMatrix(streams: readonly StreamResult[]): string[] {
  const profiles = [...new Set(streams.map((s) => s.profile))];
  const rows = new Map<string, Map<string, string>>();
  for (const s of streams) {
    for (const t of s.tests) {
      const key = `${s.scenario} ${s.size}: ${t.name}`;
      const row = rows.get(key) ?? new Map<string, string>();
      rows.set(key, row);
      row.set(s.profile, `${t.outcome}${t.departure === 'none' ? '' : MATRIX_MARK}`);
    }
  }
  const first = Math.max(4, ...[...rows.keys()].map((k) => k.length));
  const widths = profiles.map((p) => Math.max(p.length, 6));
  const fmt = (cells: readonly string[]): string =>
    `# ${cells.map((c, i) => c.padEnd(i === 0 ? first : (widths[i - 1] ?? 0))).join('  ')}`.trimEnd();
  const out = [`# verdict matrix (${MATRIX_MARK} = departs from the scenario's verdict)`, fmt(['test', ...profiles])];
  for (const [key, row] of rows) out.push(fmt([key, ...profiles.map((p) => row.get(p) ?? '-')]));
  return out;
}

/**
 * The `loss:` lines of the run side by side: a row per test and profile (tests in run order, each
 * test's profiles in stream order), columns the bytes unmapped and still readable, the SIGBUSes by
 * si_addr_lsb and the hugepages lost to the pool. Empty when no test has a `loss:` step, so a run
 * without one prints what it printed before.
 */
export function lossTable(streams: readonly StreamResult[]): string[] {
  const rows = new Map<string, string[][]>();
  for (const s of streams) {
    for (const t of s.tests) {
      for (const r of t.output) {
        if (r.kind !== 'loss') continue;
        const key = `${s.scenario} ${s.size}: ${t.name}`;
        const l = r.loss;
        const list = rows.get(key) ?? [];
        rows.set(key, list);
        list.push([key, s.profile, bytesText(l.unmapped), bytesText(l.readable), lossSigbusText(l.sigbus), poolLostText(l)]);
      }
    }
  }
  if (rows.size === 0) return [];
  const head = ['test', 'profile', 'unmapped', 'readable', 'sigbus', 'hugepages lost'];
  const all = [head, ...[...rows.values()].flat()];
  const widths = head.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  const fmt = (cells: readonly string[]): string => `# ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ')}`.trimEnd();
  return ['# loss per profile (loss: steps; unmapped and readable: bytes of the range; sigbus: count (si_addr_lsb); hugepages lost to the pool)', ...all.map(fmt)];
}

/** How the run is laid out: flat (one stream, no golden check) or runner-nested. */
export interface TapLayout {
  /** Streams in the run. */
  readonly streams: number;
  /** Goldens found stale before the run (under --check): each a test point after the streams. */
  readonly stale?: readonly string[];
  /** --check: every stream nests, so its golden verdict has a result line of its own. */
  readonly check?: boolean;
}

/**
 * The TAP of one run, written as it becomes known: `startStream` before a stream's first test, `test`
 * as each finishes, `endStream` with the stream's final record, `end` last. Every line is escaped
 * (control bytes shown as `\xNN`) on its way out. renderTap drives it over finished records, so both
 * ways give the same bytes.
 */
export class TapWriter {
  private readonly nested: boolean;
  private readonly done: StreamResult[] = [];
  private tests = 0;

  constructor(private readonly emit: (text: string) => void, private readonly layout: TapLayout, private readonly opts: ReportOptions = {}) {
    this.nested = layout.streams !== 1 || layout.check === true || (layout.stale?.length ?? 0) > 0;
    if (this.nested) this.write(['TAP version 13', `1..${layout.streams + (layout.stale?.length ?? 0)}`]);
  }

  private write(lines: readonly string[], prefix = ''): void {
    let text = '';
    for (const line of lines) text += `${prefix}${escapeControls(line)}\n`;
    this.emit(text);
  }

  private child(lines: readonly string[]): void {
    this.write(lines, this.nested ? '# ' : '');
  }

  startStream(s: StreamHead, tests: number): void {
    if (this.nested) this.write([`# selftests: hgmsim: ${streamName(s)}`]);
    this.child(headLines(s, tests));
    this.tests = 0;
  }

  test(t: TestResult): void {
    const out: string[] = [];
    testBlock(t, ++this.tests, this.opts, out);
    this.child(out);
  }

  endStream(s: StreamResult): void {
    this.child(tailLines(s));
    this.done.push(s);
    if (!this.nested) return;
    this.write([...goldenLines(s), runnerResultLine(this.done.length, s)]);
  }

  end(): void {
    if (!this.nested) return;
    const stale = this.layout.stale ?? [];
    const out: string[] = [];
    stale.forEach((path, i) => {
      out.push(`# stale golden: ${path}: no stream of this run writes it (its scenario, size or profile is gone); --update-golden removes it`);
      out.push(`not ok ${this.done.length + i + 1} golden: ${escapeDescription(path)} # stale`);
    });
    if (new Set(this.done.map((s) => s.profile)).size > 1) out.push(...verdictMatrix(this.done), ...lossTable(this.done));
    const runner: Counts = { pass: 0, fail: stale.length, xfail: 0, xpass: 0, skip: 0, error: 0 };
    for (const s of this.done) {
      const p = streamProblems(s);
      if (p.notes.length > 0) runner.fail++;
      else if (p.skip) runner.skip++;
      else runner.pass++;
    }
    out.push(totalsLine(runner));
    this.write(out);
  }
}

/** The diagnostic lines before a nested stream's result line when its golden is not the same. */
function goldenLines(s: StreamResult): string[] {
  const g = s.golden;
  if (g === undefined || g.kind === 'same') return [];
  if (g.kind === 'missing') return [`# golden missing: ${g.path}; write it with --update-golden`];
  return [
    `# golden differs: ${g.path}, ${g.test}, first difference at line ${g.line}`,
    `#   expected: ${g.expected}`,
    `#   actual:   ${g.actual}`,
  ];
}

/** The whole TAP text: flat for one stream, runner-nested for several (or under --check). Ends with a newline. */
export function renderTap(streams: readonly StreamResult[], opts: ReportOptions = {}): string {
  let text = '';
  const w = new TapWriter((t) => { text += t; }, { streams: streams.length, ...(opts.stale ? { stale: opts.stale } : {}), ...(opts.check ? { check: true } : {}) }, opts);
  for (const s of streams) {
    w.startStream(s, s.tests.length);
    for (const t of s.tests) w.test(t);
    w.endStream(s);
  }
  w.end();
  return text;
}
