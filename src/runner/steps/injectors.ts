// Injectors: the debugfs and sysfs poison and soft-offline files, a consumed machine check, and pfn_of.

import { PAGE_SIZE } from '../../kernel/index.js';
import { hex } from '../eval.js';
import type { StepRun } from './run.js';

export const corrupt_pfn: StepRun<'corrupt_pfn'> = (ctx, a) => {
    const pfn = ctx.num(a.pfn);
    const ret = ctx.kernel.corrupt_pfn(ctx.task, pfn);
    ctx.notePoisonedPfn(pfn);
    return { call: `echo ${hex(pfn)} > corrupt-pfn`, name: 'corrupt-pfn', ret };
  };

export const hard_offline_page: StepRun<'hard_offline_page'> = (ctx, a) => {
    const phys = ctx.num(a.phys);
    const ret = ctx.kernel.hard_offline_page(ctx.task, phys);
    ctx.notePoisonedPfn(Math.floor(phys / PAGE_SIZE));
    return { call: `echo ${hex(phys)} > hard_offline_page`, name: 'hard_offline_page', ret };
  };

export const soft_offline_page: StepRun<'soft_offline_page'> = (ctx, a) => {
    const phys = ctx.num(a.phys);
    const text = `${hex(phys)}\n`; // what echo writes: the store returns its length on success
    const ret = ctx.kernel.soft_offline_page(ctx.task, text);
    return { call: `echo ${hex(phys)} > soft_offline_page`, name: 'soft_offline_page', ret };
  };

export const pfn_of: StepRun<'pfn_of'> = (ctx, a) => {
    let pfn: number | null;
    let call: string;
    if ('free_hugepage' in a) {
      const n = ctx.num(a.free_hugepage);
      pfn = ctx.kernel.pfnOfFreeHugepage(ctx.hugepagesz, n);
      call = `pfn_of(free hugepage ${n})`;
    } else {
      const fd = ctx.num(a.fd);
      const offset = ctx.num(a.offset);
      pfn = ctx.kernel.pfnOfFile(ctx.task, fd, offset);
      call = `pfn_of(fd ${fd}, ${hex(offset)})`;
    }
    if (pfn === null) return { call: `${call} = none`, fail: 'pfn_of: no page' };
    ctx.bind(a.as, { value: BigInt(pfn), address: false });
    return { call: `${call} = ${hex(pfn)}` };
  };

export const mce: StepRun<'mce'> = (ctx, a) => {
    const addr = ctx.num(a.addr);
    const pfn = ctx.kernel.pfnOf(ctx.task, addr);
    const access = ctx.kernel.mce(ctx.task, addr);
    if (pfn !== null) ctx.notePoisonedPfn(pfn);
    return { call: `mce(${ctx.fmtAddr(addr)})`, access };
  };
