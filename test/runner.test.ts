// The runner against the real kernel model: step outcomes, expectations, on_error, verdicts, summaries,
// runtime author errors, the step budget.
import t from 'tap';
import { loadScenario } from '../src/scenario/load.js';
import type { Scenario } from '../src/scenario/types.js';
import { runStream } from '../src/runner/run.js';
import type { StreamResult, TestResult } from '../src/runner/results.js';
import { judge, streamExitStatus } from '../src/runner/verdict.js';
import { mappedSizes, meminfoLines, sizeName } from '../src/runner/observe.js';

function load(text: string): Scenario {
  const r = loadScenario('s.yaml', text);
  if (!r.scenario) throw new Error(r.errors.map((e) => `${e.line}:${e.col} ${e.code} ${e.message}`).join('\n'));
  return r.scenario;
}

const HEAD = `scenario: s
kernel: {profile: v6.1, hugepagesz: [2M], nr_hugepages: 4}
let: {L: 2 * hugepagesz}
`;

function run(body: string, verdicts = ''): StreamResult {
  const r = runStream(load(HEAD + verdicts + body), '2M', 'v6.1', { verbose: true, checkInvariants: true });
  if (!r.ok) throw new Error(r.errors.map((e) => e.message).join('\n'));
  return r.result;
}

const only = (s: StreamResult): TestResult => {
  const first = s.tests[0];
  if (!first) throw new Error('no test');
  return first;
};

const POISON = `tests:
  - name: poison
    steps:
      - memfd_create: {as: fd, flags: [MFD_HUGETLB]}
      - ftruncate: {fd: fd, length: L}
      - mmap: {as: P, fd: fd, length: L, flags: [MAP_SHARED]}
      - memset: {addr: P, length: L, value: 7}
      - madvise: {addr: P + 2 * PAGE_SIZE, length: PAGE_SIZE, advice: MADV_HWPOISON}
      - access: {addr: P + 9, op: write, in_thread: new, expect: {sigbus: BUS_MCEERR_AR, si_addr: P + 9}}
      - expect:
          HardwareCorrupted: +4 kB
          raw_hwp_list: {of: P, is: [2]}
          bytes: {addr: P + hugepagesz, length: hugepagesz, value: 7}
          mapping: {at: P, size: 2M, kind: hwpoison}
`;

t.test('a poisoned hugepage: SIGBUS summary, mapped sizes, raw_hwp_list, HardwareCorrupted', async (t) => {
  const r = only(run(POISON));
  t.equal(r.status, 'pass', r.lines.join('\n'));
  t.same(r.summary, [
    'sigbus: 1 BUS_MCEERR_AR si_addr=P+0x9 si_addr_lsb=21',
    'mapped P: 2M x1, hwpoison 2M x1 | raw_hwp_list(P+0x0): [2] | HardwareCorrupted: +4 kB',
  ]);
  t.match(r.steps.map((s) => s.call), ['memfd_create("fd", MFD_HUGETLB)', /^ftruncate/, /^mmap/, /^memset/, 'madvise(P+0x2000, 0x1000, MADV_HWPOISON)', /^access\(P\+0x9, write\) in new thread/, 'expect']);
});

t.test('runs are deterministic', async (t) => {
  t.same(run(POISON), run(POISON));
});

t.test('an errno with on_error: skip ends the test as SKIP with the C line', async (t) => {
  const r = only(run(`tests:
  - name: split
    steps:
      - mmap: {as: Q, length: hugepagesz, flags: [MAP_PRIVATE, MAP_ANONYMOUS, MAP_HUGETLB]}
      - madvise: {addr: Q, length: hugepagesz, advice: MADV_SPLIT, on_error: skip}
      - print: never reached
`));
  t.equal(r.status, 'skip');
  t.equal(r.reason, 'MADV_SPLIT failed: Invalid argument');
  t.same(r.lines, [' !!! MADV_SPLIT failed: Invalid argument']);
  t.equal(r.departure, 'skip');
});

