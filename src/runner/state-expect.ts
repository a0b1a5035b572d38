// Standalone `expect:` steps: assertions on model state the C tests cannot see (DESIGN.md "Scenarios").
// Each returns one text per mismatch, expected and actual side by side; an empty list means all held.

import type { SignalEvent } from '../kernel/index.js';
import { MF_STAT_NAMES, PAGEMAP_BITS, SMAPS_FIELDS } from '../scenario/names.js';
import type { SignalExpect, StateExpect } from '../scenario/types.js';
import type { StepContext } from './context.js';
import { hex } from './eval.js';
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
    const wp = (b: boolean): string => (b ? 'uffd-wp' : 'no uffd-wp');
    const want = [wantSize, e.mapping.kind, e.mapping.uffd_wp === undefined ? undefined : wp(e.mapping.uffd_wp)]
      .filter((x) => x !== undefined).join(' ');
    const have = m ? [
      wantSize !== undefined ? sizeName(m.size) : undefined,
      e.mapping.kind !== undefined ? m.kind : undefined,
      e.mapping.uffd_wp !== undefined ? wp(m.uffdWp) : undefined,
    ].filter((x) => x !== undefined).join(' ') : 'no VMA';
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

  for (const [name, want] of e.signals ?? []) out.push(...checkSignals(ctx, name, want));

  for (const [field, wantAlive] of [['alive', true], ['dead', false]] as const) {
    for (const name of e[field] ?? []) {
      const alive = ctx.processAlive(name);
      if (alive !== wantAlive) out.push(got(`process ${name}`, field, alive === undefined ? 'no such process' : alive ? 'alive' : 'dead'));
    }
  }

  if (e.smaps) {
    const addr = ctx.num(e.smaps.at);
    const smaps = kernel.smaps(task, addr);
    for (const field of SMAPS_FIELDS) {
      const wantExpr = e.smaps[field];
      if (wantExpr === undefined) continue;
      const want = ctx.num(wantExpr);
      // HugetlbPud/Pmd/PteMapped exist on HGM kernels only.
      const value = smaps?.[field];
      const have = smaps === null ? 'no VMA' : value === undefined ? 'no such field on this kernel' : `${value} kB`;
      if (have !== `${want} kB`) out.push(got(`smaps(${ctx.fmtAddr(addr)}) ${field}`, `${want} kB`, have));
    }
  }

  if (e.pagemap) {
    const addr = ctx.num(e.pagemap.at);
    const pm = kernel.pagemap(task, addr);
    for (const bit of PAGEMAP_BITS) {
      const want = e.pagemap[bit];
      if (want !== undefined && pm[bit] !== want) out.push(got(`pagemap(${ctx.fmtAddr(addr)}) ${bit}`, String(want), String(pm[bit])));
    }
    if (e.pagemap.pfn !== undefined) {
      const want = ctx.num(e.pagemap.pfn);
      if (pm.pfn !== want) out.push(got(`pagemap(${ctx.fmtAddr(addr)}) pfn`, hex(want), pm.present ? hex(pm.pfn) : 'not present'));
    }
  }

  const now = e.mf_stats && kernel.mfStats();
  if (e.mf_stats && !now) out.push(got('mf_stats', 'per-node memory_failure stats', 'none on this kernel'));
  if (e.mf_stats && now) {
    const start = ctx.start.mfStats ?? now;
    for (const field of MF_STAT_NAMES) {
      const c = e.mf_stats[field];
      if (c === undefined) continue;
      const want = ctx.num(c.value);
      const have = c.delta ? now[field] - start[field] : now[field];
      const sign = c.delta ? '+' : '';
      if (have !== want) out.push(got(`mf_stats ${field}`, `${sign}${want}`, `${sign}${have}`));
    }
  }
  return out;
}

/**
 * `signals: {C: [...]}`: the SIGBUS/SIGKILL signals C received (dropped ones left out), compared as a
 * list; each entry shows only the fields its expectation names.
 */
function checkSignals(ctx: StepContext, name: string, want: readonly SignalExpect[]): string[] {
  const have = ctx.signalsOf(name).filter((ev) => ev.outcome !== 'dropped' && (ev.info.signo === 'SIGBUS' || ev.info.signo === 'SIGKILL'));
  const text = (ev: SignalEvent, like?: SignalExpect): string => {
    if (ev.info.signo === 'SIGKILL') return 'SIGKILL';
    const full = like === undefined || 'sigkill' in like;
    const addr = full || like.si_addr !== undefined ? ` si_addr=${ctx.fmtAddr(ev.info.si_addr)}` : '';
    const lsb = full || like.si_addr_lsb !== undefined ? ` si_addr_lsb=${ev.info.si_addr_lsb}` : '';
    return `${ev.info.si_code}${addr}${lsb}`;
  };
  const wantText = want.map((w) => {
    if ('sigkill' in w) return 'SIGKILL';
    const addr = w.si_addr !== undefined ? ` si_addr=${ctx.fmtAddr(ctx.num(w.si_addr))}` : '';
    const lsb = w.si_addr_lsb !== undefined ? ` si_addr_lsb=${ctx.num(w.si_addr_lsb)}` : '';
    return `${w.sigbus}${addr}${lsb}`;
  });
  const haveText = have.map((ev, i) => text(ev, want[i]));
  const w = `[${wantText.join(', ')}]`;
  const h = `[${haveText.join(', ')}]`;
  if (ctx.processAlive(name) === undefined) return [got(`signals ${name}`, w, 'no such process')];
  return w === h ? [] : [got(`signals ${name}`, w, h)];
}
