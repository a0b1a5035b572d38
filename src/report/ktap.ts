// KTAP version 1 (Documentation/dev-tools/ktap.rst; reference/ecosystem.md §2.2): the run is the top
// level, each stream (file × size × profile) a nested test whose lines are indented four spaces, as
// KUnit prints them, with KUnit's `# Subtest: NAME` line after the nested version line. Result lines and
// directives are the kselftest ones (SKIP, XFAIL; XPASS falls back to plain `ok`, as the spec asks of
// parsers that do not know a directive). Every stream nests, even a single one, so consumers see one shape.

import type { StreamResult } from '../runner/index.js';
import { escapeControls, streamProblems } from './problems.js';
import { escapeDescription, streamLines, streamName, totalsLine } from './tap.js';
import type { Counts, ReportOptions } from './tap.js';

const INDENT = '    ';

/** `ok N NAME`, `ok N NAME # SKIP`, `not ok N NAME # why`, from the stream's status, error and golden. */
function streamResultLine(n: number, s: StreamResult): string {
  const name = escapeDescription(streamName(s));
  const p = streamProblems(s);
  // A plain failure is `not ok` alone, as KUnit prints it; an error or a golden problem says which.
  const why = p.notes.filter((w) => w !== 'exit=1');
  if (p.notes.length > 0) return `not ok ${n} ${name}${why.length > 0 ? ` # ${why.join('; ')}` : ''}`;
  return p.skip ? `ok ${n} ${name} # SKIP unexpected skip` : `ok ${n} ${name}`;
}

function subtest(s: StreamResult, opts: ReportOptions): string[] {
  // The stream's own TAP less its version line: KTAP's version line and KUnit's subtest line stand there.
  const out = ['KTAP version 1', `# Subtest: ${streamName(s)}`];
  const own = streamLines(s, opts);
  for (let i = 1; i < own.length; i++) out.push(own[i] ?? ''); // may be huge under -v: never spread
  return out.map((l) => `${INDENT}${l}`);
}

export function renderKtap(streams: readonly StreamResult[], opts: ReportOptions = {}): string {
  const stale = opts.stale ?? [];
  const out = ['KTAP version 1', `1..${streams.length + stale.length}`];
  const runner: Counts = { pass: 0, fail: stale.length, xfail: 0, xpass: 0, skip: 0, error: 0 };
  streams.forEach((s, i) => {
    for (const line of subtest(s, opts)) out.push(line);
    out.push(streamResultLine(i + 1, s));
    const p = streamProblems(s);
    if (p.notes.length > 0) runner.fail++;
    else if (p.skip) runner.skip++;
    else runner.pass++;
  });
  stale.forEach((path, i) => out.push(`not ok ${streams.length + i + 1} golden: ${escapeDescription(path)} # stale`));
  out.push(totalsLine(runner));
  return `${out.map(escapeControls).join('\n')}\n`;
}
