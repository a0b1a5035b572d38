// `--format json` / `--json FILE`: one JSON document per run, `"schemaVersion": 4`. The shape is defined
// here once, in zod; `npm run schema` writes schema/results.schema.json from it (draft-07, output side:
// the document as hgmsim writes it), and a test fails when the committed file is stale. The fields are
// the runner's result records (src/runner/results.ts) as data — signals, page-table runs, raw_hwp_list
// arrays, failures — in a fixed key order, so reruns are byte-identical; `reason` alone is worded, as
// the TAP directive says it. A change that breaks consumers bumps schemaVersion.

import * as z from 'zod';
import type { Departure, EntryKind, Outcome, StreamResult, TestResult, TestStatus } from '../runner/index.js';
import { FINDING_IDS } from '../abi/index.js';
import type { VerdictResult } from '../scenario/index.js';
import { runExitStatus } from './problems.js';
import { countOutcomes, reasonOf } from './tap.js';
import type { ReportOptions } from './tap.js';

/**
 * 2: streams carry `golden` and `error`, the run `staleGoldens`; exitStatus may be 65.
 * 3: a test's `lines` and `summary` strings become `output` records and `observations`; a step's `ret`
 *    and `signals` are data; a test carries `stop`, what stopped it.
 */
export const RESULTS_SCHEMA_VERSION = 4;

/** Every member of the union T, checked at compile time (a missing one does not compile). */
const allOf = <T extends string>() =>
  <const A extends readonly T[]>(values: A & ([Exclude<T, A[number]>] extends [never] ? unknown : { missing: Exclude<T, A[number]> })): A => values;

const STATUSES = allOf<TestStatus>()(['pass', 'fail', 'skip']);
const VERDICTS = allOf<VerdictResult>()(['pass', 'skip', 'fail']);
const OUTCOMES = allOf<Outcome>()(['pass', 'fail', 'skip', 'xfail', 'xpass']);
const DEPARTURES = allOf<Departure>()(['none', 'fail', 'xpass', 'skip', 'unexpected-pass']);

const ENTRY_KINDS = allOf<EntryKind>()(['none', 'present', 'hwpoison', 'migration', 'marker']);

const count = z.number().int().nonnegative();
const int = z.number().int();

const addressSchema = z.strictObject({
  addr: count.describe('the virtual address'),
  mapping: z.strictObject({ name: z.string(), offset: count }).optional()
    .describe("the named mapping (mmap's as:) that covered it when the run saw it, and the offset into it"),
}).describe('an address, relative to a named mapping where one covers it');

const signalInfoFields = {
  signo: z.string().describe('SIGBUS, SIGKILL'),
  si_code: z.string().describe('BUS_MCEERR_AR, BUS_MCEERR_AO, BUS_ADRERR, SI_KERNEL, …'),
  si_addr: addressSchema,
  si_addr_lsb: count.describe('0 when the signal carries none'),
};
const signalInfoSchema = z.strictObject(signalInfoFields);

const signalRecordSchema = z.strictObject({
  ...signalInfoFields,
  process: z.string().optional().describe("the test's name for the receiving process; absent when the pid is none of the test's"),
  pid: count,
  tid: count,
  how: z.enum(['forced', 'queued']).describe('forced: force_sig (AR, faults); queued: send_sig_mceerr (AO)'),
  outcome: z.enum(['delivered', 'thread-exited', 'pending', 'ignored', 'dropped', 'killed']),
}).describe('a signal the kernel sent during a step');

const cappedOf = <T extends z.ZodType>(item: T) => z.strictObject({
  first: z.array(item).describe('the first items'),
  more: count.describe('how many more there were (0: the list is whole)'),
});

const runSchema = z.strictObject({
  start: count.describe("offset of the run's start from the mapping's start"),
  end: count.describe("offset of the run's end"),
  size: count.describe('bytes each entry maps: 4096 (PTE), 2 MiB (PMD), 1 GiB (PUD)'),
  kind: z.enum(ENTRY_KINDS),
  count: count.describe('equal consecutive entries in the run'),
}).describe('a run of equal page-table entries');

