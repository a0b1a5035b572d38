// The CLI as users run it: `node bin/hgmsim.js …` (the test script builds dist/ first), every exit
// status reachable, stdout pure TAP, stderr human text without stack traces. Plus the pure helpers.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import t from 'tap';
import { internalErrorMessage, relativizePaths } from '../src/cli/exit.js';
import { collectScenarioFiles } from '../src/cli/files.js';
import { firstDifference } from '../src/cli/golden.js';
import { runCli } from '../src/cli/main.js';

const BIN = resolve('bin/hgmsim.js');

function hgmsim(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '', FORCE_COLOR: '0', ...env } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const GOOD = `scenario: good
kernel: {profile: v6.1, hugepagesz: [2M, 1G], nr_hugepages: 2}
verdicts: {v6.1: {split: skip}}
tests:
  - name: poison
    steps:
      - memfd_create: {as: fd, flags: [MFD_HUGETLB]}
      - ftruncate: {fd: fd, length: hugepagesz}
      - mmap: {as: P, fd: fd, length: hugepagesz, flags: [MAP_SHARED]}
      - memset: {addr: P, length: hugepagesz, value: 1}
      - madvise: {addr: P, length: PAGE_SIZE, advice: MADV_HWPOISON}
      - access: {addr: P, op: write, in_thread: new, expect: {sigbus: BUS_MCEERR_AR, si_addr: P}}
      - expect: {HardwareCorrupted: +4 kB}
  - name: split
    steps:
      - mmap: {as: Q, length: hugepagesz, flags: [MAP_PRIVATE, MAP_ANONYMOUS, MAP_HUGETLB]}
      - madvise: {addr: Q, length: hugepagesz, advice: MADV_SPLIT, on_error: skip}
`;

function workdir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'hgmsim-cli-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

t.test('--help lists examples and exit codes, exit 0', async (t) => {
  const r = hgmsim(['--help'], process.cwd());
  t.equal(r.code, 0);
  t.match(r.out, /Examples:/);
  t.match(r.out, /Exit status:[\s\S]*64 +usage error[\s\S]*70 +internal error/);
});

t.test('--version prints the package version, exit 0', async (t) => {
  const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
  const r = hgmsim(['--version'], process.cwd());
  t.equal(r.code, 0);
  t.equal(r.out.trim(), pkg.version);
});

t.test('usage errors exit 64', async (t) => {
  const cwd = workdir({ 'scenarios/good.yaml': GOOD });
  for (const args of [['--bogus'], ['run', '--hugepagesz', '3M'], ['run', '--profile', 'v6.2'], ['run', '--check', '--update-golden'], ['frobnicate'], ['run', '--test', 'nope'], []]) {
    const r = hgmsim(args, cwd);
    t.equal(r.code, 64, args.join(' '));
    t.equal(r.out.includes('TAP version'), false);
  }
  t.match(hgmsim(['run', '--profile', 'v6.2'], cwd).err, /unknown profile 'v6.2' \(did you mean "v6.1"\?\)/);
});

t.test('a missing file exits 66', async (t) => {
  const r = hgmsim(['run', 'nope.yaml'], workdir({}));
  t.equal(r.code, 66);
  t.equal(r.err, 'hgmsim: nope.yaml: no such file or directory\n');
});

t.test('an invalid scenario exits 65 with file:line:col and no stack trace', async (t) => {
  const cwd = workdir({ 'scenarios/bad.yaml': GOOD.replace('MAP_SHARED]', 'MAP_SHARD]').replace('length: PAGE_SIZE', 'length: PAGESIZE'), 'scenarios/good.yaml': GOOD });
  for (const cmd of ['run', 'validate']) {
    const r = hgmsim([cmd], cwd);
    t.equal(r.code, 65, cmd);
    t.equal(r.out, '', 'nothing on stdout');
    t.match(r.err, /^scenarios\/bad\.yaml:9:\d+: BAD_VALUE .*MAP_SHARD/m);
    t.match(r.err, /^scenarios\/bad\.yaml:11:\d+: UNDEFINED_NAME /m);
    t.notMatch(r.err, /\bat .*\.js:\d+/, 'no stack trace');
  }
});

t.test('a runtime author error exits 65, positioned', async (t) => {
  const cwd = workdir({ 'x.yaml': GOOD.replace('      - expect: {HardwareCorrupted: +4 kB}', '      - print: "{pfn(P)}"') });
  const r = hgmsim(['run', 'x.yaml', '--hugepagesz', '2M'], cwd);
  t.equal(r.code, 65);
  t.match(r.err, /^x\.yaml:13:18: NOT_ADDRESS /);
});

