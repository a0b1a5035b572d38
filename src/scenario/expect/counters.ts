// Assertions on system-wide counters: /proc/meminfo HardwareCorrupted, the hugetlb pool, the per-node
// memory-failure stats, and the kernel log. None reads a process's mm.

import * as z from 'zod';
import { expr, KB_AMOUNT_PATTERN } from '../fields.js';
import { MF_STAT_NAMES } from '../names.js';
import type { CountExpect, Expr, KbAmount, MfStatName } from '../types.js';
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

/** `value: {of: total, is: len / 2 + PAGE_SIZE}`: the C test's own check of what it counted (`if (total == expected)`). */
export const value = defineExpectField({
  name: 'value',
  schema: z
    .strictObject({
      of: expr('A value the test computed from the model (a loop\'s running total)'),
      is: expr('What the C test expects it to be'),
    })
    .describe("The C test's own check of a value it computed: a mismatch fails the test, naming both sides")
    .optional(),
  readsMm: false,
  build: ({ x, data, path, scope }): { readonly of: Expr; readonly is: Expr; readonly text: string } => ({
    of: x.expr(data?.of, [...path, 'of'], scope),
    is: x.expr(data?.is, [...path, 'is'], scope),
    text: String(data?.of ?? ''),
  }),
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

const dmesgEntry = z
  .union([
    z.string().describe('A text some kernel log line of this test contains'),
    z.strictObject({
      line: z.string().describe('Lines containing this text').optional(),
      pattern: z.string().describe('Lines matching this JavaScript regular expression').optional(),
      count: expr('How many such lines this test logged (0: none)').optional(),
    }),
  ])
  .describe('"text" (some line contains it), or {line: text | pattern: regex, count: N}');

/** The kernel-log assertions: which lines to look for, and how many (undefined: at least one). */
export interface DmesgExpect {
  readonly what: { readonly kind: 'line'; readonly text: string } | { readonly kind: 'pattern'; readonly regex: RegExp; readonly source: string };
  readonly count?: Expr;
}

export const dmesg = defineExpectField({
  name: 'dmesg',
  schema: z.array(dmesgEntry).describe('Kernel log lines of this test: "text" (some line contains it), or {line: text, count: N} / {pattern: regex, count: N} (N lines contain or match it; 0: none; no count: at least one)').optional(),
  readsMm: false,
  build: ({ src, x, data, path, scope }): readonly DmesgExpect[] =>
    (data ?? []).map((entry, i): DmesgExpect => {
      if (typeof entry === 'string') return { what: { kind: 'line', text: entry } };
      const at = [...path, i];
      const count = x.optExpr(entry, 'count', at, scope);
      const tail = count === undefined ? {} : { count };
      if ((entry.line === undefined) === (entry.pattern === undefined)) {
        src.report('BAD_VALUE', 'a dmesg entry takes exactly one of `line` and `pattern`', src.nodeSpan(at));
        return { what: { kind: 'line', text: '' }, ...tail };
      }
      if (entry.line !== undefined) return { what: { kind: 'line', text: entry.line }, ...tail };
      const source = entry.pattern ?? '';
      try {
        return { what: { kind: 'pattern', regex: new RegExp(source, 'u'), source }, ...tail };
      } catch (err) {
        src.report('BAD_VALUE', `pattern is not a regular expression: ${(err as Error).message}`, src.nodeSpan([...at, 'pattern']));
        return { what: { kind: 'line', text: '' }, ...tail };
      }
    }),
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