t.test('an errno nobody expected fails; an expected errno passes', async (t) => {
  const body = (expect: string): string => `tests:
  - name: t
    steps:
      - mmap: {as: Q, length: hugepagesz, flags: [MAP_PRIVATE, MAP_ANONYMOUS, MAP_HUGETLB]}
      - madvise: {addr: Q + 1, length: PAGE_SIZE, advice: MADV_DONTNEED${expect}}
`;
  const failed = only(run(body('')));
  t.equal(failed.status, 'fail');
  t.same(failed.lines, [' !!! MADV_DONTNEED failed: Invalid argument']);
  t.equal(only(run(body(', expect: {errno: EINVAL}'))).status, 'pass');
});

t.test('an expectation mismatch prints expected and actual side by side', async (t) => {
  const r = only(run(`tests:
  - name: t
    steps:
      - mmap: {as: Q, length: hugepagesz, flags: [MAP_PRIVATE, MAP_ANONYMOUS, MAP_HUGETLB]}
      - access: {addr: Q + 16, op: read, expect: {sigbus: BUS_MCEERR_AR, si_addr: Q + 16}}
`));
  t.equal(r.status, 'fail');
  t.same(r.lines, [' !!! line 8: access expected sigbus=BUS_MCEERR_AR si_addr=Q+0x10, got sigbus=none si_addr=-']);
});

t.test('an unexpected SIGBUS on access fails the test', async (t) => {
  const r = only(run(POISON.replace('expect: {sigbus: BUS_MCEERR_AR, si_addr: P + 9}', 'value: 1')));
  t.equal(r.status, 'fail');
  t.match(r.lines.at(-1), /^ !!! unexpected SIGBUS BUS_MCEERR_AR si_addr=P\+0x9/);
});

t.test('a failed state expectation lists each mismatch', async (t) => {
  const r = only(run(POISON.replace('HardwareCorrupted: +4 kB', 'HardwareCorrupted: +8 kB').replace('is: [2]', 'is: [2, 3]')));
  t.equal(r.status, 'fail');
  t.same(r.lines, [
    ' !!! line 13: raw_hwp_list(P+0x0): expected [2, 3], got [2]',
    ' !!! line 13: HardwareCorrupted: expected +8 kB, got +4 kB',
  ]);
});

t.test('verdicts: expected fail gives XFAIL, a pass gives XPASS', async (t) => {
  const failing = POISON.replace('is: [2]', 'is: [5]');
  const xf = only(run(failing, 'verdicts: {v6.1: {default: {result: fail, why: demo}}}\n'));
  t.equal(xf.outcome, 'xfail');
  t.equal(xf.why, 'demo');
  const xp = run(POISON, 'verdicts: {v6.1: {poison: fail}}\n');
  t.equal(only(xp).outcome, 'xpass');
  t.equal(xp.exitStatus, 1);
});

t.test('the judge table and stream exit status', async (t) => {
  t.same(judge('pass', 'skip'), { outcome: 'skip', departure: 'skip' });
  t.same(judge('skip', 'pass'), { outcome: 'pass', departure: 'unexpected-pass' });
  t.same(judge('fail', 'skip'), { outcome: 'skip', departure: 'skip' });
  t.equal(streamExitStatus([{ departure: 'none' }]), 0);
  t.equal(streamExitStatus([{ departure: 'skip' }]), 4);
  t.equal(streamExitStatus([{ departure: 'skip' }, { departure: 'unexpected-pass' }]), 1);
});

t.test('state carries over between tests like one boot', async (t) => {
  const s = run(POISON + `  - name: later
    steps:
      - expect: {HardwareCorrupted: 4 kB}
      - print: "HardwareCorrupted = {HardwareCorrupted} kB"
`);
  const later = s.tests[1];
  t.equal(later?.status, 'pass', later?.lines.join('\n') ?? '');
  t.same(later?.lines, [' ... HardwareCorrupted = 4 kB']);
  t.same(later?.summary, [], 'nothing mapped or poisoned in this test');
});

t.test('dump prints page-table runs, the folio and meminfo', async (t) => {
  const r = only(run(POISON.replace('      - expect:', '      - dump: {mapping: P, raw_hwp_list: P, meminfo: true}\n      - expect:')));
  t.equal(r.lines[0], '[P+0x000000, P+0x200000) PMD 2M hwpoison');
  t.equal(r.lines[1], '[P+0x200000, P+0x400000) PMD 2M present');
  t.match(r.lines[2], /^folio\(P\+0x0\): pfn 0x[0-9a-f]+ 2M .*hwpoison.* raw_hwp_list \[2\]$/);
  t.equal(r.lines[3], 'HardwareCorrupted:     4 kB');
});

