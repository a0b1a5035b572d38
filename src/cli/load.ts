// Reading and loading scenario files for the commands: every error of every file is collected and
// printed positioned (scenario/errors.ts formatError), never a stack trace.

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { formatError, sortErrors } from '../scenario/errors.js';
import { loadScenario } from '../scenario/load.js';
import type { Scenario, ScenarioError } from '../scenario/types.js';
import { EXIT, ExitError, type ExitCode } from './exit.js';
import { collectScenarioFiles, DEFAULT_PATH } from './files.js';
import type { CommandContext } from './io.js';

export interface LoadedFiles {
  readonly scenarios: readonly Scenario[];
  /** Every error of every file, formatted (file:line:col: CODE message, source line, caret). */
  readonly errors: readonly string[];
}

export function loadFiles(files: readonly string[], cwd: string, color: (s: string) => string): LoadedFiles {
  const scenarios: Scenario[] = [];
  const errors: string[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(resolve(cwd, file), 'utf8');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') throw new ExitError(EXIT.NOINPUT, `hgmsim: ${file}: no such file or directory`);
      throw new ExitError(EXIT.NOINPUT, `hgmsim: ${file}: cannot read (${code ?? 'error'})`);
    }
    const r = loadScenario(file, text);
    for (const e of sortErrors(r.errors)) errors.push(formatError(e, text, color));
    if (r.scenario && r.errors.length === 0) scenarios.push(r.scenario);
  }
  return { scenarios, errors };
}

/**
 * The scenario files under `paths` (default ./scenarios), loaded; every error of every file printed on
 * stderr and the command's exit status (65) returned instead when any file is invalid.
 */
export function loadPaths(paths: readonly string[], ctx: CommandContext): { files: readonly string[]; loaded: LoadedFiles } | ExitCode {
  const { io, chalk } = ctx;
  const files = collectScenarioFiles(paths.length ? paths : [DEFAULT_PATH], io.cwd);
  const loaded = loadFiles(files, io.cwd, chalk.red);
  if (loaded.errors.length > 0) {
    io.err(`${loaded.errors.join('\n')}\n`);
    return EXIT.DATAERR;
  }
  return { files, loaded };
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
