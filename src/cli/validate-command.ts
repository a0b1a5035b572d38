// `hgmsim validate PATH…`: load every file and print every error of every file, positioned.

import { EXIT } from './exit.js';
import type { ExitCode } from './exit.js';
import type { CommandContext } from './io.js';
import { loadPaths } from './load.js';

export async function validateCommand(paths: readonly string[], ctx: CommandContext): Promise<ExitCode> {
  const got = loadPaths(paths, ctx);
  if (typeof got === 'number') return got;
  const n = got.files.length;
  ctx.io.err(`${ctx.chalk.green(`${n} ${n === 1 ? 'file' : 'files'} OK`)}\n`);
  return EXIT.OK;
}
