// Observer steps: print, dump and expect say or compare things; they call nothing.

import { folioLine, mappingRuns, meminfoLines, runLines } from '../observe.js';
import { checkState } from '../expect/index.js';
import type { StepRun } from './run.js';

export const print: StepRun<'print'> = (ctx, a) => {
    for (const line of ctx.interp(a.text).split('\n')) ctx.say(` ... ${line}`);
    return { call: 'print' };
  };

export const dump: StepRun<'dump'> = (ctx, a) => {
    if (a.mapping) {
      const addr = ctx.num(a.mapping);
      const m = ctx.mappingOf(addr);
      if (!m) ctx.say(`dump: no named mapping at ${ctx.fmtAddr(addr)}`);
      else {
        const runs = a.length === undefined
          ? mappingRuns(ctx.kernel, ctx.task, m)
          : ctx.kernel.pageTableRuns(ctx.task, addr, addr + ctx.num(a.length));
        for (const line of runLines(runs, m)) ctx.say(line);
      }
    }
    if (a.raw_hwp_list) {
      const addr = ctx.num(a.raw_hwp_list);
      const folio = ctx.kernel.folioAt(ctx.task, addr);
      ctx.say(folio ? folioLine(ctx.fmtAddr(addr), folio) : `folio(${ctx.fmtAddr(addr)}): none`);
    }
    if (a.meminfo) for (const line of meminfoLines(ctx.kernel.meminfo())) ctx.say(line);
    if (a.dmesg) for (const line of ctx.kernel.dmesg.slice(ctx.start.dmesgLength)) ctx.say(`dmesg: ${line}`);
    return { call: 'dump' };
  };

export const expect: StepRun<'expect'> = (ctx, a) => ({ call: 'expect', failures: checkState(ctx, a) });
