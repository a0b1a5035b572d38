// The step registry: a step is one definition (scenario/steps/) plus its handler (runner/steps/), and
// everything else — the schema's step items, docs/scenarios.md, --help, the builder — follows from it.
import t from 'tap';
import * as z from 'zod';
import { scenarioDocsText } from '../src/report/docs.js';
import { runStream } from '../src/runner/run.js';
import { CHECKS } from '../src/runner/expect/index.js';
import { RUNS } from '../src/runner/steps/index.js';
import { stepsHelp } from '../src/cli/steps-help.js';
import { loadScenario } from '../src/scenario/load.js';
import { scenarioJsonSchema } from '../src/scenario/schema.js';
import { EXPECT_FIELD_DEFS, EXPECT_FIELD_NAMES, EXPECT_FIELDS, stateExpectSchema } from '../src/scenario/expect/index.js';
import { STEP_DEFS, STEP_NAMES, STEPS } from '../src/scenario/steps/index.js';
import type { CallStep, Scenario } from '../src/scenario/types.js';
import type { TestResult } from '../src/runner/results.js';
import { callText, outputLines } from '../src/report/observations.js';
import { reasonOf } from '../src/report/tap.js';

const lines = (r: TestResult | undefined): string[] => r?.output.flatMap(outputLines) ?? [];
const reason = (r: TestResult | undefined): string | undefined => (r === undefined ? undefined : reasonOf(r));

/** A test's output as the TAP stream words it (print, dump and !!! lines), one string. */
const textOf = (r: TestResult | undefined): string => lines(r).join('\n');

/**
 * A one-test scenario (v6.1, 2M) whose test "t" starts as the selftests do: a 2 MiB hugetlb memfd mapped
 * shared at P and filled with `fill`. The steps that follow are appended after it.
 */
const mapped2M = (fill: number, nr = 4): string => `scenario: s
kernel: {profile: v6.1, hugepagesz: [2M], nr_hugepages: ${nr}}
tests:
  - name: t
    steps:
      - memfd_create: {as: fd, flags: [MFD_HUGETLB]}
      - ftruncate: {fd: fd, length: 2M}
      - mmap: {as: P, length: 2M, flags: [MAP_SHARED], fd: fd}
      - memset: {addr: P, length: 2M, value: ${fill}}
`;

function load(text: string): Scenario {
  const r = loadScenario('s.yaml', text);
  if (!r.scenario) throw new Error(r.errors.map((e) => `${e.line}:${e.col} ${e.code} ${e.message}`).join('\n'));
  return r.scenario;
}