t.test('validate prints N files OK on stderr', async (t) => {
  const r = hgmsim(['validate', 'scenarios'], workdir({ 'scenarios/a/good.yaml': GOOD, 'scenarios/b.yaml': GOOD.replace('good', 'b') }));
  t.equal(r.code, 0);
  t.equal(r.err, '2 files OK\n');
});

t.test('a real run: nested TAP over sizes, exit 0 when results match verdicts', async (t) => {
  const cwd = workdir({ 'scenarios/good.yaml': GOOD });
  const r = hgmsim(['run'], cwd);
  t.equal(r.code, 0, r.err);
  t.match(r.out, /^TAP version 13\n1\.\.2\n# selftests: hgmsim: good 2M \[v6\.1\]\n# TAP version 13\n/);
  t.match(r.out, /\n# # sigbus: 1 BUS_MCEERR_AR si_addr=P\+0x0 si_addr_lsb=21\n/);
  t.match(r.out, /\n# ok 2 split # SKIP MADV_SPLIT failed: Invalid argument\n/);
  t.match(r.out, /\nok 2 selftests: hgmsim: good 1G \[v6\.1\]\n# Totals: pass:2 fail:0 xfail:0 xpass:0 skip:0 error:0\n$/);
  t.equal(hgmsim(['run'], cwd).out, r.out, 'byte-identical rerun');
});

t.test('one stream prints flat; an unexpected skip exits 4, a failure 1', async (t) => {
  const cwd = workdir({ 'good.yaml': GOOD.replace('{v6.1: {split: skip}}', '{}') });
  const r = hgmsim(['run', 'good.yaml', '--hugepagesz', '2M', '--profile', 'v6.1'], cwd);
  t.equal(r.code, 4);
  t.match(r.out, /^TAP version 13\n# hgmsim good 2M, profile v6.1\n1\.\.2\n/);
  const failing = workdir({ 'f.yaml': GOOD.replace('+4 kB', '+8 kB') });
  const f = hgmsim(['run', 'f.yaml', '--hugepagesz', '2M'], failing);
  t.equal(f.code, 1);
  t.match(f.out, /\nnot ok 1 poison\n/);
});

t.test('-v and --test', async (t) => {
  const cwd = workdir({ 'good.yaml': GOOD });
  const r = hgmsim(['run', 'good.yaml', '--hugepagesz', '2M', '--test', 'split', '-v'], cwd);
  t.equal(r.code, 0, r.err);
  t.match(r.out, /1\.\.1\n# step 1, line 16: mmap\(/);
  t.match(r.out, /\nok 1 split # SKIP/);
});

t.test('--update-golden then --check; a difference is reported with its line', async (t) => {
  const cwd = workdir({ 'scenarios/good.yaml': GOOD });
  const missing = hgmsim(['run', '--check'], cwd);
  t.equal(missing.code, 1);
  t.match(missing.err, /golden missing: scenarios\/good\.2M\.v6\.1\.tap/);
  const up = hgmsim(['run', '--update-golden'], cwd);
  t.equal(up.code, 0, up.err);
  t.match(up.err, /wrote scenarios\/good\.2M\.v6\.1\.tap\nhgmsim: wrote scenarios\/good\.1G\.v6\.1\.tap\n/);
  const golden = readFileSync(join(cwd, 'scenarios/good.2M.v6.1.tap'), 'utf8');
  t.equal(golden, hgmsim(['run', 'scenarios/good.yaml', '--hugepagesz', '2M', '--profile', 'v6.1'], cwd).out, 'golden = the flat single-stream TAP');
  t.equal(hgmsim(['run', '--check'], cwd).code, 0);
  writeFileSync(join(cwd, 'scenarios/good.2M.v6.1.tap'), golden.replace('ok 1 poison', 'ok 1 poisoned'));
  const diff = hgmsim(['run', '--check'], cwd);
  t.equal(diff.code, 1);
  t.match(diff.err, /golden differs: scenarios\/good\.2M\.v6\.1\.tap \(scenarios\/good\.yaml 2M v6\.1\), first difference at line \d+\n  expected: ok 1 poisoned\n  actual:   ok 1 poison\n/);
});

t.test('--update-golden refuses while a result departs, and writes nothing', async (t) => {
  const cwd = workdir({ 'f.yaml': GOOD.replace('+4 kB', '+8 kB') });
  const r = hgmsim(['run', 'f.yaml', '--update-golden'], cwd);
  t.equal(r.code, 1);
  t.match(r.err, /refusing to update goldens/);
  t.equal(existsSync(join(cwd, 'f.2M.v6.1.tap')), false);
});

t.test('an empty scenario directory runs nothing, exit 0', async (t) => {
  const cwd = workdir({ 'scenarios/README': 'x' });
  const r = hgmsim(['run'], cwd);
  t.equal(r.code, 0);
  t.equal(r.out, 'TAP version 13\n1..0 # SKIP no scenario files\n');
});

t.test('a closed stdout pipe ends quietly', async (t) => {
  const files: Record<string, string> = {};
  for (let i = 0; i < 40; i++) files[`s/g${String(i).padStart(2, '0')}.yaml`] = GOOD.replace('good', `g${i}`);
  const cwd = workdir(files);
  const r = spawnSync('/bin/sh', ['-c', `node ${BIN} run s | head -n 1; echo "rc=$?"`], { cwd, encoding: 'utf8' });
  t.equal(r.stdout, 'TAP version 13\nrc=0\n');
  t.equal(r.stderr, '', 'no stack trace');
});

t.test('colour only on request, never in TAP', async (t) => {
  const cwd = workdir({ 'scenarios/good.yaml': GOOD });
  const r = hgmsim(['--color', 'always', 'validate'], cwd);
  t.match(r.err, /\u001b\[32m1 file OK/);
  t.equal(hgmsim(['validate'], cwd, { NO_COLOR: '1' }).err, '1 file OK\n');
  t.notMatch(hgmsim(['--color', 'always', 'run'], cwd).out, /\u001b/);
});

t.test('in-process: runCli maps an internal error to 70 with relative paths', async (t) => {
  const lines: string[] = [];
  const io = {
    cwd: process.cwd(),
    env: {},
    out: () => {},
    err: (s: string) => lines.push(s),
  };
  // A path argument whose stat throws something other than "missing" is not reachable from outside; an
  // internal error is simulated by an env whose property access throws.
  const hostile = new Proxy({}, { get: () => { throw new Error('boom'); } });
  const code = await runCli(['validate', 'test'], { ...io, env: hostile });
  t.equal(code, 70);
  t.match(lines.join(''), /^hgmsim: internal error \(a bug in hgmsim\): boom\n/);
  t.notMatch(lines.join(''), new RegExp(process.cwd().replace(/[/.]/g, '\\$&')), 'no absolute paths');
});

t.test('helpers: relative paths, first difference, file collection order', async (t) => {
  t.equal(relativizePaths('at f (file:///w/p/src/a.js:1:2)', '/w/p'), 'at f (src/a.js:1:2)');
  t.match(internalErrorMessage('plain', '/'), /^hgmsim: internal error \(a bug in hgmsim\): plain/);
  t.same(firstDifference('a\nb\n', 'a\nc\n'), { line: 2, expected: 'b', actual: 'c' });
  t.same(firstDifference('a\n', 'a\nb\n'), { line: 2, expected: '', actual: 'b' });
  t.same(firstDifference('a', 'a\nb'), { line: 2, expected: '<end of file>', actual: 'b' });
  t.equal(firstDifference('x', 'x'), null);
  const cwd = workdir({ 'd/b.yaml': '', 'd/B.yaml': '', 'd/a/z.yaml': '', 'd/c.txt': '', 'e.yaml': '' });
  t.same(collectScenarioFiles(['d', 'e.yaml', 'd/b.yaml'], cwd), ['d/B.yaml', 'd/a/z.yaml', 'd/b.yaml', 'e.yaml']);
});

t.test('bundled scenarios: goldens match, every stream has one, reruns are byte-identical', async (t) => {
  const root = resolve('.');
  const first = hgmsim(['run', 'scenarios', '--check'], root);
  t.equal(first.code, 0, `run --check: ${first.err}`);
  t.notMatch(first.err, /golden/, 'no golden is missing or different');
  const second = hgmsim(['run', 'scenarios'], root);
  t.equal(second.out, first.out, 'two runs print the same bytes');
  const streams = first.out.split('\n').filter((l) => /^ok \d+ selftests: hgmsim: /.test(l));
  t.equal(streams.length, 6, 'three scenarios x two hugepage sizes');
  for (const name of ['hwpoison-shared', 'second-poison', 'private-anon']) {
    for (const size of ['2M', '1G']) {
      t.ok(existsSync(join(root, 'scenarios/mainline', `${name}.${size}.v6.1.tap`)), `${name}.${size}.v6.1.tap is committed`);
    }
  }
});

t.test('the README shows what the CLI prints today', async (t) => {
  const readme = readFileSync('README.md', 'utf8');
  const m = /`hgmsim (run [^`]*)`:\n\n```tap\n([\s\S]*?)```/.exec(readme);
  t.ok(m, 'README has a run example with its output');
  if (!m) return;
  const args = [...m[1]!.matchAll(/"([^"]*)"|(\S+)/g)].map((a) => a[1] ?? a[2]!);
  t.equal(hgmsim(args, resolve('.')).out, m[2], 'README output is current');
});
