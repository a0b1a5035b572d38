// Scenario paths from the command line: files as given, directories searched recursively for *.yaml,
// sorted by UTF-16 code unit (DESIGN.md "Determinism"), printed relative to the working directory.

import { lstatSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { EXIT, ExitError } from './exit.js';

export const SCENARIO_SUFFIX = '.yaml';

function walk(dir: string, out: string[]): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    // Symbolic links to directories are not followed (no loops); links to files are read.
    if (entry.isDirectory()) walk(path, out);
    else if (entry.name.endsWith(SCENARIO_SUFFIX) && (entry.isFile() || (entry.isSymbolicLink() && statSync(path, { throwIfNoEntry: false })?.isFile()))) out.push(path);
  }
}

const byCodeUnit = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Every scenario file the paths name, each once, relative to cwd; a missing path is exit 66. */
/** PATH when none is given: the bundled scenarios. */
export const DEFAULT_PATH = './scenarios';

export function collectScenarioFiles(paths: readonly string[], cwd: string): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const p of paths) {
    const abs = resolve(cwd, p);
    const st = lstatSync(abs, { throwIfNoEntry: false });
    if (!st) throw new ExitError(EXIT.NOINPUT, `hgmsim: ${p}: no such file or directory`);
    const found: string[] = [];
    if (statSync(abs, { throwIfNoEntry: false })?.isDirectory()) walk(abs, found);
    else found.push(abs);
    for (const f of found.map((f) => relative(cwd, f) || f).sort(byCodeUnit)) {
      if (seen.has(f)) continue;
      seen.add(f);
      out.push(f);
    }
  }
  return out;
}
