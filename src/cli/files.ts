// Scenario paths from the command line: files as given, directories searched recursively for *.yaml
// and *.yml, sorted by UTF-16 code unit (DESIGN.md "Determinism"), printed relative to the working
// directory. A folder's known-differences.yaml (the model-against-kernel exceptions beside the goldens,
// src/report/known-differences.ts) is not a scenario and is not collected. A path that is missing or a folder that cannot be read is collected as a problem (an
// ExitError with its message), and the rest is still collected, so every problem is reported at once.

import { readdirSync, statSync } from 'node:fs';
import type { Dirent } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { EXIT, ExitError } from './exit.js';
import { inputError } from './fs-errors.js';

/** The suffix `new` adds to a FILE that has none of SCENARIO_SUFFIXES. */
export const SCENARIO_SUFFIX = '.yaml';
/** Suffixes of the files a folder search finds. */
export const SCENARIO_SUFFIXES: readonly string[] = ['.yaml', '.yml'];

/**
 * report/known-differences.ts's KNOWN_DIFFERENCES_FILE, spelled out here: importing it would load the
 * reports (their zod schemas, tap-parser) into `validate` and `list`, which never read them.
 * test/files.test.ts holds the two equal.
 */
export const KNOWN_DIFFERENCES_FILE = 'known-differences.yaml';

export const hasScenarioSuffix = (name: string): boolean => SCENARIO_SUFFIXES.some((s) => name.endsWith(s));

/** A file name without its scenario suffix (`x.yml` → `x`); other names unchanged. */
export function scenarioStem(file: string): string {
  const name = basename(file);
  const suffix = SCENARIO_SUFFIXES.find((s) => name.endsWith(s));
  return suffix ? name.slice(0, -suffix.length) : name;
}

/** PATH when none is given: the bundled scenarios. */
export const DEFAULT_PATH = './scenarios';

export interface CollectedFiles {
  /** Scenario files, relative to cwd, each once. */
  readonly files: readonly string[];
  /** Paths that are missing or cannot be read (66), and scenarios that would share goldens (65). */
  readonly problems: readonly ExitError[];
}

/** Whether a symbolic link found in a folder is followed as a scenario file: not when it names a folder. */
function linkIsFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false; // a dangling link or a loop: kept, and the loader says what is wrong with it
  }
}

/**
 * Every *.yaml / *.yml under `dir` but known-differences.yaml. Links to folders are not followed (no loops); any other entry with
 * a scenario suffix is kept, so a FIFO, a device or a broken link is refused by the loader with a
 * message instead of being skipped in silence.
 */
function walk(dir: string, cwd: string, out: string[], problems: ExitError[]): void {
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (e) {
    problems.push(inputError(relative(cwd, dir) || '.', e));
    return;
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) walk(path, cwd, out, problems);
    else if (hasScenarioSuffix(entry.name) && entry.name !== KNOWN_DIFFERENCES_FILE && !(entry.isSymbolicLink() && linkIsFolder(path))) out.push(path);
  }
}

const byCodeUnit = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The files one command-line path names: itself, or what a folder holds. */
function filesOf(p: string, cwd: string, problems: ExitError[]): string[] {
  const abs = resolve(cwd, p);
  let isFolder: boolean;
  try {
    isFolder = statSync(abs).isDirectory();
  } catch (e) {
    problems.push(inputError(p, e));
    return [];
  }
  if (!isFolder) return [abs];
  const found: string[] = [];
  walk(abs, cwd, found, problems);
  return found;
}

/** `x.yaml` and `x.yml` in one folder would write the same goldens: the second is a problem (65). */
function goldenClashes(files: readonly string[]): ExitError[] {
  const first = new Map<string, string>();
  const out: ExitError[] = [];
  for (const f of files) {
    if (!hasScenarioSuffix(f)) continue;
    const key = join(dirname(f), scenarioStem(f));
    const other = first.get(key);
    if (other === undefined) first.set(key, f);
    else out.push(new ExitError(EXIT.DATAERR, `hgmsim: ${f}: has the same goldens as ${other} (the name without .yaml/.yml is the same); rename one`));
  }
  return out;
}

/** Every scenario file the paths name, each once, relative to cwd, and every path problem met. */
export function collectScenarioPaths(paths: readonly string[], cwd: string): CollectedFiles {
  const seen = new Set<string>();
  const files: string[] = [];
  const problems: ExitError[] = [];
  for (const p of paths) {
    for (const f of filesOf(p, cwd, problems).map((f) => relative(cwd, f) || f).sort(byCodeUnit)) {
      if (seen.has(f)) continue;
      seen.add(f);
      files.push(f);
    }
  }
  return { files, problems: [...problems, ...goldenClashes(files)] };
}

/** Every scenario file the paths name; the first problem is thrown (a missing path is exit 66). */
export function collectScenarioFiles(paths: readonly string[], cwd: string): string[] {
  const { files, problems } = collectScenarioPaths(paths, cwd);
  if (problems[0]) throw problems[0];
  return [...files];
}
