// The YAML shape of a scenario file as zod schemas: the single source of truth for both validation
// (load.ts checks each part against these) and the editor JSON Schema (schema/scenario.schema.json,
// written by scripts/gen-schema.mjs from scenarioJsonSchema()). Expressions stay strings or integers
// here; their grammar is checked by expr.ts. YAML integers arrive as bigint (intAsBigInt).

import * as z from 'zod';
import {
  ENTRY_KINDS, ERRNO_NAMES, MADVISE_ADVICES, MAP_FLAGS, MFD_FLAGS, NAME_PATTERN, PROT_FLAGS, SIGBUS_CODES,
  STEP_NAMES, VERDICT_RESULTS,
} from './names.js';
import { HUGEPAGE_SIZES, PROFILE_NAMES, type StepName } from './types.js';

/** An integer or a string expression (names, units 4K/2M/1G, + - * / % << >>, log2 min max pfn phys). */
const expr = (description: string) => z.union([z.bigint(), z.string()]).describe(description);
const name = (description: string) =>
  z.string().regex(NAME_PATTERN, { error: 'is not a valid name (letters, digits and _, not starting with a digit)' }).describe(description);
const flagList = <const T extends readonly string[]>(values: T, description: string) => z.array(z.enum(values)).describe(description);

/** `+8 kB` (change since the test started) or `8 kB` (absolute), as /proc/meminfo counts. */
export const KB_AMOUNT_PATTERN = /^\s*(\+?)\s*([0-9]+)\s*kB\s*$/;

const letMap = z
  .record(name('a name bound for what follows'), expr('its value, evaluated once in order'))
  .describe('Ordered name → expression bindings; each may use the names before it');

export const stepExpectSchema = z
  .strictObject({
    ret: expr('Expected return value on success').optional(),
    errno: z.enum(ERRNO_NAMES).describe('The step fails with this errno').optional(),
    sigbus: z.enum([...SIGBUS_CODES, 'none']).describe('The SIGBUS raised in the acting thread, or none').optional(),
    si_addr: expr('Expected si_addr of that SIGBUS').optional(),
    si_addr_lsb: expr('Expected si_addr_lsb of that SIGBUS').optional(),
    value: expr('access read: the byte read').optional(),
  })
  .describe("What the step's own call returns and raises");

/** Fields every syscall-like step takes besides its own arguments. */
const syscallCommon = {
  expect: stepExpectSchema.optional(),
  on_error: z.literal('skip').describe('An errno nobody expected ends the test as SKIP (goto out)').optional(),
  when: z
    .strictObject({
      hugepagesz: z.array(z.enum(HUGEPAGE_SIZES)).describe('Run the step only in streams of these hugepage sizes'),
    })
    .describe('Run the step only when this holds (for outcomes that differ by size)')
    .optional(),
};

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
  })
  .describe('Assertions on model state');

/** Each step's argument schema, keyed by the step name the YAML item uses. */
export const stepArgSchemas = {
  memfd_create: z
    .strictObject({
      as: name('Name bound to the new fd'),
      name: z.string().describe('The memfd name').optional(),
      flags: flagList(MFD_FLAGS, 'MFD_* flags').default([]),
      ...syscallCommon,
    })
    .describe('memfd_create(2)'),
  ftruncate: z
    .strictObject({ fd: expr('File descriptor'), length: expr('New file size'), ...syscallCommon })
    .describe('ftruncate(2)'),
  mmap: z
    .strictObject({
      as: name('Name bound to the mapping address'),
      addr: expr('Hint or MAP_FIXED address').optional(),
      length: expr('Mapping length'),
      prot: flagList(PROT_FLAGS, 'PROT_* flags (default PROT_READ, PROT_WRITE)').optional(),
      flags: flagList(MAP_FLAGS, 'MAP_* flags'),
      fd: expr('File descriptor (absent: -1)').optional(),
      offset: expr('File offset (default 0)').optional(),
      ...syscallCommon,
    })
    .describe('mmap(2)'),
  munmap: z
    .strictObject({ addr: expr('Start address'), length: expr('Length'), ...syscallCommon })
    .describe('munmap(2)'),
  close: z.strictObject({ fd: expr('File descriptor'), ...syscallCommon }).describe('close(2)'),
  access: z
    .strictObject({
      addr: expr('The byte to touch'),
      op: z.enum(['read', 'write']).describe('Load or store'),
      value: expr('write: the byte stored').optional(),
      in_thread: z.literal('new').describe('Touch from a fresh thread (test_sigbus)').optional(),
      ...syscallCommon,
    })
    .describe('One load or store of one byte'),
  memset: z
    .strictObject({ addr: expr('First byte'), length: expr('Number of bytes'), value: expr('Byte value'), ...syscallCommon })
    .describe('memset(3) on mapped memory'),
  madvise: z
    .strictObject({
      addr: expr('Start address'),
      length: expr('Length'),
      advice: z.enum(MADVISE_ADVICES).describe('MADV_* advice'),
      ...syscallCommon,
    })
    .describe('madvise(2)'),
  print: z.string().describe('Text with {expr}, {expr:x}, {expr:d} holes; {{ and }} are braces'),
  dump: z
    .strictObject({
      mapping: expr('Dump the page table of the mapping at this address').optional(),
      raw_hwp_list: expr('Dump the raw_hwp_list of the folio at this address').optional(),
      meminfo: z.boolean().describe('Dump the meminfo counters').optional(),
      dmesg: z.boolean().describe('Dump the kernel log of this test').optional(),
    })
    .describe('Print model state as # lines'),
  expect: stateExpectSchema,
} satisfies Record<StepName, z.ZodType>;

