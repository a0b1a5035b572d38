// TAP version 13 in the kselftest shape (reference/ecosystem.md §1): one stream prints like a selftest
// binary (kselftest.h: header, plan, `# ` lines, result lines, `# Totals:`); two or more nest like
// run_kselftest.sh (every child line prefixed with `# `, one `ok N selftests: hgmsim: …` per stream, the
// runner's own totals). Pure functions of the result records: reruns are byte-identical.

import type { Outcome, StreamResult, TestResult } from '../runner/results.js';

export interface ReportOptions {
  /** -v: one line per executed step, interleaved with the test's own lines. */
  readonly verbose?: boolean;
}

/** A TAP description: `\` and `#` escaped (TAP 14), one line. */
export function escapeDescription(text: string): string {
  return text.replace(/[\r\n]+/g, ' ').replace(/\\/g, '\\\\').replace(/#/g, '\\#');
}

/** A directive's reason: one line (a `#` there is harmless, the directive has begun). */
const oneLine = (text: string): string => text.replace(/[\r\n]+/g, ' ');

/** The stream's name as the runner prints it: `<scenario> <size> [<profile>]`. */
export const streamName = (s: StreamResult): string => `${s.scenario} ${s.size} [${s.profile}]`;

/** `ok N name`, `not ok N name`, `ok N name # SKIP reason`, `ok N name # XFAIL why`, `ok N name # XPASS`. */
export function resultLine(n: number, t: TestResult): string {
  const name = escapeDescription(t.name);
  switch (t.outcome) {
    case 'pass':
      return `ok ${n} ${name}`;
    case 'fail':
      return `not ok ${n} ${name}`;
    case 'skip':
      return `ok ${n} ${name} # SKIP${t.reason ? ` ${oneLine(t.reason)}` : ''}`;
    case 'xfail':
      return `ok ${n} ${name} # XFAIL ${oneLine(t.why ?? t.reason ?? 'unknown')}`;
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

/** The `# ` lines of one test, in order: its own lines (with -v, its steps), summary, basis, departure. */
export function testLines(t: TestResult, opts: ReportOptions): string[] {
  const out: string[] = [];
  const steps = opts.verbose ? t.steps : [];
  let next = 0;
  const flushSteps = (upTo: number): void => {
    for (let s = steps[next]; s !== undefined && s.linesBefore <= upTo; s = steps[++next]) {
      out.push(`# step ${s.index}, line ${s.line}: ${s.call}${s.ret ? ` ${s.ret}` : ''}`);
      for (const line of s.trace ?? []) out.push(`#   | ${line}`);
      for (const sig of s.signals) out.push(`#   signal: ${sig}`);
    }
  };
  t.lines.forEach((line, i) => {
    flushSteps(i);
    out.push(`# ${line}`);
  });
  flushSteps(Number.POSITIVE_INFINITY);
  for (const line of t.summary) out.push(`# ${line}`);
  for (const line of t.basis) out.push(`# basis: ${line}`);
  if (t.departure !== 'none') out.push(`# departs from its verdict: expected ${t.expected}, got ${t.status}`);
  return out;
}

/** One stream as a selftest binary prints it. */
export function streamLines(s: StreamResult, opts: ReportOptions = {}): string[] {
  const out = ['TAP version 13', `# hgmsim ${s.scenario} ${s.size}, profile ${s.profile}`];
  if (s.switches.length > 0) out.push(`# switches: ${s.switches.map((w) => `${w.name}=${w.value}`).join(', ')}`);
  out.push(`1..${s.tests.length}`);
  s.tests.forEach((t, i) => {
    // A -v probe loop gives hundreds of thousands of lines: appended one by one, never spread as arguments.
    for (const line of testLines(t, opts)) out.push(line);
    out.push(resultLine(i + 1, t));
  });
  out.push(totalsLine(countOutcomes(s.tests)));
  return out;
}

/** The runner's line for a stream, from the stream's own exit status (kselftest runner.sh). */
export function runnerResultLine(n: number, s: StreamResult): string {
  const name = `selftests: hgmsim: ${escapeDescription(streamName(s))}`;
  switch (s.exitStatus) {
    case 0: return `ok ${n} ${name}`;
    case 4: return `ok ${n} ${name} # SKIP`;
    case 1: return `not ok ${n} ${name} # exit=1`;
  }
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

/** The whole TAP text: flat for one stream, runner-nested for several. Ends with a newline. */
export function renderTap(streams: readonly StreamResult[], opts: ReportOptions = {}): string {
  if (streams.length === 1 && streams[0]) return `${streamLines(streams[0], opts).join('\n')}\n`;
  const out = ['TAP version 13', `1..${streams.length}`];
  const runner: Counts = { pass: 0, fail: 0, xfail: 0, xpass: 0, skip: 0, error: 0 };
  streams.forEach((s, i) => {
    out.push(`# selftests: hgmsim: ${streamName(s)}`);
    for (const line of streamLines(s, opts)) out.push(`# ${line}`);
    out.push(runnerResultLine(i + 1, s));
    if (s.exitStatus === 0) runner.pass++;
    else if (s.exitStatus === 4) runner.skip++;
    else runner.fail++;
  });
  if (new Set(streams.map((s) => s.profile)).size > 1) out.push(...verdictMatrix(streams));
  out.push(totalsLine(runner));
  return `${out.join('\n')}\n`;
}