t.test('the registry names every step once, and schema, docs, help and runner list the same steps', async (t) => {
  t.same(Object.values(STEP_DEFS).map((d) => d.name), STEP_NAMES, 'each key is its definition\'s name');
  t.same(Object.keys(RUNS), STEP_NAMES, 'every step has a handler, in registry order');
  // The editor schema's step items: one single-key object per step, then let and for.
  const json = JSON.stringify(scenarioJsonSchema());
  for (const name of STEP_NAMES) t.match(json, `"properties":{"${name}":`, `${name}: a step item in the JSON Schema`);
  const docs = scenarioDocsText();
  const documented = [...docs.slice(docs.indexOf('\n## Steps\n')).matchAll(/^### `([a-z_]+)`$/gm)].map((m) => m[1]);
  t.same(documented, STEP_NAMES, 'docs/scenarios.md lists the steps in registry order');
  const help = stepsHelp();
  for (const name of STEP_NAMES) t.match(help, new RegExp(`^\\s+${name}\\s+${STEPS[name].describe.slice(0, 20).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`, 'm'), `${name} in --help`);
});

t.test('traits, not names: syscall steps take the common fields, observers do not', async (t) => {
  for (const name of STEP_NAMES) {
    const schema = STEPS[name].schema;
    const shape = schema instanceof z.ZodObject ? Object.keys(schema.shape) : [];
    t.equal(shape.includes('on_error'), STEPS[name].traits.syscall, `${name}: on_error iff syscall`);
  }
  t.same(STEP_NAMES.filter((n) => !STEPS[n].traits.syscall), ['check_range', 'print', 'dump', 'loss', 'expect', 'break']);
  t.same(STEP_NAMES.filter((n) => STEPS[n].traits.breaksLoop === true), ['break']);
  t.same(STEP_NAMES.filter((n) => STEPS[n].traits.touchesMemory === true), ['access', 'memset', 'mce']);
  t.same(STEP_NAMES.filter((n) => STEPS[n].traits.returnsAddress === true), ['mmap']);
});

t.test('the builder walks the schema: expressions parsed, other fields kept, as: bound by its trait', async (t) => {
  const s = load(`scenario: s
kernel: {profile: v6.1}
tests:
  - name: t
    steps:
      - memfd_create: {as: fd, flags: [MFD_HUGETLB]}
      - mmap: {as: P, length: 2M, flags: [MAP_SHARED], fd: fd}
      - madvise: {addr: P + 4K, length: PAGE_SIZE, advice: MADV_HWPOISON, on_error: skip}
      - dump: {mapping: P, meminfo: true}
`);
  const steps = s.tests[0]?.steps as readonly CallStep[];
  t.match(steps[1], { op: 'mmap', args: { as: 'P', length: { kind: 'lit', value: 2n * 1024n * 1024n }, fd: { kind: 'name', name: 'fd' }, flags: ['MAP_SHARED'] } });
  t.notOk(steps[1] && 'addr' in steps[1].args, 'an absent optional expression stays absent');
  t.match(steps[2], { op: 'madvise', on_error: 'skip', args: { addr: { kind: 'binary', op: '+' }, advice: 'MADV_HWPOISON' } });
  t.match(steps[3], { op: 'dump', args: { mapping: { kind: 'name', name: 'P' }, meminfo: true } });
  t.notOk(steps[3] && 'on_error' in steps[3], 'an observer takes no on_error');
});

t.test('exit, the step added in one definition: the acting process exits, later steps in it fail', async (t) => {
  const text = `scenario: s
kernel: {profile: v6.1, hugepagesz: [2M], nr_hugepages: 4}
tests:
  - name: child exits
    steps:
      - memfd_create: {as: fd, flags: [MFD_HUGETLB]}
      - ftruncate: {fd: fd, length: 2M}
      - mmap: {as: P, length: 2M, flags: [MAP_SHARED], fd: fd}
      - memset: {addr: P, length: 2M, value: 1}
      - fork: {as: C}
      - exit: {status: 3, in: C}
      - expect: {alive: [main], dead: [C], signals: {C: []}, bytes: {addr: P, length: 2M, value: 1}}
  - name: a step in the exited process
    steps:
      - spawn: {as: Q}
      - exit: {in: Q}
      - close: {fd: 0, in: Q}
`;
  const r = runStream(load(text), '2M', 'v6.1', { verbose: true, checkInvariants: true });
  t.ok(r.ok);
  const [exited, after] = r.result.tests;
  t.equal(exited?.status, 'pass', lines(exited).join('\n'));
  t.match(exited?.steps.map(callText), [/^memfd_create/, /^ftruncate/, /^mmap/, /^memset/, 'fork()', '[C] _exit(3)', 'expect']);
  t.equal(after?.status, 'fail');
  t.equal(reason(after), 'process Q is dead');
  t.match(loadScenario('s.yaml', text.replace('exit: {status: 3, in: C}', 'exit: {status: 3, code: 1}')).errors, [{ code: 'UNKNOWN_FIELD' }]);
});

t.test('expect: fields are one registry too: schema, builder, comparison and docs follow it', async (t) => {
  t.same(Object.values(EXPECT_FIELDS).map((d) => d.name), EXPECT_FIELD_NAMES, 'each key is its definition\'s name');
  t.same(Object.keys(CHECKS), EXPECT_FIELD_NAMES, 'every field has a comparison, in registry order');
  t.same(Object.keys(stateExpectSchema.shape), [...EXPECT_FIELD_NAMES, 'when', 'in'], 'the expect step takes every field, when: and in:');
  const docs = scenarioDocsText();
  const section = docs.slice(docs.indexOf('### `expect`'), docs.indexOf('#### `signals` entries'));
  for (const name of EXPECT_FIELD_NAMES) t.match(section, `| \`${name}\` |`, `${name} documented`);
  t.same(EXPECT_FIELD_NAMES.filter((n) => EXPECT_FIELD_DEFS[n].readsMm),
    ['raw_hwp_list', 'mapping', 'bytes', 'refcount', 'mapcount', 'folio', 'smaps', 'pagemap'], 'the fields that need a live mm');
  const s = load(`scenario: s
kernel: {profile: v6.1}
tests:
  - name: t
    steps:
      - mmap: {as: P, length: 2M, flags: [MAP_SHARED, MAP_ANONYMOUS, MAP_HUGETLB]}
      - expect: {mapping: {at: P + 4K, kind: none}, HardwareCorrupted: +4 kB, mf_stats: {total: "+1"}, smaps: {at: P, Size: "{2M / 1024} kB"}}
`);
  const e = s.tests[0]?.steps[1];
  t.match(e, { kind: 'call', op: 'expect', args: {
    mapping: { at: { kind: 'binary' }, kind: 'none' },
    HardwareCorrupted: { delta: true, kB: 4n },
    mf_stats: { total: { delta: true, value: { kind: 'lit', value: 1n } } },
    smaps: { at: { kind: 'name', name: 'P' }, Size: { kind: 'binary', op: '/' } },
  } });
});

t.test('expect dmesg: a text, or lines containing or matching, counted (0: none)', async (t) => {
  const text = (dmesg: string) => `${mapped2M(1)}      - madvise: {addr: P + 4K, length: PAGE_SIZE, advice: MADV_HWPOISON}
      - access: {addr: P, op: read, expect: {sigbus: BUS_MCEERR_AR}}
      - expect: {dmesg: ${dmesg}}
`;
  const run = (dmesg: string) => {
    const r = runStream(load(text(dmesg)), '2M', 'v6.1', {});
    return r.result.tests[0];
  };
  const ok = run('["recovery action for huge page", {line: "MCE: Killing", count: 1}, {pattern: "^Injecting memory failure for pfn 0x[0-9a-f]+ at process virtual address 0x[0-9a-f]+$", count: 1}, {line: "Sending SIGBUS", count: 0}, {pattern: "already hardware poisoned", count: 0}]');
  t.equal(ok?.status, 'pass', textOf(ok));
  const bad = run('[{line: "MCE: Killing", count: 2}, {pattern: "recovery action", count: 0}, "no such text"]');
  t.equal(bad?.status, 'fail');
  t.match(textOf(bad), /dmesg "MCE: Killing"[\s\S]*expected 2 lines[\s\S]*got 1[\s\S]*dmesg \/recovery action\/[\s\S]*expected 0 lines[\s\S]*got 1[\s\S]*dmesg[\s\S]*expected "no such text"[\s\S]*got no such line/);
  t.match(loadScenario('s.yaml', text('[{line: "a", pattern: "b"}]')).errors, [{ code: 'BAD_VALUE', message: /exactly one of `line` and `pattern`/, line: 12 }]);
  t.match(loadScenario('s.yaml', text('[{pattern: "(", count: 1}]')).errors, [{ code: 'BAD_VALUE', message: /not a regular expression/, line: 12 }]);
  t.match(loadScenario('s.yaml', text('[{line: "a", count: 1, every: 2}]')).errors, [{ code: 'UNKNOWN_FIELD' }]);
});

t.test('when: on expect and dump, as on syscall steps: the step runs only in streams of those sizes', async (t) => {
  const text = `scenario: s
kernel: {profile: v6.1, hugepagesz: [2M, 1G], nr_hugepages: 2}
tests:
  - name: t
    steps:
      - mmap: {as: P, length: hugepagesz, flags: [MAP_SHARED, MAP_ANONYMOUS, MAP_HUGETLB]}
      - memset: {addr: P, length: hugepagesz, value: 1}
      - expect: {mapping: {at: P, size: 1G}, when: {hugepagesz: [1G]}}
      - expect: {mapping: {at: P, size: 2M}, when: {hugepagesz: [2M]}}
      - dump: {mapping: P, when: {hugepagesz: [1G]}}
`;
  const s = load(text);
  t.match(s.tests[0]?.steps[2], { op: 'expect', when: { hugepagesz: ['1G'] }, args: { mapping: { size: { kind: 'lit' } } } });
  t.notOk(s.tests[0]?.steps[2]?.kind === 'call' && 'when' in s.tests[0].steps[2].args, 'when is not an assertion');
  for (const size of ['2M', '1G'] as const) {
    const test = runStream(s, size, 'v6.1', {}).result.tests[0];
    t.equal(test?.status, 'pass', `${size}: ${textOf(test)}`);
    t.equal(test?.output.length, size === '1G' ? 1 : 0, `${size}: the dump runs only at 1G`);
  }
});

t.test('lseek (default_llseek) and read/pread as: — a read at the position lseek set, its count bound', async (t) => {
  const text = `${mapped2M(1)}      - lseek: {fd: fd, offset: 0x102000, whence: SEEK_SET, as: off, expect: {ret: 0x102000}}
      - read: {fd: fd, length: 2M, as: n, expect: {ret: 0xfe000, bytes: 1}}
      - print: "read {n:x} bytes from {off:x}"
      - lseek: {fd: fd, offset: 0, whence: SEEK_CUR, expect: {ret: 2M}}
      - lseek: {fd: fd, offset: 0x1000, whence: SEEK_END, expect: {ret: 2M + 0x1000}}
      - read: {fd: fd, length: 16, as: m, expect: {ret: 0}}
      - lseek: {fd: fd, offset: 0x10, whence: SEEK_HOLE, expect: {ret: 2M}}
      - lseek: {fd: fd, offset: 0x10, whence: SEEK_DATA, expect: {ret: 0x10}}
      - lseek: {fd: fd, offset: 2M, whence: SEEK_DATA, expect: {errno: ENXIO}}
      - lseek: {fd: 99, offset: 0, whence: SEEK_SET, expect: {errno: EBADF}}
      - userfaultfd: {as: uffd}
      - lseek: {fd: uffd, offset: 0, whence: SEEK_SET, expect: {errno: ESPIPE}}
      - madvise: {addr: P + 0x1000, length: PAGE_SIZE, advice: MADV_HWPOISON}
      - pread: {fd: fd, length: 16, offset: 0, as: k, expect: {errno: EIO}}
      - print: "pread bound {k}"
`;
  const test = runStream(load(text), '2M', 'v6.1', {}).result.tests[0];
  t.equal(test?.status, 'pass', textOf(test));
  t.match(textOf(test), /read 0xfe000 bytes from 0x102000[\s\S]*pread bound 0/);
  // The bytes a read returned: a value it does not hold fails the step, naming the first other byte.
  const other = runStream(load(text.replace('expect: {ret: 0xfe000, bytes: 1}', 'expect: {ret: 0xfe000, bytes: 2}')), '2M', 'v6.1', {}).result.tests[0];
  t.match(textOf(other), /read expected ret=1040384 bytes=2, got ret=1040384 bytes=1 at file offset 0x102000/);
  const punched = `${mapped2M(7, 2)}      - fallocate: {fd: fd, mode: [FALLOC_FL_PUNCH_HOLE, FALLOC_FL_KEEP_SIZE], offset: 0x3000, length: PAGE_SIZE}
      - pread: {fd: fd, length: PAGE_SIZE, offset: 0x3000, expect: {ret: PAGE_SIZE, bytes: 0}}
      - pread: {fd: fd, length: PAGE_SIZE, offset: 0x4000, expect: {ret: PAGE_SIZE, bytes: 7}}
      - pread: {fd: fd, length: 0x2000, offset: 0x2000, expect: {bytes: 7}}
`;
  t.match(textOf(runStream(load(punched), '2M', 'v6.1', {}).result.tests[0]), /pread expected bytes=7, got bytes=0 at file offset 0x3000/);
  t.match(loadScenario('s.yaml', text.replace('whence: SEEK_SET, as: off', 'whence: SEEK_SETT, as: off')).errors, [{ code: 'BAD_VALUE' }]);
});

t.test('prctl PR_MCE_KILL_GET reads the policy back: 2 (default) until set, then 1 early / 0 late', async (t) => {
  const text = `scenario: s
kernel: {profile: v6.1, hugepagesz: [2M], nr_hugepages: 1}
tests:
  - name: t
    steps:
      - prctl: {PR_MCE_KILL_GET: true, as: before, expect: {ret: 2}}
      - prctl: {PR_MCE_KILL: PR_MCE_KILL_EARLY}
      - prctl: {PR_MCE_KILL_GET: true, expect: {ret: 1}}
      - fork: {as: C}
      - prctl: {PR_MCE_KILL_GET: true, in: C, expect: {ret: 1}}
      - prctl: {PR_MCE_KILL: PR_MCE_KILL_LATE}
      - prctl: {PR_MCE_KILL_GET: true, as: late, expect: {ret: 0}}
      - prctl: {PR_MCE_KILL: PR_MCE_KILL_CLEAR}
      - prctl: {PR_MCE_KILL_GET: true, expect: {ret: 2}}
      - print: "{before} {late}"
`;
  const test = runStream(load(text), '2M', 'v6.1', { verbose: true }).result.tests[0];
  t.equal(test?.status, 'pass', textOf(test));
  t.match(textOf(test), /2 0/);
  t.match(JSON.stringify(test?.steps.map((s) => s.call)), /prctl\(PR_MCE_KILL_GET\).*prctl\(PR_MCE_KILL, PR_MCE_KILL_SET, PR_MCE_KILL_EARLY\)/);
  const err = (prctl: string) => loadScenario('s.yaml', text.replace('prctl: {PR_MCE_KILL: PR_MCE_KILL_EARLY}', prctl)).errors;
  t.match(err('prctl: {}'), [{ code: 'BAD_VALUE', message: /exactly one of PR_MCE_KILL, PR_MCE_KILL_GET \(got neither\)/ }]);
  t.match(err('prctl: {PR_MCE_KILL: PR_MCE_KILL_EARLY, PR_MCE_KILL_GET: true}'), [{ code: 'BAD_VALUE', message: /got both/ }]);
  t.match(err('prctl: {PR_MCE_KILL: PR_MCE_KILL_EARLY, as: x}'), [{ code: 'BAD_VALUE', message: /PR_MCE_KILL returns 0/ }]);
});

t.test('expect wait_status: exited with its status, killed by SIGBUS, or running', async (t) => {
  const text = `${mapped2M(1)}      - fork: {as: C}
      - fork: {as: D}
      - expect: {wait_status: {C: running, D: running, main: running}}
      - exit: {status: 259, in: C}
      - madvise: {addr: P, length: PAGE_SIZE, advice: MADV_HWPOISON}
      - sigaction: {SIGBUS: default, in: D}
      - access: {addr: P, op: read, in: D, expect: {sigbus: BUS_MCEERR_AR}}
      - expect: {wait_status: {C: {exited: 3}, D: {signaled: SIGBUS}, main: running}}
`;
  const test = runStream(load(text), '2M', 'v6.1', {}).result.tests[0];
  t.equal(test?.status, 'pass', textOf(test));
  const bad = runStream(load(text.replace('C: {exited: 3}, D: {signaled: SIGBUS}', 'C: {exited: 0}, D: {signaled: SIGKILL}')), '2M', 'v6.1', {}).result.tests[0];
  t.equal(bad?.status, 'fail');
  t.match(textOf(bad), /wait_status C[\s\S]*expected exited 0[\s\S]*got exited 3[\s\S]*wait_status D[\s\S]*expected signaled SIGKILL[\s\S]*got signaled SIGBUS/);
  t.match(loadScenario('s.yaml', `${text}      - expect: {wait_status: {X: running}}\n`).errors, [{ code: 'UNDEFINED_NAME' }]);
});

t.test('when: {profile}: a step runs only under the profiles it names (with hugepagesz: both must hold)', async (t) => {
  const text = `scenario: s
kernel: {profile: v6.1, hugepagesz: [2M, 1G], nr_hugepages: 2}
tests:
  - name: t
    steps:
      - mmap: {as: P, length: hugepagesz, flags: [MAP_SHARED, MAP_ANONYMOUS, MAP_HUGETLB]}
      - madvise: {addr: P, length: PAGE_SIZE, advice: MADV_SPLIT, when: {profile: [v6.1]}, expect: {errno: EINVAL}}
      - madvise: {addr: P, length: hugepagesz, advice: MADV_SPLIT, when: {profile: [hgm-v2, hgm-rfc]}, expect: {ret: 0}}
      - print: "ran"
      - dump: {meminfo: true, when: {profile: [hgm-v2], hugepagesz: [1G]}}
`;
  const s = load(text);
  for (const profile of ['v6.1', 'hgm-v2', 'hgm-rfc'] as const) {
    for (const size of ['2M', '1G'] as const) {
      const test = runStream(s, size, profile, { verbose: true }).result.tests[0];
      t.equal(test?.status, 'pass', `${profile} ${size}: ${textOf(test)}`);
      t.equal(test?.steps.filter((x) => x.call.startsWith('madvise')).length, 1, `${profile} ${size}: one madvise ran`);
      t.equal(textOf(test).includes('HugePages_Total'), profile === 'hgm-v2' && size === '1G', `${profile} ${size}: the dump`);
    }
  }
  t.match(loadScenario('s.yaml', text.replace('when: {profile: [v6.1]}', 'when: {}')).errors, [{ code: 'BAD_VALUE', message: /names no condition/ }]);
  t.match(loadScenario('s.yaml', text.replace('when: {profile: [v6.1]}', 'when: {profile: [v6.0]}')).errors, [{ code: 'BAD_VALUE' }]);
});

t.test('soft_offline_page and madvise MADV_SOFT_OFFLINE: the sysfs write returns the bytes echo wrote', async (t) => {
  const text = `scenario: s
kernel: {profile: v6.1, hugepagesz: [2M], nr_hugepages: 4}
tests:
  - name: soft offline
    steps:
      - memfd_create: {as: fd, flags: [MFD_HUGETLB]}
      - ftruncate: {fd: fd, length: 2M}
      - mmap: {as: P, length: 2M, flags: [MAP_SHARED], fd: fd}
      - memset: {addr: P, length: 2M, value: 3}
      - let: {X: pfn(P)}
      - madvise: {addr: P + 4K, length: PAGE_SIZE, advice: MADV_SOFT_OFFLINE}
      - expect: {bytes: {addr: P, length: 2M, value: 3}, HardwareCorrupted: +4 kB, pool: {total: 3, free: 2}}
      - soft_offline_page: {phys: (X + 1) * PAGE_SIZE, expect: {ret: 11}}
      - expect: {HardwareCorrupted: +4 kB, dmesg: ["Soft offlining pfn", "page already poisoned"]}
      - pfn_of: {as: F, free_hugepage: 0}
      - soft_offline_page: {phys: F * PAGE_SIZE}
      - expect: {HardwareCorrupted: +8 kB, pool: {total: 2, free: 1}}
`;
  const r = runStream(load(text), '2M', 'v6.1', { verbose: true, checkInvariants: true });
  t.ok(r.ok);
  const [test] = r.result.tests;
  t.equal(test?.status, 'pass', textOf(test));
  t.match(test?.steps.map((s) => s.call), [/^memfd_create/, /^ftruncate/, /^mmap/, /^memset/, /^madvise\(P\+0x1000, 0x1000, MADV_SOFT_OFFLINE\)/, 'expect', /^echo 0x[0-9a-f]+ > soft_offline_page/, 'expect', /^pfn_of/, /^echo 0x[0-9a-f]+ > soft_offline_page/, 'expect']);
  t.same(loadScenario('s.yaml', text.replace('soft_offline_page: {phys: F * PAGE_SIZE}', 'soft_offline_page: {pfn: F}')).errors.map((e) => e.code), ['MISSING_FIELD', 'UNKNOWN_FIELD'], 'it takes a physical address, not a pfn');
});

t.test('when: on a test: it is run and planned only in the streams it names', async (t) => {
  const text = `scenario: s
kernel: {profile: v6.1, hugepagesz: [2M, 1G], nr_hugepages: 2}
verdicts: {v6.12: {default: pass}}
tests:
  - name: everywhere
    steps:
      - print: "a"
  - name: 1G only
    when: {hugepagesz: [1G]}
    steps:
      - mmap: {as: P, length: 1G, flags: [MAP_SHARED, MAP_ANONYMOUS, MAP_HUGETLB]}
  - name: v6.12 at 2M
    when: {hugepagesz: [2M], profile: [v6.12]}
    steps:
      - print: "b"
`;
  const s = load(text);
  const names = (size: '2M' | '1G', profile: 'v6.1' | 'v6.12') => runStream(s, size, profile, {}).result.tests.map((x) => x.name);
  t.same(names('2M', 'v6.1'), ['everywhere']);
  t.same(names('1G', 'v6.1'), ['everywhere', '1G only']);
  t.same(names('2M', 'v6.12'), ['everywhere', 'v6.12 at 2M']);
  t.same(names('1G', 'v6.12'), ['everywhere', '1G only']);
  // A 1 GiB mapping in a test for 1G only is not judged against the 2M stream by the static check.
  t.same(loadScenario('s.yaml', text).errors, []);
  t.match(loadScenario('s.yaml', text.replace('when: {hugepagesz: [1G]}', 'when: {}')).errors, [{ code: 'BAD_VALUE', message: /names no condition/ }]);
});

t.test('for with while, set and on_error: break: the C read loop, its total from the model, its check deciding the test', async (t) => {
  const text = (profile: string, start: string) => `scenario: s
kernel: {profile: ${profile}, hugepagesz: [2M], nr_hugepages: 4}
tests:
  - name: t
    steps:
      - memfd_create: {as: fd, flags: [MFD_HUGETLB]}
      - ftruncate: {fd: fd, length: 2M}
      - mmap: {as: P, length: 2M, flags: [MAP_SHARED], fd: fd}
      - memset: {addr: P, length: 2M, value: 1}
      - madvise: {addr: P + 0x101000, length: PAGE_SIZE, advice: MADV_HWPOISON}
      - lseek: {fd: fd, offset: ${start}, whence: SEEK_SET}
      - let: {total: 0, reads: 0}
      - for: {i: 1 .. 2M}
        while: ${start} + total < 2M
        do:
          - read: {fd: fd, length: 0x2000, as: n, on_error: break}
          - set: {total: total + n, reads: i}
      - print: " ... actually read {total:x} bytes in {reads} reads"
      - expect: {value: {of: total, is: 0x101000 - ${start}}}
      - print: after the check
`;
  const run = (profile: 'v6.1' | 'v6.12', start: string) => runStream(load(text(profile, start)), '2M', profile, {}).result.tests[0];
  // 6.12: 128 full reads and a short one up to the poisoned raw page, then EIO ends the loop, not the test.
  const v612 = run('v6.12', '0');
  t.equal(v612?.status, 'pass', textOf(v612));
  t.same(lines(v612), [' ...  !!! read failed: Input/output error', ' ...  ... actually read 0x101000 bytes in 129 reads', ' ... after the check']);
  t.match(v612?.output[0], { kind: 'failure', endsLoop: true, failure: { kind: 'errno', errno: 'EIO' } });
  // 6.1: the first read is EIO; the check fails the test, naming both sides.
  const v61 = run('v6.1', '0');
  t.equal(v61?.status, 'fail');
  t.same(lines(v61), [' ...  !!! read failed: Input/output error', ' ...  ... actually read 0x0 bytes in 0 reads', ' !!! line 19: value of total: expected 1052672 (0x101000), got 0 (0x0)']);
  // A loop whose while does not hold at first runs no iteration; the range still bounds one that holds.
  const none = runStream(load(text('v6.12', '0').replace('while: 0 + total < 2M', 'while: total > 0')), '2M', 'v6.12', {}).result.tests[0];
  t.match(textOf(none), /actually read 0x0 bytes in 0 reads/);
  const bounded = runStream(load(text('v6.12', '0').replace('1 .. 2M', '1 .. 3').replace('0x101000 - 0', '0x6000')), '2M', 'v6.12', {}).result.tests[0];
  t.equal(bounded?.status, 'pass', textOf(bounded));
  t.match(textOf(bounded), /actually read 0x6000 bytes in 3 reads/);
});

t.test('break, when: {holds}, print prefix: the C loop\'s if (n == 0) { puts(...); break; } and a bare line', async (t) => {
  const text = `scenario: s
kernel: {profile: v6.12, hugepagesz: [2M], nr_hugepages: 4}
tests:
  - name: t
    steps:
      - print: {text: "Write/read chunk size={0x800:x}", prefix: ""}
      - memfd_create: {as: fd, flags: [MFD_HUGETLB]}
      - ftruncate: {fd: fd, length: 2M}
      - lseek: {fd: fd, offset: 2M - 0x1000, whence: SEEK_SET}
      - let: {total: 0}
      - for: {i: 1 .. 5}
        do:
          - read: {fd: fd, length: 0x800, as: n}
          - print: {text: " ... read reach end of the file", when: {holds: n == 0}}
          - break: {when: {holds: n == 0}}
          - set: {total: total + n}
          - print: "read {n:x}"
      - print: "total {total:x}"
      - for: {k: 1 .. 3}
        do:
          - print: "k = {k}"
          - break: {}
`;
  const test = runStream(load(text), '2M', 'v6.12', {}).result.tests[0];
  t.equal(test?.status, 'pass', textOf(test));
  t.same(lines(test), [
    'Write/read chunk size=0x800', ' ... read 0x800', ' ... read 0x800', ' ...  ... read reach end of the file', ' ... total 0x1000', ' ... k = 1',
  ]);
  t.match(test?.output[0], { kind: 'print', prefix: '' });
});
