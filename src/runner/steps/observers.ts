// Observer steps: print, dump and expect record things; they call nothing.

import { mappingRuns, relativeRuns } from '../observe.js';
import { checkState } from '../expect/index.js';
import { hex } from '../eval.js';
import type { StepRun } from './run.js';

export const print: StepRun<'print'> = (ctx, a) => {
    for (const text of ctx.interp(a.text).split('\n')) ctx.emit(a.prefix === undefined ? { kind: 'print', text } : { kind: 'print', text, prefix: a.prefix });
    return { call: 'print' };
  };

export const breakStep: StepRun<'break'> = () => ({ call: 'break', breaksLoop: true });

export const dump: StepRun<'dump'> = (ctx, a) => {
    if (a.mapping) {
      const addr = ctx.num(a.mapping);
      const m = ctx.mappingOf(addr);
      if (!m) ctx.emit({ kind: 'no-mapping', at: ctx.address(addr) });
      else {
        const runs = a.length === undefined
          ? mappingRuns(ctx.kernel, ctx.task, m)
          : ctx.kernel.pageTableRuns(ctx.task, addr, addr + ctx.num(a.length));
        ctx.emit({ kind: 'runs', mapping: m.name, length: m.length, runs: relativeRuns(runs, m) });
      }
    }
    if (a.raw_hwp_list) {
      const addr = ctx.num(a.raw_hwp_list);
      const f = ctx.kernel.folioAt(ctx.task, addr);
      const folio = f === null ? null : {
        pfn: f.pfn, size: f.size, refcount: f.refcount, mapcount: f.mapcount, hwpoison: f.hwpoison,
        rawHwpUnreliable: f.rawHwpUnreliable, anon: f.anon, inPageCache: f.inPageCache, raw_hwp_list: [...f.raw_hwp_list],
      };
      ctx.emit({ kind: 'folio', at: ctx.address(addr), folio });
    }
    if (a.meminfo) ctx.emit({ kind: 'meminfo', meminfo: { ...ctx.kernel.meminfo() } });
    if (a.dmesg) for (const line of ctx.kernel.dmesg.slice(ctx.start.dmesgLength)) ctx.emit({ kind: 'dmesg', line });
    return { call: 'dump' };
  };

export const expect: StepRun<'expect'> = (ctx, a) => ({ call: 'expect', failures: checkState(ctx, a) });

/**
 * loss: the range's page table read now (present entries are what the process can still read; any
 * other entry is gone), the SIGBUSes the acting process received so far by si_addr_lsb; the pool is
 * read when the test ends (run.ts), after the workload released its file.
 */
export const loss: StepRun<'loss'> = (ctx, a) => {
  const start = ctx.num(a.mapping);
  const length = ctx.num(a.length);
  const end = start + length;
  let readable = 0;
  for (const r of ctx.kernel.pageTableRuns(ctx.task, start, end)) {
    if (r.kind === 'present') readable += Math.min(r.end, end) - Math.max(r.start, start);
  }
  ctx.lossAtEnd({ at: ctx.address(start), length, unmapped: length - readable, readable, sigbus: ctx.sigbusByLsb(ctx.task.pid) });
  return { call: `loss(${ctx.fmtAddr(start)}, ${hex(length)})` };
};
