// GitHub Actions annotations (reference/ecosystem.md §6.3): one workflow command per result that departs
// from its verdict, printed after the TAP stream when GITHUB_ACTIONS=true. A failure or XPASS is an
// `::error`, pointing at the YAML line of the failing step when there is one; an unexpected skip is a
// `::warning`. Annotations do not fail the job; the exit status does.

import type { StreamResult } from '../runner/results.js';
import { ghData, ghProperty } from './escape.js';
import { expectedVsActual } from './junit.js';
import { streamName } from './tap.js';

/** The workflow-command lines, each ending in a newline; empty when every result matches its verdict. */
export function renderGithubAnnotations(streams: readonly StreamResult[]): string {
  const out: string[] = [];
  for (const s of streams) {
    for (const t of s.tests) {
      if (t.departure === 'none') continue;
      const command = t.departure === 'skip' ? 'warning' : 'error';
      const props = [`file=${ghProperty(s.file)}`];
      if (t.failedAt) props.push(`line=${t.failedAt.line}`);
      props.push(`title=${ghProperty(`${streamName(s)}: ${t.name}`)}`);
      out.push(`::${command} ${props.join(',')}::${ghData(expectedVsActual(t))}\n`);
    }
  }
  return out.join('');
}
