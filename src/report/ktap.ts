// KTAP version 1 (Documentation/dev-tools/ktap.rst; reference/ecosystem.md §2.2): the run is the top
// level, each stream (file × size × profile) a nested test whose lines are indented four spaces, as
// KUnit prints them, with KUnit's `# Subtest: NAME` line after the nested version line. Result lines and
// directives are the kselftest ones (SKIP, XFAIL; XPASS falls back to plain `ok`, as the spec asks of
// parsers that do not know a directive). Every stream nests, even a single one, so consumers see one shape.

import type { StreamResult } from '../runner/results.js';
import { countOutcomes, escapeDescription, resultLine, streamName, testLines, totalsLine } from './tap.js';
import type { Counts, ReportOptions } from './tap.js';

const INDENT = '    ';

/** `ok N NAME`, `ok N NAME # SKIP`, `not ok N NAME`, from the stream's own exit status. */
function streamResultLine(n: number, s: StreamResult): string {
  const name = escapeDescription(streamName(s));
  switch (s.exitStatus) {
    case 0: return `ok ${n} ${name}`;
    case 4: return `ok ${n} ${name} # SKIP unexpected skip`;
    case 1: return `not ok ${n} ${name}`;
  }
}

function subtest(s: StreamResult, opts: ReportOptions): string[] {
  const out = ['KTAP version 1', `# Subtest: ${streamName(s)}`, `# hgmsim ${s.scenario} ${s.size}, profile ${s.profile}`];
  if (s.switches.length > 0) out.push(`# switches: ${s.switches.map((w) => `${w.name}=${w.value}`).join(', ')}`);
  out.push(`1..${s.tests.length}`);
  s.tests.forEach((t, i) => {
    for (const line of testLines(t, opts)) out.push(line); // may be huge under -v: never spread
    out.push(resultLine(i + 1, t));
  });
  out.push(totalsLine(countOutcomes(s.tests)));
  return out.map((l) => `${INDENT}${l}`);
}

export function renderKtap(streams: readonly StreamResult[], opts: ReportOptions = {}): string {
  const out = ['KTAP version 1', `1..${streams.length}`];
  const runner: Counts = { pass: 0, fail: 0, xfail: 0, xpass: 0, skip: 0, error: 0 };
  streams.forEach((s, i) => {
    for (const line of subtest(s, opts)) out.push(line);
    out.push(streamResultLine(i + 1, s));
    if (s.exitStatus === 0) runner.pass++;
    else if (s.exitStatus === 4) runner.skip++;
    else runner.fail++;
  });
  out.push(totalsLine(runner));
  return `${out.join('\n')}\n`;
}
