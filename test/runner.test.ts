// The runner against the real kernel model: step outcomes, expectations, on_error, verdicts, summaries,
// runtime author errors, the step budget.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { runCli } from '../src/cli/main.js';
import { loadScenario } from '../src/scenario/load.js';
import type { Scenario } from '../src/scenario/types.js';
import { runStream } from '../src/runner/run.js';
import type { StreamResult, TestResult } from '../src/runner/results.js';
import { judge, streamExitStatus } from '../src/runner/verdict.js';
import { sizeName } from '../src/report/format.js';
import { KNOWN_DIFFERENCES_FILE } from '../src/report/index.js';
import { bytesText, callText, lossSigbusText, mappedSizes, meminfoLines, outputLines, poolLostText, returnText, signalRecordText, summaryLines } from '../src/report/observations.js';
import { lossTable, reasonOf, streamLines } from '../src/report/tap.js';
import type { ShowState } from '../src/runner/show-state.js';
import type { SignalEvent } from '../src/kernel/index.js';
import { renderShowText } from '../src/report/show-text.js';

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

/** A test's output, summary and reason as the TAP stream words them (without "# "). */
const lines = (r: TestResult | undefined): string[] => r?.output.flatMap(outputLines) ?? [];
const summary = (r: TestResult | undefined): string[] => (r === undefined ? [] : summaryLines(r.observations));
const reason = (r: TestResult | undefined): string | undefined => (r === undefined ? undefined : reasonOf(r));

const only = (s: StreamResult): TestResult => {
  const first = s.tests[0];
  if (!first) throw new Error('no test');
  return first;
};

/** Two hugepages of a shared file filled with 7, hugepage 0 poisoned at raw page 2. */
const POISON_SETUP = `      - memfd_create: {as: fd, flags: [MFD_HUGETLB]}
      - ftruncate: {fd: fd, length: L}
      - mmap: {as: P, fd: fd, length: L, flags: [MAP_SHARED]}
      - memset: {addr: P, length: L, value: 7}
      - madvise: {addr: P + 2 * PAGE_SIZE, length: PAGE_SIZE, advice: MADV_HWPOISON}
`;

const POISON = `tests:
  - name: poison
    steps:
${POISON_SETUP}      - access: {addr: P + 9, op: write, in_thread: new, expect: {sigbus: BUS_MCEERR_AR, si_addr: P + 9}}
      - expect:
          HardwareCorrupted: +4 kB
          raw_hwp_list: {of: P, is: [2]}
          bytes: {addr: P + hugepagesz, length: hugepagesz, value: 7}
          mapping: {at: P, size: 2M, kind: hwpoison}
`;

