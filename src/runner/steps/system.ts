// System-wide settings: sysctl writes and the hugetlb pool size.

import { MAX_NR_HUGEPAGES } from '../../scenario/index.js';
import { OK } from './helpers.js';
import type { StepRun } from './run.js';

const HSTATE_BYTES = { '2M': 2 * 1024 ** 2, '1G': 1024 ** 3 } as const;
const poolUnsupported = (count: number): string => `a pool of ${count} hugepages: hgmsim models pools of at most ${MAX_NR_HUGEPAGES} hugepages per size`;

export const sysctl: StepRun<'sysctl'> = (ctx, a) => {
    const value = ctx.num(a.value);
    const call = `sysctl ${a.name}=${value}`;
    if (a.name === 'vm.nr_hugepages' && value > MAX_NR_HUGEPAGES) return { call, name: a.name, ret: OK, unsupported: poolUnsupported(value) };
    return { call, name: a.name, ret: ctx.kernel.sysctl(a.name, value) };
  };

export const nr_hugepages: StepRun<'nr_hugepages'> = (ctx, a) => {
    const size = a.size ? HSTATE_BYTES[a.size] : ctx.hugepagesz;
    const count = ctx.num(a.count);
    const call = `echo ${count} > /sys/kernel/mm/hugepages/hugepages-${size / 1024}kB/nr_hugepages`;
    if (count > MAX_NR_HUGEPAGES) return { call, name: 'nr_hugepages', ret: OK, unsupported: poolUnsupported(count) };
    return { call, name: 'nr_hugepages', ret: ctx.kernel.set_nr_hugepages(size, count) };
  };
