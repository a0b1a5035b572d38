// TAP rendering from synthetic result records: the kselftest shapes, byte for byte, and a tap-parser
// round trip to show consumers accept them.
import t from 'tap';
import { Parser } from 'tap-parser';
import type { FinalResults } from 'tap-parser';
import { REPORTERS, FORMAT_NAMES } from '../src/report/index.js';
import { escapeDescription, renderTap, resultLine, streamLines, verdictMatrix } from '../src/report/tap.js';
import type { StreamResult, TestResult } from '../src/runner/results.js';

const test = (over: Partial<TestResult> & Pick<TestResult, 'name' | 'outcome'>): TestResult => ({
  status: over.outcome === 'xfail' ? 'fail' : over.outcome === 'xpass' ? 'pass' : over.outcome === 'skip' ? 'skip' : over.outcome,
  expected: 'pass',
  departure: 'none',
  lines: [],
  summary: [],
  basis: [],
  steps: [],
  ...over,
});

const stream = (over: Partial<StreamResult> = {}): StreamResult => ({
  file: 'scenarios/x.yaml',
  scenario: 'x',
  size: '2M',
  profile: 'v6.1',
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
        lines: [' ... primary mapping: 0x7f5e40200000'],
        summary: ['sigbus: 1 BUS_MCEERR_AR si_addr=P+0x0 si_addr_lsb=21', 'mapped P: 2M x1 | HardwareCorrupted: +4 kB'],
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
  t.equal(resultLine(3, test({ name: 'a', outcome: 'skip', reason: 'MADV_SPLIT failed: Invalid argument' })), 'ok 3 a # SKIP MADV_SPLIT failed: Invalid argument');
  t.equal(resultLine(4, test({ name: 'a', outcome: 'skip' })), 'ok 4 a # SKIP');
  t.equal(resultLine(5, test({ name: 'a', outcome: 'xfail', why: 'no HGM', reason: 'x' })), 'ok 5 a # XFAIL no HGM');
  t.equal(resultLine(6, test({ name: 'a', outcome: 'xfail', reason: 'line 3: expect' })), 'ok 6 a # XFAIL line 3: expect');
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

t.test('switches that differ from the profile print in the header', async (t) => {
  const lines = streamLines(stream({ switches: [{ name: 'rfc_intent', value: true }, { name: 'b', value: false }] }));
  t.same(lines.slice(0, 4), ['TAP version 13', '# hgmsim x 2M, profile v6.1', '# switches: rfc_intent=true, b=false', '1..1']);
});

t.test('-v interleaves step lines with the test output', async (t) => {
  const s = stream({
    tests: [test({
      name: 't',
      outcome: 'pass',
      lines: [' ... one', ' ... two'],
      steps: [
        { index: 1, line: 5, call: 'mmap(0x0, 0x200000, PROT_READ, MAP_SHARED, 3, 0x0)', ret: '= 0x7f0000000000', signals: [], linesBefore: 0 },
        { index: 2, line: 6, call: 'print', ret: '', signals: [], linesBefore: 0 },
        { index: 3, line: 7, call: 'access(P+0x0, read)', ret: 'SIGBUS BUS_MCEERR_AR si_addr=P+0x0', signals: ['SIGBUS BUS_MCEERR_AR to 1000/1000'], linesBefore: 1 },
        { index: 4, line: 8, call: 'print', ret: '', signals: [], linesBefore: 1 },
        { index: 5, line: 9, call: 'expect', ret: 'ok', signals: [], linesBefore: 2 },
      ],
    })],
  });
  t.same(streamLines(s, { verbose: true }).slice(3, 12), [
    '# step 1, line 5: mmap(0x0, 0x200000, PROT_READ, MAP_SHARED, 3, 0x0) = 0x7f0000000000',
    '# step 2, line 6: print',
    '#  ... one',
    '# step 3, line 7: access(P+0x0, read) SIGBUS BUS_MCEERR_AR si_addr=P+0x0',
    '#   signal: SIGBUS BUS_MCEERR_AR to 1000/1000',
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
  t.same(FORMAT_NAMES, ['tap']);
  t.equal(REPORTERS.tap([stream()], {}), renderTap([stream()]));
});

t.test('tap-parser accepts the flat stream', async (t) => {
  const r = await parse(renderTap([stream({
    tests: [
      test({ name: 'p', outcome: 'pass', lines: [' ... hello'] }),
      test({ name: 's', outcome: 'skip', reason: 'MADV_SPLIT failed: Invalid argument', expected: 'skip' }),
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
