// `hgmsim diff EXPECTED ACTUAL`: reads two TAP texts (a path, or `-` for stdin), prints what differs
// (src/report/diff.ts) on stdout, coloured on a terminal, and exits 0 when they are the same, 1 when they
// differ, 65 when either is not TAP (or larger than 64 MiB, or nested deeper than MAX_TAP_NESTING), 66
// when a file is missing or not a regular file. When one stream is the model's and the other a kernel's
// (their header comments say `profile P` and `kernel R`), or --kernel-view says so, the two are compared
// in kernel view (src/report/kernel-diff.ts) instead: exit 0 when no kernel-view line differs.

import { resolve } from 'node:path';
import { compareKernelView, diffTap, levelOrigin, MAX_TAP_NESTING, readTap, renderDiff, renderKernelDiff, tapNesting } from '../report/index.js';
import type { DiffPaint, TapLevel } from '../report/index.js';
import { stdoutChalk } from './color.js';
import { EXIT, ExitError } from './exit.js';
import type { ExitCode } from './exit.js';
import type { CommandContext } from './io.js';
import type { DiffOptionValues } from './options.js';
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

/**
 * Which side is the model's in a model-vs-kernel pair: `expected` or `actual`, or null for an ordinary
 * pair. --kernel-view takes EXPECTED as the model unless the headers say the other way round.
 */
function modelSide(expected: TapLevel, actual: TapLevel, forced: boolean): 'expected' | 'actual' | null {
  const e = levelOrigin(expected)?.kind;
  const a = levelOrigin(actual)?.kind;
  if (e === 'kernel' && a !== 'kernel') return a === 'model' || forced ? 'actual' : null;
  if (e === 'model' && a === 'kernel') return 'expected';
  return forced ? 'expected' : null;
}

export async function diffCommand(expectedPath: string, actualPath: string, opts: DiffOptionValues, ctx: CommandContext): Promise<ExitCode> {
  if (expectedPath === '-' && actualPath === '-') throw new ExitError(EXIT.USAGE, 'hgmsim: diff: only one of EXPECTED and ACTUAL can be - (stdin)');
  const name = (p: string): string => (p === '-' ? '<stdin>' : p);
  const expected = readTapOrFail(name(expectedPath), await readInput(expectedPath, ctx));
  const actual = readTapOrFail(name(actualPath), await readInput(actualPath, ctx));
  const c = stdoutChalk(ctx.color, ctx.io.env);
  const paint: DiffPaint = { header: c.cyan, removed: c.red, added: c.green, summary: c.bold };
  const side = modelSide(expected, actual, opts.kernelView === true);
  if (side !== null) {
    const [model, kernel, modelName, kernelName] = side === 'expected'
      ? [expected, actual, name(expectedPath), name(actualPath)]
      : [actual, expected, name(actualPath), name(expectedPath)];
    const comparison = compareKernelView(model, kernel);
    ctx.io.out(renderKernelDiff(modelName, kernelName, comparison, paint));
    return comparison.differences.length === 0 ? EXIT.OK : EXIT.FAIL;
  }
  const entries = diffTap(expected, actual);
  ctx.io.out(renderDiff(name(expectedPath), name(actualPath), entries, paint));
  return entries.length === 0 ? EXIT.OK : EXIT.FAIL;
}
