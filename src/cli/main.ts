// The CLI as a function of argv and Io: parses, runs one command, and maps every way of ending to an
// exit status (STYLE.md item 9). index.ts is the only caller of process.exit.

import { CommanderError } from 'commander';
import { EXIT, ExitError, internalErrorMessage } from './exit.js';
import type { ExitCode } from './exit.js';
import type { Io } from './io.js';
import { buildProgram } from './program.js';

/** commander codes that end normally (help asked for, version). */
const CLEAN_EXITS = new Set(['commander.helpDisplayed', 'commander.version']);

/**
 * Whether commander may print help for these arguments: none at all, a `help` word, `--help`, or a
 * short-flag cluster holding `h`. Generous on purpose: a false yes only costs loading the step table.
 */
export function mayShowHelp(argv: readonly string[]): boolean {
  return argv.length === 0 || argv.some((a) => a === 'help' || a === '--help' || /^-[^-]*h/.test(a));
}

export async function runCli(argv: readonly string[], io: Io): Promise<ExitCode> {
  let status: ExitCode = EXIT.OK;
  try {
    const help = mayShowHelp(argv) ? (await import('./steps-help.js')).stepsHelp() : '';
    const program = buildProgram(io, (code) => {
      status = code;
    }, () => help);
    await program.parseAsync([...argv], { from: 'user' });
    return status;
  } catch (e) {
    if (e instanceof ExitError) {
      if (e.message) io.err(`${e.message}\n`);
      return e.code;
    }
    if (e instanceof CommanderError) return CLEAN_EXITS.has(e.code) ? EXIT.OK : EXIT.USAGE;
    io.err(`${internalErrorMessage(e, io.cwd)}\n`);
    return EXIT.SOFTWARE;
  }
}
