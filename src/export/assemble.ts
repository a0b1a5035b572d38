// PLACEHOLDER until the generator lands.
import type { ExportedProgram, KernelTestRun } from './types.js';

/** The kernel's TAP stream for one program: header, plan, each test's lines, totals. */
export function kernelTap(p: ExportedProgram, release: string, runs: readonly KernelTestRun[]): string {
  const lines = ['TAP version 13', `# hgmsim ${p.scenario} ${p.hugepagesz}, kernel ${release}`, `1..${p.tests.length}`];
  runs.forEach((r, i) => {
    lines.push(...r.text.split('\n').filter((l) => l !== ''));
    if (!r.finished) lines.push(`not ok ${i + 1} ${p.tests[i]?.name ?? ''} # ${r.reason}`);
  });
  return `${lines.join('\n')}\n`;
}
