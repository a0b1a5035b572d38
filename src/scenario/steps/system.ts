// System-wide settings: sysctl writes and the hugetlb pool size.

import * as z from 'zod';
import { expr, syscallCommon } from '../fields.js';
import { SYSCTL_NAMES } from '../names.js';
import { HUGEPAGE_SIZES } from '../types.js';
import { defineStep } from './define.js';

export const sysctl = defineStep({
  name: 'sysctl',
  schema: z
    .strictObject({ name: z.enum(SYSCTL_NAMES).describe('The sysctl'), value: expr('The value written'), ...syscallCommon })
    .describe('Write /proc/sys/vm/…'),
  describe: 'write /proc/sys/vm/…: memory_failure_early_kill, memory_failure_recovery, nr_hugepages',
  example: '- sysctl: {name: vm.memory_failure_early_kill, value: 1}',
  traits: { syscall: true },
});

export const nr_hugepages = defineStep({
  name: 'nr_hugepages',
  schema: z
    .strictObject({
      count: expr('The new pool size'),
      size: z.enum(HUGEPAGE_SIZES).describe("The hstate (default: the run's size)").optional(),
      ...syscallCommon,
    })
    .describe('Write /sys/kernel/mm/hugepages/hugepages-<size>kB/nr_hugepages'),
  describe: "resize a hugetlb pool (default: the run's size), as writing …/hugepages-<size>kB/nr_hugepages does",
  example: '- nr_hugepages: {count: 16, size: 2M}',
  traits: { syscall: true },
});