const mismatchSchema = z.strictObject({ what: z.string(), expected: z.string(), actual: z.string() });

const bugSchema = z.strictObject({
  file: z.string(), bugLine: count.describe('the line the oops names'), func: z.string().describe('the function RIP points into'),
  pid: count, comm: z.string(), locks: z.array(z.string()).describe('the sleeping locks the task died holding'),
}).describe('a kernel BUG and the task it ended');
const bugFailureSchema = z.strictObject({ kind: z.literal('bug'), line: count, call: z.string(), bug: bugSchema });
const lockFailureSchema = z.strictObject({
  kind: z.literal('lock'), line: count, call: z.string(), lock: z.string().describe('the lock the call sleeps on'), holder: bugSchema,
});
const rangeDepartureSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('value'), at: addressSchema, found: count.describe('the byte the load read') }),
  z.strictObject({ kind: z.literal('signal'), at: addressSchema, signal: signalInfoSchema }),
  z.strictObject({ kind: z.literal('no-signal'), at: addressSchema }),
]).describe('a load of check_range that departed: another byte, a signal not asked for, no SIGBUS where one was asked for');

const failureSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('dead'), what: z.enum(['process', 'thread']), name: z.string() }),
  z.strictObject({ kind: z.literal('missing'), what: z.enum(['process', 'thread']), name: z.string() }),
  z.strictObject({ kind: z.literal('expect'), line: count, mismatches: z.array(mismatchSchema) }),
  z.strictObject({ kind: z.literal('step'), message: z.string() }),
  z.strictObject({ kind: z.literal('blocked'), line: count, call: z.string(), uffd: int }),
  z.strictObject({ kind: z.literal('errno'), call: z.string().describe('the advice, ioctl or syscall name'), errno: z.string() }),
  z.strictObject({ kind: z.literal('step-expect'), line: count, op: z.string(), expected: z.string(), actual: z.string() }),
  z.strictObject({ kind: z.literal('signal'), line: count, signal: signalInfoSchema }),
  bugFailureSchema,
  lockFailureSchema,
  z.strictObject({
    kind: z.literal('range'),
    line: count,
    call: z.string().describe('the check_range call as -v prints it'),
    pages: count.describe('loads the range asks for'),
    read: count.describe('loads made'),
    sigbus: count.describe('SIGBUSes the loads raised'),
    departures: cappedOf(rangeDepartureSchema).describe('the loads that departed, in address order'),
    stopped: z.strictObject({ at: addressSchema, why: z.enum(['dead', 'blocked']) }).optional()
      .describe('the load after which the loop ended: the acting thread was gone (its signal\'s action) or the load blocked'),
  }),
]).describe("what stopped a test: a dead or missing process or thread, an expect's mismatches, a step's failure, a blocked uffd, an unexpected errno or signal, a check_range whose loads departed, a kernel BUG, a lock a task died holding");

const folioSchema = z.strictObject({
  pfn: count.describe('head pfn'),
  size: count,
  refcount: int,
  mapcount: int,
  hwpoison: z.boolean(),
  rawHwpUnreliable: z.boolean(),
  anon: z.boolean(),
  inPageCache: z.boolean(),
  raw_hwp_list: z.array(count).describe('raw page indices in the order memory_failure recorded them'),
});

const meminfoSchema = z.strictObject({
  HardwareCorrupted: count.describe('kB'),
  HugePages_Total: count,
  HugePages_Free: count,
  HugePages_Rsvd: count,
  HugePages_Surp: count,
  Hugepagesize: count.describe('kB'),
  Hugetlb: count.describe('kB'),
});

const outputSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('print'),
    text: z.string().describe("a print step's text, interpolated"),
    prefix: z.string().describe('printed before the text instead of " ... "').optional(),
  }),
  z.strictObject({ kind: z.literal('runs'), mapping: z.string(), length: count.describe("the mapping's length"), runs: z.array(runSchema) }),
  z.strictObject({ kind: z.literal('no-mapping'), at: addressSchema }),
  z.strictObject({ kind: z.literal('folio'), at: addressSchema, folio: folioSchema.nullable() }),
  z.strictObject({ kind: z.literal('meminfo'), meminfo: meminfoSchema }),
  z.strictObject({ kind: z.literal('dmesg'), line: z.string().describe('a kernel log line, in the modelled kernel\'s words') }),
  z.strictObject({
    kind: z.literal('failure'),
    failure: failureSchema,
    endsLoop: z.literal(true).describe('the errno ended a loop (on_error: break), not the test').optional(),
  }),
  z.strictObject({
    kind: z.literal('finding'),
    finding: z.strictObject({
      id: z.enum(FINDING_IDS).describe('stable id (docs/findings.md)'),
      pfn: count, raw: count, at: addressSchema.optional(), process: z.string().optional(), pid: count,
      other: count.optional(), count: count.optional(), afterLine: count,
    }),
  }),
  z.strictObject({
    kind: z.literal('loss'),
    loss: z.strictObject({
      at: addressSchema.describe('the start of the range'),
      length: count.describe('bytes of the range'),
      unmapped: count.describe('bytes of the range whose entries are not present, at the loss step'),
      readable: count.describe('bytes of the range mapped by present entries, at the loss step'),
      sigbus: z.array(z.strictObject({ lsb: count, count })).describe('SIGBUSes the process received in the test, by si_addr_lsb'),
      poolLost: z.number().int().describe('HugePages_Free when the test began minus when it ended'),
      dissolved: z.number().int().describe('HugePages_Total when the test began minus when it ended'),
    }),
  }),
]).describe("one piece of the test's output: print, dump (runs, no-mapping, folio, meminfo, dmesg), failure, finding, loss");

const observationsSchema = z.strictObject({
  signals: z.array(z.strictObject({
    signo: z.string(),
    si_code: z.string(),
    receiver: z.discriminatedUnion('kind', [
      z.strictObject({ kind: z.literal('main') }),
      z.strictObject({ kind: z.literal('process'), name: z.string() }),
      z.strictObject({ kind: z.literal('pid'), pid: count }),
    ]),
    count: count.describe('signals not dropped'),
    dropped: count.describe('signals dropped: one was already pending for the thread'),
    distinct: cappedOf(z.strictObject({ si_addr: addressSchema, si_addr_lsb: count })).describe('distinct (si_addr, si_addr_lsb) pairs, in order of arrival'),
  })).describe('signals by receiving process and code'),
  kills: z.array(z.strictObject({ process: z.string(), signo: z.string(), si_code: z.string() })).describe("processes a signal's default action killed"),
  mappings: z.array(z.strictObject({ name: z.string(), runs: z.array(runSchema) })).describe('page tables of the named mappings still mapped, at the end of the test'),
  poisoned: cappedOf(z.strictObject({ at: addressSchema, raw_hwp_list: cappedOf(count) })).describe('folios poisoned during the test and their raw_hwp_list at its end'),
  hardwareCorruptedDelta: int.describe('HardwareCorrupted at the end of the test minus at its start, kB'),
}).describe('what the model saw over the test');

const stepReturnSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('none') }),
  z.strictObject({ kind: z.literal('value'), value: int, address: z.boolean().describe('the step returns an address') }),
  z.strictObject({ kind: z.literal('errno'), errno: z.string() }),
  z.strictObject({ kind: z.literal('access'), value: int.describe('the byte read or written') }),
  z.strictObject({ kind: z.literal('blocked'), uffd: int }),
  z.strictObject({ kind: z.literal('signal'), signal: signalInfoSchema }),
  z.strictObject({ kind: z.literal('expect'), mismatches: count }),
  z.strictObject({ kind: z.literal('failed'), message: z.string() }),
  z.strictObject({ kind: z.literal('halted'), failure: z.discriminatedUnion('kind', [bugFailureSchema, lockFailureSchema]) }),
  z.strictObject({ kind: z.literal('range'), read: count.describe('loads made'), sigbus: count, departed: count.describe('loads that departed') }),
]).describe('what the step returned');

