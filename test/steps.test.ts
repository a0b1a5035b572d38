// The step registry: a step is one definition (scenario/steps/) plus its handler (runner/steps/), and
// everything else — the schema's step items, docs/scenarios.md, --help, the builder — follows from it.
import t from 'tap';
import * as z from 'zod';
import { scenarioDocsText } from '../src/runner/docs.js';
import { runStream } from '../src/runner/run.js';
import { CHECKS } from '../src/runner/expect/index.js';
import { RUNS } from '../src/runner/steps/index.js';
import { stepsHelp } from '../src/cli/program.js';
import { loadScenario } from '../src/scenario/load.js';
import { scenarioJsonSchema } from '../src/scenario/schema.js';
import { EXPECT_FIELD_DEFS, EXPECT_FIELD_NAMES, EXPECT_FIELDS, stateExpectSchema } from '../src/scenario/expect/index.js';
import { STEP_DEFS, STEP_NAMES, STEPS } from '../src/scenario/steps/index.js';
import type { CallStep, Scenario } from '../src/scenario/types.js';

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
  t.same(STEP_NAMES.filter((n) => !STEPS[n].traits.syscall), ['print', 'dump', 'expect']);
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
  t.equal(exited?.status, 'pass', exited?.lines.join('\n') ?? '');
  t.match(exited?.steps.map((s) => s.call), [/^memfd_create/, /^ftruncate/, /^mmap/, /^memset/, 'fork()', '[C] _exit(3)', 'expect']);
  t.equal(after?.status, 'fail');
  t.equal(after?.reason, 'process Q is dead');
  t.match(loadScenario('s.yaml', text.replace('exit: {status: 3, in: C}', 'exit: {status: 3, code: 1}')).errors, [{ code: 'UNKNOWN_FIELD' }]);
});

t.test('expect: fields are one registry too: schema, builder, comparison and docs follow it', async (t) => {
  t.same(Object.values(EXPECT_FIELDS).map((d) => d.name), EXPECT_FIELD_NAMES, 'each key is its definition\'s name');
  t.same(Object.keys(CHECKS), EXPECT_FIELD_NAMES, 'every field has a comparison, in registry order');
  t.same(Object.keys(stateExpectSchema.shape), [...EXPECT_FIELD_NAMES, 'in'], 'the expect step takes every field, and in:');
  const docs = scenarioDocsText();
  const section = docs.slice(docs.indexOf('### `expect`'), docs.indexOf('#### `signals` entries'));
  for (const name of EXPECT_FIELD_NAMES) t.match(section, `| \`${name}\` |`, `${name} documented`);
  t.same(EXPECT_FIELD_NAMES.filter((n) => EXPECT_FIELD_DEFS[n].readsMm),
    ['raw_hwp_list', 'mapping', 'bytes', 'refcount', 'mapcount', 'smaps', 'pagemap'], 'the fields that need a live mm');
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
  t.equal(test?.status, 'pass', test?.lines.join('\n') ?? '');
  t.match(test?.steps.map((s) => s.call), [/^memfd_create/, /^ftruncate/, /^mmap/, /^memset/, /^madvise\(P\+0x1000, 0x1000, MADV_SOFT_OFFLINE\)/, 'expect', /^echo 0x[0-9a-f]+ > soft_offline_page/, 'expect', /^pfn_of/, /^echo 0x[0-9a-f]+ > soft_offline_page/, 'expect']);
  t.same(loadScenario('s.yaml', text.replace('soft_offline_page: {phys: F * PAGE_SIZE}', 'soft_offline_page: {pfn: F}')).errors.map((e) => e.code), ['MISSING_FIELD', 'UNKNOWN_FIELD'], 'it takes a physical address, not a pfn');
});
