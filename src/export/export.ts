// PLACEHOLDER until the generator lands: a program whose tests print `ok N name`.
import type { HugepageSize, ProfileName, Scenario } from '../scenario/index.js';
import type { ExportedProgram } from './types.js';

export type ExportResult = readonly ExportedProgram[];

export function exportScenario(scenario: Scenario, opts: { readonly profile?: ProfileName; readonly hugepagesz?: readonly HugepageSize[] }): ExportResult {
  const profile = opts.profile ?? scenario.kernel.profile;
  const base = scenario.file.replace(/^.*\//, '').replace(/\.ya?ml$/, '');
  return scenario.kernel.hugepagesz.filter((s) => !opts.hugepagesz || opts.hugepagesz.includes(s)).map((size) => {
    const tests = scenario.tests.map((t, i) => ({ number: i + 1, name: t.name, line: 1 }));
    const cases = tests.map((t) => `\tif (n == ${t.number}) printf("ok ${t.number} %s\\n", ${JSON.stringify(t.name)});`).join('\n');
    const source = `#include <stdio.h>\n#include <stdlib.h>\n#include <string.h>\nint main(int argc, char **argv)\n{\n\tint n = argc > 2 && !strcmp(argv[1], "-t") ? atoi(argv[2]) : 0;\n${cases}\n\treturn 0;\n}\n`;
    const k = scenario.kernel.nr_hugepages;
    const nr = Number(typeof k === 'bigint' ? k : k.get(size) ?? 0n);
    return {
      scenario: scenario.name, file: scenario.file, hugepagesz: size, profile, stem: `${base}.${size}`, source, tests,
      needs: { pools: { [size]: nr }, max_hugepages: nr, modules: [], memoryMiB: 1024 + nr * (size === '1G' ? 1024 : 2) },
    };
  });
}
