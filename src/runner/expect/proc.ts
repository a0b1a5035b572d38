// /proc/PID files of the acting process: smaps of the VMA at an address, pagemap of a 4 KiB page.

import { PAGEMAP_BITS, SMAPS_FIELDS } from '../../scenario/index.js';
import { hex } from '../eval.js';
import type { Mismatch } from '../results.js';
import { got, type ExpectCheck } from './check.js';

export const smaps: ExpectCheck<'smaps'> = (ctx, e) => {
  const out: Mismatch[] = [];
  const addr = ctx.num(e.at);
  const smaps = ctx.kernel.smaps(ctx.task, addr);
  for (const field of SMAPS_FIELDS) {
    const wantExpr = e[field];
    if (wantExpr === undefined) continue;
    const want = ctx.num(wantExpr);
    // HugetlbPud/Pmd/PteMapped exist on HGM kernels only.
    const value = smaps?.[field];
    const have = smaps === null ? 'no VMA' : value === undefined ? 'no such field on this kernel' : `${value} kB`;
    if (have !== `${want} kB`) out.push(got(`smaps(${ctx.fmtAddr(addr)}) ${field}`, `${want} kB`, have));
  }
  return out;
};

export const pagemap: ExpectCheck<'pagemap'> = (ctx, e) => {
  const out: Mismatch[] = [];
  const addr = ctx.num(e.at);
  const pm = ctx.kernel.pagemap(ctx.task, addr);
  for (const bit of PAGEMAP_BITS) {
    const want = e[bit];
    if (want !== undefined && pm[bit] !== want) out.push(got(`pagemap(${ctx.fmtAddr(addr)}) ${bit}`, String(want), String(pm[bit])));
  }
  if (e.pfn !== undefined) {
    const want = ctx.num(e.pfn);
    if (pm.pfn !== want) out.push(got(`pagemap(${ctx.fmtAddr(addr)}) pfn`, hex(want), pm.present ? hex(pm.pfn) : 'not present'));
  }
  return out;
};
