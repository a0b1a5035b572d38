// The CLI as a function of argv and Io: parses, runs one command, and maps every way of ending to an
// exit status (STYLE.md item 9). index.ts is the only caller of process.exit.

import { CommanderError } from 'commander';
import { EXIT, ExitError, internalErrorMessage } from './exit.js';
import type { ExitCode } from './exit.js';
import type { Io } from './io.js';
import { buildProgram } from './program.js';

/** commander codes that end normally (help asked for, version). */
const CLEAN_EXITS = new Set(['commander.helpDisplayed', 'commander.version']);

export async function runCli(argv: readonly string[], io: Io): Promise<ExitCode> {
  let status: ExitCode = EXIT.OK;
  try {
    const program = buildProgram(io, (code) => {
      status = code;
    });
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
