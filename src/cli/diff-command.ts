// `hgmsim diff EXPECTED ACTUAL`: reads two TAP texts (a path, or `-` for stdin), prints what differs
// (src/report/diff.ts) on stdout, coloured on a terminal, and exits 0 when they are the same, 1 when they
// differ, 65 when either is not TAP, 66 when a file is missing.

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { diffTap, renderDiff } from '../report/diff.js';
import type { DiffPaint } from '../report/diff.js';
import { readTap } from '../report/tap-read.js';
import type { TapLevel } from '../report/tap-read.js';
import { stdoutChalk } from './color.js';
import { EXIT, ExitError } from './exit.js';
import type { ExitCode } from './exit.js';
import type { CommandContext } from './io.js';

async function readInput(path: string, ctx: CommandContext): Promise<string> {
  if (path === '-') {
    if (!ctx.io.readStdin) throw new ExitError(EXIT.USAGE, 'hgmsim: diff: no stdin to read');
    return ctx.io.readStdin();
  }
  try {
    return readFileSync(resolve(ctx.io.cwd, path), 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new ExitError(EXIT.NOINPUT, `hgmsim: ${path}: no such file or directory`);
    throw new ExitError(EXIT.NOINPUT, `hgmsim: ${path}: cannot read (${code ?? 'error'})`);
  }
}

function readTapOrFail(name: string, text: string): TapLevel {
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
