// Reading and loading scenario files for the commands: every error of every file is collected and
// printed positioned (scenario/errors.ts formatError), never a stack trace. A file that is missing or
// cannot be read does not stop the others: its message is printed with their errors.

import { resolve } from 'node:path';
import { formatError, loadScenario, sortErrors } from '../scenario/index.js';
import type { Scenario, ScenarioError } from '../scenario/index.js';
import { EXIT, ExitError, type ExitCode } from './exit.js';
import { collectScenarioPaths, DEFAULT_PATH } from './files.js';
import type { CommandContext } from './io.js';
import { readInputFile, SCENARIO_MAX_BYTES } from './read.js';

export interface LoadedFiles {
  readonly scenarios: readonly Scenario[];
  /** Every error of every file, formatted (file:line:col: CODE message, source line, caret). */
  readonly errors: readonly string[];
  /** Files that could not be read (missing 66, not a regular file 66, too large 65, I/O error 74). */
  readonly problems: readonly ExitError[];
}

export function loadFiles(files: readonly string[], cwd: string, color: (s: string) => string): LoadedFiles {
  const scenarios: Scenario[] = [];
  const errors: string[] = [];
  const problems: ExitError[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = readInputFile(resolve(cwd, file), file, SCENARIO_MAX_BYTES);
    } catch (e) {
      if (!(e instanceof ExitError)) throw e;
      problems.push(e);
      continue;
    }
    const r = loadScenario(file, text);
    for (const e of sortErrors(r.errors)) errors.push(formatError(e, text, color));
    if (r.scenario && r.errors.length === 0) scenarios.push(r.scenario);
  }
  return { scenarios, errors, problems };
}

/**
 * The status for input that cannot be used: 65 when a scenario is invalid (or a file too large), else
 * 74 when reading failed with an I/O error, else 66 (files missing or not readable as a scenario).
 */
export function inputStatus(errors: readonly string[], problems: readonly ExitError[]): ExitCode {
  if (errors.length > 0 || problems.some((p) => p.code === EXIT.DATAERR)) return EXIT.DATAERR;
  return problems.some((p) => p.code === EXIT.IOERR) ? EXIT.IOERR : EXIT.NOINPUT;
}

/**
 * The scenario files under `paths` (default ./scenarios), loaded. When any path or file cannot be used,
 * every message (paths that cannot be read, then each file's errors) is printed on stderr and the exit
 * status is returned instead (inputStatus).
 */
export function loadPaths(paths: readonly string[], ctx: CommandContext): { files: readonly string[]; loaded: LoadedFiles } | ExitCode {
  const { io, chalk } = ctx;
  const collected = collectScenarioPaths(paths.length ? paths : [DEFAULT_PATH], io.cwd);
  const loaded = loadFiles(collected.files, io.cwd, chalk.red);
  const problems = [...collected.problems, ...loaded.problems];
  if (loaded.errors.length > 0 || problems.length > 0) {
    io.err(`${[...problems.map((p) => p.message), ...loaded.errors].join('\n')}\n`);
    return inputStatus(loaded.errors, problems);
  }
  return { files: collected.files, loaded };
}

/** Runtime author errors (from runStream), formatted like load errors, each once. */
export function formatRuntimeErrors(errors: readonly ScenarioError[], texts: ReadonlyMap<string, string>, color: (s: string) => string): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const e of errors) {
    const text = formatError(e, texts.get(e.file) ?? '', color);
    if (seen.has(text)) continue;
    seen.add(text);
    out.push(text);
  }
  return out;
}
