// `hgmsim export`: scenarios as C programs for a real kernel. What the generator writes (one function
// per test and per step, the scenario's names and lines, `when:` decided per size and profile, model-only
// checks said not observable, unperformable steps skipping their test), that the C compiles cleanly
// with gcc (when the machine has it), and how the lab's per-test runs become one kernel TAP stream.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { collectScenarioFiles } from '../src/cli/files.js';
import { runCli } from '../src/cli/main.js';
import { exportScenario, kernelTap } from '../src/export/index.js';
import type { ExportedProgram } from '../src/export/index.js';
import { loadScenario } from '../src/scenario/index.js';
import type { Scenario } from '../src/scenario/index.js';

const MAINLINE = 'scenarios/mainline';
const load = (file: string): Scenario => {
  const r = loadScenario(file, readFileSync(file, 'utf8'));
  if (!r.scenario) throw new Error(`${file}: ${r.errors.map((e) => e.message).join('; ')}`);
  return r.scenario;
};
const inline = (text: string): Scenario => {
  const r = loadScenario('inline.yaml', text);
  if (!r.scenario) throw new Error(r.errors.map((e) => `${e.line}:${e.col} ${e.message}`).join('; '));
  return r.scenario;
};
const gcc = spawnSync('gcc', ['--version']).status === 0;
const mainline = collectScenarioFiles([MAINLINE], process.cwd());

t.test('every mainline scenario exports one program per size for v6.1 and v6.12, a test function per test', async (t) => {
  for (const file of mainline) {
    const s = load(file);
    for (const profile of ['v6.1', 'v6.12'] as const) {
      const programs = exportScenario(s, { profile });
      t.same(programs.map((p) => p.hugepagesz), s.kernel.hugepagesz, `${file} ${profile}: a program per size`);
      for (const p of programs) {
        t.equal(p.profile, profile);
        t.equal(p.stem, `${file.replace(/^.*\//, '').replace(/\.yaml$/, '')}.${p.hugepagesz}`);
        for (const test of p.tests) {
          t.match(p.source, `static void test_${test.number}(void)`, `${p.stem}: test ${test.number} has its function`);
          t.match(p.source, `/* ${file}:${test.line}: `, `${p.stem}: test ${test.number} names its file and line`);
        }
        t.ok(p.needs.memoryMiB > (p.needs.pools[p.hugepagesz] ?? 0) * (p.hugepagesz === '1G' ? 1024 : 2), 'the memory fits the pool');
      }
    }
  }
});

t.test('when: {profile} steps are chosen at export: 6.12 expects AR during MADV_HWPOISON, 6.1 no signal', async (t) => {
  const s = load(join(MAINLINE, 'hwpoison-shared.yaml'));
  const [v61] = exportScenario(s, { profile: 'v6.1', hugepagesz: ['2M'] });
  const [v612] = exportScenario(s, { profile: 'v6.12', hugepagesz: ['2M'] });
  t.match(v61?.source, 'hg_f_sigbus(&f, &c, "none");');
  t.notMatch(v61?.source, '"Sending SIGBUS to hwpoison-shared:"');
  t.match(v612?.source, 'hg_x_dmesg(30, "Sending SIGBUS to hwpoison-shared:", NULL, 1, (s64)1UL);');
  t.match(v612?.source, '#define HG_COMM "hwpoison-shared"', 'the tasks are named after the scenario, as the model names them');
});

