// The YAML shape of a scenario file as zod schemas: the single source of truth for both validation
// (load.ts checks each part against these) and the editor JSON Schema (schema/scenario.schema.json,
// written by scripts/gen-schema.mjs from scenarioJsonSchema()). Expressions stay strings or integers
// here; their grammar is checked by expr.ts. YAML integers arrive as bigint (intAsBigInt).

import * as z from 'zod';
import {
  BOOLEAN_SWITCH_NAMES, ENTRY_KINDS, ERRNO_NAMES, FALLOC_FLAGS, FAULT_POINT_NAMES, MADVISE_ADVICES, MAP_FLAGS, MCE_KILL_POLICIES, MFD_FLAGS, MF_STAT_NAMES,
  NAME_PATTERN, PAGEMAP_BITS, PROT_FLAGS, SIGBUS_ACTIONS, SIGBUS_CODES, SMAPS_FIELDS, STEP_NAMES, SYSCTL_NAMES,
  TASK_NAME_PATTERN, UFFD_EVENTS, UFFD_FEATURES, UFFD_MODES, VERDICT_RESULTS,
} from './names.js';
import { HUGEPAGE_SIZES, PROFILE_NAMES, type StepName } from './types.js';

/** An integer or a string expression (names, units 4K/2M/1G, + - * / % << >>, log2 min max pfn phys). */
const expr = (description: string) => z.union([z.bigint(), z.string()]).describe(description);
const name = (description: string) =>
  z.string().regex(NAME_PATTERN, { error: 'is not a valid name (letters, digits and _, not starting with a digit)' }).describe(description);
const flagList = <const T extends readonly string[]>(values: T, description: string) => z.array(z.enum(values)).describe(description);

/** `+8 kB` (change since the test started) or `8 kB` (absolute), as /proc/meminfo counts. */
export const KB_AMOUNT_PATTERN = /^\s*(\+?)\s*([0-9]+)\s*kB\s*$/;
/** `2048 kB` as /proc/PID/smaps prints a field, or `{H / 1024} kB` (an expression, in kB). */
export const KB_EXPR_PATTERN = /^(\s*)(\{[^{}]*\}|[^{}]*?)\s*kB\s*$/;

/** `in:` on any step but print: the thread the step acts in. */
const inTask = z
  .string()
  .regex(TASK_NAME_PATTERN, { error: 'is not a process or thread name (C, T or C.T)' })
  .describe('Act in process C (its main thread), thread T, or thread T of process C (C.T); default: main')
  .optional();

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
    blocked: z.boolean().describe('access/memset/mce: the fault waits for a userfaultfd monitor').optional(),
  })
  .describe("What the step's own call returns and raises");

/** access's own `expect`: the byte a read returned is a result no other step has. */
const accessExpectSchema = stepExpectSchema
  .extend({ value: expr('op read: the byte read').optional() })
  .describe("What the access returns and raises: the common fields and value, the byte a read returned");

const uffdReadExpectSchema = stepExpectSchema
  .extend({
    event: z.enum(UFFD_EVENTS).describe('The message read: FORK or PAGEFAULT').optional(),
    address: expr('PAGEFAULT: the fault address in the message').optional(),
  })
  .describe('What read(uffd) returns: ret (bytes, 32 = sizeof(struct uffd_msg)), errno (EAGAIN: nothing queued), event, address');

