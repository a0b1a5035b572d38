// `hgmsim diff EXPECTED ACTUAL`: reads two TAP texts (a path, or `-` for stdin), prints what differs
// (src/report/diff.ts) on stdout, coloured on a terminal, and exits 0 when they are the same, 1 when they
// differ, 65 when either is not TAP (or larger than 64 MiB, or nested deeper than MAX_TAP_NESTING), 66
// when a file is missing or not a regular file.

import { resolve } from 'node:path';
import { diffTap, MAX_TAP_NESTING, readTap, renderDiff, tapNesting } from '../report/index.js';
import type { DiffPaint, TapLevel } from '../report/index.js';
import { stdoutChalk } from './color.js';
import { EXIT, ExitError } from './exit.js';
import type { ExitCode } from './exit.js';
import type { CommandContext } from './io.js';
import { readInputFile, sizeText, TAP_MAX_BYTES } from './read.js';

async function readInput(path: string, ctx: CommandContext): Promise<string> {
  if (path === '-') {
    if (!ctx.io.readStdin) throw new ExitError(EXIT.USAGE, 'hgmsim: diff: no stdin to read');
    const text = await ctx.io.readStdin();
    const size = Buffer.byteLength(text);
    if (size > TAP_MAX_BYTES) throw new ExitError(EXIT.DATAERR, `hgmsim: <stdin>: larger than the ${sizeText(TAP_MAX_BYTES)} limit (${size} bytes or more); not read`);
    return text;
  }
  return readInputFile(resolve(ctx.io.cwd, path), path, TAP_MAX_BYTES);
}

function readTapOrFail(name: string, text: string): TapLevel {
  const depth = tapNesting(text);
  if (depth > MAX_TAP_NESTING) throw new ExitError(EXIT.DATAERR, `hgmsim: ${name}: TAP nested ${depth} levels deep; at most ${MAX_TAP_NESTING} are read`);
  const tap = readTap(text);
  if (!tap) throw new ExitError(EXIT.DATAERR, `hgmsim: ${name}: not TAP (no version line, plan or test point)`);
  return tap;
}

export async function diffCommand(expectedPath: string, actualPath: string, ctx: CommandContext): Promise<ExitCode> {
  if (expectedPath === '-' && actualPath === '-') throw new ExitError(EXIT.USAGE, 'hgmsim: diff: only one of EXPECTED and ACTUAL can be - (stdin)');
  const name = (p: string): string => (p === '-' ? '<stdin>' : p);
  const expected = readTapOrFail(name(expectedPath), await readInput(expectedPath, ctx));
  const actual = readTapOrFail(name(actualPath), await readInput(actualPath, ctx));
  const entries = diffTap(expected, actual);
  const c = stdoutChalk(ctx.color, ctx.io.env);
  const paint: DiffPaint = { header: c.cyan, removed: c.red, added: c.green, summary: c.bold };
  ctx.io.out(renderDiff(name(expectedPath), name(actualPath), entries, paint));
  return entries.length === 0 ? EXIT.OK : EXIT.FAIL;
}