t.test('model-only checks are said not observable; a step no process can make skips its test', async (t) => {
  const s = inline([
    'scenario: x',
    'kernel: {profile: v6.1, hugepagesz: [2M]}',
    'tests:',
    '  - name: probe',
    '    steps:',
    '      - mmap: {as: P, length: hugepagesz, flags: [MAP_PRIVATE, MAP_ANONYMOUS, MAP_HUGETLB]}',
    '      - memset: {addr: P, length: hugepagesz, value: 1}',
    '      - print: "at {P}, 100% {hugepagesz:x} {hugepagesz}"',
    '      - madvise: {addr: P, length: PAGE_SIZE, advice: MADV_HWPOISON}',
    '      - expect: {raw_hwp_list: {of: P, is: [0]}, mapping: {at: P, kind: hwpoison}, HardwareCorrupted: +4 kB, folio: {of: P, unreliable: false}}',
    '      - expect: {mapping: {at: P, writable: false}}',
    '  - name: machine check',
    '    steps:',
    '      - mmap: {as: P, length: hugepagesz, flags: [MAP_PRIVATE, MAP_ANONYMOUS, MAP_HUGETLB]}',
    '      - mce: {addr: P}',
    '  - name: kernel BUG',
    '    steps:',
    '      - mmap: {as: P, length: hugepagesz, flags: [MAP_PRIVATE, MAP_ANONYMOUS, MAP_HUGETLB]}',
    '      - madvise: {addr: P, length: PAGE_SIZE, advice: MADV_HWPOISON, expect: {bug: hugetlb_split_to_shift_present_leaf}}',
    '',
  ].join('\n'));
  const [p] = exportScenario(s, {});
  const src = p?.source ?? '';
  t.match(src, 'hg_not_observable(10, "raw_hwp_list');
  t.match(src, 'hg_x_mapping(10, V.P, 0, 0, "hwpoison", 0, 0);', 'the kind is checked as far as pagemap shows it');
  t.match(src, 'hg_x_hwc(10, 1, 4);');
  t.match(src, 'hg_not_observable(10, "folio (raw_hwp_unreliable');
  t.match(src, 'hg_not_observable(11, "mapping writable (pagemap has no write bit)");');
  t.match(src, 'hg_out("#  ... at 0x%" PRIx64 ", 100%% 0x%" PRIx64 " %" PRId64, V.P, V.hugepagesz, (s64)V.hugepagesz);',
    'an address prints like %p, :x in hex, a number in decimal; a % is doubled');
  t.match(src, 'hg_stop(HG_SKIP, "not performable on a kernel: mce (a consumed machine check needs the hardware or the hypervisor to raise it) (line 15)");');
  t.notMatch(src, 'static void step_15', 'no step of the skipped test is written');
  t.match(src, 'hg_stop(HG_SKIP, "not performable on a kernel: a call expected to hit a kernel BUG in hugetlb_split_to_shift_present_leaf() (line 19)");');
});

t.test('loops, on_error: break and when: {holds} become C control flow', async (t) => {
  const s = inline([
    'scenario: loops',
    'kernel: {profile: v6.1, hugepagesz: [2M]}',
    'tests:',
    '  - name: loop',
    '    steps:',
    '      - let: {n: 0}',
    '      - for: {k: 0 .. 3}',
    '        let: {off: k * PAGE_SIZE}',
    '        while: k < 3',
    '        do:',
    '          - close: {fd: 99, on_error: break}',
    '          - set: {n: n + 1}',
    '          - break: {when: {holds: n > 1}}',
    '      - expect: {value: {of: n, is: 1}}',
    '',
  ].join('\n'));
  const src = exportScenario(s, {})[0]?.source ?? '';
  t.match(src, 'u64 to_7 = 3UL;');
  t.match(src, 'for (V.k = 0UL; (s64)V.k <= (s64)to_7; V.k++) {');
  t.match(src, 'if (!((u64)((s64)V.k < (s64)3UL)))');
  t.match(src, 'HG_LOOP_STEP(hg_run_in(0, step_11_1, 11));', 'a step in a loop may end it');
  t.match(src, 'hg_end(&c, &f, 0, 0, 0, 2, 0);', 'on_error: break');
  t.match(src, 'if ((u64)((s64)V.n > (s64)1UL)) {\n\t\t\t\tbreak;\n\t\t\t}', 'break when: {holds}');
  t.match(src, 'HG_STEP(hg_run_in(0, step_14_2, 14));');
});

