// TAP rendering from synthetic result records: the kselftest shapes, byte for byte, and a tap-parser
// round trip to show consumers accept them.
import t from 'tap';
import { Parser } from 'tap-parser';
import type { FinalResults } from 'tap-parser';
import {
  checkKnownDifferences, checkRecordings, compareKernelView, globPattern, goldensWithoutRecording, headerOrigin, KNOWN_DIFFERENCES_FILE,
  pairRecordings, parseKnownDifferences, profileOfRelease, renderKernelDiff, renderRecordingsCheck, REPORTERS, FORMAT_NAMES,
} from '../src/report/index.js';
import type { KernelComparison } from '../src/report/index.js';
import { escapeDescription, renderTap, resultLine, streamLines, verdictMatrix } from '../src/report/tap.js';
import type { Address, Failure, Observations, OutputRecord, SignalGroup, StepReturn, StreamResult, TestResult } from '../src/runner/results.js';
import { addressText, levelName, listText, paddedOffset, siAddrText, sizeName } from '../src/report/format.js';
import { callText, outputLines, reasonText, returnText, stepLines, summaryLines } from '../src/report/observations.js';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { validateXML } from 'xmllint-wasm';
import { diffSummary, diffTap, lineHunks, renderDiff } from '../src/report/diff.js';
import { ghData, ghProperty, xmlAttr, xmlText } from '../src/report/escape.js';
import { renderGithubAnnotations } from '../src/report/github.js';
import { renderJson, resultsDocumentSchema, resultsJsonSchemaText } from '../src/report/json.js';
import { renderJunit } from '../src/report/junit.js';
import { renderKtap } from '../src/report/ktap.js';
import { pointLine, readTap } from '../src/report/tap-read.js';
import type { TapLevel } from '../src/report/tap-read.js';

/** What a test that saw nothing observed. */
const NOTHING: Observations = { signals: [], kills: [], mappings: [], poisoned: { first: [], more: 0 }, hardwareCorruptedDelta: 0 };

/** Observations with only the given parts. */
const observed = (over: Partial<Observations>): Observations => ({ ...NOTHING, ...over });

const P = 0x7f5e40200000;
/** An address inside mapping P. */
const inP = (offset: number): Address => ({ addr: P + offset, mapping: { name: 'P', offset } });

/** `sigbus: 1 BUS_MCEERR_AR si_addr=P+0x0 si_addr_lsb=<lsb>` as a record. */
const arGroup = (lsb: number): SignalGroup => ({
  signo: 'SIGBUS', si_code: 'BUS_MCEERR_AR', receiver: { kind: 'main' }, count: 1, dropped: 0,
  distinct: { first: [{ si_addr: inP(0), si_addr_lsb: lsb }], more: 0 },
});

/** A failure whose reason reads `text` (a step's own message). */
const because = (text: string): Failure => ({ kind: 'step', message: text });
const EINVAL_SPLIT: Failure = { kind: 'errno', call: 'MADV_SPLIT', errno: 'EINVAL' };

const test = (over: Partial<TestResult> & Pick<TestResult, 'name' | 'outcome'>): TestResult => ({
  status: over.outcome === 'xfail' ? 'fail' : over.outcome === 'xpass' ? 'pass' : over.outcome === 'skip' ? 'skip' : over.outcome,
  expected: 'pass',
  departure: 'none',
  output: [],
  observations: NOTHING,
  basis: [],
  steps: [],
  ...over,
});

const stream = (over: Partial<StreamResult> = {}): StreamResult => ({
  file: 'scenarios/x.yaml',
  scenario: 'x',
  size: '2M',
  profile: 'v6.1',
  spent: 0,
  switches: [],
  tests: [test({ name: 'first', outcome: 'pass' })],
  exitStatus: 0,
  ...over,
});

function parse(text: string): Promise<FinalResults> {
  return new Promise((resolve) => {
    const p = new Parser((r) => resolve(r));
    p.end(text);
  });
}

t.test('flat stream: header, plan, # lines, result, totals', async (t) => {
  const s = stream({
    tests: [
      test({
        name: 'HGM hwpoison test',
        outcome: 'pass',
        output: [{ kind: 'print', text: 'primary mapping: 0x7f5e40200000' }],
        observations: observed({
          signals: [arGroup(21)],
          mappings: [{ name: 'P', runs: [{ start: 0, end: 0x200000, size: 0x200000, kind: 'present', count: 1 }] }],
          hardwareCorruptedDelta: 4,
        }),
        basis: ['kernel-semantics.md §10'],
      }),
    ],
  });
  t.equal(renderTap([s]), [
    'TAP version 13',
    '# hgmsim x 2M, profile v6.1',
    '1..1',
    '#  ... primary mapping: 0x7f5e40200000',
    '# sigbus: 1 BUS_MCEERR_AR si_addr=P+0x0 si_addr_lsb=21',
    '# mapped P: 2M x1 | HardwareCorrupted: +4 kB',
    '# basis: kernel-semantics.md §10',
    'ok 1 HGM hwpoison test',
    '# Totals: pass:1 fail:0 xfail:0 xpass:0 skip:0 error:0',
    '',
  ].join('\n'));
});

t.test('result lines for every outcome', async (t) => {
  t.equal(resultLine(1, test({ name: 'a', outcome: 'pass' })), 'ok 1 a');
  t.equal(resultLine(2, test({ name: 'a', outcome: 'fail' })), 'not ok 2 a');
  t.equal(resultLine(3, test({ name: 'a', outcome: 'skip', stop: EINVAL_SPLIT })), 'ok 3 a # SKIP MADV_SPLIT failed: Invalid argument');
  t.equal(resultLine(4, test({ name: 'a', outcome: 'skip' })), 'ok 4 a # SKIP');
  t.equal(resultLine(5, test({ name: 'a', outcome: 'xfail', why: 'no HGM', stop: because('x') })), 'ok 5 a # XFAIL no HGM');
  t.equal(resultLine(6, test({ name: 'a', outcome: 'xfail', stop: because('line 3: expect') })), 'ok 6 a # XFAIL line 3: expect');
  t.equal(resultLine(7, test({ name: 'a', outcome: 'xfail' })), 'ok 7 a # XFAIL unknown');
  t.equal(resultLine(8, test({ name: 'a', outcome: 'xpass' })), 'ok 8 a # XPASS');
});

t.test('test names are escaped so a # cannot start a directive', async (t) => {
  t.equal(escapeDescription('a # SKIP b\\c\nd'), 'a \\# SKIP b\\\\c d');
  const r = await parse(renderTap([stream({ tests: [test({ name: 'odd # SKIP name', outcome: 'fail' })], exitStatus: 1 })]));
  t.equal(r.fail, 1, 'still a failure, not a skip');
});

t.test('totals count every outcome', async (t) => {
  const lines = streamLines(stream({
    tests: [
      test({ name: 'p', outcome: 'pass' }),
      test({ name: 'f', outcome: 'fail', departure: 'fail' }),
      test({ name: 'xf', outcome: 'xfail', expected: 'fail' }),
      test({ name: 'xp', outcome: 'xpass', expected: 'fail', departure: 'xpass' }),
      test({ name: 's', outcome: 'skip', expected: 'skip' }),
    ],
    exitStatus: 1,
  }));
  t.equal(lines.at(-1), '# Totals: pass:1 fail:1 xfail:1 xpass:1 skip:1 error:0');
  t.ok(lines.includes('# departs from its verdict: expected pass, got fail'));
  t.ok(lines.includes('# departs from its verdict: expected fail, got pass'));
  t.equal(lines.filter((l) => l.startsWith('# departs')).length, 2, 'only departures are noted');
});

t.test('-v with more step lines than a call can take as arguments renders in every format', async (t) => {
  // The 1 GiB RFC marker test runs 524,288 probe steps; spreading its lines once overflowed the stack.
  const n = 300_000;
  const steps = Array.from({ length: n }, (_, i) => ({ index: i + 1, line: 9, call: 'print', ret: { kind: 'none' } as const, signals: [], outputBefore: 0 }));
  const big = [stream({ tests: [test({ name: 'probe', outcome: 'pass', steps })] })];
  const tap = renderTap(big, { verbose: true }).split('\n');
  t.equal(tap.filter((l) => l.startsWith('# step ')).length, n);
  t.equal(renderKtap(big, { verbose: true }).split('\n').filter((l) => l.includes('# step ')).length, n);
});

t.test('switches that differ from the profile print in the header', async (t) => {
  const lines = streamLines(stream({ switches: [{ name: 'rfc_intent', value: true }, { name: 'b', value: false }] }));
  t.same(lines.slice(0, 4), ['TAP version 13', '# hgmsim x 2M, profile v6.1', '# switches: rfc_intent=true, b=false', '1..1']);
});

