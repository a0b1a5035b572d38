// Observer steps: print and dump say things, they call nothing. They take no `expect:` / `on_error:`,
// and run in a dead process unless they read its page tables.

import * as z from 'zod';
import { expr, inTask, whenField } from '../fields.js';
import type { Interp } from '../types.js';
import { defineStep } from './define.js';

const printText = z.string().describe('Text with {expr}, {expr:x}, {expr:d} holes; {{ and }} are braces');

export const print = defineStep({
  name: 'print',
  schema: z
    .union([
      printText,
      z.strictObject({
        text: printText,
        prefix: z.string().describe('Printed before the text instead of " ... " ("" for a line the C test prints bare)').optional(),
        when: whenField,
      }),
    ])
    .describe('The text, or {text, prefix, when}'),
  describe: 'print a line as the C test does (" ... " prefix unless `prefix:` says otherwise); {expr} holes, addresses as %p',
  example: '- print: "primary mapping: {P}, #HWPOISON pages = {HardwareCorrupted / 4}"\n- print: {text: "Write/read chunk size={PAGE_SIZE:x}", prefix: ""}',
  traits: { syscall: false },
  build: ({ x, data, path, scope }): { readonly text: Interp; readonly prefix?: string } =>
    typeof data === 'string'
      ? { text: x.interp(data, path, scope) }
      : { text: x.interp(data.text, [...path, 'text'], scope), ...(data.prefix !== undefined ? { prefix: data.prefix } : {}) },
});

export const breakStep = defineStep({
  name: 'break',
  schema: z.strictObject({ when: whenField }).describe('Leave the innermost loop'),
  describe: 'leave the innermost `for` (the C loop\'s break), with `when: {holds: …}` only when that holds',
  example: '- for: {k: 1 .. 4}\n  do:\n    - break: {when: {holds: k == 2}}',
  traits: { syscall: false, breaksLoop: true },
});

export const dump = defineStep({
  name: 'dump',
  schema: z
    .strictObject({
      mapping: expr('Dump the page table of the mapping at this address').optional(),
      length: expr('With mapping: dump only this many bytes from that address').optional(),
      raw_hwp_list: expr('Dump the raw_hwp_list of the folio at this address').optional(),
      meminfo: z.boolean().describe('Dump the meminfo counters').optional(),
      dmesg: z.boolean().describe('Dump the kernel log of this test').optional(),
      when: whenField,
      in: inTask,
    })
    .describe('Print model state as # lines'),
  describe: "print state as '# ' lines: a mapping's page-table runs, a folio's raw_hwp_list, meminfo, dmesg",
  example: '- dump: {mapping: P, length: hugepagesz}',
  traits: { syscall: false, readsMm: (a) => a.mapping !== undefined || a.raw_hwp_list !== undefined },
});

export const loss = defineStep({
  name: 'loss',
  schema: z
    .strictObject({
      mapping: expr('Start of the range the process keeps using (a named mapping)'),
      length: expr('Bytes of that range'),
      when: whenField,
      in: inTask,
    })
    .describe('What the process lost: one # loss line, worked out by the model'),
  describe: "print one '# loss' line of what the acting process lost, worked out by the model: the bytes of [mapping, " +
    'mapping+length) its page table no longer maps (hwpoison, none or other non-present entries) and the bytes it still ' +
    'maps, read here; the SIGBUSes the process received in the test, by si_addr_lsb; and the hugepages lost to the pool ' +
    '(HugePages_Free when the test began minus when it ended, and how many of them were dissolved: HugePages_Total ' +
    'likewise), read when the test ends, after the workload released its file. `run` on several profiles tabulates the lines',
  example: '- loss: {mapping: P, length: 2 * hugepagesz}',
  traits: { syscall: false, readsMm: () => true },
});