t.test('the exported C compiles with gcc -static -Wall -Wextra -Werror', { skip: gcc ? false : 'gcc is not installed' }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'hgmsim-export-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  // Every mainline program for both kernels: syntax and warnings; one linked statically, as the lab builds.
  for (const file of mainline) {
    for (const profile of ['v6.1', 'v6.12'] as const) {
      for (const p of exportScenario(load(file), { profile })) {
        const c = join(dir, `${p.stem}.${profile}.c`);
        writeFileSync(c, p.source);
        const r = spawnSync('gcc', ['-fsyntax-only', '-Wall', '-Wextra', '-Werror', c], { encoding: 'utf8' });
        t.equal(r.status, 0, `${p.stem} ${profile} compiles${r.stderr ? `:\n${r.stderr.slice(0, 2000)}` : ''}`);
      }
    }
  }
  const [p] = exportScenario(load(join(MAINLINE, 'hwpoison-shared.yaml')), { hugepagesz: ['2M'] });
  writeFileSync(join(dir, 'prog.c'), p?.source ?? '');
  const r = spawnSync('gcc', ['-static', '-Wall', '-Wextra', '-Werror', '-o', join(dir, 'prog'), join(dir, 'prog.c')], { encoding: 'utf8' });
  t.equal(r.status, 0, `links statically${r.stderr ? `:\n${r.stderr.slice(0, 2000)}` : ''}`);
  const usage = spawnSync(join(dir, 'prog'), ['-x'], { encoding: 'utf8' });
  t.equal(usage.status, 2, 'a bad argument is a usage error');
  t.match(usage.stderr, 'usage: ');
});

