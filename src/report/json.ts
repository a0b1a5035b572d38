// `--format json` / `--json FILE`: one JSON document per run, `"schemaVersion": 1`. The shape is defined
// here once, in zod; `npm run schema` writes schema/results.schema.json from it (draft-07, output side:
// the document as hgmsim writes it), and a test fails when the committed file is stale. The fields are
// the runner's result records (src/runner/results.ts), in a fixed key order, so reruns are
// byte-identical. A change that breaks consumers bumps schemaVersion.

import { z } from 'zod';
import type { Departure, Outcome, StreamResult, TestResult, TestStatus } from '../runner/results.js';
import type { VerdictResult } from '../scenario/types.js';
import { runExitStatus } from './problems.js';
import { countOutcomes } from './tap.js';
import type { ReportOptions } from './tap.js';

/** 2: streams carry `golden` and `error`, the run `staleGoldens`; exitStatus may be 65. */
export const RESULTS_SCHEMA_VERSION = 2;

/** Every member of the union T, checked at compile time (a missing one does not compile). */
const allOf = <T extends string>() =>
  <const A extends readonly T[]>(values: A & ([Exclude<T, A[number]>] extends [never] ? unknown : { missing: Exclude<T, A[number]> })): A => values;

const STATUSES = allOf<TestStatus>()(['pass', 'fail', 'skip']);
const VERDICTS = allOf<VerdictResult>()(['pass', 'skip', 'fail']);
const OUTCOMES = allOf<Outcome>()(['pass', 'fail', 'skip', 'xfail', 'xpass']);
const DEPARTURES = allOf<Departure>()(['none', 'fail', 'xpass', 'skip', 'unexpected-pass']);

const count = z.number().int().nonnegative();

const stepSchema = z.strictObject({
  index: count.describe('1-based count of steps executed in the test'),
  line: count.describe('YAML line of the step'),
  call: z.string().describe('the call as C would spell it'),
  ret: z.string().describe('its return, or the signal it raised; empty for print/dump/expect'),
  signals: z.array(z.string()).describe('signals the kernel sent during the step'),
  trace: z.array(z.string()).optional().describe('with --trace: the kernel path the step took, one line per traced call, indented two spaces per depth'),
}).describe('one executed step (present with -v only)');

const testSchema = z.strictObject({
  name: z.string(),
  status: z.enum(STATUSES).describe('what the test did on its own'),
  expected: z.enum(VERDICTS).describe("the scenario's verdict for this test under this profile"),
  why: z.string().optional().describe("the verdict's reason"),
  outcome: z.enum(OUTCOMES).describe('the result as TAP reports it (kselftest counters)'),
  departure: z.enum(DEPARTURES).describe("how the result departs from the verdict; 'none' when it matches"),
  reason: z.string().optional().describe('why the test skipped or failed'),
  failedAt: z.strictObject({ line: count }).optional().describe('the YAML line of the step that failed the test'),
  lines: z.array(z.string()).describe("the C test's own lines and dump lines, without '# '"),
  summary: z.array(z.string()).describe("the model's summary: SIGBUSes, mapped sizes, raw_hwp_list, HardwareCorrupted"),
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

function testJson(t: TestResult, opts: ReportOptions): ResultsDocument['streams'][number]['tests'][number] {
  return {
    name: t.name,
    status: t.status,
    expected: t.expected,
    ...(t.why !== undefined ? { why: t.why } : {}),
    outcome: t.outcome,
    departure: t.departure,
    ...(t.reason !== undefined ? { reason: t.reason } : {}),
    ...(t.failedAt ? { failedAt: { line: t.failedAt.line } } : {}),
    lines: [...t.lines],
    summary: [...t.summary],
    basis: [...t.basis],
    steps: opts.verbose ? t.steps.map((s) => ({ index: s.index, line: s.line, call: s.call, ret: s.ret, signals: [...s.signals], ...(s.trace !== undefined ? { trace: [...s.trace] } : {}) })) : [],
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

export function renderJson(streams: readonly StreamResult[], opts: ReportOptions = {}): string {
  return `${JSON.stringify(resultsDocument(streams, opts), null, 2)}\n`;
}

/** schema/results.schema.json exactly as committed: draft-07, pretty-printed, trailing newline. */
export function resultsJsonSchemaText(): string {
  return `${JSON.stringify(z.toJSONSchema(resultsDocumentSchema, { target: 'draft-07', io: 'output' }), null, 2)}\n`;
}
