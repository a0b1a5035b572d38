// The `expect:` step: assertions on model state the C tests cannot see. An observer: it runs in a dead
// process unless one of its assertions reads that process's page tables or memory.

import * as z from 'zod';
import { expr, inTask, KB_AMOUNT_PATTERN, KB_EXPR_PATTERN, name } from '../fields.js';
import { ENTRY_KINDS, MF_STAT_NAMES, PAGEMAP_BITS, SIGBUS_CODES, SMAPS_FIELDS } from '../names.js';
import type { StateExpect } from '../types.js';
import { defineStep } from './define.js';

const kbField = (description: string) =>
  z.string().regex(KB_EXPR_PATTERN, { error: 'is not "N kB" or "{expr} kB"' })
    .describe(`${description}, as smaps prints it: "2048 kB" or "{H / 1024} kB"`).optional();
const countField = (description: string) =>
  expr(`${description}: N (absolute) or "+N" (change since the test started)`).optional();
export const signalEntrySchema = z
  .union([
    z.strictObject({
      sigbus: z.enum(SIGBUS_CODES).describe('The SIGBUS si_code'),
      si_addr: expr('Its si_addr').optional(),
      si_addr_lsb: expr('Its si_addr_lsb').optional(),
    }),
    z.strictObject({ sigkill: z.literal(true).describe('A SIGKILL') }),
  ])
  .describe('{sigbus: CODE, si_addr, si_addr_lsb} or {sigkill: true}');
const processList = (description: string) => z.array(name('A process name')).describe(description).optional();

const ofIs = (description: string) =>
  z.strictObject({ of: expr('An address inside the folio'), is: expr('Expected value') }).describe(description);

export const stateExpectSchema = z
  .strictObject({
    raw_hwp_list: z
      .strictObject({
        of: expr('An address inside the hugepage folio'),
        is: z.array(expr('A raw page index')).describe('Raw page indices in insertion order'),
      })
      .describe("The folio's raw_hwp_list")
      .optional(),
    mapping: z
      .strictObject({
        at: expr('The address to walk'),
        size: expr('Mapped size of the entry (4K, 2M, 1G)').optional(),
        kind: z.enum(ENTRY_KINDS).describe('Entry kind').optional(),
        uffd_wp: z.boolean().describe('The entry (present or marker) carries the uffd-wp bit').optional(),
      })
      .describe('The page-table entry mapping an address')
      .optional(),
    HardwareCorrupted: z
      .string()
      .regex(KB_AMOUNT_PATTERN, { error: 'is not "+N kB" (change since the test started) or "N kB" (absolute)' })
      .describe('/proc/meminfo HardwareCorrupted: "+8 kB" (delta since the test started) or "8 kB"')
      .optional(),
    bytes: z
      .strictObject({ addr: expr('First byte'), length: expr('Number of bytes'), value: expr('Every byte equals this') })
      .describe('Memory contents, read without faulting')
      .optional(),
    pool: z
      .strictObject({
        total: expr('HugePages_Total').optional(),
        free: expr('HugePages_Free').optional(),
        resv: expr('HugePages_Rsvd').optional(),
        surplus: expr('HugePages_Surp').optional(),
      })
      .describe("Hugetlb pool counters of the run's hstate")
      .optional(),
    refcount: ofIs('The folio refcount').optional(),
    mapcount: ofIs('The folio mapcount').optional(),
    dmesg: z.array(z.string()).describe('Each string appears in some kernel log line of this test').optional(),
    signals: z
      .record(name('A process name (main included)'), z.array(signalEntrySchema).describe('In order; dropped signals are left out'))
      .describe('The SIGBUS/SIGKILL signals each named process received in this test, exactly')
      .optional(),
    alive: processList('These processes are alive'),
    dead: processList('These processes are dead (killed by a signal)'),
    smaps: z
      .strictObject({
        at: expr('An address inside the VMA'),
        ...Object.fromEntries(SMAPS_FIELDS.map((f) => [f, kbField(f)])),
      })
      .describe('/proc/PID/smaps fields of the VMA at an address')
      .optional(),
    pagemap: z
      .strictObject({
        at: expr('The 4 KiB page'),
        ...Object.fromEntries(PAGEMAP_BITS.map((b) => [b, z.boolean().describe(`pagemap bit ${b}`).optional()])),
        pfn: expr('The pfn of the 4 KiB page (when present)').optional(),
      })
      .describe('/proc/PID/pagemap of the 4 KiB page at an address')
      .optional(),
    mf_stats: z
      .strictObject(Object.fromEntries(MF_STAT_NAMES.map((f) => [f, countField(`memory_failure/${f}`)])))
      .describe('Per-node memory-failure stats (/sys/devices/system/node/node0/memory_failure/*)')
      .optional(),
    in: inTask,
  })
  .describe('Assertions on model state');

/** The assertions that read the acting process's page tables or memory. */
const READS_MM = ['raw_hwp_list', 'mapping', 'bytes', 'refcount', 'mapcount', 'smaps', 'pagemap'] as const;

export const expect = defineStep({
  name: 'expect',
  schema: stateExpectSchema,
  describe: 'assert model state: mapping, raw_hwp_list, HardwareCorrupted, bytes, pool, refcount, mapcount, dmesg, ' +
    'signals per process, alive/dead, smaps, pagemap, mf_stats',
  example: '- expect: {raw_hwp_list: {of: P, is: [3]}, mapping: {at: P, size: hugepagesz, kind: hwpoison}, HardwareCorrupted: +4 kB}',
  traits: { syscall: false, readsMm: (a: StateExpect) => READS_MM.some((k) => a[k] !== undefined) },
  build: ({ x, data, path, scope }): StateExpect => x.stateExpect(data, path, scope),
});