const stepSchema = z.strictObject({
  index: count.describe('1-based count of steps executed in the test'),
  line: count.describe('YAML line of the step'),
  in: z.string().optional().describe("the thread it acted in when not main's main thread (C, C.T)"),
  call: z.string().describe('the call as C would spell it'),
  ret: stepReturnSchema,
  signals: z.array(signalRecordSchema).describe('signals the kernel sent during the step'),
  trace: z.array(z.string()).optional().describe('with --trace: the kernel path the step took, one line per traced call, indented two spaces per depth'),
}).describe('one executed step (present with -v only)');

const testSchema = z.strictObject({
  name: z.string(),
  status: z.enum(STATUSES).describe('what the test did on its own'),
  expected: z.enum(VERDICTS).describe("the scenario's verdict for this test under this profile"),
  why: z.string().optional().describe("the verdict's reason"),
  outcome: z.enum(OUTCOMES).describe('the result as TAP reports it (kselftest counters)'),
  departure: z.enum(DEPARTURES).describe("how the result departs from the verdict; 'none' when it matches"),
  reason: z.string().optional().describe('why the test skipped or failed, worded as the TAP directive says it'),
  stop: failureSchema.optional(),
  failedAt: z.strictObject({ line: count }).optional().describe('the YAML line of the step that failed the test'),
  output: z.array(outputSchema).describe("the test's output in order: its own lines, dumps, failures, findings"),
  observations: observationsSchema,
  basis: z.array(z.string()).describe('the sources the outcome rests on'),
  steps: z.array(stepSchema),
});

const exitStatus = z.union([z.literal(0), z.literal(1), z.literal(4)]);

const goldenSchema = z.strictObject({
  status: z.enum(['same', 'missing', 'different']),
  path: z.string().describe('the golden file, relative to the working directory'),
  line: count.optional().describe('different: 1-based line of the first difference'),
  test: z.string().optional().describe('different: the part of the stream that line belongs to (test "NAME", the header, the totals)'),
  expected: z.string().optional().describe("different: the golden's line"),
  actual: z.string().optional().describe("different: this run's line ('<end of file>' past an end)"),
}).describe('with --check: how the stream compares with its golden');

const errorSchema = z.strictObject({
  file: z.string(),
  line: count,
  col: count,
  code: z.string().describe('the error code (docs/errors.md)'),
  message: z.string(),
}).describe('an author error that stopped the stream; tests holds those that finished before it');

const streamSchema = z.strictObject({
  file: z.string().describe('the scenario file, relative to the working directory'),
  scenario: z.string(),
  size: z.string().describe('hugepage size: 2M or 1G'),
  profile: z.string().describe('kernel profile'),
  switches: z.array(z.strictObject({ name: z.string(), value: z.boolean() })).describe("switches that differ from the profile's defaults"),
  exitStatus: exitStatus.describe("the stream's own exit status, as the kselftest runner reads a binary's"),
  golden: goldenSchema.optional(),
  error: errorSchema.optional(),
  tests: z.array(testSchema),
});

const totalsSchema = z.strictObject({ pass: count, fail: count, xfail: count, xpass: count, skip: count, error: count });

export const resultsDocumentSchema = z.strictObject({
  schemaVersion: z.literal(RESULTS_SCHEMA_VERSION),
  tool: z.literal('hgmsim'),
  exitStatus: z.union([z.literal(0), z.literal(1), z.literal(4), z.literal(65)])
    .describe("the run's exit status: 65 when an author error stopped a stream; else 1 when a result fails or XPASSes against its verdict or a golden differs, is missing or is stale; else 4 when one skips unexpectedly; else 0"),
  totals: totalsSchema.describe('outcomes over every test of every stream'),
  staleGoldens: z.array(z.string()).describe('with --check: goldens no stream of the run writes (their scenario, size or profile is gone)'),
  streams: z.array(streamSchema).describe('one per file × hugepage size × profile, in run order'),
}).describe('The results of one hgmsim run');

export type ResultsDocument = z.output<typeof resultsDocumentSchema>;

/** A record without `readonly`, as the document's (mutable) zod type has it. */
type Plain<T> = T extends readonly (infer U)[] ? Plain<U>[] : T extends object ? { -readonly [K in keyof T]: Plain<T[K]> } : T;

