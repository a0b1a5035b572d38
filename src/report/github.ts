// GitHub Actions annotations (reference/ecosystem.md §6.3): one workflow command per result that departs
// from its verdict, printed after the TAP stream when GITHUB_ACTIONS=true. A failure or XPASS is an
// `::error`, pointing at the YAML line of the failing step when there is one; an unexpected skip is a
// `::warning`. A golden that differs, is missing or is stale, and an author error that stopped a stream,
// are `::error`s too. They go to stderr, the job's log (never into the TAP on stdout); they do not fail
// the job, the exit status does.

import type { StreamResult } from '../runner/index.js';
import { ghData, ghProperty } from './escape.js';
import { expectedVsActual } from './junit.js';
import { streamName } from './tap.js';

/** The workflow-command lines, each ending in a newline; empty when every result matches its verdict. */
export function renderGithubAnnotations(streams: readonly StreamResult[], stale: readonly string[] = []): string {
  const out: string[] = [];
  for (const s of streams) {
    const e = s.error;
    if (e) out.push(`::error file=${ghProperty(e.file)},line=${e.line},col=${e.col},title=${ghProperty(`${streamName(s)}: ${e.code}`)}::${ghData(e.message)}\n`);
    const g = s.golden;
    const what = `${s.file} ${s.size} ${s.profile}`;
    if (g?.kind === 'missing') out.push(`::error file=${ghProperty(s.file)},title=${ghProperty('golden missing')}::${ghData(`${g.path} (${what}); write it with --update-golden`)}\n`);
    if (g?.kind === 'different') {
      out.push(`::error file=${ghProperty(g.path)},line=${g.line},title=${ghProperty(`golden differs: ${what}, ${g.test}`)}::${ghData(`expected: ${g.expected}\nactual:   ${g.actual}`)}\n`);
    }
    for (const t of s.tests) {
      if (t.departure === 'none') continue;
      const command = t.departure === 'skip' ? 'warning' : 'error';
      const props = [`file=${ghProperty(s.file)}`];
      if (t.failedAt) props.push(`line=${t.failedAt.line}`);
      props.push(`title=${ghProperty(`${streamName(s)}: ${t.name}`)}`);
      out.push(`::${command} ${props.join(',')}::${ghData(expectedVsActual(t))}\n`);
    }
  }
  for (const path of stale) out.push(`::error file=${ghProperty(path)},title=${ghProperty('stale golden')}::${ghData(`${path}: no stream of this run writes it; --update-golden removes it`)}\n`);
  return out.join('');
}
