// Goldens: `<scenario>.<size>.<profile>.tap` next to the scenario file, each exactly the flat TAP of one
// stream (what `run FILE --profile P --hugepagesz S` prints). Compared by --check, written only by
// --update-golden, atomically (temp file + rename), and never while a result departs from its verdict.

import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { renderTap } from '../report/tap.js';
import type { StreamResult } from '../runner/results.js';
import { SCENARIO_SUFFIX } from './files.js';

export function goldenPath(s: StreamResult): string {
  return join(dirname(s.file), `${basename(s.file, SCENARIO_SUFFIX)}.${s.size}.${s.profile}.tap`);
}

export const goldenText = (s: StreamResult): string => renderTap([s]);

export type GoldenCheck =
  | { readonly kind: 'same'; readonly path: string }
  | { readonly kind: 'missing'; readonly path: string }
  | { readonly kind: 'different'; readonly path: string; readonly line: number; readonly expected: string; readonly actual: string; readonly text: string };

/** The first line where two texts differ (1-based), with both sides; `<end of file>` past an end. */
export function firstDifference(expected: string, actual: string): { line: number; expected: string; actual: string } | null {
  if (expected === actual) return null;
  const a = expected.split('\n');
  const b = actual.split('\n');
  for (let i = 0; ; i++) {
    if (a[i] !== b[i]) return { line: i + 1, expected: a[i] ?? '<end of file>', actual: b[i] ?? '<end of file>' };
  }
}

export function checkGolden(s: StreamResult, cwd: string): GoldenCheck {
  const path = goldenPath(s);
  const abs = resolve(cwd, path);
  if (!existsSync(abs)) return { kind: 'missing', path };
  const text = readFileSync(abs, 'utf8');
  const diff = firstDifference(text, goldenText(s));
  return diff ? { kind: 'different', path, ...diff, text } : { kind: 'same', path };
}

const RESULT_LINE = /^(?:not )?ok \d+ (.*?)(?: # (?:SKIP|XFAIL|XPASS)\b.*)?$/;

/**
 * Which test a line of a flat stream belongs to: `# ` lines belong to the result line that follows them
 * (DESIGN.md "Output"). `test "NAME"`, or `the header` / `the totals` outside every test.
 */
export function testAtLine(text: string, line: number): string {
  const lines = text.split('\n');
  const plan = lines.findIndex((l) => /^1\.\.\d+/.test(l));
  if (line - 1 <= plan) return 'the header';
  for (let i = line - 1; i < lines.length; i++) {
    const m = RESULT_LINE.exec(lines[i] ?? '');
    if (m) return `test "${(m[1] ?? '').replace(/\\(.)/g, '$1')}"`;
  }
  return 'the totals';
}

/** Write one golden atomically: a temp file beside it, then rename over. */
export function writeGolden(s: StreamResult, cwd: string): string {
  const path = goldenPath(s);
  const abs = resolve(cwd, path);
  const tmp = `${abs}.tmp-${process.pid}`;
  writeFileSync(tmp, goldenText(s));
  renameSync(tmp, abs);
  return path;
}