t.test('a poisoned hugepage: SIGBUS summary, mapped sizes, raw_hwp_list, HardwareCorrupted', async (t) => {
  const r = only(run(POISON));
  t.equal(r.status, 'pass', lines(r).join('\n'));
  t.same(summary(r), [
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
  t.equal(reason(r), 'MADV_SPLIT failed: Invalid argument');
  t.same(lines(r), [' !!! MADV_SPLIT failed: Invalid argument']);
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
  t.same(lines(failed), [' !!! MADV_DONTNEED failed: Invalid argument']);
  t.equal(only(run(body(', expect: {errno: EINVAL}'))).status, 'pass');
});

/** POISON's mapping and injection (hugepage 0 poisoned at raw page 2, hugepage 1 healthy), then `steps`. */
const checkRange = (steps: string): string => `tests:
  - name: check
    steps:
${POISON_SETUP}${steps}`;

t.test('check_range: every page reads its value and the listed loads SIGBUS; one -v line, work per entry', async (t) => {
  const r = only(run(checkRange(`      - check_range: {addr: P + hugepagesz, length: hugepagesz, value: 7}
      - check_range: {addr: P, length: hugepagesz, step: hugepagesz, value: 7, sigbus: [P], si_addr_lsb: 21}
`)));
  t.equal(r.status, 'pass', lines(r).join('\n'));
  const [healthy, poisoned] = r.steps.slice(-2);
  t.same(healthy && [callText(healthy), returnText(healthy.ret), healthy.signals.length],
    ['check_range(P+0x200000, 0x200000, 7)', '= 512 pages read, 0 SIGBUS, 0 departed', 0]);
  t.same(poisoned && [callText(poisoned), returnText(poisoned.ret), poisoned.signals.length],
    ['check_range(P+0x0, 0x200000, 7, step=0x200000, sigbus=[P+0x0] BUS_MCEERR_AR si_addr_lsb=21)', '= 1 pages read, 1 SIGBUS, 0 departed', 0],
    'its SIGBUS is counted on its one line');
  t.same(summary(r)[0], 'sigbus: 1 BUS_MCEERR_AR si_addr=P+0x0 si_addr_lsb=21');
  // 512 loads through one PMD entry cost what reading one entry costs, not 512 access steps.
  const all = run(checkRange(''));
  const spent = run(checkRange('      - check_range: {addr: P + hugepagesz, length: hugepagesz, value: 7}\n')).spent - all.spent;
  t.ok(spent > 0 && spent < 10, `charged ${spent} operations`);
});

t.test('check_range: sigbus_every expects a SIGBUS from every load; a load that reads departs', async (t) => {
  const r = only(run(checkRange('      - check_range: {addr: P, length: hugepagesz, value: 7, sigbus_every: true, si_addr_lsb: 21}\n')));
  t.equal(r.status, 'pass', lines(r).join('\n'));
  const last = r.steps[r.steps.length - 1];
  t.same(last && [callText(last), returnText(last.ret)],
    ['check_range(P+0x0, 0x200000, 7, sigbus=every BUS_MCEERR_AR si_addr_lsb=21)', '= 512 pages read, 512 SIGBUS, 0 departed']);
  const healthy = only(run(checkRange('      - check_range: {addr: P + hugepagesz, length: 2 * PAGE_SIZE, value: 7, sigbus_every: true}\n')));
  t.equal(healthy.status, 'fail');
  t.match(lines(healthy), [/2 of 2 pages depart: \[P\+0x200000 no SIGBUS, P\+0x201000 no SIGBUS\]$/]);
  t.throws(() => run(checkRange('      - check_range: {addr: P, length: hugepagesz, value: 7, sigbus_every: true, sigbus: [P]}\n')),
    /sigbus_every: true already names every load/);
});

t.test('check_range swaps for a loop of access steps: the same signals, the same summary', async (t) => {
  const loop = only(run(checkRange(`      - for: {i: 0 .. 7}
        do:
          - access: {addr: P + i * PAGE_SIZE, op: read, expect: {sigbus: BUS_MCEERR_AR, si_addr: P + i * PAGE_SIZE}}
`)));
  const range = only(run(checkRange(`      - check_range: {addr: P, length: 8 * PAGE_SIZE, value: 7, sigbus: [P, P + 4K, P + 8K, P + 12K, P + 16K, P + 20K, P + 24K, P + 28K]}
`)));
  t.equal(range.status, 'pass', lines(range).join('\n'));
  t.same(summary(range), summary(loop));
  t.same(range.observations, loop.observations);
  t.equal(range.steps.length, loop.steps.length - 7, 'one step for eight');
});

t.test('check_range: a value mismatch names the first pages and counts them all', async (t) => {
  const r = only(run(checkRange(`      - memset: {addr: P + hugepagesz + 0x3000, length: 5 * PAGE_SIZE, value: 9}
      - check_range: {addr: P + hugepagesz, length: hugepagesz, value: 7}
`)));
  t.equal(r.status, 'fail');
  t.same(lines(r), [' !!! line 13: check_range(P+0x200000, 0x200000, 7): 5 of 512 pages depart: ' +
    '[P+0x203000 read 9, P+0x204000 read 9, P+0x205000 read 9, … 2 more]']);
  t.match(reason(r), /^line 13: check_range\(P\+0x200000, 0x200000, 7\): 5 of 512 pages depart/);
  t.equal(r.failedAt?.line, 13);
});

t.test('check_range: an unexpected SIGBUS departs; with exit_thread the loop stops where the thread went', async (t) => {
  const r = only(run(checkRange(`      - check_range: {addr: P + PAGE_SIZE, length: 3 * PAGE_SIZE, value: 7}
`)));
  t.equal(r.status, 'fail');
  t.same(lines(r), [' !!! line 12: check_range(P+0x1000, 0x3000, 7): 3 of 3 pages depart: [' +
    'P+0x1000 SIGBUS BUS_MCEERR_AR si_addr=P+0x1000 si_addr_lsb=21, P+0x2000 SIGBUS BUS_MCEERR_AR si_addr=P+0x2000 si_addr_lsb=21, ' +
    'P+0x3000 SIGBUS BUS_MCEERR_AR si_addr=P+0x3000 si_addr_lsb=21]']);
  t.same(summary(r)[0], 'sigbus: 3 BUS_MCEERR_AR si_addr=P+0x1000 si_addr_lsb=21, si_addr=P+0x2000 si_addr_lsb=21, si_addr=P+0x3000 si_addr_lsb=21');
  const gone = only(run(checkRange(`      - sigaction: {SIGBUS: exit_thread}
      - check_range: {addr: P, length: 4 * PAGE_SIZE, value: 7}
`)));
  t.same(lines(gone), [' !!! line 13: check_range(P+0x0, 0x4000, 7): 1 of 4 pages depart: ' +
    '[P+0x0 SIGBUS BUS_MCEERR_AR si_addr=P+0x0 si_addr_lsb=21]; stopped after 1 of 4 pages at P+0x0 (the acting thread is gone)']);
  const wrongCode = only(run(checkRange(`      - check_range: {addr: P, length: PAGE_SIZE, value: 7, sigbus: [P], si_code: BUS_ADRERR}
`)));
  t.match(lines(wrongCode)[0], /1 of 1 pages depart: \[P\+0x0 SIGBUS BUS_MCEERR_AR si_addr=P\+0x0 si_addr_lsb=21\]$/, 'a listed load with another si_code departs');
});

t.test('check_range: a listed load that reads departs as "no SIGBUS"', async (t) => {
  const r = only(run(checkRange(`      - check_range: {addr: P + hugepagesz, length: hugepagesz, value: 7, sigbus: [P + hugepagesz + 0x5000]}
`)));
  t.equal(r.status, 'fail');
  t.same(lines(r), [' !!! line 12: check_range(P+0x200000, 0x200000, 7, sigbus=[P+0x205000] BUS_MCEERR_AR): 1 of 512 pages depart: [P+0x205000 no SIGBUS]']);
});

t.test('check_range: bad input is an author error, positioned, exit 65', async (t) => {
  const notALoad = runStream(load(HEAD + checkRange('      - check_range: {addr: P, length: hugepagesz, value: 7, sigbus: [P + 0x10]}\n')), '2M', 'v6.1');
  t.match(notALoad, { ok: false, errors: [{ code: 'BAD_VALUE', line: 12, col: 71, message: 'P+0x10 is not one of the loads (P+0x0 + k * 0x1000, below P+0x200000)' }] });
  const zero = runStream(load(HEAD + checkRange('      - check_range: {addr: P, length: hugepagesz, value: 7, step: P - P}\n')), '2M', 'v6.1');
  t.match(zero, { ok: false, errors: [{ code: 'OUT_OF_RANGE', line: 12, message: 'step must be at least 1 byte' }] });
  const known = loadScenario('s.yaml', HEAD + checkRange('      - check_range: {addr: P, length: hugepagesz, value: 7, step: 2 - 2}\n'));
  t.match(known.errors, [{ code: 'OUT_OF_RANGE', line: 12, col: 68, message: 'step must be at least 1 byte' }], 'a step known to be 0 fails validate');
  const dir = mkdtempSync(join(tmpdir(), 'hgmsim-range-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'x.yaml'), HEAD + checkRange('      - check_range: {addr: P, length: hugepagesz, valu: 7}\n'));
  const err: string[] = [];
  const code = await runCli(['run', 'x.yaml'], { cwd: dir, env: {}, out: () => undefined, err: (s) => err.push(s) });
  t.equal(code, 65);
  t.match(err.join(''), /^x\.yaml:12:22: MISSING_FIELD missing field "value"/m);
  t.match(err.join(''), /^x\.yaml:12:52: UNKNOWN_FIELD unknown field "valu" in "check_range" \(did you mean "value"\?\)/m);
});

t.test('an expectation mismatch prints expected and actual side by side', async (t) => {
  const r = only(run(`tests:
  - name: t
    steps:
      - mmap: {as: Q, length: hugepagesz, flags: [MAP_PRIVATE, MAP_ANONYMOUS, MAP_HUGETLB]}
      - access: {addr: Q + 16, op: read, expect: {sigbus: BUS_MCEERR_AR, si_addr: Q + 16}}
`));
  t.equal(r.status, 'fail');
  t.same(lines(r), [' !!! line 8: access expected sigbus=BUS_MCEERR_AR si_addr=Q+0x10, got sigbus=none si_addr=-']);
});

t.test('an unexpected SIGBUS on access fails the test', async (t) => {
  const r = only(run(POISON.replace('expect: {sigbus: BUS_MCEERR_AR, si_addr: P + 9}', 'value: 1')));
  t.equal(r.status, 'fail');
  t.match(lines(r).at(-1), /^ !!! unexpected SIGBUS BUS_MCEERR_AR si_addr=P\+0x9/);
});

t.test('a failed state expectation lists each mismatch', async (t) => {
  const r = only(run(POISON.replace('HardwareCorrupted: +4 kB', 'HardwareCorrupted: +8 kB').replace('is: [2]', 'is: [2, 3]')));
  t.equal(r.status, 'fail');
  t.same(lines(r), [
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
  t.equal(later?.status, 'pass', lines(later).join('\n'));
  t.same(lines(later), [' ... HardwareCorrupted = 4 kB']);
  t.same(summary(later), [], 'nothing mapped or poisoned in this test');
});

t.test('dump prints page-table runs, the folio and meminfo', async (t) => {
  const r = only(run(POISON.replace('      - expect:', '      - dump: {mapping: P, raw_hwp_list: P, meminfo: true}\n      - expect:')));
  t.equal(lines(r)[0], '[P+0x000000, P+0x200000) PMD 2M hwpoison');
  t.equal(lines(r)[1], '[P+0x200000, P+0x400000) PMD 2M present');
  t.match(lines(r)[2], /^folio\(P\+0x0\): pfn 0x[0-9a-f]+ 2M .*hwpoison.* raw_hwp_list \[2\]$/);
  t.equal(lines(r)[3], 'HardwareCorrupted:     4 kB');
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
  // The body step that crosses the budget is where the error points.
  if (!r.ok) t.match(r.errors[0], { code: 'STEP_BUDGET', line: 9 });
  const empty = runStream(load(HEAD + `tests:
  - name: t
    steps:
      - for: {k: 1 .. 2000000}
        do: []
`), '2M', 'v6.1');
  t.match(empty, { ok: false, errors: [{ code: 'STEP_BUDGET', line: 7 }] }, 'an empty body costs one operation per iteration');
});

t.test('--test runs only the named tests', async (t) => {
  const r = runStream(load(HEAD + POISON + `  - name: other
    steps: [{print: hi}]
`), '2M', 'v6.1', { tests: ['other'] });
  t.same(r.ok ? r.result.tests.map((x) => x.name) : [], ['other']);
});

t.test('summary words: sizes, mapped sizes, meminfo', async (t) => {
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
  t.equal(r.status, 'pass', lines(r).join('\n'));
  t.match(summary(r).at(-1), /raw_hwp_list\(P\+0x0\): \[511\] \| raw_hwp_list\(P\+0x200000\): \[511\] \| HardwareCorrupted: \+8 kB$/);
});

t.test('every bundled scenario keeps the model invariants after every step, under every profile it names', async (t) => {
  const { readdirSync, readFileSync } = await import('node:fs');
  // The known differences beside the mainline goldens are not a scenario (src/cli/files.ts leaves them out too).
  const files = readdirSync('scenarios', { recursive: true, encoding: 'utf8' }).filter((n) => n.endsWith('.yaml') && !n.endsWith(`/${KNOWN_DIFFERENCES_FILE}`)).sort();
  t.ok(files.length >= 11);
  for (const f of files) {
    const path = `scenarios/${f}`;
    const loaded = loadScenario(path, readFileSync(path, 'utf8'));
    if (!loaded.scenario) throw new Error(`${f} does not load`);
    const profiles = new Set([loaded.scenario.kernel.profile, ...loaded.scenario.verdicts.keys()]);
    for (const profile of profiles) {
      for (const size of loaded.scenario.kernel.hugepagesz) {
        // Checking every invariant after each of the 524,288 probes of the 1 GiB marker test would take
        // minutes; that test is checked at 2 MiB, and its 1 GiB run is covered by the goldens.
        const tests = size === '1G' ? loaded.scenario.tests.map((x) => x.name).filter((n) => !n.includes('UFFD-WP marker')) : undefined;
        const r = runStream(loaded.scenario, size, profile, { checkInvariants: true, ...(tests ? { tests } : {}) });
        t.ok(r.ok && r.result.exitStatus === 0, `${f} ${size} ${profile}: runs clean with invariants checked`);
      }
    }
  }
});

// --- processes, threads, signals, injectors, file I/O, userfaultfd (v6.1 in full) ---

const SHARED = `      - memfd_create: {as: fd, flags: [MFD_HUGETLB]}
      - ftruncate: {fd: fd, length: L}
      - mmap: {as: P, fd: fd, length: L, flags: [MAP_SHARED]}
      - memset: {addr: P, length: L, value: 1}
`;
const test = (steps: string, name = 't'): string => `tests:\n  - name: ${name}\n    steps:\n${SHARED}${steps}`;

t.test('processes: early kill sends AO to a forked child, whose default action kills it', async (t) => {
  const r = only(run(test(`      - fork: {as: C}
      - access: {in: C, addr: P, op: read, expect: {value: 1}}
      - prctl: {in: C, PR_MCE_KILL: PR_MCE_KILL_EARLY}
      - sigaction: {in: C, SIGBUS: default}
      - madvise: {addr: P + 0x3000, length: PAGE_SIZE, advice: MADV_HWPOISON}
      - expect:
          signals: {C: [{sigbus: BUS_MCEERR_AO, si_addr: P, si_addr_lsb: 21}], main: []}
          dead: [C]
          alive: [main]
      - print: "child {C} is gone"
      - access: {in: C, addr: P + hugepagesz, op: read}
      - print: never reached
`)));
  t.equal(r.status, 'fail');
  t.equal(reason(r), 'process C is dead');
  t.match(lines(r), [/^ \.\.\. child \d+ is gone$/, ' !!! process C is dead']);
  t.same(summary(r).slice(0, 2), ['sigbus C: 1 BUS_MCEERR_AO si_addr=P+0x0 si_addr_lsb=21', 'killed: C by SIGBUS BUS_MCEERR_AO']);
  t.match(r.steps.map(callText), [/^memfd/, /^ftruncate/, /^mmap/, /^memset/, 'fork()', '[C] access(P+0x0, read)', /^\[C\] prctl\(PR_MCE_KILL, PR_MCE_KILL_SET, PR_MCE_KILL_EARLY\)/, '[C] sigaction(SIGBUS, default)']);
  t.match(r.steps[8]?.signals.map(signalRecordText), [/^SIGBUS BUS_MCEERR_AO si_addr=P\+0x0 si_addr_lsb=21 to C \d+\/\d+ \(queued, killed\)$/]);
});

t.test('expect signals: a mismatch shows both lists with the fields the expectation names', async (t) => {
  const r = only(run(test(`      - fork: {as: C}
      - access: {in: C, addr: P, op: read}
      - sysctl: {name: vm.memory_failure_early_kill, value: 1}
      - madvise: {addr: P, length: PAGE_SIZE, advice: MADV_HWPOISON}
      - expect: {signals: {C: [{sigbus: BUS_MCEERR_AR}, {sigkill: true}], main: []}, alive: [C], dead: [main]}
`)));
  t.equal(r.status, 'fail');
  t.same(lines(r), [
    ' !!! line 15: signals C: expected [BUS_MCEERR_AR, SIGKILL], got [BUS_MCEERR_AO]',
    ' !!! line 15: signals main: expected [], got [BUS_MCEERR_AO si_addr=P+0x0 si_addr_lsb=21]',
    ' !!! line 15: process main: expected dead, got alive',
  ]);
  t.same(summary(r).slice(0, 2), [
    'sigbus: 1 BUS_MCEERR_AO si_addr=P+0x0 si_addr_lsb=21',
    'sigbus C: 1 BUS_MCEERR_AO si_addr=P+0x0 si_addr_lsb=21',
  ], 'early kill reaches both mappers; the record handler keeps them alive');
});

t.test('processes: main killed by an AR under the default action; observers still run', async (t) => {
  const r = only(run(test(`      - sigaction: {SIGBUS: default}
      - madvise: {addr: P, length: PAGE_SIZE, advice: MADV_HWPOISON}
      - access: {addr: P + 1, op: read, expect: {sigbus: BUS_MCEERR_AR}}
      - expect: {dead: [main], signals: {main: [{sigbus: BUS_MCEERR_AR, si_addr: P + 1}]}, HardwareCorrupted: +4 kB}
      - print: still printing
      - expect: {mapping: {at: P, kind: hwpoison}}
`)));
  t.equal(r.status, 'fail');
  t.same(lines(r), [' ... still printing', ' !!! process main is dead']);
  t.same(summary(r), [
    'sigbus: 1 BUS_MCEERR_AR si_addr=P+0x1 si_addr_lsb=21',
    'killed: main by SIGBUS BUS_MCEERR_AR',
    'raw_hwp_list(P+0x0): [0] | HardwareCorrupted: +4 kB',
  ], 'no mapped line for a dead process; the folio as last seen');
});

t.test('threads: sigaction exit_thread ends the thread that took the AR; the process lives on', async (t) => {
  const r = only(run(test(`      - thread: {as: T}
      - sigaction: {SIGBUS: exit_thread}
      - mce: {in: T, addr: P + 0x3000, expect: {sigbus: BUS_MCEERR_AR}}
      - expect: {alive: [main], signals: {main: [{sigbus: BUS_MCEERR_AR, si_addr_lsb: 21}]}, raw_hwp_list: {of: P, is: [3]}}
      - access: {in: main.T, addr: P + hugepagesz, op: read}
`)));
  t.equal(r.status, 'fail');
  t.same(lines(r), [' !!! thread main.T is dead']);
  t.match(r.steps.find((st) => callText(st).startsWith('[main.T] mce('))?.signals.map(signalRecordText), [/\(forced, thread-exited\)$/]);
  t.match(summary(r).at(-1), /raw_hwp_list\(P\+0x0\): \[3\] \| HardwareCorrupted: \+4 kB$/, 'mce notes the folio it poisoned');
});

t.test('userfaultfd: a MISSING fault blocks; read(uffd) returns the PAGEFAULT, then EAGAIN', async (t) => {
  const steps = (expectBlocked: string): string => `tests:
  - name: t
    steps:
      - memfd_create: {as: fd, flags: [MFD_HUGETLB]}
      - ftruncate: {fd: fd, length: L}
      - mmap: {as: P, fd: fd, length: L, flags: [MAP_SHARED]}
      - userfaultfd: {as: uffd, features: [EVENT_FORK, MISSING_HUGETLBFS, MINOR_HUGETLBFS]}
      - uffdio_register: {uffd: uffd, addr: P, length: L, mode: [MISSING]}
      - access: {addr: P + 5, op: read, in_thread: new${expectBlocked}}
      - uffd_read: {uffd: uffd, as: A, expect: {ret: 32, event: PAGEFAULT, address: P}}
      - print: "fault at {A}"
      - uffd_read: {uffd: uffd, expect: {errno: EAGAIN}}
      - uffdio_unregister: {uffd: uffd, addr: P, length: L}
`;
  const ok = only(run(steps(', expect: {blocked: true}')));
  t.equal(ok.status, 'pass', lines(ok).join('\n'));
  t.match(lines(ok), [/^ \.\.\. fault at 0x[0-9a-f]+$/]);
  t.match(ok.steps.map((s) => `${callText(s)} ${returnText(s.ret)}`), [
    /^memfd/, /^ftruncate/, /^mmap/,
    /^userfaultfd\(O_CLOEXEC\|O_NONBLOCK\) = \d+; ioctl\(\d+, UFFDIO_API, EVENT_FORK\|MISSING_HUGETLBFS\|MINOR_HUGETLBFS\) = \d+$/,
    /^ioctl\(UFFDIO_REGISTER, \d+, P\+0x0, 0x400000, MISSING\) = 0$/,
    /^access\(P\+0x5, read\) in new thread \d+ blocked on userfaultfd \d+$/,
    /^read\(\d+, &msg, 32\): PAGEFAULT P\+0x0 = 32$/,
    'print ',
    /^read\(\d+, &msg, 32\) = -1 EAGAIN/,
    /^ioctl\(UFFDIO_UNREGISTER/,
  ]);
  const blocked = only(run(steps('')));
  t.equal(blocked.status, 'fail');
  t.match(lines(blocked), [/^ !!! blocked: access waits on userfaultfd \d+ \(line 12\)$/]);
});

t.test('userfaultfd: a feature this kernel does not offer fails UFFDIO_API', async (t) => {
  // The loader refuses a feature no profile offers (WP_UNPOPULATED); one that only other profiles offer
  // reaches the kernel, which answers EINVAL. No profile differs today, so the AST is edited to get there.
  const s = load(`${HEAD}tests:
  - name: t
    steps:
      - userfaultfd: {as: uffd, features: [SIGBUS], on_error: skip}
`);
  const test = s.tests[0];
  const step = test?.steps[0];
  if (!test || step?.kind !== 'call' || step.op !== 'userfaultfd') throw new Error('a userfaultfd step');
  const edited: Scenario = { ...s, tests: [{ ...test, steps: [{ ...step, args: { ...step.args, features: ['WP_UNPOPULATED'] } }] }] };
  const stream = runStream(edited, '2M', 'v6.1', { checkInvariants: true });
  if (!stream.ok) throw new Error(stream.errors.map((e) => e.message).join('\n'));
  const r = only(stream.result);
  t.equal(r.status, 'skip');
  t.same(lines(r), [' !!! UFFDIO_API failed: Invalid argument']);
});

t.test('userfaultfd: MINOR registration, UFFDIO_CONTINUE and UFFDIO_WRITEPROTECT', async (t) => {
  const r = only(run(test(`      - mmap: {as: S, fd: fd, length: L, flags: [MAP_SHARED]}
      - userfaultfd: {as: uffd, features: [MINOR_HUGETLBFS, WP_HUGETLBFS_SHMEM]}
      - uffdio_register: {uffd: uffd, addr: S, length: L, mode: [MINOR, WP]}
      - uffdio_continue: {uffd: uffd, addr: S, length: hugepagesz}
      - uffdio_writeprotect: {uffd: uffd, addr: S, length: hugepagesz, wp: true}
      - expect:
          mapping: {at: S, kind: present, uffd_wp: true}
          pagemap: {at: S + 0x1000, present: true, uffd_wp: true, pfn: pfn(P) + 1}
          smaps: {at: S, Shared_Hugetlb: 2048 kB, Private_Hugetlb: 0 kB}
      - uffdio_continue: {uffd: uffd, addr: S + 1, length: hugepagesz, expect: {errno: EINVAL}}
`)));
  t.equal(r.status, 'pass', lines(r).join('\n'));
  t.match(r.steps.find((s) => s.call.includes('WRITEPROTECT'))?.call, /^ioctl\(UFFDIO_WRITEPROTECT, \d+, S\+0x0, 0x200000, MODE_WP\)$/);
});

t.test('file I/O: pread of a poisoned hugepage is EIO, the next one reads; pwrite is EINVAL; punch hole', async (t) => {
  const r = only(run(test(`      - madvise: {addr: P, length: PAGE_SIZE, advice: MADV_HWPOISON}
      - pread: {fd: fd, length: PAGE_SIZE, offset: 0x1000, expect: {errno: EIO}}
      - pread: {fd: fd, length: PAGE_SIZE, offset: hugepagesz, expect: {ret: 4096}}
      - read: {fd: fd, length: 100, expect: {errno: EIO}}
      - pwrite: {fd: fd, length: 1, offset: 0, expect: {errno: EINVAL}}
      - munmap: {addr: P, length: L}
      - fallocate: {fd: fd, mode: [FALLOC_FL_PUNCH_HOLE, FALLOC_FL_KEEP_SIZE], offset: hugepagesz, length: hugepagesz}
      - expect: {pool: {free: 3}}
      - pread: {fd: fd, length: PAGE_SIZE, offset: 0}
`)));
  t.equal(r.status, 'fail');
  t.same(lines(r), [' !!! pread failed: Input/output error']);
  t.match(r.steps.map((s) => s.call), [/^memfd/, /^ftruncate/, /^mmap/, /^memset/, /^madvise/, 'pread(3, buf, 0x1000, 0x1000)', /^pread/, 'read(3, buf, 0x64)', 'pwrite(3, buf, 0x1, 0x0)', /^munmap/, 'fallocate(3, FALLOC_FL_PUNCH_HOLE|FALLOC_FL_KEEP_SIZE, 0x200000, 0x200000)', 'expect', /^pread/]);
});

t.test('injectors: corrupt-pfn, hard_offline_page and pfn_of', async (t) => {
  const r = only(run(test(`      - corrupt_pfn: {pfn: pfn(P + 0x3000)}
      - pfn_of: {as: F, fd: fd, offset: hugepagesz}
      - hard_offline_page: {phys: F * PAGE_SIZE + 0x5000}
      - pfn_of: {as: G, free_hugepage: 0}
      - print: "free hugepage {G:x}"
      - corrupt_pfn: {pfn: G}
      - expect: {HardwareCorrupted: +12 kB, raw_hwp_list: {of: P + hugepagesz, is: [5]}}
      - pfn_of: {as: X, free_hugepage: 100}
      - print: never reached
`)));
  t.equal(r.status, 'fail');
  t.match(lines(r), [/^ \.\.\. free hugepage 0x[0-9a-f]+$/, ' !!! pfn_of: no page']);
  t.equal(summary(r).at(-1), 'mapped P: hwpoison 2M x2 | raw_hwp_list(P+0x0): [3] | raw_hwp_list(P+0x200000): [5] | HardwareCorrupted: +12 kB');
  t.match(r.steps.map((s) => `${callText(s)} ${returnText(s.ret)}`), [/^memfd/, /^ftruncate/, /^mmap/, /^memset/, /^echo 0x[0-9a-f]+ > corrupt-pfn = 8$/, /^pfn_of\(fd 3, 0x200000\) = 0x[0-9a-f]+ $/, /^echo 0x[0-9a-f]+5000 > hard_offline_page = 11$/, /^pfn_of\(free hugepage 0\)/, 'print ', /corrupt-pfn/, 'expect ok', 'pfn_of(free hugepage 100) = none pfn_of: no page']);
});

t.test('sysctl, nr_hugepages, sigprocmask and spawn', async (t) => {
  const r = only(run(`tests:
  - name: t
    steps:
      - nr_hugepages: {count: 6}
      - expect: {pool: {total: 6, free: 6}}
      - sysctl: {name: vm.nr_hugepages, value: 5}
      - expect: {pool: {total: 5}}
      - nr_hugepages: {count: 1, size: 1G}
      - sigprocmask: {block: [SIGBUS]}
      - sigprocmask: {unblock: [SIGBUS]}
      - sysctl: {name: vm.memory_failure_recovery, value: 1}
      - spawn: {as: Q}
      - memfd_create: {as: fd, in: Q, flags: [MFD_HUGETLB]}
      - ftruncate: {fd: fd, length: hugepagesz}
      - mmap: {as: R, in: Q, fd: fd, length: hugepagesz, flags: [MAP_SHARED]}
      - expect: {in: Q, mapping: {at: R, kind: none}}
      - print: "spawned {Q}"
`));
  t.equal(r.status, 'fail', 'the fd belongs to Q, not main');
  t.same(lines(r), [' !!! ftruncate failed: Bad file descriptor']);
  t.match(r.steps.map(callText), [
    'echo 6 > /sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages', 'expect', 'sysctl vm.nr_hugepages=5', 'expect',
    'echo 1 > /sys/kernel/mm/hugepages/hugepages-1048576kB/nr_hugepages', 'sigprocmask(SIG_BLOCK, {SIGBUS})',
    'sigprocmask(SIG_UNBLOCK, {SIGBUS})', 'sysctl vm.memory_failure_recovery=1', 'spawn()', /^\[Q\] memfd_create/, /^ftruncate/,
  ]);
});

t.test('processes a test forked or spawned do not outlive it', async (t) => {
  const s = run(`tests:
  - name: first
    steps:
      - fork: {as: C}
      - mmap: {as: A, in: C, length: hugepagesz, flags: [MAP_PRIVATE, MAP_ANONYMOUS, MAP_HUGETLB]}
      - memset: {in: C, addr: A, length: hugepagesz, value: 1}
      - spawn: {as: Q}
      - mmap: {as: B, in: Q, length: hugepagesz, flags: [MAP_PRIVATE, MAP_ANONYMOUS, MAP_HUGETLB]}
      - memset: {in: Q, addr: B, length: hugepagesz, value: 1}
      - expect: {pool: {free: 2}}
  - name: second
    steps:
      - expect: {pool: {free: 4}}
`);
  t.same(s.tests.map((x) => x.status), ['pass', 'pass'], s.tests.flatMap((x) => lines(x)).join('\n'));
  t.same(summary(s.tests[0]), ['mapped A: 2M x1 | mapped B: 2M x1 | HardwareCorrupted: +0 kB']);
});

t.test('mf_stats: none on v6.1', async (t) => {
  const r = only(run(`tests:
  - name: t
    steps:
      - expect: {mf_stats: {total: "+0"}}
`));
  t.same(lines(r), [' !!! line 7: mf_stats: expected per-node memory_failure stats, got none on this kernel']);
});

t.test('a 2 MiB shared mapping over a PUD-aligned 1 GiB range is UNSUPPORTED (huge_pmd_share)', async (t) => {
  const r = runStream(load(HEAD + `tests:
  - name: t
    steps:
      - memfd_create: {as: fd, flags: [MFD_HUGETLB]}
      - ftruncate: {fd: fd, length: 2G}
      - mmap: {as: P, fd: fd, length: 2G, flags: [MAP_SHARED, MAP_NORESERVE]}
`), '2M', 'v6.1');
  t.equal(r.ok, false);
  if (!r.ok) t.match(r.errors[0], { code: 'UNSUPPORTED', line: 9, col: 9, message: /huge_pmd_share/ });
});

t.test('fork with UFFD_FEATURE_EVENT_FORK: blocked until a reader takes the FORK message', async (t) => {
  const body = (fork: string): string => `tests:
  - name: fork
    steps:
      - memfd_create: {as: fd, flags: [MFD_HUGETLB]}
      - ftruncate: {fd: fd, length: L}
      - mmap: {as: P, fd: fd, length: L, flags: [MAP_SHARED]}
      - userfaultfd: {as: uffd, features: [EVENT_FORK, SIGBUS]}
      - uffdio_register: {uffd: uffd, addr: P, length: L, mode: [WP]}
      - ${fork}
`;
  const blocked = only(run(body('fork: {as: C}')));
  t.equal(blocked.status, 'fail');
  t.match(lines(blocked), [/^ !!! blocked: fork waits on userfaultfd \d+ \(line 12\)$/]);
  t.equal(only(run(body('fork: {as: C, expect: {blocked: true}}'))).status, 'pass');
  t.equal(only(run(body('fork: {as: C, reader: uffd}'))).status, 'pass');
});

// --- loss: what a process lost, side by side -------------------------------------------------------------

/** The compare workload, shortened: one raw page of hugepage 0 poisoned, every page read, the file released. */
const LOSS = `scenario: s
kernel: {profile: v6.1, hugepagesz: [2M], nr_hugepages: 4}
let: {H: hugepagesz, L: 2 * H}
tests:
  - name: loss
    steps:
      - memfd_create: {as: fd, flags: [MFD_HUGETLB], when: {profile: [v6.1, hgm-rfc]}}
      - memfd_create: {as: fd, flags: [MFD_HUGETLB, MFD_MF_KEEP_UE_MAPPED], when: {profile: [mfr]}}
      - ftruncate: {fd: fd, length: L}
      - mmap: {as: P, fd: fd, length: L, flags: [MAP_SHARED]}
      - memset: {addr: P, length: L, value: 7}
      - madvise: {addr: P + 0x2000, length: PAGE_SIZE, advice: MADV_HWPOISON}
      - check_range: {addr: P, length: H, value: 7, sigbus_every: true, when: {profile: [v6.1]}}
      - check_range: {addr: P, length: H, value: 7, sigbus: [P + 0x2000], when: {profile: [hgm-rfc]}}
      - check_range: {addr: P, length: H, value: 7, when: {profile: [mfr]}}
      - loss: {mapping: P, length: L}
      - print: "after the loss step"
      - munmap: {addr: P, length: L}
      - ftruncate: {fd: fd, length: 0}
      - close: {fd: fd}
`;

t.test('loss: the model works out what the process lost, per kernel', async (t) => {
  const lossOf = (profile: 'v6.1' | 'hgm-rfc' | 'mfr') => {
    const r = runStream(load(LOSS), '2M', profile, { checkInvariants: true });
    if (!r.ok) throw new Error(r.errors.map((e) => e.message).join('\n'));
    const test = only(r.result);
    t.equal(test.status, 'pass', `${profile}: ${lines(test).join('\n')}`);
    const rec = test.output[test.output.length - 1];
    t.equal(rec?.kind, 'loss', `${profile}: the loss record comes last, when the test ended`);
    return rec?.kind === 'loss' ? rec.loss : undefined;
  };
  const MiB = 2 ** 20;
  // v6.1: the whole hugepage unmapped, a SIGBUS per page read, the folio held by memory_failure.
  t.same(lossOf('v6.1'), { at: { addr: lossOf('v6.1')?.at.addr, mapping: { name: 'P', offset: 0 } }, length: 4 * MiB,
    unmapped: 2 * MiB, readable: 2 * MiB, sigbus: [{ lsb: 21, count: 512 }], poolLost: 1, dissolved: 0 });
  // hgm-rfc: only the raw page unmapped.
  t.match(lossOf('hgm-rfc'), { unmapped: 4096, readable: 4 * MiB - 4096, sigbus: [{ lsb: 21, count: 1 }], poolLost: 1, dissolved: 0 });
  // mfr: nothing unmapped, the AR of MADV_HWPOISON with lsb 12, the hugepage dissolved at truncate.
  t.match(lossOf('mfr'), { unmapped: 0, readable: 4 * MiB, sigbus: [{ lsb: 12, count: 1 }], poolLost: 1, dissolved: 1 });
});

t.test('loss: its line and the table of several profiles', async (t) => {
  const streams = (['v6.1', 'mfr'] as const).map((p) => {
    const r = runStream(load(LOSS), '2M', p, {});
    if (!r.ok) throw new Error('run failed');
    return r.result;
  });
  t.same(lines(only(streams[0]!)).slice(-2), [' ... after the loss step', 'loss(P+0x0, 4M): unmapped 2M, readable 2M, sigbus 512 (lsb 21), hugepages lost 1 held']);
  t.same(lines(only(streams[1]!)).slice(-1), ['loss(P+0x0, 4M): unmapped 0, readable 4M, sigbus 1 (lsb 12), hugepages lost 1 dissolved']);
  t.same(lossTable(streams), [
    '# loss per profile (loss: steps; unmapped and readable: bytes of the range; sigbus: count (si_addr_lsb); hugepages lost to the pool)',
    '# test        profile  unmapped  readable  sigbus        hugepages lost',
    '# s 2M: loss  v6.1     2M        2M        512 (lsb 21)  1 held',
    '# s 2M: loss  mfr      0         4M        1 (lsb 12)    1 dissolved',
  ]);
  t.same(lossTable([run('tests:\n  - name: none\n    steps:\n      - print: hi\n')]), [], 'no loss step, no table');
  t.same([0, 4096, 2 * 2 ** 20, 4 * 2 ** 20 - 4096, 2 ** 31 - 32768, 2 ** 20 + 4096].map(bytesText), ['0', '4K', '2M', '4M-4K', '2G-32K', '1028K']);
  t.same([{ poolLost: 0, dissolved: 0 }, { poolLost: 2, dissolved: 1 }].map(poolLostText), ['0', '2: 1 dissolved, 1 held']);
  t.same(lossSigbusText([{ lsb: 12, count: 1 }, { lsb: 21, count: 8 }]), '9 (lsb 12 x1, lsb 21 x8)');
  t.same(lossSigbusText([]), '0');
});

// --- kernel.switches and kernel.faults -----------------------------------------------------------------

const runAs = (text: string, profile: 'v6.1' | 'hgm-v2' | 'hgm-rfc'): StreamResult => {
  const r = runStream(load(text), '2M', profile, { checkInvariants: true });
  if (!r.ok) throw new Error(r.errors.map((e) => e.message).join('\n'));
  return r.result;
};

t.test('kernel.switches: an override that differs from the profile is in the result and the TAP header', async (t) => {
  const text = `scenario: s
kernel: {profile: hgm-rfc, nr_hugepages: 2, switches: {rfc_posted_split_walk_from_head: false, hgm: true}}
tests: []
`;
  const rfc = runAs(text, 'hgm-rfc');
  // hgm: true is hgm-rfc's default, so only the other override is reported.
  t.same(rfc.switches, [{ name: 'rfc_posted_split_walk_from_head', value: false }]);
  const header = streamLines(rfc).slice(0, 3);
  t.same(header, ['TAP version 13', '# hgmsim s 2M, profile hgm-rfc', '# switches: rfc_posted_split_walk_from_head=false']);
  // The same file under v6.1: rfc_posted_split_walk_from_head=false is v6.1's default, hgm=true is not.
  t.same(runAs(text, 'v6.1').switches, [{ name: 'hgm', value: true }]);
  // No overrides: no switches line.
  const plain = runAs('scenario: s\nkernel: {profile: hgm-rfc, nr_hugepages: 2}\ntests: []\n', 'hgm-rfc');
  t.same(plain.switches, []);
  t.notOk(streamLines(plain).some((l) => l.startsWith('# switches:')));
});

/** Step lines: a one-hugepage hugetlbfs file, mapped shared at P. */
const MAPPED_FILE = `      - memfd_create: {as: fd, flags: [MFD_HUGETLB]}
      - ftruncate: {fd: fd, length: hugepagesz}
      - mmap: {as: P, fd: fd, length: hugepagesz, flags: [MAP_SHARED]}
`;

t.test('a kernel BUG ends its thread: not ok … # kernel BUG, or expected with expect: {bug}; mf_mutex stays held', async (t) => {
  const text = (expect: string): string => `scenario: s
kernel: {profile: hgm-rfc, hugepagesz: [1G], nr_hugepages: 4}
tests:
  - name: bug
    steps:
      - memfd_create: {as: fd, flags: [MFD_HUGETLB]}
      - ftruncate: {fd: fd, length: 2 * hugepagesz}
      - mmap: {as: P, fd: fd, length: 2 * hugepagesz, flags: [MAP_SHARED]}
      - memset: {addr: P, length: 2 * hugepagesz, value: 1}
      - madvise: {addr: P + 24 * 2M, length: PAGE_SIZE, advice: MADV_HWPOISON}
      - madvise: {addr: P + 30 * 2M, length: PAGE_SIZE, advice: MADV_HWPOISON${expect}}
      - print: after
  - name: later
    steps:
${MAPPED_FILE}      - madvise: {addr: P, length: PAGE_SIZE, advice: MADV_HWPOISON}
`;
  const go = (expect: string): StreamResult => {
    const r = runStream(load(text(expect)), '1G', 'hgm-rfc', { checkInvariants: true, verbose: true });
    if (!r.ok) throw new Error(r.errors.map((e) => e.message).join('\n'));
    return r.result;
  };
  const unexpected = go('');
  const [bug, later] = unexpected.tests;
  t.match(bug, { status: 'fail', stop: { kind: 'bug', line: 11, call: 'madvise', bug: { file: 'mm/hugetlb.c', bugLine: 8320, func: 'hugetlb_split_to_shift_present_leaf' } } });
  t.notOk(lines(bug).includes(' ... after'), 'the test ends at the BUG');
  t.ok(lines(bug).some((l) => l.startsWith('finding: RFC-F1 ')));
  t.ok(streamLines(unexpected).includes('not ok 1 bug # kernel BUG at mm/hugetlb.c:8320 in hugetlb_split_to_shift_present_leaf() (line 11: madvise)'));
  t.match(bug?.steps.at(-1), { line: 11, ret: { kind: 'halted', failure: { kind: 'bug' } } }, '-v records the step that never returned');
  t.match(later, { status: 'fail', stop: { kind: 'lock', lock: 'mf_mutex', holder: { func: 'hugetlb_split_to_shift_present_leaf' } } });
  t.match(reason(later), /^blocked: madvise sleeps on mf_mutex, held by .* since its kernel BUG at mm\/hugetlb\.c:8320/);
  // Expected: the test goes on (print is an observer; the dead thread runs no syscall).
  const expected = go(', expect: {bug: hugetlb_split_to_shift_present_leaf}');
  t.equal(expected.tests[0]?.status, 'pass');
  t.ok(lines(expected.tests[0]).includes(' ... after'));
  const wrong = go(', expect: {bug: try_to_unmap}');
  t.match(wrong.tests[0]?.stop, { kind: 'step-expect', expected: 'bug=try_to_unmap', actual: 'bug=hugetlb_split_to_shift_present_leaf' });
  // A BUG expected where none happens is a mismatch too.
  const none = runStream(load(text(', expect: {bug: try_to_unmap}').replace('hgm-rfc', 'hgm-rfc, switches: {rfc_posted_split_walk_from_head: false}')), '1G', 'hgm-rfc', {});
  t.match(none.ok ? none.result.tests[0]?.stop : undefined, { kind: 'step-expect', expected: 'bug=try_to_unmap', actual: 'bug=none' });
});

t.test('kernel.switches reach the kernel: per_node_mf_stats on v6.1 makes mf_stats readable', async (t) => {
  const body = `tests:
  - name: t
    steps:
${MAPPED_FILE}      - memset: {addr: P, length: hugepagesz, value: 1}
      - madvise: {addr: P, length: PAGE_SIZE, advice: MADV_HWPOISON}
      - expect: {mf_stats: {total: +1, recovered: +1}}
`;
  const head = (sw: string): string => `scenario: s\nkernel: {profile: v6.1, nr_hugepages: 2${sw}}\n`;
  t.equal(only(runAs(head('') + body, 'v6.1')).status, 'fail', 'v6.1 has no per-node stats');
  const on = runAs(head(', switches: {per_node_mf_stats: true}') + body, 'v6.1');
  t.equal(only(on).status, 'pass', lines(only(on)).join('\n'));
  t.same(on.switches, [{ name: 'per_node_mf_stats', value: true }]);
});

t.test('kernel.faults reach the kernel: a failed raw_hwp_page allocation loses the raw_hwp_list', async (t) => {
  const body = `tests:
  - name: t
    steps:
${MAPPED_FILE}      - memset: {addr: P, length: hugepagesz, value: 1}
      - let: {X: pfn(P)}
      - corrupt_pfn: {pfn: X + 2}
      - corrupt_pfn: {pfn: X + 3, expect: {errno: EHWPOISON}}
      - dump: {raw_hwp_list: P}
`;
  const head = (faults: string): string => `scenario: s\nkernel: {profile: v6.1, nr_hugepages: 2${faults}}\n`;
  const listed = only(runAs(`${head('')}${body}      - expect: {raw_hwp_list: {of: P, is: [2, 3]}}\n`, 'v6.1'));
  t.equal(listed.status, 'pass', lines(listed).join('\n'));
  const lost = runAs(`${head(', faults: {raw_hwp_page_alloc: 1}')}${body}      - expect: {raw_hwp_list: {of: P, is: []}}\n`, 'v6.1');
  t.equal(only(lost).status, 'pass', lines(only(lost)).join('\n'));
  t.same(lost.switches, [], 'faults are not switches');
  t.match(lines(only(lost)), [/hwpoison,raw_hwp_unreliable,.*raw_hwp_list \[\]$/], 'the folio is marked raw_hwp_unreliable');
  t.match(lines(listed), [/raw_hwp_list \[2, 3\]$/]);
  // {skip: 1, fail: 1}: the first allocation (raw page 2) succeeds, the second (raw page 3) fails.
  const second = only(runAs(`${head(', faults: {raw_hwp_page_alloc: {skip: 1, fail: 1}}')}${body}      - expect: {raw_hwp_list: {of: P, is: []}}\n`, 'v6.1'));
  t.equal(second.status, 'pass', lines(second).join('\n'));
  t.match(lines(second), [/hwpoison,raw_hwp_unreliable,.*raw_hwp_list \[\]$/], 'the second allocation failed: the list is thrown away');
  const afterTwo = only(runAs(`${head(', faults: {raw_hwp_page_alloc: {skip: 2, fail: 1}}')}${body}      - expect: {raw_hwp_list: {of: P, is: [2, 3]}}\n`, 'v6.1'));
  t.equal(afterTwo.status, 'pass', 'a fault after the attempts the test makes never fires');
});

t.test("expect folio: raw_hwp_unreliable and the RFC's per-raw-page unmap counters", async (t) => {
  const text = (second: string): string => `scenario: s
kernel: {profile: hgm-rfc, hugepagesz: [2M], nr_hugepages: 2, faults: {raw_hwp_page_alloc: {skip: 1, fail: 1}}}
tests:
  - name: t
    steps:
${MAPPED_FILE}      - memset: {addr: P, length: hugepagesz, value: 1}
      - madvise: {addr: P + 0x3000, length: PAGE_SIZE, advice: MADV_HWPOISON}
      - expect: {folio: {of: P, unreliable: false, unmaps: {raw: 3, nr_vmas_mapped: 1, nr_expected_unmaps: 1, nr_actual_unmaps: 1}}}
      # The second raw page's raw_hwp_page cannot be allocated: the list is thrown away.
      - madvise: {addr: P + 0x5000, length: PAGE_SIZE, advice: MADV_HWPOISON, expect: {errno: EHWPOISON}}
      - expect: {folio: {of: P, unreliable: true${second}}}
`;
  const held = only(runAs(text(''), 'hgm-rfc'));
  t.equal(held.status, 'pass', lines(held).join('\n'));
  const counters = only(runAs(text(', unmaps: {raw: 5, nr_actual_unmaps: 1}'), 'hgm-rfc'));
  t.equal(counters.status, 'fail');
  t.match(lines(counters), [
    /^finding: RFC-F4 .* twice: refcount 512, one reference short after line 13$/,
    /^ !!! line 14: folio\(P\+0x0\) raw 5 nr_actual_unmaps: expected 1, got no counters$/,
  ], 'the posted retry puts the reference twice; no raw_hwp_page, no counters');
});

t.test('expect mapping writable: the write bit of a present entry (read-only through a PROT_READ mapping)', async (t) => {
  const text = (last: string): string => `scenario: s
kernel: {profile: v6.1, hugepagesz: [2M], nr_hugepages: 4}
tests:
  - name: t
    steps:
${MAPPED_FILE}      - mmap: {as: R, fd: fd, length: hugepagesz, prot: [PROT_READ], flags: [MAP_PRIVATE]}
      - access: {addr: P, op: write, value: 1}
      - access: {addr: R, op: read, expect: {value: 1}}
      - expect: {mapping: {at: P, kind: present, writable: true}}
      - expect: {mapping: {at: R, kind: present, writable: ${last}}}
`;
  t.equal(only(runAs(text('false'), 'v6.1')).status, 'pass');
  const wrong = only(runAs(text('true'), 'v6.1'));
  t.equal(wrong.status, 'fail');
  t.match(lines(wrong), [/^ !!! line 13: mapping at R\+0x0: expected present writable, got present read-only$/]);
});

t.test('--trace: the kernel path under each step, nothing else changes', async (t) => {
  const { readFileSync } = await import('node:fs');
  const path = 'scenarios/hugetlb-hgm/rfc.yaml';
  const scenario = loadScenario(path, readFileSync(path, 'utf8')).scenario;
  if (scenario === undefined) throw new Error('rfc.yaml does not load');
  const tests = ['HGM hwpoison test'];
  const traced = runStream(scenario, '2M', 'hgm-rfc', { tests, trace: true });
  const verbose = runStream(scenario, '2M', 'hgm-rfc', { tests, verbose: true });
  if (!traced.ok || !verbose.ok) throw new Error('rfc.yaml does not run');
  const tracedLines = streamLines(traced.result, { verbose: true });
  t.same(tracedLines.filter((l) => !l.startsWith('#   | ')), streamLines(verbose.result, { verbose: true }), 'without its trace lines, --trace prints what -v prints');
  const steps = only(traced.result).steps;
  const poison = steps.find((s) => s.call.includes('MADV_HWPOISON'));
  const path0 = (poison?.trace ?? []).map((l) => l.replace(/0x[0-9a-f]+/g, 'X'));
  // The RFC's path for the first raw page: both shared VMAs split and unmapped at 4K, the refcount check skipped.
  t.same(path0.filter((l) => /try_to_split|try_to_unmap_one|nr_vmas_mapped|has_extra|action_result|is_unmapping/.test(l)).map((l) => l.trim()), [
    'try_to_split_huge_mapping: VMA=[X, X): split to 4K at X, nr_expected_unmaps 1',
    'try_to_split_huge_mapping: VMA=[X, X): split to 4K at X, nr_expected_unmaps 2',
    'try_to_unmap_one: VMA=[X, X) (RFC: listed raw pages only): hwpoison entry at X/4K',
    'try_to_unmap_one: VMA=[X, X) (RFC: listed raw pages only): hwpoison entry at X/4K',
    'is_unmapping_successful = true',
    'raw page 0: nr_vmas_mapped 2, nr_expected_unmaps 2, nr_actual_unmaps 2',
    'has_extra_refcount: skipped (RFC: nr_expected_unmaps 2)',
    'action_result: huge page: Recovered',
  ]);
  t.equal(path0[0], 'do_madvise(X, X, MADV_HWPOISON) = 0', 'the path starts at the syscall');
  t.ok(path0.indexOf('      try_memory_failure_hugetlb: folio X (2M), raw page 0 = 0') > 0, 'callees indent two spaces per depth');
  const probe = steps.find((s) => s.call.startsWith('access(') && returnText(s.ret).includes('BUS_MCEERR_AR'));
  t.match(probe?.trace?.join('\n') ?? '', /hugetlb_fault\(X?.*= VM_FAULT_HWPOISON_LARGE[\s\S]*mm_fault_error[\s\S]*force_sig_mceerr: SIGBUS BUS_MCEERR_AR/);
  t.notOk(only(verbose.result).steps.some((s) => s.trace !== undefined), '-v alone records no trace');
});

t.test('show: the state after a step numbered as -v numbers it, or at the end of the test', async (t) => {
  const { readFileSync } = await import('node:fs');
  const path = 'scenarios/hugetlb-hgm/rfc.yaml';
  const scenario = loadScenario(path, readFileSync(path, 'utf8')).scenario;
  if (scenario === undefined) throw new Error('rfc.yaml does not load');
  const tests = ['HGM hwpoison test'];
  const verbose = runStream(scenario, '2M', 'hgm-rfc', { tests, verbose: true });
  if (!verbose.ok) throw new Error('rfc.yaml does not run');
  const first = only(verbose.result).steps.find((s) => s.call.includes('MADV_HWPOISON'));
  if (first === undefined) throw new Error('no injection');
  const at = (step: number | null): ShowState => {
    let state: ShowState | undefined;
    runStream(scenario, '2M', 'hgm-rfc', { show: { test: 'HGM hwpoison test', step, take: (s) => { state = s; } } });
    if (state === undefined) throw new Error('no state');
    return state;
  };
  const s = at(first.index);
  t.same(s.step, { index: first.index, line: first.line, call: first.call });
  t.equal(s.atEnd, false);
  const before = at(first.index - 1);
  t.same(before.folios.map((f) => f.raw_hwp_list), [[], []], 'one step earlier nothing is poisoned');
  const poisoned = s.folios.filter((f) => f.hwpoison);
  t.same(poisoned.map((f) => [f.raw_hwp_list, f.rawHwpUnmaps]), [[[0], [{ raw: 0, nr_vmas_mapped: 2, nr_expected_unmaps: 2, nr_actual_unmaps: 2 }]]]);
  const end = at(null);
  t.equal(end.atEnd, true);
  t.equal(end.step?.index, only(verbose.result).steps.at(-1)?.index, 'the end is after the last step -v prints');
  t.same(at(10 ** 6).step, end.step, 'a step past the end shows the end');
});

t.test('show: earlier tests run first, a failed test says so, names follow address spaces', async (t) => {
  const showOf = (text: string, test: string, step: number | null = null): ShowState => {
    let state: ShowState | undefined;
    const r = runStream(load(HEAD + text), '2M', 'v6.1', { show: { test, step, take: (s) => { state = s; } } });
    if (!r.ok || state === undefined) throw new Error('no state');
    return state;
  };
  const two = `tests:
  - name: first
    steps:
      - memfd_create: {as: fd, flags: [MFD_HUGETLB]}
      - ftruncate: {fd: fd, length: L}
      - mmap: {as: P, fd: fd, length: L, flags: [MAP_SHARED]}
      - memset: {addr: P, length: L, value: 1}
      - madvise: {addr: P, length: PAGE_SIZE, advice: MADV_HWPOISON}
  - name: second
    steps:
      - mmap: {as: Q, length: hugepagesz, flags: [MAP_PRIVATE, MAP_ANONYMOUS, MAP_HUGETLB]}
      - access: {addr: Q, op: read, expect: {value: 7}}
      - print: never reached
`;
  const second = showOf(two, 'second');
  t.equal(second.hardwareCorrupted, 4, "the first test's poison carries over, as in a run");
    t.same(second.outcome, { status: 'fail', stop: { kind: 'step-expect', line: 15, op: 'access', expected: 'value=7', actual: 'value=0' } });
  t.equal(second.atEnd, true);
  t.same(second.step?.index, 2, 'the failing step is the last one run');
  t.match(renderShowText(second), /\nat the end of the test, after step 2 \(line 15\): access\(Q\+0x0, read\)\nthe test stopped: fail: line 15: access expected value=7\n/);
  const past = showOf(two, 'first', 99);
  t.same([past.atEnd, past.requested, past.outcome?.status], [true, 99, 'pass']);
  t.match(renderShowText(past), /\nstep 99 was not reached\n/);
  const early = showOf(two, 'first', 2);
  t.same([early.atEnd, early.outcome, early.step?.index], [false, null, 2]);

  const names = showOf(`tests:
  - name: t
    steps:
      - mmap: {as: P, length: hugepagesz, flags: [MAP_PRIVATE, MAP_ANONYMOUS, MAP_HUGETLB]}
      - memset: {addr: P, length: hugepagesz, value: 1}
      - fork: {as: C}
      - spawn: {as: S}
      - mmap: {as: R, length: hugepagesz, flags: [MAP_PRIVATE, MAP_ANONYMOUS, MAP_HUGETLB], in: S}
      - munmap: {addr: P, length: hugepagesz}
`, 't');
  const vmaNames = (p: string): string[][] => names.processes.find((x) => x.name === p)?.vmas.map((v) => v.names.map((n) => n.name)) ?? [];
  t.same(vmaNames('main'), [], 'main unmapped P');
  t.same(vmaNames('C'), [['P']], "the fork's copy keeps the name its parent gave it");
  t.same(vmaNames('S'), [['R']], "a spawned process's own mapping at the same address is R, and main's munmap leaves it");
});

t.test('SignalTally: counts per receiver and code, distinct raw pairs in order of arrival, named at the end', async (t) => {
  const { SignalTally } = await import('../src/runner/signal-tally.js');
  const main = { kind: 'main' } as const;
  const child = { kind: 'process', name: 'C' } as const;
  type Code = SignalEvent['info']['si_code'];
  const ev = (pid: number, si_addr: number, si_addr_lsb = 12, outcome: 'delivered' | 'dropped' = 'delivered', si_code: Code = 'BUS_MCEERR_AR'): SignalEvent =>
    ({ pid, tid: pid, how: 'forced', outcome, info: { signo: 'SIGBUS', si_code, si_addr, si_addr_lsb } });
  const tally = new SignalTally();
  const at = (addr: number) => ({ addr, mapping: { name: addr >= 0x2000 ? 'Q' : 'P', offset: addr % 0x2000 } });
  // Upwards, then back down (a repeat and a new pair below), a dropped one, a second lsb, a text key.
  for (const a of [0x1000, 0x2000, 0x3000]) tally.add(ev(1, a), main, 0);
  tally.add(ev(1, 0x2000), main, 0);
  tally.add(ev(1, 0x800), main, 0);
  tally.add(ev(1, 0x9000, 12, 'dropped'), main, 0);
  tally.add(ev(1, 0x1000, 21), main, 0);
  tally.add(ev(1, 2 ** 50), main, 0);
  tally.add(ev(1, 2 ** 50), main, 0);
  tally.add(ev(2, 0x1000, 12, 'delivered', 'BUS_MCEERR_AO'), child, 1);
  tally.add(ev(7, 0x1000), { kind: 'pid', pid: 7 }, Number.MAX_SAFE_INTEGER);
  const groups = tally.summary(at, true, 4);
  t.same(groups.map((g) => [g.receiver.kind, g.si_code, g.count, g.dropped, g.distinct.first.length, g.distinct.more]),
    [['main', 'BUS_MCEERR_AR', 8, 1, 3, 3], ['process', 'BUS_MCEERR_AO', 1, 0, 1, 0], ['pid', 'BUS_MCEERR_AR', 1, 0, 1, 0]]);
  t.same(groups[0]?.distinct.first.map((p) => [p.si_addr.addr, p.si_addr_lsb]), [[0x1000, 12], [0x2000, 12], [0x3000, 12]]);
  // Two mappings named alike: raw pairs that name the same offset count once.
  const sameName = (addr: number) => ({ addr, mapping: { name: 'P', offset: addr % 0x2000 } });
  const all = tally.summary(sameName, false, 4)[0]?.distinct;
  t.same(all?.first.map((p) => [p.si_addr.mapping?.offset, p.si_addr_lsb]), [[0x1000, 12], [0, 12], [0x800, 12], [0x1000, 21]],
    '0x3000 names 0x1000 again, 2^50 names 0 again');
  t.equal(all?.more, 0);
});

t.test('evaluateNumber: the double fast path gives what the BigInt evaluator gives, or defers to it', async (t) => {
  const { parseExpr } = await import('../src/scenario/expr.js');
  const { evaluate, evaluateNumber } = await import('../src/runner/eval.js');
  const names = new Map<string, bigint>([['P', 0x7f0000000000n], ['i', 3n], ['big', 2n ** 60n], ['zero', 0n]]);
  const env = {
    file: 'e.yaml', text: '',
    lookup: (name: string) => (names.has(name) ? { value: names.get(name)!, address: false } : undefined),
    model: () => 42n,
    pfnOf: () => null,
  };
  const expr = (src: string) => {
    const r = parseExpr(src, 0);
    if (!r.ok) throw new Error(src);
    return r.expr;
  };
  const slow = (src: string): string => {
    try {
      return String(Number(evaluate(expr(src), env).value));
    } catch (e) {
      return (e as Error).message;
    }
  };
  const fast = (src: string): string => {
    try {
      return String(evaluateNumber(expr(src), env));
    } catch (e) {
      return (e as Error).message;
    }
  };
  for (const src of ['P + i * 4096', 'P % 4096 == 0', 'i - 3', '7 % 3', 'i < 4', 'i >= 4', 'i != 3', 'i <= 2', 'i > 2', '10 / 3', '1 << 12', 'HardwareCorrupted + 1', 'max(i, 9)']) {
    t.equal(fast(src), slow(src), src);
  }
  t.match(fast('i - 4'), /outside \[0, 2\^64\)/, 'a negative intermediate: the reference evaluator reports it');
  t.match(fast('big * 2'), /too large for the model/, 'past 2^53: the reference evaluator reports it');
  t.match(fast('i % zero'), /zero/, 'modulo zero: the reference evaluator reports it');
});
