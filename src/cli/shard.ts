// Scale-out (reference/ecosystem.md §6.4): `hgmsim list` prints one line per (file, test, size, profile)
// a run covers, sorted by UTF-16 code unit; `--shard i/n` (1-based) keeps the lines k (0-based) with
// k mod n = i - 1, so n CI jobs cover every line exactly once. `run --shard i/n` runs what its shard of
// the list names, each stream from its start so the kernel state a test sees is the one a full run
// gives it (tests run in order on one boot; later tests are not run).

import { InvalidArgumentError } from 'commander';
import type { HugepageSize, ProfileName, Scenario } from '../scenario/index.js';

export interface Shard {
  /** 1-based. */
  readonly index: number;
  readonly count: number;
}

/** `i/n` with 1 ≤ i ≤ n, for commander (a bad value is a usage error). */
export function parseShard(text: string): Shard {
  const m = /^([1-9]\d*)\/([1-9]\d*)$/.exec(text.trim());
  if (!m) throw new InvalidArgumentError('expected i/n with 1 <= i <= n, e.g. 1/4');
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (index > count || !Number.isSafeInteger(count)) throw new InvalidArgumentError(`shard ${index} of ${count} does not exist (1 <= i <= n)`);
  return { index, count };
}

/** A positive integer, for --jobs. */
export function parseJobs(text: string): number {
  if (!/^[1-9]\d{0,3}$/.test(text.trim())) throw new InvalidArgumentError('expected a whole number from 1 to 9999');
  return Number(text);
}

/** --step: a -v step number, 1 or more. */
export function parseStep(text: string): number {
  if (!/^[1-9]\d{0,6}$/.test(text.trim())) throw new InvalidArgumentError('expected a step number from 1 to 9999999 (as run -v numbers them)');
  return Number(text);
}

export interface ListEntry {
  readonly file: string;
  readonly test: string;
  readonly size: HugepageSize;
  readonly profile: ProfileName;
}

export const listLine = (e: ListEntry): string => `${e.file}\t${e.test}\t${e.size}\t${e.profile}`;

const byCodeUnit = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** What a run covers, one entry per (file, test, size, profile), sorted by the list line's code units. */
export function listEntries(
  scenarios: readonly Scenario[],
  sizesFor: (s: Scenario) => readonly HugepageSize[],
  profilesFor: (s: Scenario) => readonly ProfileName[],
): ListEntry[] {
  const out: ListEntry[] = [];
  for (const s of scenarios) {
    for (const size of sizesFor(s)) {
      for (const profile of profilesFor(s)) {
        for (const t of s.tests) out.push({ file: s.file, test: t.name, size, profile });
      }
    }
  }
  return out.map((e) => [listLine(e), e] as const).sort((a, b) => byCodeUnit(a[0], b[0])).map(([, e]) => e);
}

/** The shard (1-based index) line k (0-based) of the sorted list belongs to. */
export const shardOfLine = (k: number, count: number): number => (k % count) + 1;

export function selectShard<T>(sorted: readonly T[], shard: Shard | undefined): T[] {
  return shard ? sorted.filter((_e, k) => shardOfLine(k, shard.count) === shard.index) : [...sorted];
}

/** A stream's key: the (file, size, profile) a golden belongs to. */
export const streamKey = (file: string, size: string, profile: string): string => `${file}\t${size}\t${profile}`;
