// Assertions on system-wide counters: /proc/meminfo HardwareCorrupted, the hugetlb pool, the per-node
// memory-failure stats, and the kernel log. None reads a process's mm.

import * as z from 'zod';
import { expr, KB_AMOUNT_PATTERN } from '../fields.js';
import { MF_STAT_NAMES } from '../names.js';
import type { CountExpect, KbAmount, MfStatName } from '../types.js';
import { defineExpectField } from './define.js';

export const HardwareCorrupted = defineExpectField({
  name: 'HardwareCorrupted',
  schema: z
    .string()
    .regex(KB_AMOUNT_PATTERN, { error: 'is not "+N kB" (change since the test started) or "N kB" (absolute)' })
    .describe('/proc/meminfo HardwareCorrupted: "+8 kB" (delta since the test started) or "8 kB"')
    .optional(),
  readsMm: false,
  build: ({ x, data, path }): KbAmount => x.kbAmount(data ?? '', path),
});

export const pool = defineExpectField({
  name: 'pool',
  schema: z
    .strictObject({
      total: expr('HugePages_Total').optional(),
      free: expr('HugePages_Free').optional(),
      resv: expr('HugePages_Rsvd').optional(),
      surplus: expr('HugePages_Surp').optional(),
    })
    .describe("Hugetlb pool counters of the run's hstate")
    .optional(),
  readsMm: false,
});

export const dmesg = defineExpectField({
  name: 'dmesg',
  schema: z.array(z.string()).describe('Each string appears in some kernel log line of this test').optional(),
  readsMm: false,
});

const countField = (description: string) =>
  expr(`${description}: N (absolute) or "+N" (change since the test started)`).optional();

export const mf_stats = defineExpectField({
  name: 'mf_stats',
  schema: z
    .strictObject(Object.fromEntries(MF_STAT_NAMES.map((f) => [f, countField(`memory_failure/${f}`)])))
    .describe('Per-node memory-failure stats (/sys/devices/system/node/node0/memory_failure/*)')
    .optional(),
  readsMm: false,
  build: ({ x, data, path, scope }): { readonly [S in MfStatName]?: CountExpect } => {
    const mf = data ?? {};
    return Object.fromEntries(MF_STAT_NAMES.filter((f) => mf[f] !== undefined)
      .map((f) => [f, x.countExpect(mf[f], [...path, f], scope)]));
  },
});