t.test('an author error at run time comes back positioned', async (t) => {
  const r = runStream(load(HEAD + `tests:
  - name: t
    steps:
      - mmap: {as: Q, length: hugepagesz, flags: [MAP_PRIVATE, MAP_ANONYMOUS, MAP_HUGETLB]}
      - print: "{pfn(Q)}"
`), '2M', 'v6.1');
  t.equal(r.ok, false);
  if (!r.ok) t.match(r.errors[0], { code: 'NOT_ADDRESS', file: 's.yaml', line: 8, col: 18 });
});

t.test('a loop past the step budget is STEP_BUDGET', async (t) => {
  const r = runStream(load(HEAD + `tests:
  - name: t
    steps:
      - for: {k: 1 .. 2000000}
        do:
          - print: "{k}"
`), '2M', 'v6.1');
  t.equal(r.ok, false);
  if (!r.ok) t.match(r.errors[0], { code: 'STEP_BUDGET', line: 7 });
});

t.test('--test runs only the named tests', async (t) => {
  const r = runStream(load(HEAD + POISON + `  - name: other
    steps: [{print: hi}]
`), '2M', 'v6.1', { tests: ['other'] });
  t.same(r.ok ? r.result.tests.map((x) => x.name) : [], ['other']);
});

t.test('observe helpers', async (t) => {
  t.equal(sizeName(4096), '4K');
  t.equal(sizeName(3 * 1024 ** 3), '3G');
  t.equal(sizeName(100), '0x64');
  t.equal(mappedSizes([
    { start: 0, end: 1, size: 4096, kind: 'none', count: 1 },
    { start: 0, end: 1, size: 4096, kind: 'present', count: 1021 },
    { start: 0, end: 1, size: 4096, kind: 'hwpoison', count: 2 },
  ]), '4K x1021, hwpoison 4K x2, none 4K x1');
  t.same(meminfoLines({ HardwareCorrupted: 8, HugePages_Total: 8, HugePages_Free: 8, HugePages_Rsvd: 0, HugePages_Surp: 0, Hugepagesize: 2048, Hugetlb: 16384 }), [
    'HardwareCorrupted:     8 kB',
    'HugePages_Total:       8',
    'HugePages_Free:        8',
    'HugePages_Rsvd:        0',
    'HugePages_Surp:        0',
    'Hugepagesize:       2048 kB',
    'Hugetlb:           16384 kB',
  ]);
});

t.test('MADV_HWPOISON across a hugepage boundary notes both folios', async (t) => {
  // madvise_inject_error() steps by the compound page's size: one raw page per hugepage it starts in.
  const r = only(run(`tests:
  - name: across
    steps:
      - memfd_create: {as: fd, flags: [MFD_HUGETLB]}
      - ftruncate: {fd: fd, length: L}
      - mmap: {as: P, fd: fd, length: L, flags: [MAP_SHARED]}
      - memset: {addr: P, length: L, value: 7}
      - madvise: {addr: P + hugepagesz - PAGE_SIZE, length: hugepagesz + PAGE_SIZE, advice: MADV_HWPOISON}
`));
  t.equal(r.status, 'pass', r.lines.join('\n'));
  t.match(r.summary.at(-1), /raw_hwp_list\(P\+0x0\): \[511\] \| raw_hwp_list\(P\+0x200000\): \[511\] \| HardwareCorrupted: \+8 kB$/);
});

t.test('every bundled scenario keeps the model invariants after every step', async (t) => {
  const { readdirSync, readFileSync } = await import('node:fs');
  const dir = 'scenarios/mainline';
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.yaml')).sort()) {
    const loaded = loadScenario(`${dir}/${f}`, readFileSync(`${dir}/${f}`, 'utf8'));
    if (!loaded.scenario) throw new Error(`${f} does not load`);
    for (const size of loaded.scenario.kernel.hugepagesz) {
      const r = runStream(loaded.scenario, size, 'v6.1', { checkInvariants: true });
      t.ok(r.ok && r.result.exitStatus === 0, `${f} ${size}: runs clean with invariants checked`);
    }
  }
});
