// System-wide counters: HardwareCorrupted, the hugetlb pool, the kernel log, memory-failure stats.

import { MF_STAT_NAMES } from '../../scenario/index.js';
import { sizeName } from '../../kernel/index.js';
import type { Mismatch } from '../results.js';
import { got, type ExpectCheck } from './check.js';

export const HardwareCorrupted: ExpectCheck<'HardwareCorrupted'> = (ctx, e) => {
  const now = ctx.kernel.meminfo().HardwareCorrupted;
  const have = e.delta ? now - ctx.start.hardwareCorrupted : now;
  const sign = e.delta ? '+' : '';
  return BigInt(have) !== e.kB ? [got('HardwareCorrupted', `${sign}${e.kB} kB`, `${sign}${have} kB`)] : [];
};

/** Both sides in decimal and hex: the C tests print counts as %lx, a reader compares them as numbers. */
const valueText = (v: bigint): string => `${v} (0x${v.toString(16)})`;

export const value: ExpectCheck<'value'> = (ctx, e) => {
  const have = ctx.value(e.of).value;
  const want = ctx.value(e.is).value;
  return have !== want ? [got(`value of ${e.text}`, valueText(want), valueText(have))] : [];
};

export const pool: ExpectCheck<'pool'> = (ctx, e) => {
  const out: Mismatch[] = [];
  const pool = ctx.kernel.pool(ctx.hugepagesz);
  for (const field of ['total', 'free', 'resv', 'surplus'] as const) {
    const want = e[field];
    if (want === undefined) continue;
    const n = ctx.num(want);
    if (pool[field] !== n) out.push(got(`pool ${sizeName(ctx.hugepagesz)} ${field}`, String(n), String(pool[field])));
  }
  return out;
};

export const dmesg: ExpectCheck<'dmesg'> = (ctx, e) => {
  const printed = ctx.kernel.dmesg.slice(ctx.start.dmesgLength);
  const out: Mismatch[] = [];
  for (const want of e) {
    const { what } = want;
    const hit = what.kind === 'line' ? (line: string) => line.includes(what.text) : (line: string) => what.regex.test(line);
    const shown = what.kind === 'line' ? JSON.stringify(what.text) : `/${what.source}/`;
    const n = printed.filter(hit).length;
    if (want.count === undefined) {
      if (n === 0) out.push(got('dmesg', shown, 'no such line in this test'));
      continue;
    }
    const count = ctx.num(want.count);
    if (n !== count) out.push(got(`dmesg ${shown}`, `${count} line${count === 1 ? '' : 's'}`, String(n)));
  }
  return out;
};

export const mf_stats: ExpectCheck<'mf_stats'> = (ctx, e) => {
  const now = ctx.kernel.mfStats();
  if (!now) return [got('mf_stats', 'per-node memory_failure stats', 'none on this kernel')];
  const out: Mismatch[] = [];
  const start = ctx.start.mfStats ?? now;
  for (const field of MF_STAT_NAMES) {
    const c = e[field];
    if (c === undefined) continue;
    const want = ctx.num(c.value);
    const have = c.delta ? now[field] - start[field] : now[field];
    const sign = c.delta ? '+' : '';
    if (have !== want) out.push(got(`mf_stats ${field}`, `${sign}${want}`, `${sign}${have}`));
  }
  return out;
};