/**
 * The runner's records are plain data built in a fixed key order (results.ts), so they go into the
 * document as they are; the compiler checks each against the document's zod type.
 */
const plain = <T>(x: T): Plain<T> => x as Plain<T>;

function testJson(t: TestResult, opts: ReportOptions): ResultsDocument['streams'][number]['tests'][number] {
  return {
    name: t.name,
    status: t.status,
    expected: t.expected,
    ...(t.why !== undefined ? { why: t.why } : {}),
    outcome: t.outcome,
    departure: t.departure,
    ...(t.stop !== undefined ? { reason: reasonOf(t) ?? '', stop: plain(t.stop) } : {}),
    ...(t.failedAt ? { failedAt: { line: t.failedAt.line } } : {}),
    output: plain(t.output),
    observations: plain(t.observations),
    basis: [...t.basis],
    steps: opts.verbose
      ? t.steps.map((s) => ({
        index: s.index, line: s.line, ...(s.in !== undefined ? { in: s.in } : {}), call: s.call, ret: plain(s.ret), signals: plain(s.signals),
        ...(s.trace !== undefined ? { trace: [...s.trace] } : {}),
      }))
      : [],
  };
}

type GoldenJson = NonNullable<ResultsDocument['streams'][number]['golden']>;

function goldenJson(g: NonNullable<StreamResult['golden']>): GoldenJson {
  if (g.kind !== 'different') return { status: g.kind, path: g.path };
  return { status: g.kind, path: g.path, line: g.line, test: g.test, expected: g.expected, actual: g.actual };
}

export function resultsDocument(streams: readonly StreamResult[], opts: ReportOptions = {}): ResultsDocument {
  const stale = opts.stale ?? [];
  return {
    schemaVersion: RESULTS_SCHEMA_VERSION,
    tool: 'hgmsim',
    exitStatus: runExitStatus(streams, stale.length),
    totals: countOutcomes(streams.flatMap((s) => s.tests)),
    staleGoldens: [...stale],
    streams: streams.map((s) => ({
      file: s.file,
      scenario: s.scenario,
      size: s.size,
      profile: s.profile,
      switches: s.switches.map((w) => ({ name: w.name, value: w.value })),
      exitStatus: s.exitStatus,
      ...(s.golden ? { golden: goldenJson(s.golden) } : {}),
      ...(s.error ? { error: { file: s.error.file, line: s.error.line, col: s.error.col, code: s.error.code, message: s.error.message } } : {}),
      tests: s.tests.map((t) => testJson(t, opts)),
    })),
  };
}

/**
 * Arrays whose items print one to a line, each item compact: a -v run of every bundled scenario has
 * millions of steps, too many to print a key to a line (the text would pass V8's string limit).
 */
const ONE_ITEM_PER_LINE: ReadonlySet<string> = new Set(['steps', 'output', 'runs', 'signals', 'kills', 'first']);

/** JSON indented two spaces per level, except the items of ONE_ITEM_PER_LINE arrays, one line each. */
function jsonText(value: unknown, indent: string, key: string | null): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    const items = key !== null && ONE_ITEM_PER_LINE.has(key)
      ? value.map((v) => JSON.stringify(v))
      : value.map((v) => jsonText(v, inner, null));
    return `[\n${items.map((i) => `${inner}${i}`).join(',\n')}\n${indent}]`;
  }
  const entries = Object.entries(value).filter(([, v]) => v !== undefined);
  if (entries.length === 0) return '{}';
  return `{\n${entries.map(([k, v]) => `${inner}${JSON.stringify(k)}: ${jsonText(v, inner, k)}`).join(',\n')}\n${indent}}`;
}

export function renderJson(streams: readonly StreamResult[], opts: ReportOptions = {}): string {
  return `${jsonText(resultsDocument(streams, opts), '', null)}\n`;
}

/** schema/results.schema.json exactly as committed: draft-07, pretty-printed, trailing newline. */
export function resultsJsonSchemaText(): string {
  return `${JSON.stringify(z.toJSONSchema(resultsDocumentSchema, { target: 'draft-07', io: 'output' }), null, 2)}\n`;
}
