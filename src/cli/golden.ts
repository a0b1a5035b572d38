// Goldens: `<scenario>.<size>.<profile>.tap` next to the scenario file, each exactly the flat TAP of one
// stream (what `run FILE --profile P --hugepagesz S` prints). Compared by --check, written only by
// --update-golden, all or nothing (write.ts commitFiles), and never while a result departs from its
// verdict. `x.yaml` and `x.yml` have the same goldens (files.ts refuses both in one folder). A golden no
// stream writes any more (its scenario, size or profile is gone) is stale: --check reports it,
// --update-golden removes it. Recorded kernel TAP (`<scenario>.<size>.kernel-<release>.tap`) is not a
// golden.

import { readdirSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { renderTap } from '../report/index.js';
import type { GoldenStatus, StreamResult } from '../runner/index.js';
import { HUGEPAGE_SIZES } from '../scenario/index.js';
import { hasScenarioSuffix, scenarioStem } from './files.js';
import { readInputFile, TAP_MAX_BYTES } from './read.js';
import { commitFiles } from './write.js';

export function goldenPath(s: Pick<StreamResult, 'file' | 'size' | 'profile'>): string {
  return join(dirname(s.file), `${scenarioStem(s.file)}.${s.size}.${s.profile}.tap`);
}

export const goldenText = (s: StreamResult): string => renderTap([s]);


/** The first line where two texts differ (1-based), with both sides; `<end of file>` past an end. */
export function firstDifference(expected: string, actual: string): { line: number; expected: string; actual: string } | null {
  if (expected === actual) return null;
  const a = expected.split('\n');
  const b = actual.split('\n');
  for (let i = 0; ; i++) {
    if (a[i] !== b[i]) return { line: i + 1, expected: a[i] ?? '<end of file>', actual: b[i] ?? '<end of file>' };
  }
}

/** How the stream compares with its golden; with both texts when they differ (for a semantic diff). */
export function checkGolden(s: StreamResult, cwd: string): { status: GoldenStatus; texts?: { expected: string; actual: string } } {
  const path = goldenPath(s);
  const text = readGolden(resolve(cwd, path), path);
  if (text === null) return { status: { kind: 'missing', path } };
  const actual = goldenText(s);
  const diff = firstDifference(text, actual);
  return diff ? { status: { kind: 'different', path, ...diff, test: testAtLine(actual, diff.line) }, texts: { expected: text, actual } } : { status: { kind: 'same', path } };
}

/** `<base>.<size>.<profile>.tap`: base, size and profile, or null for another name. */
const GOLDEN_NAME = new RegExp(`^(.+)\\.(${HUGEPAGE_SIZES.join('|')})\\.([^/]+)\\.tap$`);

/** What follows a scenario's base name in one of its goldens' names (recorded kernel TAP excluded). */
const GOLDEN_REST = new RegExp(`^\\.(${HUGEPAGE_SIZES.join('|')})\\.(?!kernel-)[^/]+\\.tap$`);

/** Whether a `.tap` file's name is a golden's (recorded kernel TAP is not), and of which scenario base name. */
function goldenBase(name: string, bases: readonly string[]): string | null {
  for (const b of bases) {
    if (name.startsWith(`${b}.`) && GOLDEN_REST.test(name.slice(b.length))) return b;
  }
  const m = GOLDEN_NAME.exec(name);
  return m && !(m[3] ?? '').startsWith('kernel-') ? (m[1] ?? null) : null;
}

/** Every `.tap` file under a folder (symbolic links to folders are not followed), as absolute paths. */
function tapFilesUnder(dir: string, out: string[]): void {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) tapFilesUnder(p, out);
    else if (e.name.endsWith('.tap')) out.push(p);
  }
}

/**
 * The goldens in what the run covers that no stream of `expected` (golden paths relative to cwd) writes:
 * under a folder named on the command line, every golden; beside a file named, that file's goldens.
 * Sorted, relative to cwd.
 */
export function findStaleGoldens(paths: readonly string[], cwd: string, expected: ReadonlySet<string>): string[] {
  const stale = new Set<string>();
  const consider = (abs: string, bases: readonly string[], only?: string): void => {
    const base = goldenBase(basename(abs), bases);
    if (base === null || (only !== undefined && base !== only)) return;
    const rel = relative(cwd, abs);
    if (!expected.has(rel)) stale.add(rel);
  };
  for (const p of paths) {
    const abs = resolve(cwd, p);
    const st = statSync(abs, { throwIfNoEntry: false });
    if (st?.isDirectory()) {
      const found: string[] = [];
      tapFilesUnder(abs, found);
      for (const f of found) consider(f, scenarioBases(dirname(f)));
    } else if (st?.isFile()) {
      const base = scenarioStem(basename(abs));
      const dir = dirname(abs);
      for (const name of readdirSync(dir)) if (name.endsWith('.tap')) consider(join(dir, name), [base], base);
    }
  }
  return [...stale].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** The base names of the scenario files in a folder, longest first (so `a.b` wins over `a`). */
function scenarioBases(dir: string): string[] {
  return readdirSync(dir).filter(hasScenarioSuffix).map(scenarioStem).sort((a, b) => b.length - a.length);
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
