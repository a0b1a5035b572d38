// Standalone `expect:` steps: assertions on model state the C tests cannot see (DESIGN.md "Scenarios").
// Each returns one text per mismatch, expected and actual side by side; an empty list means all held.

import type { StateExpect } from '../scenario/types.js';
import type { StepContext } from './context.js';
import { listText, sizeName } from './observe.js';

const got = (what: string, expected: string, actual: string): string => `${what}: expected ${expected}, got ${actual}`;

export function checkState(ctx: StepContext, e: StateExpect): string[] {
  const out: string[] = [];
  const { kernel, task } = ctx;

  if (e.raw_hwp_list) {
    const addr = ctx.num(e.raw_hwp_list.of);
    const want = e.raw_hwp_list.is.map((x) => ctx.num(x));
    const folio = kernel.folioAt(task, addr);
    const have = folio ? listText(folio.raw_hwp_list) : 'no folio';
    if (have !== listText(want)) out.push(got(`raw_hwp_list(${ctx.fmtAddr(addr)})`, listText(want), have));
  }

  if (e.mapping) {
    const addr = ctx.num(e.mapping.at);
    const m = kernel.mappingAt(task, addr);
    const wantSize = e.mapping.size ? sizeName(ctx.num(e.mapping.size)) : undefined;
    const want = [wantSize, e.mapping.kind].filter((x) => x !== undefined).join(' ');
    const have = m ? [wantSize !== undefined ? sizeName(m.size) : undefined, e.mapping.kind !== undefined ? m.kind : undefined]
      .filter((x) => x !== undefined).join(' ') : 'no VMA';
    if (have !== want) out.push(got(`mapping at ${ctx.fmtAddr(addr)}`, want, have));
  }

  if (e.HardwareCorrupted) {
    const now = kernel.meminfo().HardwareCorrupted;
    const have = e.HardwareCorrupted.delta ? now - ctx.start.hardwareCorrupted : now;
    const sign = e.HardwareCorrupted.delta ? '+' : '';
    if (BigInt(have) !== e.HardwareCorrupted.kB) {
      out.push(got('HardwareCorrupted', `${sign}${e.HardwareCorrupted.kB} kB`, `${sign}${have} kB`));
    }
  }

  if (e.bytes) {
    const addr = ctx.num(e.bytes.addr);
    const length = ctx.num(e.bytes.length);
    const value = ctx.num(e.bytes.value, 'byte');
    const r = kernel.checkBytes(task, addr, length, value);
    if (!r.ok) out.push(got(`bytes [${ctx.fmtAddr(addr)}, ${ctx.fmtAddr(addr + length)})`, `all ${value}`, `${r.found} at ${ctx.fmtAddr(r.addr)}`));
  }

  if (e.pool) {
    const pool = kernel.pool(ctx.hugepagesz);
    for (const field of ['total', 'free', 'resv', 'surplus'] as const) {
      const want = e.pool[field];
      if (want === undefined) continue;
      const n = ctx.num(want);
      if (pool[field] !== n) out.push(got(`pool ${sizeName(ctx.hugepagesz)} ${field}`, String(n), String(pool[field])));
    }
  }

  for (const field of ['refcount', 'mapcount'] as const) {
    const c = e[field];
    if (!c) continue;
    const addr = ctx.num(c.of);
    const n = ctx.num(c.is);
    const folio = kernel.folioAt(task, addr);
    const have = folio ? String(folio[field]) : 'no folio';
    if (have !== String(n)) out.push(got(`${field}(${ctx.fmtAddr(addr)})`, String(n), have));
  }

  if (e.dmesg) {
    const printed = kernel.dmesg.slice(ctx.start.dmesgLength);
    for (const want of e.dmesg) {
      if (!printed.some((line) => line.includes(want))) out.push(got('dmesg', JSON.stringify(want), 'no such line in this test'));
    }
  }
  return out;
}