t.test('check_range becomes a C loop of sigsetjmp probes, one per page, and compiles with -Wall -Wextra -Werror', async (t) => {
  const s = inline([
    'scenario: range',
    'kernel: {profile: v6.1, hugepagesz: [2M], nr_hugepages: 2}',
    'tests:',
    '  - name: check',
    '    steps:',
    '      - memfd_create: {as: fd, flags: [MFD_HUGETLB]}',
    '      - ftruncate: {fd: fd, length: hugepagesz}',
    '      - mmap: {as: P, fd: fd, length: hugepagesz, flags: [MAP_SHARED]}',
    '      - memset: {addr: P, length: hugepagesz, value: 1}',
    '      - check_range: {addr: P, length: hugepagesz, value: 1}',
    '      - check_range: {addr: P, length: hugepagesz, step: 2 * PAGE_SIZE, value: 1, sigbus: [P + 8K, P], si_code: BUS_MCEERR_AR, si_addr_lsb: 21}',
    '',
  ].join('\n'));
  const src = exportScenario(s, {})[0]?.source ?? '';
  t.match(src, 'hg_check_range(&c, V.P, V.hugepagesz, HG_PAGE, (int)(1UL % 256), sigbus, 0, BUS_MCEERR_AR, -1);');
  t.match(src, 'u64 sigbus[] = { (V.P + 0x2000UL), V.P };');
  t.match(src, 'hg_check_range(&c, V.P, V.hugepagesz, (2UL * V.PAGE_SIZE), (int)(1UL % 256), sigbus, 2, BUS_MCEERR_AR, (int)(21UL));');
  t.match(src, 'if (sigsetjmp(jb, 1)) {', 'each load is a sigsetjmp probe (hg_touch)');
  if (!gcc) return;
  const dir = mkdtempSync(join(tmpdir(), 'hgmsim-export-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'range.c'), src);
  const r = spawnSync('gcc', ['-fsyntax-only', '-Wall', '-Wextra', '-Werror', join(dir, 'range.c')], { encoding: 'utf8' });
  t.equal(r.status, 0, `compiles${r.stderr ? `:\n${r.stderr.slice(0, 2000)}` : ''}`);
});

t.test('kernelTap: the tests in order, a result line for a test that did not finish, totals from the results', async (t) => {
  const p: ExportedProgram = {
    scenario: 'x', file: 'x.yaml', hugepagesz: '2M', profile: 'v6.12', stem: 'x.2M', source: '',
    tests: [{ number: 1, name: 'a', line: 5 }, { number: 2, name: 'b # c', line: 9 }, { number: 3, name: 'c', line: 12 }, { number: 4, name: 'd', line: 14 }],
    needs: { pools: { '2M': 8 }, max_hugepages: 8, modules: [], memoryMiB: 1552 },
  };
  const tap = kernelTap(p, '6.12.118+deb12-amd64', [
    { finished: true, text: '#  ... hello\n# HardwareCorrupted: +4 kB\nok 1 a\n' },
    { finished: false, text: '#  ... half\n', reason: 'the guest hung: killed after 300 s' },
    { finished: true, text: 'ok 3 c # SKIP not performable on a kernel: mce (line 12)\n' },
    { finished: true, text: '#  !!! line 15: pool 2M total: expected 8, got 7\nnot ok 4 d\n' },
  ]);
  t.equal(tap, [
    'TAP version 13',
    '# hgmsim x 2M, kernel 6.12.118+deb12-amd64',
    '1..4',
    '#  ... hello',
    '# HardwareCorrupted: +4 kB',
    'ok 1 a',
    '#  ... half',
    'not ok 2 b \\# c # the guest hung: killed after 300 s',
    'ok 3 c # SKIP not performable on a kernel: mce (line 12)',
    '#  !!! line 15: pool 2M total: expected 8, got 7',
    'not ok 4 d',
    '# Totals: pass:1 fail:2 xfail:0 xpass:0 skip:1 error:0',
    '',
  ].join('\n'));
});

t.test('hgmsim export: one program to stdout, several into -o DIR or the current directory', async (t) => {
  const cwd = process.cwd();
  const run = async (args: string[], at = cwd): Promise<{ code: number; out: string; err: string }> => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(args, { cwd: at, env: {}, out: (s) => out.push(s), err: (s) => err.push(s) });
    return { code, out: out.join(''), err: err.join('') };
  };
  const one = await run(['export', join(MAINLINE, 'fork.yaml'), '--c', '--hugepagesz', '2M', '--profile', 'v6.12']);
  t.equal(one.code, 0);
  t.match(one.out, /^\/\/ SPDX-License-Identifier: GPL-2.0\n/);
  t.match(one.out, 'exported by hgmsim for v6.12');
  const dir = mkdtempSync(join(tmpdir(), 'hgmsim-export-cli-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const two = await run(['export', join(cwd, MAINLINE, 'fork.yaml'), '--c'], dir);
  t.equal(two.code, 0);
  t.equal(two.out, 'fork.2M.v6.1.c\nfork.1G.v6.1.c\n', 'both sizes, into the current directory');
  t.same(readdirSync(dir).sort(), ['fork.1G.v6.1.c', 'fork.2M.v6.1.c']);
  const out = await run(['export', join(MAINLINE, 'fork.yaml'), '--c', '-o', join(dir, 'sub')]);
  t.equal(out.code, 0);
  t.same(readdirSync(join(dir, 'sub')).sort(), ['fork.1G.v6.1.c', 'fork.2M.v6.1.c']);
  const bad = await run(['export', join(MAINLINE, 'fork.yaml'), '--c', '-o', join(dir, 'fork.2M.v6.1.c', 'x')]);
  t.equal(bad.code, 73, 'a folder that cannot be made');
  t.match(bad.err, 'hgmsim export: cannot create ');
  t.equal(out.out, `${join(dir, 'sub', 'fork.2M.v6.1.c')}\n${join(dir, 'sub', 'fork.1G.v6.1.c')}\n`);
});
