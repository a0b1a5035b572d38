// `hgmsim validate PATH…`: load every file and print every error of every file, positioned.

import { EXIT } from './exit.js';
import type { ExitCode } from './exit.js';
import { collectScenarioFiles } from './files.js';
import type { CommandContext } from './io.js';
import { loadFiles } from './load.js';
import { DEFAULT_PATH } from './run-command.js';

export async function validateCommand(paths: readonly string[], ctx: CommandContext): Promise<ExitCode> {
  const { io, chalk } = ctx;
  const files = collectScenarioFiles(paths.length ? paths : [DEFAULT_PATH], io.cwd);
  const loaded = loadFiles(files, io.cwd, chalk.red);
  if (loaded.errors.length > 0) {
    io.err(`${loaded.errors.join('\n')}\n`);
    return EXIT.DATAERR;
  }
  io.err(`${chalk.green(`${files.length} ${files.length === 1 ? 'file' : 'files'} OK`)}\n`);
  return EXIT.OK;
}