t.test('-v interleaves step lines with the test output', async (t) => {
  const s = stream({
    tests: [test({
      name: 't',
      outcome: 'pass',
      output: [{ kind: 'print', text: 'one' }, { kind: 'print', text: 'two' }],
      steps: [
        { index: 1, line: 5, call: 'mmap(0x0, 0x200000, PROT_READ, MAP_SHARED, 3, 0x0)', ret: { kind: 'value', value: 0x7f0000000000, address: true }, signals: [], outputBefore: 0 },
        { index: 2, line: 6, call: 'print', ret: { kind: 'none' }, signals: [], outputBefore: 0 },
        {
          index: 3, line: 7, in: 'C', call: 'access(P+0x0, read)',
          ret: { kind: 'signal', signal: { signo: 'SIGBUS', si_code: 'BUS_MCEERR_AR', si_addr: inP(0), si_addr_lsb: 21 } },
          signals: [{ signo: 'SIGBUS', si_code: 'BUS_MCEERR_AR', si_addr: inP(0), si_addr_lsb: 21, process: 'C', pid: 1000, tid: 1000, how: 'forced', outcome: 'delivered' }],
          outputBefore: 1,
        },
        { index: 4, line: 8, call: 'print', ret: { kind: 'none' }, signals: [], outputBefore: 1 },
        { index: 5, line: 9, call: 'expect', ret: { kind: 'expect', mismatches: 0 }, signals: [], outputBefore: 2 },
      ],
    })],
  });
  t.same(streamLines(s, { verbose: true }).slice(3, 12), [
    '# step 1, line 5: mmap(0x0, 0x200000, PROT_READ, MAP_SHARED, 3, 0x0) = 0x7f0000000000',
    '# step 2, line 6: print',
    '#  ... one',
    '# step 3, line 7: [C] access(P+0x0, read) SIGBUS BUS_MCEERR_AR si_addr=P+0x0 si_addr_lsb=21',
    '#   signal: SIGBUS BUS_MCEERR_AR si_addr=P+0x0 si_addr_lsb=21 to C 1000/1000 (forced, delivered)',
    '# step 4, line 8: print',
    '#  ... two',
    '# step 5, line 9: expect ok',
    'ok 1 t',
  ]);
  t.notMatch(renderTap([s]), /# step/, 'no step lines without -v');
});

t.test('several streams nest like the kselftest runner', async (t) => {
  const a = stream();
  const b = stream({ size: '1G', tests: [test({ name: 'first', outcome: 'fail', departure: 'fail' })], exitStatus: 1 });
  const c = stream({ scenario: 'y', tests: [test({ name: 'q', outcome: 'skip', departure: 'skip' })], exitStatus: 4 });
  t.equal(renderTap([a, b, c]), [
    'TAP version 13',
    '1..3',
    '# selftests: hgmsim: x 2M [v6.1]',
    '# TAP version 13',
    '# # hgmsim x 2M, profile v6.1',
    '# 1..1',
    '# ok 1 first',
    '# # Totals: pass:1 fail:0 xfail:0 xpass:0 skip:0 error:0',
    'ok 1 selftests: hgmsim: x 2M [v6.1]',
    '# selftests: hgmsim: x 1G [v6.1]',
    '# TAP version 13',
    '# # hgmsim x 1G, profile v6.1',
    '# 1..1',
    '# # departs from its verdict: expected pass, got fail',
    '# not ok 1 first',
    '# # Totals: pass:0 fail:1 xfail:0 xpass:0 skip:0 error:0',
    'not ok 2 selftests: hgmsim: x 1G [v6.1] # exit=1',
    '# selftests: hgmsim: y 2M [v6.1]',
    '# TAP version 13',
    '# # hgmsim y 2M, profile v6.1',
    '# 1..1',
    '# # departs from its verdict: expected pass, got skip',
    '# ok 1 q # SKIP',
    '# # Totals: pass:0 fail:0 xfail:0 xpass:0 skip:1 error:0',
    'ok 3 selftests: hgmsim: y 2M [v6.1] # SKIP',
    '# Totals: pass:1 fail:1 xfail:0 xpass:0 skip:1 error:0',
    '',
  ].join('\n'));
});

t.test('several profiles end with a verdict matrix', async (t) => {
  const a = stream({ tests: [test({ name: 't1', outcome: 'pass' }), test({ name: 't2', outcome: 'skip', expected: 'skip' })] });
  const b = stream({ profile: 'hgm-rfc', tests: [test({ name: 't1', outcome: 'xfail', expected: 'fail' }), test({ name: 't2', outcome: 'fail', departure: 'fail' })], exitStatus: 1 });
  t.same(verdictMatrix([a, b]), [
    "# verdict matrix (! = departs from the scenario's verdict)",
    '# test      v6.1    hgm-rfc',
    '# x 2M: t1  pass    xfail',
    '# x 2M: t2  skip    fail!',
  ]);
  const text = renderTap([a, b]);
  t.match(text, /# x 2M: t2 {2}skip {4}fail!\n# Totals: pass:1 fail:1/);
  t.notMatch(renderTap([a, stream({ size: '1G' })]), /verdict matrix/, 'one profile: no matrix');
});

t.test('rendering is pure: byte-identical on rerun', async (t) => {
  const streams = [stream(), stream({ profile: 'hgm-v2' })];
  t.equal(renderTap(streams), renderTap(streams));
});

t.test('REPORTERS is keyed by --format name', async (t) => {
  t.same(FORMAT_NAMES, ['tap', 'ktap', 'junit', 'json']);
  t.equal(REPORTERS.tap([stream()], {}), renderTap([stream()]));
  for (const name of FORMAT_NAMES) {
    const streams = [stream(), stream({ size: '1G', tests: [test({ name: 'f', outcome: 'fail', departure: 'fail', stop: because('x'), failedAt: { line: 3 } })], exitStatus: 1 })];
    t.equal(REPORTERS[name](streams, {}), REPORTERS[name](streams, {}), `${name}: byte-identical on rerun`);
    t.notMatch(REPORTERS[name](streams, {}), /\d{4}-\d\d-\d\dT|\/tmp\/|\/work\//, `${name}: no clock, no host path`);
  }
});

t.test('tap-parser accepts the flat stream', async (t) => {
  const r = await parse(renderTap([stream({
    tests: [
      test({ name: 'p', outcome: 'pass', output: [{ kind: 'print', text: 'hello' }] }),
      test({ name: 's', outcome: 'skip', stop: EINVAL_SPLIT, expected: 'skip' }),
      test({ name: 'xf', outcome: 'xfail', expected: 'fail', why: 'no HGM' }),
      test({ name: 'xp', outcome: 'xpass', expected: 'fail', departure: 'xpass' }),
      test({ name: 'f', outcome: 'fail', departure: 'fail' }),
    ],
    exitStatus: 1,
  })]));
  t.equal(r.count, 5);
  t.equal(r.plan.end, 5);
  t.equal(r.skip, 1);
  t.equal(r.fail, 1, 'only the real failure; XFAIL and XPASS are ok lines');
  t.equal(r.pass, 4);
  t.equal(r.ok, false);
});

t.test('tap-parser accepts the nested stream: the runner lines are the only points', async (t) => {
  const r = await parse(renderTap([stream(), stream({ size: '1G', exitStatus: 4, tests: [test({ name: 'q', outcome: 'skip', departure: 'skip' })] })]));
  t.equal(r.count, 2);
  t.equal(r.skip, 1);
  t.equal(r.ok, true);
});

// --- the CI formats -------------------------------------------------------------------------------

/** Streams that exercise every outcome and departure, a switch, and characters that need escaping. */
const mixed = (): StreamResult[] => [
  stream({
    switches: [{ name: 'rfc_intent', value: true }],
    tests: [
      test({ name: 'p <&> "q"', outcome: 'pass', output: [{ kind: 'print', text: 'a & b' }], observations: observed({ signals: [arGroup(21)] }) }),
      test({
        name: 'f', outcome: 'fail', departure: 'fail', failedAt: { line: 9 },
        stop: { kind: 'step-expect', line: 9, op: 'access', expected: 'SIGBUS', actual: 'none' },
      }),
      test({ name: 's', outcome: 'skip', expected: 'skip', stop: EINVAL_SPLIT }),
      test({ name: 'us', outcome: 'skip', departure: 'skip', stop: EINVAL_SPLIT }),
      test({ name: 'xf', outcome: 'xfail', expected: 'fail', why: 'no HGM' }),
      test({ name: 'xp', outcome: 'xpass', expected: 'fail', departure: 'xpass' }),
      test({ name: 'up', outcome: 'pass', status: 'pass', expected: 'skip', departure: 'unexpected-pass' }),
    ],
    exitStatus: 1,
  }),
  stream({ size: '1G', tests: [test({ name: 'ctl \u0001 char', outcome: 'pass' })] }),
];

t.test('escape helpers: XML text and attributes, GitHub data and properties', async (t) => {
  t.equal(xmlText('a < b && c > d'), 'a &lt; b &amp;&amp; c &gt; d');
  t.equal(xmlText('bell\u0007 ok\ttab\nnl'), 'bell\uFFFD ok\ttab\nnl', 'XML 1.0 cannot carry C0 controls');
  t.equal(xmlText('lone \uD800 surrogate, pair \uD83D\uDE00'), 'lone \uFFFD surrogate, pair \uD83D\uDE00');
  t.equal(xmlAttr('say "hi"\n\tthere'), 'say &quot;hi&quot;&#10;&#9;there');
  t.equal(ghData('100% done\r\nnext'), '100%25 done%0D%0Anext');
  t.equal(ghProperty('a: b, c%'), 'a%3A b%2C c%25');
});

t.test('junit: one testsuite per stream; failures carry expected and actual; time="0", no timestamp', async (t) => {
  const xml = renderJunit(mixed());
  t.match(xml, /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<testsuites name="hgmsim" tests="8" failures="3" errors="0" skipped="2" time="0">\n/);
  t.match(xml, /<testsuite name="x 2M \[v6\.1\]" tests="7" failures="3" errors="0" skipped="2" time="0">/);
  t.match(xml, /<property name="switch\.rfc_intent" value="true"\/>/);
  t.match(xml, /<testcase classname="x 2M \[v6\.1\]" name="p &lt;&amp;&gt; &quot;q&quot;" file="scenarios\/x\.yaml" time="0">/);
  t.match(xml, /<testcase classname="x 2M \[v6\.1\]" name="f" file="scenarios\/x\.yaml" line="9" time="0">\n {6}<failure message="expected pass, got fail: line 9: access expected SIGBUS" type="fail">expected: pass\nactual: {3}fail\nreason: {3}line 9: access expected SIGBUS\nat: {7}scenarios\/x\.yaml:9<\/failure>/);
  t.match(xml, /<skipped message="MADV_SPLIT failed: Invalid argument"\/>/);
  t.match(xml, /<skipped message="unexpected skip \(expected pass\): MADV_SPLIT failed: Invalid argument"\/>/);
  t.match(xml, /name="xf"[^\n]*>\n {6}<system-out># XFAIL no HGM\n<\/system-out>/);
  t.match(xml, /<failure message="expected fail, got pass" type="xpass">/);
  t.match(xml, /<failure message="expected skip, got pass" type="unexpected-pass">/);
  t.match(xml, /name="ctl \uFFFD char"/);
  t.notMatch(xml, /timestamp=/);
  t.equal(renderJunit([]), '<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="hgmsim" tests="0" failures="0" errors="0" skipped="0" time="0">\n</testsuites>\n');
});

t.test('junit: valid against the vendored JUnit XSD (xmllint-wasm)', async (t) => {
  const schema = readFileSync('test/fixtures/junit.xsd', 'utf8');
  for (const [what, xml] of [['every outcome', renderJunit(mixed(), { verbose: true })], ['no streams', renderJunit([])]] as const) {
    const r = await validateXML({ xml: [{ fileName: 'results.xml', contents: xml }], schema: [schema] });
    t.equal(r.valid, true, `${what}: ${r.rawOutput}`);
  }
  // The schema has teeth: a timestamp-less testcase without its required classname is refused.
  const bad = await validateXML({ xml: [{ fileName: 'bad.xml', contents: '<testsuites><testsuite name="a" tests="1" failures="0" errors="0"><testcase name="x" time="0"/></testsuite></testsuites>' }], schema: [schema] });
  t.equal(bad.valid, false, 'a testcase without classname is invalid');
});

t.test('json: schemaVersion 4, the result records as data, valid against its zod shape', async (t) => {
  const text = renderJson(mixed());
  const doc = JSON.parse(text) as unknown;
  const parsed = resultsDocumentSchema.safeParse(doc);
  t.ok(parsed.success, parsed.success ? 'valid' : JSON.stringify(parsed.error.issues));
  if (!parsed.success) return;
  t.equal(parsed.data.schemaVersion, 4);
  t.equal(parsed.data.exitStatus, 1);
  t.same(parsed.data.totals, { pass: 3, fail: 1, xfail: 1, xpass: 1, skip: 2, error: 0 });
  const f = parsed.data.streams[0]?.tests[1];
  t.same(f && { status: f.status, expected: f.expected, departure: f.departure, failedAt: f.failedAt }, { status: 'fail', expected: 'pass', departure: 'fail', failedAt: { line: 9 } });
  t.same(f && { reason: f.reason, stop: f.stop }, {
    reason: 'line 9: access expected SIGBUS',
    stop: { kind: 'step-expect', line: 9, op: 'access', expected: 'SIGBUS', actual: 'none' },
  }, 'what stopped the test, as data and as the directive words it');
  const p = parsed.data.streams[0]?.tests[0];
  t.same(p?.output, [{ kind: 'print', text: 'a & b' }], 'output records');
  t.same(p?.observations.signals, [{
    signo: 'SIGBUS', si_code: 'BUS_MCEERR_AR', receiver: { kind: 'main' }, count: 1, dropped: 0,
    distinct: { first: [{ si_addr: { addr: P, mapping: { name: 'P', offset: 0 } }, si_addr_lsb: 21 }], more: 0 },
  }], 'signals as data, not prose');
  t.same(parsed.data.streams[0]?.switches, [{ name: 'rfc_intent', value: true }]);
  t.ok(text.endsWith('}\n'));
  t.equal(JSON.parse(renderJson([])).exitStatus, 0);
  const steps = [
    { index: 1, line: 5, call: 'print', ret: { kind: 'none' } as const, signals: [], outputBefore: 0 },
    { index: 2, line: 6, in: 'C', call: 'mmap(…)', ret: { kind: 'errno', errno: 'ENOMEM' } as const, signals: [], outputBefore: 0 },
  ];
  t.same(JSON.parse(renderJson([stream({ tests: [test({ name: 'v', outcome: 'pass', steps })] })], { verbose: true })).streams[0].tests[0].steps, [
    { index: 1, line: 5, call: 'print', ret: { kind: 'none' }, signals: [] },
    { index: 2, line: 6, in: 'C', call: 'mmap(…)', ret: { kind: 'errno', errno: 'ENOMEM' }, signals: [] },
  ], 'steps with -v, without the interleaving detail');
  t.same(JSON.parse(renderJson([stream({ tests: [test({ name: 'v', outcome: 'pass', steps })] })])).streams[0].tests[0].steps, []);
});

t.test('json: schema/results.schema.json is the one the zod shape generates', async (t) => {
  const committed = readFileSync('schema/results.schema.json', 'utf8');
  t.equal(committed, resultsJsonSchemaText(), 'run `npm run schema` after changing src/report/json.ts');
  const schema = JSON.parse(committed) as { $schema: string; required: string[] };
  t.equal(schema.$schema, 'http://json-schema.org/draft-07/schema#');
  t.same(schema.required, ['schemaVersion', 'tool', 'exitStatus', 'totals', 'staleGoldens', 'streams']);
});

t.test('ktap: KTAP version 1, one nested subtest per stream', async (t) => {
  const a = stream({ tests: [test({ name: 'first', outcome: 'pass', observations: observed({ hardwareCorruptedDelta: 4 }) }), test({ name: 'q', outcome: 'skip', expected: 'skip', stop: because('why') })] });
  const b = stream({ size: '1G', tests: [test({ name: 'f', outcome: 'fail', departure: 'fail' })], exitStatus: 1 });
  const c = stream({ scenario: 'y', switches: [{ name: 'w', value: false }], tests: [test({ name: 'u', outcome: 'skip', departure: 'skip' })], exitStatus: 4 });
  t.equal(renderKtap([a, b, c]), [
    'KTAP version 1',
    '1..3',
    '    KTAP version 1',
    '    # Subtest: x 2M [v6.1]',
    '    # hgmsim x 2M, profile v6.1',
    '    1..2',
    '    # HardwareCorrupted: +4 kB',
    '    ok 1 first',
    '    ok 2 q # SKIP why',
    '    # Totals: pass:1 fail:0 xfail:0 xpass:0 skip:1 error:0',
    'ok 1 x 2M [v6.1]',
    '    KTAP version 1',
    '    # Subtest: x 1G [v6.1]',
    '    # hgmsim x 1G, profile v6.1',
    '    1..1',
    '    # departs from its verdict: expected pass, got fail',
    '    not ok 1 f',
    '    # Totals: pass:0 fail:1 xfail:0 xpass:0 skip:0 error:0',
    'not ok 2 x 1G [v6.1]',
    '    KTAP version 1',
    '    # Subtest: y 2M [v6.1]',
    '    # hgmsim y 2M, profile v6.1',
    '    # switches: w=false',
    '    1..1',
    '    # departs from its verdict: expected pass, got skip',
    '    ok 1 u # SKIP',
    '    # Totals: pass:0 fail:0 xfail:0 xpass:0 skip:1 error:0',
    'ok 3 y 2M [v6.1] # SKIP unexpected skip',
    '# Totals: pass:1 fail:1 xfail:0 xpass:0 skip:1 error:0',
    '',
  ].join('\n'));
});

t.test('github annotations: an ::error per failure or XPASS at the failing step, a ::warning per unexpected skip', async (t) => {
  t.equal(renderGithubAnnotations(mixed()), [
    '::error file=scenarios/x.yaml,line=9,title=x 2M [v6.1]%3A f::expected pass, got fail: line 9: access expected SIGBUS',
    '::warning file=scenarios/x.yaml,title=x 2M [v6.1]%3A us::expected pass, got skip: MADV_SPLIT failed: Invalid argument',
    '::error file=scenarios/x.yaml,title=x 2M [v6.1]%3A xp::expected fail, got pass',
    '::error file=scenarios/x.yaml,title=x 2M [v6.1]%3A up::expected skip, got pass',
    '',
  ].join('\n'));
  t.equal(renderGithubAnnotations([stream()]), '', 'nothing when every result matches');
});

// --- reading TAP back, and diffing it ---------------------------------------------------------------

const KSELFTEST_RUNNER = `TAP version 13
1..2
# timeout set to 45
# selftests: mm: hugetlb-soft-offline
# TAP version 13
# 1..0 # SKIP not enough hugetlb pages
ok 1 selftests: mm: hugetlb-soft-offline # SKIP
# timeout set to 45
# selftests: mm: memory-failure
# TAP version 13
# 1..3
# # Starting 3 tests from 3 test cases.
# #  RUN           memory_failure.madv_hard.anon ...
# #            OK  memory_failure.madv_hard.anon
# ok 1 memory_failure.madv_hard.anon
# # memory-failure.c:210:anon:Expected 0 (0) == ret (-1)
# not ok 2 memory_failure.madv_soft.anon
# ok 3 memory_failure.madv_hard.file # XFAIL unknown
#
# # Totals: pass:1 fail:1 xfail:1 xpass:0 skip:0 error:0
not ok 2 selftests: mm: memory-failure # exit=1
# Totals: pass:0 fail:1 xfail:0 xpass:0 skip:1 error:0
`;

const mustRead = (text: string): TapLevel => {
  const r = readTap(text);
  if (!r) throw new Error('not TAP');
  return r;
};

t.test('tap-read: runner-nested kselftest output, descended into', async (t) => {
  const top = mustRead(KSELFTEST_RUNNER);
  t.equal(top.plan, '1..2');
  t.same(top.points.map((p) => [p.id, p.name, p.status, p.reason]), [
    [1, 'selftests: mm: hugetlb-soft-offline', 'skip', ''],
    [2, 'selftests: mm: memory-failure', 'fail', 'exit=1'],
  ]);
  t.same(top.points[0]?.comments, ['# timeout set to 45', '# selftests: mm: hugetlb-soft-offline'], 'the runner\'s own lines');
  t.equal(top.points[0]?.child?.plan, '1..0 # SKIP not enough hugetlb pages');
  const child = top.points[1]?.child;
  t.same(child?.points.map((p) => [p.name, p.status, p.reason]), [
    ['memory_failure.madv_hard.anon', 'pass', ''],
    ['memory_failure.madv_soft.anon', 'fail', ''],
    ['memory_failure.madv_hard.file', 'xfail', 'unknown'],
  ]);
  t.same(child?.points[1]?.comments, ['# memory-failure.c:210:anon:Expected 0 (0) == ret (-1)']);
  t.same(child?.trailing, ['# Totals: pass:1 fail:1 xfail:1 xpass:0 skip:0 error:0'], 'a bare # is a blank child line, which does not count');
  t.same(top.trailing, ['# Totals: pass:0 fail:1 xfail:0 xpass:0 skip:1 error:0']);
});

t.test('tap-read: kselftest.h directives and result shapes', async (t) => {
  const r = mustRead('TAP version 13\n1..6\nok 1 # SKIP no pool\nnot ok 2 # error could not open\nok 3 a # XPASS\nnot ok 4 b # TIMEOUT 45 seconds\nnot ok 5 c # TODO later\nBail out! gone\n');
  t.same(r.points.map((p) => [p.name, p.status, p.reason]), [
    ['', 'skip', 'no pool'], ['', 'error', 'could not open'], ['a', 'xpass', ''], ['b', 'fail', 'TIMEOUT 45 seconds'], ['c', 'todo', 'later'],
  ]);
  t.same(r.points.map(pointLine), ['ok 1 # SKIP no pool', 'not ok 2 # error could not open', 'ok 3 a # XPASS', 'not ok 4 b # TIMEOUT 45 seconds', 'not ok 5 c # TODO later']);
  t.equal(r.bailout, 'gone');
  t.equal(readTap('{"not": "tap"}\nhello\n'), null, 'no version, plan or point: not TAP');
  t.equal(readTap(''), null);
  t.equal(mustRead('ok 1 x').points.length, 1, 'a lone point without newline is TAP');
  t.same(mustRead('TAP version 13\r\n1..1\r\nok 1 x\r\n').points.map((p) => p.name), ['x'], 'CRLF');
  t.equal(mustRead(renderTap([stream()])).points[0]?.name, 'first', 'our flat stream');
  t.equal(mustRead(renderTap([stream(), stream({ size: '1G' })])).points[1]?.child?.points[0]?.name, 'first', 'our nested stream');
});

t.test('diff: one si_addr_lsb differs, and exactly that is printed', async (t) => {
  const a = stream({ tests: [test({ name: 'hwpoison', outcome: 'pass', observations: observed({ signals: [arGroup(21)], hardwareCorruptedDelta: 4 }) }), test({ name: 'other', outcome: 'pass' })] });
  const b = stream({ ...a, tests: [test({ ...a.tests[0]!, observations: observed({ signals: [arGroup(12)], hardwareCorruptedDelta: 4 }) }), a.tests[1]!] });
  const nested = (s: StreamResult): string => renderTap([s, stream({ size: '1G' })]);
  const entries = diffTap(mustRead(nested(a)), mustRead(nested(b)));
  t.equal(renderDiff('expected.tap', 'actual.tap', entries), [
    '--- expected.tap',
    '+++ actual.tap',
    '@@ selftests: hgmsim: x 2M [v6.1] > hwpoison (# lines)',
    '- # sigbus: 1 BUS_MCEERR_AR si_addr=P+0x0 si_addr_lsb=21',
    '+ # sigbus: 1 BUS_MCEERR_AR si_addr=P+0x0 si_addr_lsb=12',
    '1 test differs: selftests: hgmsim: x 2M [v6.1] > hwpoison (# lines)',
    '',
  ].join('\n'));
  t.equal(renderDiff('a', 'b', diffTap(mustRead(nested(a)), mustRead(nested(a)))), 'identical\n');
});

t.test('diff: results, plans, missing and extra tests, trailing lines, colour hooks', async (t) => {
  const e = mustRead('TAP version 13\n1..3\n# one\nok 1 a\nok 2 b\nok 3 c # SKIP x\n# Totals: 2\n');
  const a = mustRead('TAP version 13\n1..3\n# one\nnot ok 1 a\nok 2 c # SKIP y\nok 3 d\n# Totals: 3\n');
  const entries = diffTap(e, a);
  t.same(entries.map((d) => [d.path.join(' > '), d.kind]), [
    ['a', 'result'], ['b', 'result'], ['c', 'result'], ['', 'trailing'],
  ], 'c is paired by name; b and d, left over, are paired in order');
  t.equal(diffSummary(entries), '3 tests differ: a (result), b (result), c (result); lines after the last test differ at top level');
  const paint = { header: (s: string) => `<h>${s}`, removed: (s: string) => `<r>${s}`, added: (s: string) => `<g>${s}`, summary: (s: string) => `<b>${s}` };
  const text = renderDiff('E', 'A', entries, paint);
  t.match(text, /^<h>--- E\n<h>\+\+\+ A\n<h>@@ a \(result\)\n<r>- ok 1 a\n<g>\+ not ok 1 a\n/);
  t.match(text, /\n<b>3 tests differ/);
  const planOnly = diffTap(mustRead('1..2\nok 1 a\nok 2 b\n'), mustRead('1..2\nok 1 a\n'));
  t.same(planOnly.map((d) => d.kind), ['missing']);
  t.equal(diffSummary(diffTap(mustRead('1..1\nok 1 a\n'), mustRead('1..2\nok 1 a\nok 2 b\n'))), '1 test differs: b (extra); plan differs at top level');
  t.equal(diffSummary(diffTap(mustRead('1..1\nok 1 a\n'), mustRead('1..1\nBail out! x\n'))), '1 test differs: a (missing); bail out differs at top level');
  const childGone = diffTap(mustRead(renderTap([stream(), stream()])), mustRead('TAP version 13\n1..2\nok 1 selftests: hgmsim: x 2M [v6.1]\nok 2 selftests: hgmsim: x 2M [v6.1]\n# Totals: pass:2 fail:0 xfail:0 xpass:0 skip:0 error:0\n'));
  t.ok(childGone.some((d) => d.hunks.some((h) => h.removed.includes('# (a nested TAP stream)'))), 'a child stream on one side only');
});

t.test('diff: line hunks (longest common subsequence)', async (t) => {
  t.same(lineHunks(['a', 'b', 'c'], ['a', 'b', 'c']), []);
  t.same(lineHunks(['a', 'b', 'c', 'd'], ['a', 'x', 'c', 'd', 'e']), [{ removed: ['b'], added: ['x'] }, { removed: [], added: ['e'] }]);
  t.same(lineHunks(['1', '2', '3'], ['0', '1', '3']), [{ removed: [], added: ['0'] }, { removed: ['2'], added: [] }]);
  t.same(lineHunks([], ['z']), [{ removed: [], added: ['z'] }]);
  const big = Array.from({ length: 2100 }, (_v, i) => `l${i}`);
  const other = Array.from({ length: 2100 }, (_v, i) => `m${i}`);
  t.same(lineHunks(['h', ...big, 't'], ['h', ...other, 't']), [{ removed: big, added: other }], 'past the limit: one hunk between common head and tail');
});

// --- words of the runner's records (report/observations.ts, report/format.ts) ----------------------

t.test('summary words: signal groups with caps and drops, kills, mappings, raw_hwp_list caps, HardwareCorrupted', async (t) => {
  const o = observed({
    signals: [
      arGroup(21),
      {
        signo: 'SIGBUS', si_code: 'BUS_MCEERR_AO', receiver: { kind: 'process', name: 'C' }, count: 7, dropped: 2,
        distinct: { first: [0, 1, 2].map((i) => ({ si_addr: inP(i * 0x1000), si_addr_lsb: 12 })), more: 4 },
      },
      { signo: 'SIGBUS', si_code: 'BUS_ADRERR', receiver: { kind: 'pid', pid: 1234 }, count: 1, dropped: 0, distinct: { first: [{ si_addr: { addr: 0x1000 }, si_addr_lsb: 0 }], more: 0 } },
      { signo: 'SIGKILL', si_code: 'SI_KERNEL', receiver: { kind: 'main' }, count: 0, dropped: 1, distinct: { first: [], more: 0 } },
    ],
    kills: [{ process: 'C', signo: 'SIGBUS', si_code: 'BUS_MCEERR_AO' }],
    mappings: [{
      name: 'P',
      runs: [
        { start: 0, end: 0x1000, size: 0x1000, kind: 'none', count: 1 },
        { start: 0x1000, end: 0x3000, size: 0x1000, kind: 'hwpoison', count: 2 },
        { start: 0x3000, end: 0x200000, size: 0x1000, kind: 'present', count: 509 },
        { start: 0x200000, end: 0x400000, size: 0x200000, kind: 'present', count: 1 },
        { start: 0x400000, end: 0x400000 + 0x1000 * 5, size: 0x1000, kind: 'present', count: 5 },
      ],
    }],
    poisoned: { first: [{ at: inP(0), raw_hwp_list: { first: Array.from({ length: 16 }, (_, i) => i), more: 3 } }, { at: inP(0x200000), raw_hwp_list: { first: [5], more: 0 } }], more: 9 },
    hardwareCorruptedDelta: -8,
  });
  t.same(summaryLines(o), [
    'sigbus: 1 BUS_MCEERR_AR si_addr=P+0x0 si_addr_lsb=21',
    'sigbus C: 7 BUS_MCEERR_AO si_addr=P+0x0 si_addr_lsb=12, si_addr=P+0x1000 si_addr_lsb=12, si_addr=P+0x2000 si_addr_lsb=12, … 4 more (2 dropped)',
    'sigbus pid 1234: 1 BUS_ADRERR si_addr=0x1000',
    'sigkill: 0 SI_KERNEL (1 dropped)',
    'killed: C by SIGBUS BUS_MCEERR_AO',
    'mapped P: 2M x1, 4K x514, hwpoison 4K x2, none 4K x1 | raw_hwp_list(P+0x0): [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, … 3 more]'
      + ' | raw_hwp_list(P+0x200000): [5] | … 9 more poisoned folios | HardwareCorrupted: -8 kB',
  ]);
  t.same(summaryLines(NOTHING), [], 'nothing seen: no summary line');
  t.same(summaryLines(observed({ hardwareCorruptedDelta: 4 })), ['HardwareCorrupted: +4 kB'], 'a delta alone still shows');
});

t.test('output words: print, dumps, failures, findings', async (t) => {
  const folio = { pfn: 0x40200, size: 0x200000, refcount: 3, mapcount: 1, hwpoison: true, rawHwpUnreliable: false, anon: false, inPageCache: true, raw_hwp_list: [2, 7] };
  const records: OutputRecord[] = [
    { kind: 'print', text: 'one\ntwo' },
    { kind: 'runs', mapping: 'P', length: 0x400000, runs: [{ start: 0, end: 0x200000, size: 0x200000, kind: 'hwpoison', count: 1 }, { start: 0x200000, end: 0x202000, size: 0x1000, kind: 'present', count: 2 }] },
    { kind: 'no-mapping', at: { addr: 0x1000 } },
    { kind: 'folio', at: inP(0x1000), folio },
    { kind: 'folio', at: inP(0), folio: null },
    { kind: 'meminfo', meminfo: { HardwareCorrupted: 8, HugePages_Total: 8, HugePages_Free: 7, HugePages_Rsvd: 0, HugePages_Surp: 0, Hugepagesize: 2048, Hugetlb: 16384 } },
    { kind: 'dmesg', line: 'Memory failure: 0x40202: recovery action for huge page: Recovered' },
    { kind: 'finding', finding: { id: 'MAPPED', pfn: 0x40202, raw: 2, at: inP(0x2000), process: 'C', pid: 1002, afterLine: 12 } },
    { kind: 'finding', finding: { id: 'MAPPED', pfn: 0x40203, raw: 3, at: { addr: 0x7f0000003000 }, pid: 999, afterLine: 13 } },
    { kind: 'finding', finding: { id: 'RFC-F3', pfn: 0x40000, raw: 0, at: inP(0xa00000), process: 'main', pid: 1000, other: 2560, afterLine: 14 } },
    { kind: 'finding', finding: { id: 'RFC-F4', pfn: 0x40005, raw: 5, pid: 1000, count: 1, afterLine: 15 } },
    { kind: 'finding', finding: { id: 'RFC-F4', pfn: 0x40005, raw: 5, pid: 1000, count: 0, afterLine: 16 } },
    { kind: 'finding', finding: { id: 'RFC-F6', pfn: 0x40006, raw: 6, pid: 1000, count: 0, afterLine: 17 } },
    { kind: 'finding', finding: { id: 'RFC-F6', pfn: 0x40006, raw: 6, pid: 1000, count: 2, afterLine: 18 } },
  ];
  t.same(records.flatMap(outputLines), [
    ' ... one',
    ' ... two',
    '[P+0x000000, P+0x200000) PMD 2M hwpoison',
    '[P+0x200000, P+0x202000) PTE 4K present x2',
    'dump: no named mapping at 0x1000',
    'folio(P+0x1000): pfn 0x40200 2M refcount 3 mapcount 1 hwpoison,pagecache raw_hwp_list [2, 7]',
    'folio(P+0x0): none',
    'HardwareCorrupted:     8 kB',
    'HugePages_Total:       8',
    'HugePages_Free:        7',
    'HugePages_Rsvd:        0',
    'HugePages_Surp:        0',
    'Hugepagesize:       2048 kB',
    'Hugetlb:           16384 kB',
    'dmesg: Memory failure: 0x40202: recovery action for huge page: Recovered',
    'finding: MAPPED poisoned raw page 0x40202 (index 2) stays mapped at P+0x2000 in C after line 12',
    'finding: MAPPED poisoned raw page 0x40203 (index 3) stays mapped at 0x7f0000003000 in pid 999 after line 13',
    'finding: RFC-F3 hugetlb_no_page() mapped raw page 0x40000 (index 0) where index 2560 belongs at P+0xa00000 in main after line 14',
    "finding: RFC-F4 the raw_hwp_page allocation-failure retry put the caller's reference to the folio of raw page 0x40005 (index 5) twice: refcount 1, one reference short after line 15",
    "finding: RFC-F4 the raw_hwp_page allocation-failure retry put the caller's reference to the folio of raw page 0x40005 (index 5) twice: refcount 0, one reference short (the kernel frees the hugepage while it is in use; the model keeps it) after line 16",
    "finding: RFC-F6 is_unmapping_successful() lacks its negation: raw page 0x40006 (index 6)'s folio is no longer mapped and is reported as failed to unmap after line 17",
    "finding: RFC-F6 is_unmapping_successful() lacks its negation: raw page 0x40006 (index 6)'s folio is still mapped (2 entries) and is reported as unmapped after line 18",
  ]);
  const failures: [Failure, string[], string][] = [
    [{ kind: 'dead', what: 'process', name: 'main' }, [' !!! process main is dead'], 'process main is dead'],
    [{ kind: 'dead', what: 'thread', name: 'main.T' }, [' !!! thread main.T is dead'], 'thread main.T is dead'],
    [{ kind: 'missing', what: 'process', name: 'C' }, [' !!! process C does not exist (its fork/spawn failed)'], 'process C does not exist (its fork/spawn failed)'],
    [{ kind: 'missing', what: 'thread', name: 'C.T' }, [' !!! thread C.T does not exist (its thread step failed)'], 'thread C.T does not exist (its thread step failed)'],
    [
      { kind: 'expect', line: 7, mismatches: [{ what: 'raw_hwp_list(P+0x0)', expected: '[2]', actual: '[2, 3]' }, { what: 'HardwareCorrupted', expected: '+4 kB', actual: '+8 kB' }] },
      [' !!! line 7: raw_hwp_list(P+0x0): expected [2], got [2, 3]', ' !!! line 7: HardwareCorrupted: expected +4 kB, got +8 kB'],
      'line 7: raw_hwp_list(P+0x0): expected [2], got [2, 3]',
    ],
    [{ kind: 'step', message: 'pfn_of: no page' }, [' !!! pfn_of: no page'], 'pfn_of: no page'],
    [{ kind: 'blocked', line: 12, call: 'fork', uffd: 4 }, [' !!! blocked: fork waits on userfaultfd 4 (line 12)'], 'blocked: fork waits on userfaultfd 4'],
    [{ kind: 'errno', call: 'MADV_SPLIT', errno: 'EINVAL' }, [' !!! MADV_SPLIT failed: Invalid argument'], 'MADV_SPLIT failed: Invalid argument'],
    [
      { kind: 'step-expect', line: 8, op: 'access', expected: 'sigbus=BUS_MCEERR_AR', actual: 'sigbus=none' },
      [' !!! line 8: access expected sigbus=BUS_MCEERR_AR, got sigbus=none'], 'line 8: access expected sigbus=BUS_MCEERR_AR',
    ],
    [
      { kind: 'signal', line: 9, signal: { signo: 'SIGBUS', si_code: 'BUS_MCEERR_AR', si_addr: inP(9), si_addr_lsb: 21 } },
      [' !!! unexpected SIGBUS BUS_MCEERR_AR si_addr=P+0x9 (line 9)'], 'unexpected SIGBUS BUS_MCEERR_AR si_addr=P+0x9',
    ],
  ];
  for (const [f, lines, reason] of failures) {
    t.same(outputLines({ kind: 'failure', failure: f }), lines, `${f.kind}: the C test's lines`);
    t.equal(reasonText(f), reason, `${f.kind}: the reason`);
  }
});

t.test('-v words: every kind of return, the acting thread, signals with their receiver', async (t) => {
  const sig = { signo: 'SIGBUS', si_code: 'BUS_MCEERR_AO', si_addr: inP(0x3000), si_addr_lsb: 21 };
  const returns: [StepReturn, string][] = [
    [{ kind: 'none' }, ''],
    [{ kind: 'value', value: 0, address: false }, '= 0'],
    [{ kind: 'value', value: 0x7f0000000000, address: true }, '= 0x7f0000000000'],
    [{ kind: 'errno', errno: 'EFAULT' }, '= -1 EFAULT (Bad address)'],
    [{ kind: 'access', value: 7 }, '= 7'],
    [{ kind: 'blocked', uffd: 4 }, 'blocked on userfaultfd 4'],
    [{ kind: 'signal', signal: sig }, 'SIGBUS BUS_MCEERR_AO si_addr=P+0x3000 si_addr_lsb=21'],
    [{ kind: 'expect', mismatches: 0 }, 'ok'],
    [{ kind: 'expect', mismatches: 2 }, '2 mismatch(es)'],
    [{ kind: 'failed', message: 'pfn_of: no page' }, 'pfn_of: no page'],
  ];
  for (const [r, text] of returns) t.equal(returnText(r), text, r.kind);
  t.same(stepLines({
    index: 4, line: 12, in: 'C.T', call: 'madvise(P+0x3000, 0x1000, MADV_HWPOISON)', ret: { kind: 'value', value: 0, address: false },
    signals: [
      { ...sig, process: 'C', pid: 1002, tid: 1003, how: 'queued', outcome: 'delivered' },
      { ...sig, si_addr: { addr: 0x5000 }, pid: 77, tid: 77, how: 'queued', outcome: 'dropped' },
    ],
    outputBefore: 0, trace: ['madvise_inject_error', '  memory_failure'],
  }), [
    '# step 4, line 12: [C.T] madvise(P+0x3000, 0x1000, MADV_HWPOISON) = 0',
    '#   | madvise_inject_error',
    '#   |   memory_failure',
    '#   signal: SIGBUS BUS_MCEERR_AO si_addr=P+0x3000 si_addr_lsb=21 to C 1002/1003 (queued, delivered)',
    '#   signal: SIGBUS BUS_MCEERR_AO si_addr=0x5000 si_addr_lsb=21 to 77/77 (queued, dropped)',
  ]);
});

t.test('shared words: sizes, levels, addresses, capped lists, si_addr_lsb only where it is carried', async (t) => {
  t.same([sizeName(4096), sizeName(2 * 1024 ** 2), sizeName(3 * 1024 ** 3), sizeName(100)], ['4K', '2M', '3G', '0x64']);
  t.same([levelName(4096), levelName(2 * 1024 ** 2), levelName(1024 ** 3), levelName(16 * 1024)], ['PTE', 'PMD', 'PUD', '16K']);
  t.equal(addressText(inP(0x10)), 'P+0x10');
  t.equal(addressText({ addr: 255 }), '0xff');
  t.equal(paddedOffset('P', 0x200000, 0x1000), 'P+0x001000');
  t.equal(listText({ first: [0, 128], more: 0 }), '[0, 128]');
  t.equal(listText({ first: [], more: 0 }), '[]');
  t.equal(listText({ first: [1], more: 2 }), '[1, … 2 more]');
  t.equal(siAddrText({ si_code: 'BUS_ADRERR', si_addr: inP(0), si_addr_lsb: 0 }), 'si_addr=P+0x0');
  t.equal(siAddrText({ si_code: 'BUS_MCEERR_AR', si_addr: inP(0), si_addr_lsb: 0 }), 'si_addr=P+0x0 si_addr_lsb=0', 'MCEERR codes always carry an lsb');
  t.equal(callText({ call: 'fork()' }), 'fork()');
  t.equal(callText({ in: 'C', call: 'fork()' }), '[C] fork()');
});

// --- model against kernel: kernel view, known differences ----------------------------------------------

const KERNEL_HEADER = '# hgmsim s 2M, kernel 6.12.118+deb12-amd64';
const MODEL_HEADER = '# hgmsim s 2M, profile v6.12';

/** A one-test stream: header, plan, the test's `# ` lines, its result, totals. */
const oneTest = (header: string, lines: readonly string[], result = 'ok 1 t', totals = '# Totals: pass:1 fail:0 xfail:0 xpass:0 skip:0 error:0'): TapLevel =>
  readTap(['TAP version 13', header, '1..1', ...lines, result, totals, ''].join('\n'))!;

/** The model's lines against the kernel's, one test, in kernel view. */
const kernelView = (model: readonly string[], kernel: readonly string[], kernelResult?: string): KernelComparison =>
  compareKernelView(oneTest(MODEL_HEADER, model), oneTest(KERNEL_HEADER, kernel, kernelResult));

t.test('kernel view: the header names a profile on one side and a release on the other', async (t) => {
  t.equal(profileOfRelease('6.12.118+deb12-amd64'), 'v6.12');
  t.equal(profileOfRelease('6.1.0-57-amd64'), 'v6.1');
  t.equal(profileOfRelease('6.10.3'), undefined, '6.1. is not a prefix of 6.10');
  t.equal(profileOfRelease('5.15.0'), undefined);
  t.same(headerOrigin(MODEL_HEADER), { kind: 'model', scenario: 's', size: '2M', profile: 'v6.12' });
  t.same(headerOrigin('# hgmsim two words 1G, kernel 6.1.0-57-amd64'), { kind: 'kernel', scenario: 'two words', size: '1G', release: '6.1.0-57-amd64' });
  t.equal(headerOrigin('# hgmsim'), null);
  const same = kernelView([], []);
  t.same(same, { agree: 4, notObservable: 0, differences: [] }, 'header, plan, result and totals agree');
  const other = compareKernelView(oneTest(MODEL_HEADER, []), oneTest('# hgmsim s 2M, kernel 6.1.0-57-amd64', []));
  t.same(other.differences, [{ path: [], test: null, kind: 'header', model: MODEL_HEADER, kernel: '# hgmsim s 2M, profile v6.1' }]);
  const unknown = compareKernelView(oneTest(MODEL_HEADER, []), oneTest('# hgmsim s 2M, kernel 5.15.0', []));
  t.equal(unknown.differences[0]?.kernel, '# hgmsim s 2M, kernel 5.15.0', 'a release no profile models stays as it is');
});

t.test('kernel view: summary segments', async (t) => {
  // mapped: every non-present kind is not-present, regrouped present first, larger sizes first.
  const mapped = kernelView(['# mapped P: 2M x1, hwpoison 2M x1, none 2M x2 | HardwareCorrupted: +4 kB'], ['# mapped P: 2M x1, not-present 2M x3 | HardwareCorrupted: +4 kB']);
  t.same(mapped.differences, []);
  t.equal(mapped.agree, 5);
  const mixed = kernelView(['# mapped P: 4K x3, 2M x1, marker 4K x1, migration 2M x1, hwpoison 4K x2 | mapped S: none 1G x1 | HardwareCorrupted: +0 kB'],
    ['# mapped P: 2M x1, 4K x3, not-present 2M x1, not-present 4K x3 | mapped S: not-present 1G x1 | HardwareCorrupted: +0 kB']);
  t.same(mixed.differences, []);
  // raw_hwp_list and the capped rest of the poisoned folios: not observable, counted.
  const raw = kernelView(['# raw_hwp_list(P+0x0): [5] | raw_hwp_list(Q+0x0): [1] | … 3 more poisoned folios | HardwareCorrupted: +8 kB'], ['# HardwareCorrupted: +8 kB']);
  t.same(raw.differences, []);
  t.equal(raw.notObservable, 3);
  // HardwareCorrupted compares as is.
  const hc = kernelView(['# mapped P: hwpoison 2M x1 | raw_hwp_list(P+0x0): [0] | HardwareCorrupted: +4 kB'], ['# mapped P: not-present 2M x1 | HardwareCorrupted: +8 kB']);
  t.same(hc.differences, [{
    path: ['t'], test: { number: 1, name: 't' }, kind: 'lines',
    model: '# mapped P: not-present 2M x1 | HardwareCorrupted: +4 kB', kernel: '# mapped P: not-present 2M x1 | HardwareCorrupted: +8 kB',
  }]);
  t.equal(hc.notObservable, 1);
  const present = kernelView(['# mapped P: 2M x2 | HardwareCorrupted: +0 kB'], ['# mapped P: 2M x1, not-present 2M x1 | HardwareCorrupted: +0 kB']);
  t.equal(present.differences.length, 1, 'present and not-present stay apart');
});

t.test('kernel view: signals, kills, dumps', async (t) => {
  t.same(kernelView(['# sigbus: 2 BUS_MCEERR_AR si_addr=P+0x0 si_addr_lsb=21 (1 dropped)', '# sigbus C: 1 BUS_MCEERR_AO si_addr=P+0x0 si_addr_lsb=21 (3 dropped)'],
    ['# sigbus: 2 BUS_MCEERR_AR si_addr=P+0x0 si_addr_lsb=21', '# sigbus C: 1 BUS_MCEERR_AO si_addr=P+0x0 si_addr_lsb=21']).differences, [], 'a dropped signal is invisible');
  t.equal(kernelView(['# sigbus: 1 BUS_MCEERR_AR si_addr=P+0x0 si_addr_lsb=21'], ['# sigbus: 1 BUS_MCEERR_AR si_addr=P+0x0 si_addr_lsb=12']).differences.length, 1);
  t.same(kernelView(['# killed: C by SIGBUS BUS_MCEERR_AO'], ['# killed: C by SIGBUS']).differences, [], 'a wait status has no si_code');
  t.equal(kernelView(['# killed: C by SIGBUS BUS_MCEERR_AO'], ['# killed: C by SIGKILL']).differences.length, 1);
  const runs = kernelView(
    ['# [P+0x000000, P+0x200000) PMD 2M hwpoison', '# [P+0x200000, P+0x400000) PMD 2M none', '# [P+0x400000, P+0x600000) PMD 2M present',
      '# [P+0x600000, P+0x800000) PMD 2M marker x1', '# [P+0x800000, P+0x801000) PTE 4K migration', '# folio(P+0x0): pfn 0x40a00 2M refcount 3 mapcount 1 hwpoison raw_hwp_list [0]'],
    ['# [P+0x000000, P+0x400000) PMD 2M not-present x2', '# [P+0x400000, P+0x600000) PMD 2M present', '# [P+0x600000, P+0x800000) PMD 2M not-present',
      '# [P+0x800000, P+0x801000) PTE 4K not-present']);
  t.same(runs.differences, [], 'kinds as pagemap sees them, touching equal runs merged');
  t.equal(runs.notObservable, 1, 'the folio dump');
  const apart = kernelView(['# [P+0x000000, P+0x200000) PMD 2M hwpoison', '# [P+0x400000, P+0x600000) PMD 2M none'], ['# [P+0x000000, P+0x200000) PMD 2M not-present', '# [P+0x400000, P+0x600000) PMD 2M not-present']);
  t.same(apart.differences, [], 'runs that do not touch stay two');
});

t.test('kernel view: model-only lines and boot-dependent values', async (t) => {
  const model = kernelView(['# basis: kernel-semantics.md §10', '# switches: x=1', '# finding: MAPPED poisoned raw page 0x40a03 (index 3) stays mapped at P+0x3000 in main after line 9'],
    ['# not observable on a kernel: raw_hwp_list(P+0x0) is [3]', '# basis: copied by the program']);
  t.same(model, { agree: 4, notObservable: 4, differences: [] }, 'counted on the model side, the kernel note counted, a copied basis not counted twice');
  const noise = kernelView([
    '#  ... primary mapping: 0x7f5e7fc00000',
    '#  ... the pfn is pfn 0x40a01, pfn=0x40a01',
    '# dmesg: Memory failure: 0x40c00: Sending SIGBUS to mce:1005 due to hardware memory corruption',
    '# dmesg: Injecting memory failure for pfn 0x240001 at process virtual address 0x7f5e00001000',
    '# dmesg: MCE: Killing private-anon:1007 due to hardware memory corruption fault at 7f5e00001000',
    '# dmesg: mce: Uncorrected hardware memory error in user-access at 40c00008',
    '# sigbus pid 1003: 1 BUS_MCEERR_AO si_addr=P+0x0 si_addr_lsb=21',
  ], [
    '#  ... primary mapping: 0x7ffd1a600000',
    '#  ... the pfn is pfn 0x1b2c01, pfn=0x1b2c01',
    '# dmesg: [   12.345678] Memory failure: 0x1b2c00: Sending SIGBUS to mce:431 due to hardware memory corruption',
    '# dmesg: Injecting memory failure for pfn 0x1b2c01 at process virtual address 0x7ffd1a601000',
    '# dmesg: MCE: Killing private-anon:77 due to hardware memory corruption fault at 7ffd1a601000',
    '# dmesg: mce: Uncorrected hardware memory error in user-access at 1b2c00008',
    '# sigbus pid 431: 1 BUS_MCEERR_AO si_addr=P+0x0 si_addr_lsb=21',
  ]);
  t.same(noise.differences, [], 'addresses, pfns, pids and printk time differ from boot to boot');
  const offset = kernelView(['# sigbus: 1 BUS_MCEERR_AR si_addr=P+0x7f5e7fc00000 si_addr_lsb=21'], ['# sigbus: 1 BUS_MCEERR_AR si_addr=P+0x7f5e7fc00001 si_addr_lsb=21']);
  t.equal(offset.differences.length, 1, 'an offset into a named mapping is not an address');
  const small = kernelView(['#  ... read 0x200000 bytes'], ['#  ... read 0x1ff000 bytes']);
  t.equal(small.differences.length, 1, 'a short number outside dmesg is compared');
});

t.test('kernel view: a model XFAIL is the failure the kernel reports, an XPASS its pass, the totals likewise', async (t) => {
  const xfail = compareKernelView(
    oneTest(MODEL_HEADER, ['# a', '# departs from its verdict: expected fail, got pass'], 'ok 1 t # XFAIL 6.1 reads no byte', '# Totals: pass:0 fail:0 xfail:1 xpass:0 skip:0 error:0'),
    oneTest(KERNEL_HEADER, ['# a'], 'not ok 1 t', '# Totals: pass:0 fail:1 xfail:0 xpass:0 skip:0 error:0'));
  t.same(xfail, { agree: 5, notObservable: 1, differences: [] }, 'the verdict is the model\'s: its departure line is not observable');
  const xpass = compareKernelView(
    oneTest(MODEL_HEADER, [], 'ok 1 t # XPASS', '# Totals: pass:0 fail:0 xfail:0 xpass:1 skip:0 error:0'),
    oneTest(KERNEL_HEADER, [], 'ok 1 t'));
  t.same(xpass.differences, []);
  const wrong = compareKernelView(oneTest(MODEL_HEADER, [], 'ok 1 t # XFAIL why', '# Totals: pass:0 fail:0 xfail:1 xpass:0 skip:0 error:0'), oneTest(KERNEL_HEADER, [], 'ok 1 t'));
  t.same(wrong.differences.map((d) => [d.model, d.kernel]), [['not ok 1 t', 'ok 1 t'], ['# Totals: pass:0 fail:1 xfail:0 xpass:0 skip:0 error:0', '# Totals: pass:1 fail:0 xfail:0 xpass:0 skip:0 error:0']],
    'an expected failure the kernel passes differs');
});

t.test('kernel view: a test the kernel could not perform, missing and extra tests, results', async (t) => {
  const skipped = kernelView(['# sigbus: 1 BUS_MCEERR_AR si_addr=P+0x0 si_addr_lsb=21', '# basis: x'], [], 'ok 1 t # SKIP not performable on a kernel: mce needs hardware');
  t.equal(skipped.differences.length, 1, 'only the totals, which still count a pass');
  const totals = compareKernelView(oneTest(MODEL_HEADER, ['# a']),
    oneTest(KERNEL_HEADER, ['# a'], 'ok 1 t # SKIP not performable on a kernel: mce', '# Totals: pass:0 fail:0 xfail:0 xpass:0 skip:1 error:0'));
  t.same(totals, { agree: 3, notObservable: 2, differences: [] }, "the model's lines and result not observable, its totals as the kernel counts them");
  const failed = kernelView([], [], 'not ok 1 t');
  t.same(failed.differences, [{ path: ['t'], test: { number: 1, name: 't' }, kind: 'result', model: 'ok 1 t', kernel: 'not ok 1 t' }]);
  const plainSkip = kernelView([], [], 'ok 1 t # SKIP no pool');
  t.equal(plainSkip.differences[0]?.kind, 'result', 'any other skip is a difference');
  const two = readTap(['TAP version 13', MODEL_HEADER, '1..2', 'ok 1 t', 'ok 2 u', ''].join('\n'))!;
  const other = readTap(['TAP version 13', KERNEL_HEADER, '1..2', 'ok 1 t', 'ok 2 v', 'ok 3 w', 'Bail out! boom', ''].join('\n'))!;
  const c = compareKernelView(two, other);
  t.same(c.differences.map((d) => [d.kind, d.model, d.kernel]), [['bailout', null, 'boom'], ['result', 'ok 2 u', 'ok 2 v'], ['extra', null, 'ok 3 w']]);
  const text = renderKernelDiff('m.tap', 'k.tap', c);
  t.equal(text, [
    '--- m.tap (model)', '+++ k.tap (kernel)',
    '@@ top level (bail out)', '+ boom',
    '@@ u (result)', '- ok 2 u', '+ ok 2 v',
    '@@ w (only on the kernel)', '+ ok 3 w',
    'kernel view: 3 lines agree, 3 differ, 0 not observable', '',
  ].join('\n'));
  t.equal(renderKernelDiff('m', 'k', kernelView([], [])), 'kernel view: 4 lines agree, 0 differ, 0 not observable\n');
  const missing = compareKernelView(other, two);
  t.same(missing.differences.filter((d) => d.kind === 'missing').map((d) => d.model), ['ok 3 w']);
});

/** A folder as names and texts: `checkRecordings` reads it through a function. */
const folder = (files: Record<string, string>): [string[], (name: string) => string] =>
  [Object.keys(files).sort(), (name: string) => files[name] ?? ''];

const MODEL_TEXT = ['TAP version 13', MODEL_HEADER, '1..1', '# sigbus: 1 BUS_MCEERR_AR si_addr=P+0x0 si_addr_lsb=21', 'ok 1 t', ''].join('\n');
const KERNEL_TEXT = MODEL_TEXT.replace(MODEL_HEADER, KERNEL_HEADER).replace('si_addr_lsb=21', 'si_addr_lsb=12');
const RECORDING = 's.2M.kernel-6.12.118+deb12-amd64.tap';

t.test('known differences: the file format, validated and positioned', async (t) => {
  t.same(parseKnownDifferences('# nothing yet\n[]\n', 'k.yaml'), { entries: [], errors: [] });
  t.same(parseKnownDifferences('', 'k.yaml'), { entries: [], errors: [] }, 'an empty file is an empty list');
  const good = parseKnownDifferences('- recordings: "*.kernel-6.1.*"\n  test: t\n  model: "# a"\n  kernel: null\n  reason: r\n', 'k.yaml');
  t.same(good, { entries: [{ recordings: '*.kernel-6.1.*', test: 't', model: '# a', kernel: null, reason: 'r', line: 1 }], errors: [] });
  const bad = parseKnownDifferences([
    '- recordings: "*"', '  kernel: "# b"', '  reason: fine',
    '- recordings: []', '  reason: "  "', '  modle: "# a"', '',
  ].join('\n'), 'k.yaml');
  t.equal(bad.entries.length, 1, 'the good entry is kept');
  t.same(bad.errors, [
    'k.yaml:4:15: name at least one recording glob (entry 2, recordings)',
    'k.yaml:5:11: give the reason the difference is accepted (entry 2, reason)',
    'k.yaml:4:3: Unrecognized key: "modle" (entry 2)',
    'k.yaml:4:3: name the model line, the kernel line or both (entry 2)',
  ]);
  t.match(parseKnownDifferences('a: 1\n', 'k.yaml').errors, [/^k\.yaml:1:1: the file is a YAML list/]);
  t.match(parseKnownDifferences('- [\n', 'k.yaml').errors, [/^k\.yaml:\d+:\d+: /], 'a YAML error is positioned');
  t.ok(globPattern('*.kernel-6.1.*').test(RECORDING.replace('6.12.118+deb12', '6.1.0-57')));
  t.notOk(globPattern('*.kernel-6.1.*').test(RECORDING), 'a dot is literal');
  t.ok(globPattern('s.?M.*').test(RECORDING));
});

t.test('known differences: recordings pair with goldens; unlisted, excused and stale', async (t) => {
  t.same(pairRecordings(['a.2M.kernel-6.1.0-57-amd64.tap', 'a.2M.v6.1.tap', 'b.1G.kernel-6.12.1.tap', 'c.2M.kernel-5.10.0.tap', 'a.2M.v6.12.tap']), {
    pairs: [{ recording: 'a.2M.kernel-6.1.0-57-amd64.tap', golden: 'a.2M.v6.1.tap' }],
    unpaired: [{ recording: 'b.1G.kernel-6.12.1.tap', why: 'no golden b.1G.v6.12.tap' }, { recording: 'c.2M.kernel-5.10.0.tap', why: 'no profile models kernel 5.10.0' }],
  });
  t.same(goldensWithoutRecording(['a.2M.kernel-6.1.0-57-amd64.tap', 'a.2M.v6.1.tap', 'a.2M.v6.12.tap', 'a.2M.hgm-rfc.tap', 'a.yaml']), ['a.2M.v6.12.tap']);

  const agreeing = checkRecordings(...folder({ 's.2M.v6.12.tap': MODEL_TEXT, [RECORDING]: MODEL_TEXT.replace(MODEL_HEADER, KERNEL_HEADER) }));
  t.ok(agreeing.ok);
  t.equal(renderRecordingsCheck(agreeing), '1 recordings compared: 4 lines agree, 0 differ (0 known), 0 not observable\n');

  const unlisted = checkRecordings(...folder({ 's.2M.v6.12.tap': MODEL_TEXT, [RECORDING]: KERNEL_TEXT }));
  t.notOk(unlisted.ok);
  t.same(unlisted.unlisted.map((u) => [u.recording, u.difference.test?.name, u.difference.model, u.difference.kernel]),
    [[RECORDING, 't', '# sigbus: 1 BUS_MCEERR_AR si_addr=P+0x0 si_addr_lsb=21', '# sigbus: 1 BUS_MCEERR_AR si_addr=P+0x0 si_addr_lsb=12']]);
  t.match(renderRecordingsCheck(unlisted), /^s\.2M\.kernel-6\.12\.118\+deb12-amd64\.tap: test 1 "t" \(lines\) differs and is not a known difference: model "# sigbus: .*21", kernel "# sigbus: .*12"\n/);

  const excusing = [
    '- recordings: "*.kernel-6.12.*"', '  test: t', '  kernel: "# sigbus: 1 BUS_MCEERR_AR si_addr=P+0x0 si_addr_lsb=12"', '  reason: the lsb is PAGE_SHIFT on this kernel',
    '- recordings: ["*.kernel-6.1.*"]', '  test: t', '  kernel: "# sigbus: 1 BUS_MCEERR_AR si_addr=P+0x0 si_addr_lsb=12"', '  reason: not this release',
    '- recordings: "*"', '  model: "# sigbus: 1 BUS_MCEERR_AR si_addr=P+0x0 si_addr_lsb=21"', '  reason: "no test named: only lines outside any test"', '',
  ].join('\n');
  const checked = checkRecordings(...folder({ 's.2M.v6.12.tap': MODEL_TEXT, [RECORDING]: KERNEL_TEXT, [KNOWN_DIFFERENCES_FILE]: excusing }));
  t.same(checked.unlisted, [], 'the first entry excuses the difference');
  t.same(checked.stale.map((e) => e.line), [5, 9], 'the other two excuse nothing: stale');
  t.notOk(checked.ok);
  t.match(renderRecordingsCheck(checked), /^known-differences\.yaml:5: this known difference matches no difference of any recording \(stale\): not this release\n/);

  const orphan = checkRecordings(...folder({ [RECORDING]: KERNEL_TEXT, 't.2M.kernel-6.1.0-1.tap': 'hello', 't.2M.v6.1.tap': MODEL_TEXT, [KNOWN_DIFFERENCES_FILE]: '- x: 1\n' }));
  t.notOk(orphan.ok);
  t.same(orphan.unpaired, [{ recording: RECORDING, why: 'no golden s.2M.v6.12.tap' }, { recording: 't.2M.kernel-6.1.0-1.tap', why: 't.2M.kernel-6.1.0-1.tap is not TAP' }]);
  t.same(orphan.fileErrors, [
    'known-differences.yaml:1:3: name the recordings: a glob or a list of globs (entry 1, recordings)',
    'known-differences.yaml:1:3: give the reason the difference is accepted (entry 1, reason)',
    'known-differences.yaml:1:3: Unrecognized key: "x" (entry 1)',
  ], 'a bad file fails the check');

  const none = checkKnownDifferences([], []);
  t.same(none, { unlisted: [], stale: [] });
});

t.test('scenarios/mainline: every kernel recording agrees with its golden but for the known differences', async (t) => {
  const dir = 'scenarios/mainline';
  const names = readdirSync(dir).sort();
  const check = checkRecordings(names, (name) => readFileSync(join(dir, name), 'utf8'), join(dir, KNOWN_DIFFERENCES_FILE));
  t.ok(check.ok, renderRecordingsCheck(check, join(dir, KNOWN_DIFFERENCES_FILE)));
  t.same(goldensWithoutRecording(names), [], 'every mainline golden has a recording for its kernel');
  t.equal(check.compared.length, names.filter((n) => n.includes('.kernel-')).length, 'every recording was compared');
  t.ok(check.compared.length >= 46, 'both kernels, every mainline scenario and size');
});

t.test('kernel view: runner-nested streams compare stream by stream; a stream with no tests', async (t) => {
  const nest = (header: string, sigbus: string): TapLevel => readTap([
    'TAP version 13', '1..1', '# TAP version 13', `# ${header}`, '# 1..1', `# ${sigbus}`, '# ok 1 t', 'ok 1 selftests: hgmsim: s 2M', '',
  ].join('\n'))!;
  const sig = '# sigbus: 1 BUS_MCEERR_AR si_addr=P+0x0 si_addr_lsb=21';
  const same = compareKernelView(nest(MODEL_HEADER, `${sig} (1 dropped)`), nest(KERNEL_HEADER, sig));
  t.same(same.differences, []);
  t.equal(same.agree, 6, 'outer plan and result, inner header, plan, line and result');
  const other = compareKernelView(nest(MODEL_HEADER, sig), nest(KERNEL_HEADER, sig.replace('21', '12')));
  t.same(other.differences.map((d) => [d.path, d.kind]), [[['selftests: hgmsim: s 2M', 't'], 'lines']]);
  const flat = compareKernelView(nest(MODEL_HEADER, sig), oneTest(KERNEL_HEADER, [], 'ok 1 selftests: hgmsim: s 2M'));
  t.same(flat.differences.filter((d) => d.model === '# (a nested TAP stream)').length, 1, 'a nested stream against none');
  const empty = (header: string): TapLevel => readTap(['TAP version 13', header, '1..0 # SKIP no hugepages', ''].join('\n'))!;
  t.same(compareKernelView(empty(MODEL_HEADER), empty(KERNEL_HEADER)), { agree: 2, notObservable: 0, differences: [] }, 'the header found after a plan with no tests');
});
