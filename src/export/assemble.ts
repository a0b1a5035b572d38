// The kernel's TAP stream of one program, put together from its tests' runs (`prog -t N`, one per
// process, all in one boot): the header `prog` itself prints, the plan, each test's lines, and the
// totals. A test that did not finish (the guest hung, panicked or the process died) gets a `not ok`
// line saying why, after what it printed.

import { escapeDescription } from '../report/index.js';
import type { ExportedProgram, KernelTestRun } from './types.js';

const RESULT = /^(not )?ok \d+\b(.*)$/;

/** The kernel's TAP stream for one program: header, plan, each test's lines, totals. */
export function kernelTap(p: ExportedProgram, release: string, runs: readonly KernelTestRun[]): string {
  const lines = ['TAP version 13', `# hgmsim ${p.scenario} ${p.hugepagesz}, kernel ${release}`, `1..${p.tests.length}`];
  const counts = { pass: 0, fail: 0, skip: 0 };
  p.tests.forEach((t, i) => {
    const run = runs[i];
    const text = (run?.text ?? '').split('\n').filter((l) => l !== '');
    lines.push(...text.filter((l) => !RESULT.test(l)));
    const result = run?.finished === true ? text.find((l) => RESULT.test(l)) : undefined;
    if (result === undefined) {
      const why = run === undefined ? 'not run' : run.finished ? 'no result line' : run.reason;
      lines.push(`not ok ${t.number} ${escapeDescription(t.name)} # ${why.replace(/[\r\n]+/g, ' ')}`);
      counts.fail++;
      return;
    }
    lines.push(result);
    const m = RESULT.exec(result);
    if (m?.[1] !== undefined) counts.fail++;
    else if (/ # SKIP\b/.test(m?.[2] ?? '')) counts.skip++;
    else counts.pass++;
  });
  lines.push(`# Totals: pass:${counts.pass} fail:${counts.fail} xfail:0 xpass:0 skip:${counts.skip} error:0`);
  return `${lines.join('\n')}\n`;
}
