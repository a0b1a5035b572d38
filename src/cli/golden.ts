// Goldens: `<scenario>.<size>.<profile>.tap` next to the scenario file, each exactly the flat TAP of one
// stream (what `run FILE --profile P --hugepagesz S` prints). Compared by --check, written only by
// --update-golden, all or nothing (write.ts commitFiles), and never while a result departs from its
// verdict. `x.yaml` and `x.yml` have the same goldens (files.ts refuses both in one folder).

import { statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { renderTap } from '../report/tap.js';
import type { StreamResult } from '../runner/results.js';
import { scenarioStem } from './files.js';
import { readInputFile, TAP_MAX_BYTES } from './read.js';
import { commitFiles } from './write.js';

export function goldenPath(s: StreamResult): string {
  return join(dirname(s.file), `${scenarioStem(s.file)}.${s.size}.${s.profile}.tap`);
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
  const text = readGolden(resolve(cwd, path), path);
  if (text === null) return { kind: 'missing', path };
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

/** A golden's text, null when it does not exist; one that cannot be read is an ExitError (66, 74, 65). */
function readGolden(abs: string, path: string): string | null {
  let exists: boolean;
  try {
    exists = statSync(abs, { throwIfNoEntry: false }) !== undefined;
  } catch {
    exists = true; // a loop or a file in the path: readInputFile says which
  }
  return exists ? readInputFile(abs, path, TAP_MAX_BYTES) : null;
}

/**
 * Writes the golden of every stream and deletes `stale` (paths relative to cwd), all or nothing: every
 * golden is staged first, then all are renamed into place (write.ts commitFiles). Returns the paths
 * written, in stream order. A failure is an ExitError (73, or 74 for an I/O error) and changes nothing.
 */
export async function writeGoldens(streams: readonly StreamResult[], cwd: string, stale: readonly string[] = []): Promise<string[]> {
  const writes = streams.map((s) => ({ path: goldenPath(s), text: goldenText(s) }));
  await commitFiles(writes, stale, { cwd });
  return writes.map((w) => w.path);
}