/** `let:` as a step. */
export const letStepSchema = letMap;

/** A `for` item: one loop variable over an inclusive range, a per-iteration `let`, and `do` steps. */
export const makeForItemSchema = <S extends z.ZodType>(step: S) =>
  z
    .strictObject({
      for: z
        .record(name('The loop variable'), z.string().describe('Inclusive range "FIRST .. LAST"'))
        .describe('Exactly one loop variable: {k: 1 .. 4}'),
      let: letMap.optional(),
      do: z.array(step).describe('Steps run once per value'),
    })
    .describe('Loop over an inclusive range');

/** The keys a `for` item may have. */
export const FOR_ITEM_KEYS = ['for', 'let', 'do'] as const;

/** Any step item, for the JSON Schema (load.ts dispatches on the item's key instead). */
// z.ZodType: the item is recursive through `do:` and TypeScript cannot infer a recursive type.
export const stepItemSchema: z.ZodType = z.lazy(() =>
  z.union([
    ...STEP_NAMES.map((k) => z.strictObject({ [k]: stepArgSchemas[k] })),
    z.strictObject({ let: letStepSchema }).describe('Bind names for the rest of the test'),
    makeForItemSchema(stepItemSchema),
  ]),
);

export const makeTestSchema = <S extends z.ZodType>(step: S) =>
  z
    .strictObject({
      name: z.string().describe('Test name, printed on its TAP result line'),
      basis: z.array(z.string()).describe('# basis: lines printed before the result').optional(),
      steps: z.array(step).describe('Steps, in order'),
    })
    .describe('One test of the scenario');

const hugepageSize = z.enum(HUGEPAGE_SIZES);
const verdictResult = z.enum(VERDICT_RESULTS);
export const verdictSchema = z
  .union([
    verdictResult,
    z.strictObject({
      result: verdictResult.describe('Expected result'),
      why: z.string().describe('Reason, printed after # XFAIL').optional(),
    }),
  ])
  .describe('pass | skip | fail, or {result, why}');

export const kernelSchema = z
  .strictObject({
    profile: z.enum(PROFILE_NAMES).describe('Kernel profile the file runs against by default'),
    hugepagesz: z
      .union([hugepageSize, z.array(hugepageSize).min(1)])
      .describe('Hugepage size(s); one run per size')
      .default(['2M']),
    nr_hugepages: z
      .union([
        z.bigint(),
        z.strictObject({ '2M': z.bigint().optional(), '1G': z.bigint().optional() }),
      ])
      .describe("Pool size of the run's hstate, or per hstate {2M: n, 1G: n}")
      .default(8n),
  })
  .describe('The kernel the scenario runs on');

/** Top-level fields, with the schema of one test given (full or shallow). */
export const makeScenarioShape = <T extends z.ZodType>(test: T) => ({
  scenario: z.string().describe('Scenario name, printed in the TAP header'),
  mirrors: z.string().describe('The C selftest this file mirrors').optional(),
  basis: z.array(z.string()).describe('# basis: lines printed for every test').optional(),
  kernel: kernelSchema,
  let: letMap.optional(),
  verdicts: z
    .record(z.string(), z.record(z.string(), verdictSchema).describe('default and/or test name → verdict'))
    .describe('Expected result per profile and test')
    .optional(),
  tests: z.array(test).describe('The tests, in order'),
});

export const scenarioSchema = z
  .strictObject(makeScenarioShape(makeTestSchema(stepItemSchema)))
  .describe('An hgmsim scenario: HugeTLB memory-failure selftests replayed against a kernel model');

/** The editor JSON Schema (draft-07, input side: defaults make fields optional). */
export function scenarioJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(scenarioSchema, {
    target: 'draft-07',
    io: 'input',
    // YAML integers are bigint in JS; in JSON Schema they are plain integers (and defaults numbers).
    unrepresentable: (ctx) => {
      const def = ctx.zodSchema._zod.def;
      if (def.type === 'bigint') return { type: 'integer' };
      if (def.type === 'default') {
        return { default: JSON.parse(JSON.stringify(def.defaultValue, (_k, v: unknown) => (typeof v === 'bigint' ? Number(v) : v))) as unknown };
      }
      return undefined;
    },
  }) as Record<string, unknown>;
}

/** schema/scenario.schema.json exactly as committed: pretty-printed, trailing newline. */
export function scenarioJsonSchemaText(): string {
  return `${JSON.stringify(scenarioJsonSchema(), null, 2)}\n`;
}
