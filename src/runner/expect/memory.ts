// What a process maps: raw_hwp_list, the entry at an address, memory contents, refcount and mapcount.

import type { Expr } from '../../scenario/index.js';
import type { StepContext } from '../context.js';
import type { Mismatch } from '../results.js';
import { sizeName } from '../../kernel/index.js';
import { got, listText, type ExpectCheck } from './check.js';

export const raw_hwp_list: ExpectCheck<'raw_hwp_list'> = (ctx, e) => {
  const addr = ctx.num(e.of);
  const want = e.is.map((x) => ctx.num(x));
  const folio = ctx.kernel.folioAt(ctx.task, addr);
  const have = folio ? listText(folio.raw_hwp_list) : 'no folio';
  return have !== listText(want) ? [got(`raw_hwp_list(${ctx.fmtAddr(addr)})`, listText(want), have)] : [];
};

export const mapping: ExpectCheck<'mapping'> = (ctx, e) => {
  const addr = ctx.num(e.at);
  const m = ctx.kernel.mappingAt(ctx.task, addr);
  const wantSize = e.size ? sizeName(ctx.num(e.size)) : undefined;
  const wp = (b: boolean): string => (b ? 'uffd-wp' : 'no uffd-wp');
  const rw = (b: boolean): string => (b ? 'writable' : 'read-only');
  const want = [wantSize, e.kind, e.uffd_wp === undefined ? undefined : wp(e.uffd_wp), e.writable === undefined ? undefined : rw(e.writable)]
    .filter((x) => x !== undefined).join(' ');
  const have = m ? [
    wantSize !== undefined ? sizeName(m.size) : undefined,
    e.kind !== undefined ? m.kind : undefined,
    e.uffd_wp !== undefined ? wp(m.uffdWp) : undefined,
    e.writable !== undefined ? rw(m.write) : undefined,
  ].filter((x) => x !== undefined).join(' ') : 'no VMA';
  return have !== want ? [got(`mapping at ${ctx.fmtAddr(addr)}`, want, have)] : [];
};

export const bytes: ExpectCheck<'bytes'> = (ctx, e) => {
  const addr = ctx.num(e.addr);
  const length = ctx.num(e.length);
  const value = ctx.num(e.value, 'byte');
  const r = ctx.kernel.checkBytes(ctx.task, addr, length, value);
  return r.ok ? [] : [got(`bytes [${ctx.fmtAddr(addr)}, ${ctx.fmtAddr(addr + length)})`, `all ${value}`, `${r.found} at ${ctx.fmtAddr(r.addr)}`)];
};

function folioCount(field: 'refcount' | 'mapcount', ctx: StepContext, c: { readonly of: Expr; readonly is: Expr }): Mismatch[] {
  const addr = ctx.num(c.of);
  const n = ctx.num(c.is);
  const folio = ctx.kernel.folioAt(ctx.task, addr);
  const have = folio ? String(folio[field]) : 'no folio';
  return have !== String(n) ? [got(`${field}(${ctx.fmtAddr(addr)})`, String(n), have)] : [];
}

/** The folio's raw_hwp_unreliable flag, and one raw page's RFC unmap counters (views.ts folioView). */
export const folio: ExpectCheck<'folio'> = (ctx, e) => {
  const addr = ctx.num(e.of);
  const what = `folio(${ctx.fmtAddr(addr)})`;
  const f = ctx.kernel.folioAt(ctx.task, addr);
  const view = f === null ? null : ctx.kernel.folioView(f.pfn);
  if (view === null) return [got(what, 'a folio', 'no folio')];
  const out: Mismatch[] = [];
  if (e.unreliable !== undefined && view.rawHwpUnreliable !== e.unreliable) {
    out.push(got(`${what} unreliable`, String(e.unreliable), String(view.rawHwpUnreliable)));
  }
  if (e.unmaps !== undefined) {
    const raw = ctx.num(e.unmaps.raw);
    const c = view.rawHwpUnmaps.find((u) => u.raw === raw);
    for (const field of ['nr_vmas_mapped', 'nr_expected_unmaps', 'nr_actual_unmaps'] as const) {
      const want = e.unmaps[field];
      if (want === undefined) continue;
      const n = ctx.num(want);
      const have = c === undefined ? 'no counters' : String(c[field]);
      if (have !== String(n)) out.push(got(`${what} raw ${raw} ${field}`, String(n), have));
    }
  }
  return out;
};

export const refcount: ExpectCheck<'refcount'> = (ctx, e) => folioCount('refcount', ctx, e);
export const mapcount: ExpectCheck<'mapcount'> = (ctx, e) => folioCount('mapcount', ctx, e);