/** Fields every syscall-like step takes besides its own arguments (docs list them once, by identity). */
export const syscallCommon = {
  expect: stepExpectSchema.optional(),
  on_error: z.literal('skip').describe('An errno nobody expected ends the test as SKIP (goto out)').optional(),
  when: z
    .strictObject({
      hugepagesz: z.array(z.enum(HUGEPAGE_SIZES)).describe('Run the step only in streams of these hugepage sizes'),
    })
    .describe('Run the step only when this holds (for outcomes that differ by size)')
    .optional(),
  in: inTask,
};

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
      expect: accessExpectSchema.optional(),
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
      length: expr('With mapping: dump only this many bytes from that address').optional(),
      raw_hwp_list: expr('Dump the raw_hwp_list of the folio at this address').optional(),
      meminfo: z.boolean().describe('Dump the meminfo counters').optional(),
      dmesg: z.boolean().describe('Dump the kernel log of this test').optional(),
      in: inTask,
    })
    .describe('Print model state as # lines'),
  expect: stateExpectSchema,
  fork: z
    .strictObject({
      as: name('Name bound to the child process'),
      reader: expr('A uffd another thread is blocked reading: it takes the FORK message (UFFD_FEATURE_EVENT_FORK), so fork returns').optional(),
      ...syscallCommon,
    })
    .describe('fork(2)'),
  spawn: z.strictObject({ as: name('Name bound to the new process'), ...syscallCommon }).describe('An unrelated process (fork + exec)'),
  thread: z.strictObject({ as: name('Name bound to the new thread'), ...syscallCommon }).describe('pthread_create(3)'),
  sigaction: z
    .strictObject({ SIGBUS: z.enum(SIGBUS_ACTIONS).describe('record (the selftests\' handler), exit_thread, default, ignore'), ...syscallCommon })
    .describe('sigaction(SIGBUS) for the process'),
  sigprocmask: z
    .strictObject({
      block: z.array(z.literal('SIGBUS')).describe('SIG_BLOCK these signals').optional(),
      unblock: z.array(z.literal('SIGBUS')).describe('SIG_UNBLOCK these signals').optional(),
      ...syscallCommon,
    })
    .describe('sigprocmask(2) for the thread: exactly one of block / unblock'),
  prctl: z
    .strictObject({ PR_MCE_KILL: z.enum(MCE_KILL_POLICIES).describe('The thread\'s memory-failure kill policy'), ...syscallCommon })
    .describe('prctl(PR_MCE_KILL, …)'),
  sysctl: z
    .strictObject({ name: z.enum(SYSCTL_NAMES).describe('The sysctl'), value: expr('The value written'), ...syscallCommon })
    .describe('Write /proc/sys/vm/…'),
  nr_hugepages: z
    .strictObject({
      count: expr('The new pool size'),
      size: z.enum(HUGEPAGE_SIZES).describe("The hstate (default: the run's size)").optional(),
      ...syscallCommon,
    })
    .describe('Write /sys/kernel/mm/hugepages/hugepages-<size>kB/nr_hugepages'),
  corrupt_pfn: z
    .strictObject({ pfn: expr('The pfn to poison'), ...syscallCommon })
    .describe('Write /sys/kernel/debug/hwpoison/corrupt-pfn'),
  hard_offline_page: z
    .strictObject({ phys: expr('The physical address to poison'), ...syscallCommon })
    .describe('Write /sys/devices/system/memory/hard_offline_page'),
  pfn_of: z
    .strictObject({
      as: name('Name bound to the pfn'),
      fd: expr('A file descriptor (with offset)').optional(),
      offset: expr('The file offset (with fd)').optional(),
      free_hugepage: expr("The n-th free hugepage of the run's hstate (instead of fd/offset)").optional(),
      ...syscallCommon,
    })
    .describe('The pfn of a page-cache page nobody maps, or of a free hugepage'),
  mce: z
    .strictObject({ addr: expr('The byte whose load consumes the error'), ...syscallCommon })
    .describe('A consumed uncorrected error (machine check) in the acting thread'),
  pread: z
    .strictObject({ fd: expr('File descriptor'), length: expr('Bytes to read'), offset: expr('File offset'), ...syscallCommon })
    .describe('pread(2)'),
  read: z
    .strictObject({ fd: expr('File descriptor'), length: expr('Bytes to read'), ...syscallCommon })
    .describe('read(2) at the file position'),
  pwrite: z
    .strictObject({ fd: expr('File descriptor'), length: expr('Bytes to write'), offset: expr('File offset'), ...syscallCommon })
    .describe('pwrite(2)'),
  fallocate: z
    .strictObject({
      fd: expr('File descriptor'),
      mode: flagList(FALLOC_FLAGS, 'FALLOC_FL_* flags').default([]),
      offset: expr('File offset'),
      length: expr('Length'),
      ...syscallCommon,
    })
    .describe('fallocate(2)'),
  userfaultfd: z
    .strictObject({
      as: name('Name bound to the uffd'),
      features: flagList(UFFD_FEATURES, 'UFFD_FEATURE_* names without the prefix, requested with UFFDIO_API').default([]),
      ...syscallCommon,
    })
    .describe('userfaultfd(O_CLOEXEC | O_NONBLOCK), then UFFDIO_API'),
  uffdio_register: z
    .strictObject({
      uffd: expr('The uffd'),
      addr: expr('Start address'),
      length: expr('Length'),
      mode: flagList(UFFD_MODES, 'UFFDIO_REGISTER_MODE_* names without the prefix'),
      ...syscallCommon,
    })
    .describe('ioctl(uffd, UFFDIO_REGISTER)'),
  uffdio_unregister: z
    .strictObject({ uffd: expr('The uffd'), addr: expr('Start address'), length: expr('Length'), ...syscallCommon })
    .describe('ioctl(uffd, UFFDIO_UNREGISTER)'),
  uffdio_continue: z
    .strictObject({ uffd: expr('The uffd'), addr: expr('Start address'), length: expr('Length'), ...syscallCommon })
    .describe('ioctl(uffd, UFFDIO_CONTINUE)'),
  uffdio_writeprotect: z
    .strictObject({
      uffd: expr('The uffd'),
      addr: expr('Start address'),
      length: expr('Length'),
      wp: z.boolean().describe('Set (true) or clear (false) write protection'),
      ...syscallCommon,
    })
    .describe('ioctl(uffd, UFFDIO_WRITEPROTECT)'),
  uffd_read: z
    .strictObject({
      uffd: expr('The uffd'),
      as: name("Name bound to the FORK message's child uffd, or the PAGEFAULT message's address").optional(),
      ...syscallCommon,
      expect: uffdReadExpectSchema.optional(),
    })
    .describe('read(uffd): one struct uffd_msg (EAGAIN when none is queued)'),
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

/** One profile's verdicts: `default` and/or test names. */
export const profileVerdictsSchema = z.record(z.string(), verdictSchema).describe('default and/or test name → verdict');

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
    switches: z
      .strictObject(
        Object.fromEntries(
          BOOLEAN_SWITCH_NAMES.map((n) => [n, z.boolean().describe(`Override the profile's ${n} switch`).optional()]),
        ),
      )
      .describe("Boolean profile switches overridden for every run of the file ('hgmsim profiles' lists them); the TAP header prints those that differ from the profile's defaults")
      .optional(),
    faults: z
      .strictObject(
        Object.fromEntries(
          FAULT_POINT_NAMES.map((n) => [n, z.bigint().describe(`How many attempts at ${n} fail, counted from boot`).optional()]),
        ),
      )
      .describe('Fault injection: per named point in the kernel, how many attempts there fail, counted from boot')
      .optional(),
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
    .record(z.string(), profileVerdictsSchema)
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
