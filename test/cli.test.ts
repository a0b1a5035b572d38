// The CLI as users run it: every exit status reachable, stdout pure TAP, stderr human text without stack
// traces. Plus the pure helpers. Most of it runs runCli in this process (a child costs about a second
// under the test runner); the real binary, `node bin/hgmsim.js …` (the test script builds dist/ first),
// is spawned where the process is what is tested: its exit status and output against runCli's, pipes,
// stdin, an interrupt, worker threads. The bundled corpus is run once per command line and shared.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import t from 'tap';
import { internalErrorMessage, relativizePaths } from '../src/cli/exit.js';
import { collectScenarioFiles } from '../src/cli/files.js';
import { firstDifference, testAtLine } from '../src/cli/golden.js';
import { runCli } from '../src/cli/main.js';
import { PROFILE_NAMES, SWITCH_NAMES } from '../src/abi/index.js';
import { PROFILES, SWITCHES } from '../src/kernel/index.js';

const BIN = resolve('bin/hgmsim.js');

/** NODE_OPTIONS without node-tap's process-info hook: a child is then the CLI as users start it, and
 * starts in a fraction of the time (the hook costs about a second per process on this machine). */
function withoutTapHooks(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const options = (env['NODE_OPTIONS'] ?? '').split(/\s+/).filter((o) => o !== '' && !o.includes('@tapjs/processinfo'));
  return { ...env, NODE_OPTIONS: options.join(' ') };
}

/** The real binary in a child process: for what only a process shows (its exit status, pipes, stdin,
 * signals, worker threads from dist/). Everything else goes through `hgmsim` below, in this process. */
function hgmsimProcess(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', env: withoutTapHooks({ ...process.env, NO_COLOR: '', FORCE_COLOR: '0', ...env }), maxBuffer: 64 * 1024 * 1024 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** The CLI as `hgmsim` runs it, through runCli in this process, with the colour environment the child gets. */
async function hgmsim(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<{ code: number; out: string; err: string }> {
  return cli(args, cwd, { NO_COLOR: '', FORCE_COLOR: '0', ...env });
}

/** The bundled corpus is run once per command line in this file and the result shared between tests:
 * runCli in this process (`bundled`) or the real binary (`bundledProcess`), from the package root. */
const bundledRuns = new Map<string, Promise<{ code: number; out: string; err: string }>>();
function bundled(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const key = JSON.stringify(args);
  if (!bundledRuns.has(key)) bundledRuns.set(key, cli(args, resolve('.')));
  return bundledRuns.get(key)!;
}
/** Where the shard runs write their JUnit (the README's gate command, shared by two tests). */
const JUNIT_DIR = mkdtempSync(join(tmpdir(), 'hgmsim-junit-'));

const bundledProcessRuns = new Map<string, { code: number | null; out: string; err: string }>();
function bundledProcess(args: string[]): { code: number | null; out: string; err: string } {
  const key = JSON.stringify(args);
  if (!bundledProcessRuns.has(key)) bundledProcessRuns.set(key, hgmsimProcess(args, resolve('.')));
  return bundledProcessRuns.get(key)!;
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
  const r = await hgmsim(['--help'], process.cwd());
  t.equal(r.code, 0);
  t.match(r.out, /Examples:/);
  t.match(r.out, /Exit status:[\s\S]*64 +usage error[\s\S]*70 +internal error/);
});

t.test('profiles: the switch table names every profile and switch, then the summaries; deterministic, exit 0', async (t) => {
  const r = await hgmsim(['profiles'], process.cwd());
  t.equal(r.code, 0);
  t.equal(r.err, '');
  const lines = r.out.split('\n');
  t.match(lines[0], /^switch +v6\.1 +v6\.12 +hgm-v2 +hgm-rfc +mfr$/, 'a column per profile');
  for (const name of PROFILE_NAMES) {
    t.ok(lines.some((l) => l.startsWith(`${name} `) && l.includes(PROFILES[name].summary)), `summary of ${name}`);
  }
  for (const subsystem of Object.keys(PROFILES['v6.1'].switches)) {
    t.ok(lines.some((l) => l.split(/ +/)[0] === subsystem), `a group for ${subsystem}`);
  }
  t.match(r.out, /^memory_failure\n  madvise_injection +action_optional +action_required +action_optional +action_optional +action_required$/m, 'a row per switch under its subsystem');
  t.match(r.out, /^  api_features +\d+ items +\+WP_UNPOPULATED \+POISON \+WP_ASYNC \+MOVE += v6\.1 += v6\.1 +\+WP_UNPOPULATED \+POISON \+WP_ASYNC \+MOVE$/m, 'the feature list is shortened in the table');
  t.match(r.out, /^userfaultfd\.api_features of v6\.1, hgm-v2, hgm-rfc: EVENT_FORK, /m, '…and spelt out once below it');
  t.ok(lines.some((l) => /^kernel\.switches +v6\.1 +v6\.12 +hgm-v2 +hgm-rfc +mfr +sets$/.test(l)), 'the scenario switch names, a column per profile');
  for (const key of SWITCH_NAMES) {
    const row = lines.find((l) => l.split(/ +/)[0] === key);
    t.same(row?.split(/ +/).slice(0, 1 + PROFILE_NAMES.length), [key, ...PROFILE_NAMES.map((n) => String(SWITCHES[key].get(PROFILES[n].switches)))], `${key}: true/false per profile`);
  }
  t.equal((await hgmsim(['profiles'], process.cwd())).out, r.out, 'byte-identical on a rerun');
  t.equal((await hgmsim(['profiles', 'x'], process.cwd())).code, 64, 'it takes no arguments');
  t.match((await hgmsim(['--help'], process.cwd())).out, /profiles +print the kernel profiles' switch table/);
});

t.test('--version prints the package version, exit 0', async (t) => {
  const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
  const r = await hgmsim(['--version'], process.cwd());
  t.equal(r.code, 0);
  t.equal(r.out.trim(), pkg.version);
});

t.test('the real binary: bin/hgmsim.js exits with runCli\'s status and prints its stdout and stderr', async (t) => {
  const cwd = workdir({
    'ok.yaml': GOOD,
    'skip.yaml': GOOD.replace('{v6.1: {split: skip}}', '{}'),
    'fail.yaml': GOOD.replace('+4 kB', '+8 kB'),
    'bad.yaml': GOOD.replace('MAP_SHARED]', 'MAP_SHARD]'),
  });
  const cases: [string[], number][] = [
    [['--version'], 0], [['run', 'ok.yaml'], 0], [['run', 'fail.yaml', '--hugepagesz', '2M'], 1], [['run', 'skip.yaml', '--hugepagesz', '2M'], 4],
    [['--bogus'], 64], [['run', 'bad.yaml'], 65], [['run', 'nope.yaml'], 66],
  ];
  for (const [args, code] of cases) {
    const child = hgmsimProcess(args, cwd);
    const inProcess = await hgmsim(args, cwd);
    t.equal(child.code, code, `${args.join(' ')}: exit ${code}`);
    t.equal(child.out, inProcess.out, `${args.join(' ')}: the same stdout`);
    t.equal(child.err, inProcess.err, `${args.join(' ')}: the same stderr`);
  }
});

t.test('usage errors exit 64', async (t) => {
  const cwd = workdir({ 'scenarios/good.yaml': GOOD });
  for (const args of [['--bogus'], ['run', '--hugepagesz', '3M'], ['run', '--profile', 'v6.2'], ['run', '--check', '--update-golden'], ['frobnicate'], ['run', '--test', 'nope'], []]) {
    const r = await hgmsim(args, cwd);
    t.equal(r.code, 64, args.join(' '));
    t.equal(r.out.includes('TAP version'), false);
  }
  t.match((await hgmsim(['run', '--profile', 'v6.2'], cwd)).err, /unknown profile 'v6.2' \(did you mean "v6.1"\?\)/);
});

t.test('a missing file exits 66', async (t) => {
  const r = await hgmsim(['run', 'nope.yaml'], workdir({}));
  t.equal(r.code, 66);
  t.equal(r.err, 'hgmsim: nope.yaml: no such file or directory\n');
});

t.test('an invalid scenario exits 65 with file:line:col and no stack trace', async (t) => {
  const cwd = workdir({ 'scenarios/bad.yaml': GOOD.replace('MAP_SHARED]', 'MAP_SHARD]').replace('length: PAGE_SIZE', 'length: PAGESIZE'), 'scenarios/good.yaml': GOOD });
  for (const cmd of ['run', 'validate']) {
    const r = await hgmsim([cmd], cwd);
    t.equal(r.code, 65, cmd);
    t.equal(r.out, '', 'nothing on stdout');
    t.match(r.err, /^scenarios\/bad\.yaml:9:\d+: BAD_VALUE .*MAP_SHARD/m);
    t.match(r.err, /^scenarios\/bad\.yaml:11:\d+: UNDEFINED_NAME /m);
    t.notMatch(r.err, /\bat .*\.js:\d+/, 'no stack trace');
  }
});

t.test('a runtime author error exits 65, positioned', async (t) => {
  const cwd = workdir({ 'x.yaml': GOOD.replace('      - expect: {HardwareCorrupted: +4 kB}', '      - print: "{pfn(P)}"') });
  const r = await hgmsim(['run', 'x.yaml', '--hugepagesz', '2M'], cwd);
  t.equal(r.code, 65);
  t.match(r.err, /^x\.yaml:13:18: NOT_ADDRESS /);
});

t.test('validate prints N files OK on stderr', async (t) => {
  const r = await hgmsim(['validate', 'scenarios'], workdir({ 'scenarios/a/good.yaml': GOOD, 'scenarios/b.yaml': GOOD.replace('good', 'b') }));
  t.equal(r.code, 0);
  t.equal(r.err, '2 files OK\n');
});

t.test('a real run: nested TAP over sizes, exit 0 when results match verdicts', async (t) => {
  const cwd = workdir({ 'scenarios/good.yaml': GOOD });
  const r = await hgmsim(['run'], cwd);
  t.equal(r.code, 0, r.err);
  t.match(r.out, /^TAP version 13\n1\.\.2\n# selftests: hgmsim: good 2M \[v6\.1\]\n# TAP version 13\n/);
  t.match(r.out, /\n# # sigbus: 1 BUS_MCEERR_AR si_addr=P\+0x0 si_addr_lsb=21\n/);
  t.match(r.out, /\n# ok 2 split # SKIP MADV_SPLIT failed: Invalid argument\n/);
  t.match(r.out, /\nok 2 selftests: hgmsim: good 1G \[v6\.1\]\n# Totals: pass:2 fail:0 xfail:0 xpass:0 skip:0 error:0\n$/);
  t.equal((await hgmsim(['run'], cwd)).out, r.out, 'byte-identical rerun');
});

t.test('one stream prints flat; an unexpected skip exits 4, a failure 1', async (t) => {
  const cwd = workdir({ 'good.yaml': GOOD.replace('{v6.1: {split: skip}}', '{}') });
  const r = await hgmsim(['run', 'good.yaml', '--hugepagesz', '2M', '--profile', 'v6.1'], cwd);
  t.equal(r.code, 4);
  t.match(r.out, /^TAP version 13\n# hgmsim good 2M, profile v6.1\n1\.\.2\n/);
  const failing = workdir({ 'f.yaml': GOOD.replace('+4 kB', '+8 kB') });
  const f = await hgmsim(['run', 'f.yaml', '--hugepagesz', '2M'], failing);
  t.equal(f.code, 1);
  t.match(f.out, /\nnot ok 1 poison\n/);
});

t.test('-v and --test', async (t) => {
  const cwd = workdir({ 'good.yaml': GOOD });
  const r = await hgmsim(['run', 'good.yaml', '--hugepagesz', '2M', '--test', 'split', '-v'], cwd);
  t.equal(r.code, 0, r.err);
  t.match(r.out, /1\.\.1\n# step 1, line 16: mmap\(/);
  t.match(r.out, /\nok 1 split # SKIP/);
});

t.test('--update-golden then --check; a difference is reported with its line', async (t) => {
  const cwd = workdir({ 'scenarios/good.yaml': GOOD });
  const missing = await hgmsim(['run', '--check'], cwd);
  t.equal(missing.code, 1);
  t.match(missing.err, /golden missing: scenarios\/good\.2M\.v6\.1\.tap/);
  const up = await hgmsim(['run', '--update-golden'], cwd);
  t.equal(up.code, 0, up.err);
  t.match(up.err, /wrote scenarios\/good\.2M\.v6\.1\.tap\nhgmsim: wrote scenarios\/good\.1G\.v6\.1\.tap\n/);
  const golden = readFileSync(join(cwd, 'scenarios/good.2M.v6.1.tap'), 'utf8');
  t.equal(golden, (await hgmsim(['run', 'scenarios/good.yaml', '--hugepagesz', '2M', '--profile', 'v6.1'], cwd)).out, 'golden = the flat single-stream TAP');
  t.equal((await hgmsim(['run', '--check'], cwd)).code, 0);
  writeFileSync(join(cwd, 'scenarios/good.2M.v6.1.tap'), golden.replace('ok 1 poison', 'ok 1 poisoned'));
  const diff = await hgmsim(['run', '--check'], cwd);
  t.equal(diff.code, 1);
  t.match(diff.err, /golden differs: scenarios\/good\.2M\.v6\.1\.tap \(scenarios\/good\.yaml 2M v6\.1\), test "poison", first difference at line \d+\n  expected: ok 1 poisoned\n  actual:   ok 1 poison\n/);
});

t.test('--update-golden refuses while a result departs, and writes nothing', async (t) => {
  const cwd = workdir({ 'f.yaml': GOOD.replace('+4 kB', '+8 kB') });
  const r = await hgmsim(['run', 'f.yaml', '--update-golden'], cwd);
  t.equal(r.code, 1);
  t.match(r.err, /refusing to update goldens/);
  t.equal(existsSync(join(cwd, 'f.2M.v6.1.tap')), false);
});

t.test('an empty scenario directory runs nothing, exit 0', async (t) => {
  const cwd = workdir({ 'scenarios/README': 'x' });
  const r = await hgmsim(['run'], cwd);
  t.equal(r.code, 0);
  t.equal(r.out, 'TAP version 13\n1..0 # SKIP no scenario files\n');
});

t.test('a closed stdout pipe ends quietly', async (t) => {
  const files: Record<string, string> = {};
  for (let i = 0; i < 40; i++) files[`s/g${String(i).padStart(2, '0')}.yaml`] = GOOD.replace('good', `g${i}`);
  const cwd = workdir(files);
  const r = spawnSync('/bin/sh', ['-c', `node ${BIN} run s | head -n 1; echo "rc=$?"`], { cwd, encoding: 'utf8', env: withoutTapHooks(process.env) });
  t.equal(r.stdout, 'TAP version 13\nrc=0\n');
  t.equal(r.stderr, '', 'no stack trace');
});

t.test('colour only on request, never in TAP', async (t) => {
  const cwd = workdir({ 'scenarios/good.yaml': GOOD });
  const r = await hgmsim(['--color', 'always', 'validate'], cwd);
  t.match(r.err, /\u001b\[32m1 file OK/);
  t.equal((await hgmsim(['validate'], cwd, { NO_COLOR: '1' })).err, '1 file OK\n');
  t.notMatch((await hgmsim(['--color', 'always', 'run'], cwd)).out, /\u001b/);
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
  const first = await bundled(['run', 'scenarios', '--check', '--profile', 'all']);
  t.equal(first.code, 0, `run --check: ${first.err}`);
  t.notMatch(first.err, /golden/, 'no golden is missing or different');
  // The rerun is the real binary's: the same bytes from another process, through dist/.
  const second = bundledProcess(['run', 'scenarios', '--profile', 'all']);
  t.equal(second.out, first.out, 'two runs print the same bytes');
  const names = readdirSync(join(root, 'scenarios/mainline')).filter((f) => f.endsWith('.yaml')).map((f) => f.slice(0, -5));
  const streams = first.out.split('\n').filter((l) => {
    const m = /^ok \d+ selftests: hgmsim: (\S+) (2M|1G) \[v6\.1\]$/.exec(l);
    return m !== null && names.includes(m[1]!);
  });
  // A mirror of a C test that takes only the default size (hugetlb-read-hwpoison) lists only 2M.
  const sizesOf = (name: string): string[] =>
    /hugepagesz: \[([^\]]*)\]/.exec(readFileSync(join(root, 'scenarios/mainline', `${name}.yaml`), 'utf8'))?.[1]?.split(',').map((s) => s.trim()) ?? [];
  t.ok(names.length >= 10, 'the mainline scenarios are bundled');
  t.ok(names.filter((n) => sizesOf(n).length === 2).length >= 10, 'most run at 2M and 1G');
  t.equal(streams.length, names.reduce((n, name) => n + sizesOf(name).length, 0), 'every mainline scenario runs at each size it lists');
  for (const name of names) {
    for (const size of sizesOf(name)) {
      t.ok(existsSync(join(root, 'scenarios/mainline', `${name}.${size}.v6.1.tap`)), `${name}.${size}.v6.1.tap is committed`);
    }
  }
  // hgm-v2.yaml names two profiles in its verdicts: one golden per stream it names.
  for (const golden of ['hgm-v2.2M.hgm-v2.tap', 'hgm-v2.1G.hgm-v2.tap', 'hgm-v2.2M.v6.1.tap', 'hgm-v2.1G.v6.1.tap']) {
    t.ok(existsSync(join(root, 'scenarios/hugetlb-hgm', golden)), `${golden} is committed`);
  }
});

t.test('the README shows what the CLI prints today', async (t) => {
  const readme = readFileSync('README.md', 'utf8');
  const m = /`hgmsim (run [^`]*)`:\n\n```tap\n([\s\S]*?)```/.exec(readme);
  t.ok(m, 'README has a run example with its output');
  if (!m) return;
  const args = [...m[1]!.matchAll(/"([^"]*)"|(\S+)/g)].map((a) => a[1] ?? a[2]!);
  t.equal((await hgmsim(args, resolve('.'))).out, m[2], 'README output is current');
});

t.test('the README\'s RFC vs MFR table is what the compare scenarios print today', async (t) => {
  const readme = readFileSync('README.md', 'utf8');
  const m = /## RFC vs MFR policy\n[\s\S]*?`hgmsim (run [^`]*)` \(the end of its output\):\n\n```text\n([\s\S]*?)```/.exec(readme);
  t.ok(m, 'README has the comparison command with its table');
  if (!m) return;
  const r = await hgmsim(m[1]!.split(' '), resolve('.'));
  t.equal(r.code, 0, 'every test meets its verdict');
  const lines = r.out.split('\n');
  const from = lines.findIndex((l) => l.startsWith('# loss per profile'));
  const to = lines.findIndex((l) => l.startsWith('# Totals:'));
  t.ok(from > 0 && to > from, 'the run prints the table before its totals');
  t.equal(lines.slice(from, to).map((l) => `${l}\n`).join(''), m[2], 'README table is current');
});

// --- the CI gate: formats, reports beside TAP, annotations, list and shards, --jobs, diff -----------

/** The CLI in this process (fast; src/ through ts-node): what `hgmsim` would print and return. */
async function cli(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(args, { cwd, env: { ...env }, out: (s) => out.push(s), err: (s) => err.push(s) });
  return { code, out: out.join(''), err: err.join('') };
}

const FAILING = GOOD.replace('+4 kB', '+8 kB');

t.test('--format ktap, junit and json on stdout; --junit and --json write reports beside the TAP', async (t) => {
  const cwd = workdir({ 'scenarios/good.yaml': GOOD });
  const dir = workdir({ 'scenarios/good.yaml': GOOD, 'out/.keep': '' });
  const r = await cli(['run', '--junit', 'out/r.xml', '--json', 'r.json'], dir);
  t.equal(r.code, 0, r.err);
  t.equal(r.out, (await cli(['run'], cwd)).out, 'stdout is still the TAP');
  t.equal(readFileSync(join(dir, 'out/r.xml'), 'utf8'), (await cli(['run', '--format', 'junit'], cwd)).out);
  t.equal(readFileSync(join(dir, 'r.json'), 'utf8'), (await cli(['run', '--format', 'json'], cwd)).out);
  const doc = JSON.parse(readFileSync(join(dir, 'r.json'), 'utf8')) as { schemaVersion: number; streams: { size: string }[] };
  t.equal(doc.schemaVersion, 4);
  t.same(doc.streams.map((s) => s.size), ['2M', '1G']);
  t.match((await cli(['run', '--format', 'ktap'], cwd)).out, /^KTAP version 1\n1\.\.2\n {4}KTAP version 1\n {4}# Subtest: good 2M \[v6\.1\]\n/);
  const bad = await cli(['run', '--junit', 'no/such/dir/r.xml'], cwd);
  t.equal(bad.code, 73);
  t.equal(bad.err, 'hgmsim: no/such/dir/r.xml: cannot write: no such file or directory (ENOENT)\n');
  t.equal((await cli(['run', '--format', 'xml'], cwd)).code, 64);
});

t.test('GITHUB_ACTIONS=true: ::error annotations on stderr (the log), never in the TAP, at the failing step\'s YAML line', async (t) => {
  const cwd = workdir({ 'f.yaml': FAILING });
  const r = await cli(['run', 'f.yaml', '--hugepagesz', '2M'], cwd, { GITHUB_ACTIONS: 'true' });
  t.equal(r.code, 1);
  t.match(r.out, /\n# Totals: pass:0 fail:1 xfail:0 xpass:0 skip:1 error:0\n$/, 'stdout ends with the TAP totals');
  t.notMatch(r.out, /::error/, 'no workflow command in the TAP');
  t.equal(r.err, '::error file=f.yaml,line=13,title=good 2M [v6.1]%3A poison::expected pass, got fail: line 13: HardwareCorrupted: expected +8 kB, got +4 kB\n');
  t.notMatch((await cli(['run', 'f.yaml', '--hugepagesz', '2M'], cwd)).err, /::error/, 'not outside GitHub Actions');
  t.match((await cli(['run', 'f.yaml', '--hugepagesz', '2M', '--format', 'json'], cwd, { GITHUB_ACTIONS: 'true' })).err, /^::error/, 'with JSON on stdout too');
});

t.test('list: FILE<TAB>TEST<TAB>SIZE<TAB>PROFILE, sorted by code unit, no header', async (t) => {
  const cwd = workdir({ 'scenarios/good.yaml': GOOD, 'scenarios/B.yaml': GOOD.replace('scenario: good', 'scenario: B') });
  const r = await cli(['list'], cwd);
  t.equal(r.code, 0, r.err);
  t.equal(r.out, [
    'scenarios/B.yaml\tpoison\t1G\tv6.1',
    'scenarios/B.yaml\tpoison\t2M\tv6.1',
    'scenarios/B.yaml\tsplit\t1G\tv6.1',
    'scenarios/B.yaml\tsplit\t2M\tv6.1',
    'scenarios/good.yaml\tpoison\t1G\tv6.1',
    'scenarios/good.yaml\tpoison\t2M\tv6.1',
    'scenarios/good.yaml\tsplit\t1G\tv6.1',
    'scenarios/good.yaml\tsplit\t2M\tv6.1',
    '',
  ].join('\n'));
  t.equal((await cli(['list', '--hugepagesz', '2M', '--profile', 'all'], cwd)).out.split('\n').length - 1, 4);
  t.equal((await cli(['list', '--profile', 'v6.0'], cwd)).code, 64);
  t.same(JSON.parse((await cli(['list', '--json', '--shard', '4/4'], cwd)).out), [
    { file: 'scenarios/B.yaml', test: 'split', size: '2M', profile: 'v6.1' },
    { file: 'scenarios/good.yaml', test: 'split', size: '2M', profile: 'v6.1' },
  ]);
  for (const bad of ['0/2', '3/2', 'x', '1/0']) t.equal((await cli(['list', '--shard', bad], cwd)).code, 64, `--shard ${bad}`);
});

t.test('shards 1..n of the bundled list are disjoint and cover it; run --shard runs exactly them', async (t) => {
  const root = resolve('.');
  // run --check covers every stream with a golden; list --check names the same lines.
  const all = (await cli(['list', '--check'], root)).out.split('\n').filter(Boolean);
  t.ok(all.length >= 10, `${all.length} lines`);
  // --check runs every stream that has a golden whatever --profile says (a gate test below), so this is
  // the bundled run the test above made.
  const full = (await bundled(['run', 'scenarios', '--check', '--profile', 'all'])).out;
  const resultOf = (out: string, test: string, stream: string): string | undefined => {
    const block = out.split(/\n(?=# selftests: hgmsim: )/).find((b) => b.startsWith(`# selftests: hgmsim: ${stream}\n`) || b.includes(`\n# selftests: hgmsim: ${stream}\n`));
    return block?.split('\n').find((l) => new RegExp(`^# (?:not )?ok \\d+ ${test.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?: #|$)`).test(l))?.replace(/ok \d+ /, 'ok N ');
  };
  for (const n of [1, 3, 4]) {
    const seen: string[] = [];
    for (let i = 1; i <= n; i++) {
      const mine = (await cli(['list', '--check', '--shard', `${i}/${n}`], root)).out.split('\n').filter(Boolean);
      t.same(mine, all.filter((_l, k) => k % n === i - 1), `shard ${i}/${n} is lines k with k mod ${n} = ${i - 1}`);
      seen.push(...mine);
      if (n !== 4) continue;
      // The README workflow's gate command, whose JUnit the test of that command reads.
      const run = await bundled(['run', 'scenarios', '--check', '--shard', `${i}/${n}`, '--junit', join(JUNIT_DIR, `junit-${i}.xml`)]);
      t.equal(run.code, 0, run.err);
      const points = run.out.split('\n').filter((l) => /^# (not )?ok \d+ /.test(l));
      t.notMatch(run.out, /^not ok/m, 'every stream and golden of the shard is ok');
      t.equal(points.length, mine.length, `run --shard ${i}/${n} reports its ${mine.length} tests`);
      for (const line of mine) {
        const [file, test, size, profile] = line.split('\t') as [string, string, string, string];
        const stream = `${file.replace(/^.*\//, '').replace(/\.yaml$/, '')} ${size} [${profile}]`;
        t.equal(resultOf(run.out, test, stream), resultOf(full, test, stream), `${stream}: ${test} as in the full run`);
      }
    }
    t.same([...seen].sort(), [...all].sort(), `${n} shards cover the list`);
    t.equal(new Set(seen).size, seen.length, `${n} shards are disjoint`);
  }
});

t.test('an empty shard prints 1..0 # SKIP empty shard and exits 0', async (t) => {
  const cwd = workdir({ 'good.yaml': GOOD });
  const r = await cli(['run', 'good.yaml', '--shard', '9/9'], cwd);
  t.equal(r.code, 0);
  t.equal(r.out, 'TAP version 13\n1..0 # SKIP empty shard\n');
  t.equal(JSON.parse((await cli(['run', 'good.yaml', '--shard', '9/9', '--format', 'json'], cwd)).out).streams.length, 0);
  t.equal((await cli(['run', 'good.yaml', '--shard', '1/2', '--update-golden'], cwd)).code, 64, '--shard with --update-golden');
  t.equal((await cli(['run', 'good.yaml', '--shard', '1/2', '--test', 'split'], cwd)).code, 64, '--shard with --test');
});

t.test('--jobs 2 prints the same bytes as --jobs 1', async (t) => {
  const files: Record<string, string> = { 'f.yaml': FAILING };
  for (let i = 0; i < 6; i++) files[`s/g${i}.yaml`] = GOOD.replace('good', `g${i}`);
  const cwd = workdir(files);
  for (const extra of [[], ['--profile', 'all', '-v', '--format', 'json']]) {
    const one = await hgmsim(['run', '--jobs', '1', '.', ...extra], cwd);
    const two = hgmsimProcess(['run', '--jobs', '2', '.', ...extra], cwd);
    t.equal(two.code, one.code, `${extra.join(' ')}: same exit status`);
    t.equal(two.out, one.out, `${extra.join(' ')}: byte-identical`);
    t.equal(two.err, one.err);
  }
  t.equal(bundledProcess(['run', 'scenarios', '--profile', 'all', '--jobs', '2']).out, bundledProcess(['run', 'scenarios', '--profile', 'all']).out, 'bundled scenarios');
  const runtime = hgmsimProcess(['run', '--jobs', '2', 'x.yaml', 's'], workdir({ 'x.yaml': GOOD.replace('      - expect: {HardwareCorrupted: +4 kB}', '      - print: "{pfn(P)}"'), 's/a.yaml': GOOD }));
  t.equal(runtime.code, 65, 'a runtime author error from a worker is still positioned, exit 65');
  t.match(runtime.err, /^x\.yaml:13:18: NOT_ADDRESS /);
  t.equal((await cli(['run', '--jobs', '0'], cwd)).code, 64);
});

t.test('run --check after a changed step names the test, size, profile and line; --update-golden fixes it', async (t) => {
  const text = readFileSync('scenarios/mainline/second-poison.yaml', 'utf8');
  const files: Record<string, string> = { 'scenarios/mainline/second-poison.yaml': text };
  for (const size of ['2M', '1G']) {
    for (const profile of ['v6.1', 'v6.12']) files[`scenarios/mainline/second-poison.${size}.${profile}.tap`] = readFileSync(`scenarios/mainline/second-poison.${size}.${profile}.tap`, 'utf8');
  }
  const cwd = workdir(files);
  t.equal((await cli(['run', '--check'], cwd)).code, 0, 'the copied goldens match');
  // One step changes, and its expect with it: the run still passes, but the output differs.
  const changed = text.replace(
    '- access: {addr: P + 128 * PAGE_SIZE, op: read, in_thread: new,\n                 expect: {sigbus: BUS_MCEERR_AR, si_addr: P + 128 * PAGE_SIZE,',
    '- access: {addr: P + 64 * PAGE_SIZE, op: read, in_thread: new,\n                 expect: {sigbus: BUS_MCEERR_AR, si_addr: P + 64 * PAGE_SIZE,');
  t.not(changed, text, 'the step was found');
  writeFileSync(join(cwd, 'scenarios/mainline/second-poison.yaml'), changed);
  t.equal((await cli(['run'], cwd)).code, 0, 'the run passes');
  const check = await cli(['run', '--check'], cwd, { GITHUB_ACTIONS: 'true' });
  t.equal(check.code, 1);
  t.match(check.err, /golden differs: scenarios\/mainline\/second-poison\.2M\.v6\.1\.tap \(scenarios\/mainline\/second-poison\.yaml 2M v6\.1\), test "a second MADV_HWPOISON in the same hugepage", first difference at line 4\n  expected: # sigbus: 1 BUS_MCEERR_AR si_addr=P\+0x80000 si_addr_lsb=21\n  actual: {3}# sigbus: 1 BUS_MCEERR_AR si_addr=P\+0x40000 si_addr_lsb=21\n/);
  t.match(check.err, /\n {2}@@ a second MADV_HWPOISON in the same hugepage \(# lines\)\n {2}- # sigbus: 1 BUS_MCEERR_AR si_addr=P\+0x80000 si_addr_lsb=21\n {2}\+ # sigbus: 1 BUS_MCEERR_AR si_addr=P\+0x40000 si_addr_lsb=21\n {2}1 test differs: a second MADV_HWPOISON in the same hugepage \(# lines\)\n/);
  t.match(check.err, /golden differs: scenarios\/mainline\/second-poison\.1G\.v6\.1\.tap \(scenarios\/mainline\/second-poison\.yaml 1G v6\.1\), test "a second MADV_HWPOISON in the same hugepage", first difference at line 4\n/);
  t.match(check.err, /\n::error file=scenarios\/mainline\/second-poison\.2M\.v6\.1\.tap,line=4,title=golden differs%3A scenarios\/mainline\/second-poison\.yaml 2M v6\.1%2C test "a second MADV_HWPOISON in the same hugepage"::expected: # sigbus/);
  const shard = await cli(['run', '--check', '--shard', '2/2'], cwd);
  t.equal(shard.code, 1, 'the shard owning a stream checks its golden');
  const up = await cli(['run', '--update-golden'], cwd);
  t.equal(up.code, 0, up.err);
  t.equal((await cli(['run', '--check'], cwd)).code, 0, 'passes after --update-golden');
  // A broken verdict: --update-golden writes nothing.
  const before = readFileSync(join(cwd, 'scenarios/mainline/second-poison.2M.v6.1.tap'), 'utf8');
  writeFileSync(join(cwd, 'scenarios/mainline/second-poison.yaml'), changed.replace('HardwareCorrupted: +4 kB', 'HardwareCorrupted: +12 kB'));
  const refused = await cli(['run', '--update-golden'], cwd);
  t.equal(refused.code, 1);
  t.match(refused.err, /refusing to update goldens: 4 result\(s\) depart/);
  t.notMatch(refused.err, /wrote/);
  t.equal(readFileSync(join(cwd, 'scenarios/mainline/second-poison.2M.v6.1.tap'), 'utf8'), before, 'golden untouched');
  t.same(readdirSync(join(cwd, 'scenarios/mainline')).sort(), ['second-poison.1G.v6.1.tap', 'second-poison.1G.v6.12.tap', 'second-poison.2M.v6.1.tap', 'second-poison.2M.v6.12.tap', 'second-poison.yaml'], 'no temp files left');
});

t.test('a golden that differs in the header or the totals says so', async (t) => {
  t.equal(testAtLine('TAP version 13\n# h\n1..1\nok 1 a\n# Totals: x\n', 2), 'the header');
  t.equal(testAtLine('TAP version 13\n# h\n1..1\n# c\nok 1 a \\# b # SKIP r\n# Totals: x\n', 4), 'test "a # b"');
  t.equal(testAtLine('TAP version 13\n1..1\nok 1 a\n# Totals: x\n', 4), 'the totals');
});

t.test('diff: 0 same, 1 different (one si_addr_lsb), 65 not TAP, 66 missing, - reads stdin', async (t) => {
  const root = resolve('.');
  const expected = (await cli(['run', 'scenarios/mainline'], root)).out;
  const actual = expected.replace('si_addr=P+0x80000 si_addr_lsb=21', 'si_addr=P+0x80000 si_addr_lsb=12');
  t.not(actual, expected);
  const cwd = workdir({ 'e.tap': expected, 'a.tap': actual, 'n.txt': 'hello\n' });
  const same = await cli(['diff', 'e.tap', 'e.tap'], cwd);
  t.equal(same.code, 0);
  t.equal(same.out, 'identical\n');
  const d = await cli(['diff', 'e.tap', 'a.tap'], cwd);
  t.equal(d.code, 1);
  t.equal(d.out, [
    '--- e.tap',
    '+++ a.tap',
    '@@ selftests: hgmsim: second-poison 2M [v6.1] > a second MADV_HWPOISON in the same hugepage (# lines)',
    '- # sigbus: 1 BUS_MCEERR_AR si_addr=P+0x80000 si_addr_lsb=21',
    '+ # sigbus: 1 BUS_MCEERR_AR si_addr=P+0x80000 si_addr_lsb=12',
    '1 test differs: selftests: hgmsim: second-poison 2M [v6.1] > a second MADV_HWPOISON in the same hugepage (# lines)',
    '',
  ].join('\n'));
  const stdin = spawnSync(process.execPath, [BIN, 'diff', 'e.tap', '-'], { cwd, input: actual, encoding: 'utf8', env: withoutTapHooks({ ...process.env, NO_COLOR: '', FORCE_COLOR: '0' }) });
  t.equal(stdin.status, 1);
  t.match(stdin.stdout, /^--- e\.tap\n\+\+\+ <stdin>\n/);
  const notTap = await cli(['diff', 'e.tap', 'n.txt'], cwd);
  t.equal(notTap.code, 65);
  t.equal(notTap.err, 'hgmsim: n.txt: not TAP (no version line, plan or test point)\n');
  t.equal((await cli(['diff', 'e.tap', 'nope.tap'], cwd)).code, 66);
  t.equal((await cli(['diff', '-', '-'], cwd)).code, 64);
  t.equal((await cli(['diff', 'e.tap'], cwd)).code, 64);
  t.match((await cli(['--color', 'always', 'diff', 'e.tap', 'a.tap'], cwd)).out, /\u001b\[31m- # sigbus/, 'colour on request');
  t.notMatch(d.out, /\u001b/, 'no colour when stdout is not a terminal');
});

t.test('diff: a golden against a kernel recording is compared in kernel view, either way round or forced', async (t) => {
  const golden = readFileSync('scenarios/mainline/hwpoison-shared.2M.v6.12.tap', 'utf8');
  // What the exported program would print on 6.12: no basis or raw_hwp_list, pagemap kinds, its own addresses.
  const recording = golden
    .replace(', profile v6.12', ', kernel 6.12.118+deb12-amd64')
    .replace(/^# basis: .*\n/gm, '')
    .replace(/ \| raw_hwp_list\([^)]*\): \[[^\]]*\]/g, '')
    .replace(/^# raw_hwp_list\([^)]*\): \[[^\]]*\] \| /gm, '# ')
    .replace(/hwpoison 2M x1, none 2M x1/, 'not-present 2M x2')
    .replace(/hwpoison 2M x1/g, 'not-present 2M x1')
    .replace(/0x7f5e7f/g, '0x7ffd3a');
  const cwd = workdir({ 'g.tap': golden, 'k.tap': recording, 'bad.tap': recording.replace('si_addr=Q+0x5000', 'si_addr=Q+0x6000'), 'h.tap': golden.replace(/^# hgmsim .*\n/m, '') });
  const same = await cli(['diff', 'g.tap', 'k.tap'], cwd);
  t.equal(same.code, 0, same.out);
  t.equal(same.out, 'kernel view: 17 lines agree, 0 differ, 12 not observable\n');
  t.equal((await cli(['diff', 'k.tap', 'g.tap'], cwd)).out, same.out, 'the model side is found from the headers');
  const bad = await cli(['diff', 'g.tap', 'bad.tap'], cwd);
  t.equal(bad.code, 1);
  t.equal(bad.out, [
    '--- g.tap (model)', '+++ bad.tap (kernel)', '@@ munmap, re-mmap and touch the poisoned hugepage (# lines)',
    '- # sigbus: 2 BUS_MCEERR_AR si_addr=Q+0x5000 si_addr_lsb=21', '+ # sigbus: 2 BUS_MCEERR_AR si_addr=Q+0x6000 si_addr_lsb=21',
    'kernel view: 16 lines agree, 1 differ, 12 not observable', '',
  ].join('\n'));
  const ordinary = await cli(['diff', 'h.tap', 'k.tap'], cwd);
  t.equal(ordinary.code, 1);
  t.match(ordinary.out, /\n3 tests differ: /, 'without a model header the pair is ordinary TAP');
  const forced = await cli(['diff', '--kernel-view', 'h.tap', 'k.tap'], cwd);
  t.equal(forced.out, [
    '--- h.tap (model)', '+++ k.tap (kernel)', '@@ top level (header)', '+ # hgmsim hwpoison-shared 2M, profile v6.12',
    'kernel view: 16 lines agree, 1 differ, 12 not observable', '',
  ].join('\n'), '--kernel-view compares it in kernel view all the same');
  t.equal((await cli(['diff', '--kernel-view', 'g.tap', 'g.tap'], cwd)).code, 0);
  t.match((await cli(['diff', '--help'], cwd)).out, /Model against kernel:[^]*kernel view: N lines agree, M differ, K not observable/);
  t.notOk(collectScenarioFiles(['scenarios/mainline'], resolve('.')).some((f) => f.endsWith('known-differences.yaml')), 'the known differences are no scenario');
});

t.test('in-process: diff reads stdin through Io', async (t) => {
  const out: string[] = [];
  const io = { cwd: process.cwd(), env: {}, out: (s: string) => out.push(s), err: () => {}, readStdin: async () => 'TAP version 13\n1..1\nok 1 a\n' };
  t.equal(await runCli(['diff', '-', '-'], io), 64);
  const dir = workdir({ 'e.tap': 'TAP version 13\n1..1\nok 1 a\n' });
  t.equal(await runCli(['diff', join(dir, 'e.tap'), '-'], io), 0);
  t.equal(out.join(''), 'identical\n');
  t.equal(await runCli(['diff', join(dir, 'e.tap'), '-'], { ...io, readStdin: undefined }), 64, 'no stdin to read');
});

t.test('the README workflow\'s gate command passes on every shard and writes its JUnit', async (t) => {
  const readme = readFileSync('README.md', 'utf8');
  const m = /run: node bin\/hgmsim\.js (run [^\n]*--shard \$\{\{ matrix\.shard \}\}\/(\d+)[^\n]*)\n/.exec(readme);
  t.ok(m, 'README has the sharded gate command');
  if (!m) return;
  const out = JUNIT_DIR;
  const total = Number(m[2]);
  let tests = 0;
  let goldens = 0;
  for (let i = 1; i <= total; i++) {
    const args = m[1]!.replaceAll('${{ matrix.shard }}', String(i)).split(' ').map((a) => (a.endsWith('.xml') ? join(out, a) : a));
    const r = await bundled(args);
    t.equal(r.code, 0, `shard ${i}/${total}: ${r.err}`);
    const xml = readFileSync(join(out, `junit-${i}.xml`), 'utf8');
    tests += Number(/<testsuites name="hgmsim" tests="(\d+)"/.exec(xml)?.[1]) - (xml.match(/ name="golden" /g) ?? []).length;
    goldens += (xml.match(/ name="golden" /g) ?? []).length;
  }
  const listed = (await cli(['list', '--check'], resolve('.'))).out.split('\n').filter(Boolean);
  t.equal(tests, listed.length, 'the shards\' JUnit reports hold every listed test once');
  t.equal(goldens, new Set(listed.map((l) => l.split('\t').filter((_, k) => k !== 1).join('\t'))).size, 'and a golden testcase per stream, each checked by one shard');
});

t.test('a long golden diff is cut after its head, keeping the summary line', async (t) => {
  const cwd = workdir({ 'good.yaml': GOOD });
  t.equal((await cli(['run', 'good.yaml', '--hugepagesz', '2M', '--update-golden'], cwd)).code, 0);
  const path = join(cwd, 'good.2M.v6.1.tap');
  const golden = readFileSync(path, 'utf8');
  writeFileSync(path, golden.replace('1..2\n', `1..2\n${Array.from({ length: 40 }, (_v, i) => `# noise ${i}\n`).join('')}`));
  const r = await cli(['run', 'good.yaml', '--hugepagesz', '2M', '--check'], cwd);
  t.equal(r.code, 1);
  t.match(r.err, /test "poison", first difference at line 4\n/);
  t.match(r.err, /\n {2}- # noise 20\n {2}… 19 more lines\n {2}1 test differs: poison \(# lines\)\n$/);
});

// --- hgmsim new ---

t.test('new: every template validates and runs green under every profile its verdicts name', async (t) => {
  const { TEMPLATE_NAMES } = await import('../src/cli/templates.js');
  const cwd = workdir({});
  for (const name of TEMPLATE_NAMES) {
    const w = await hgmsim(['new', `t/${name}`, '--template', name], cwd);
    t.equal(w.code, 0, `new --template ${name}: ${w.err}`);
    t.equal(w.out, '', 'nothing on stdout');
    t.match(w.err, new RegExp(`wrote t/${name}\\.yaml \\(template ${name}\\)`));
    const text = readFileSync(join(cwd, 't', `${name}.yaml`), 'utf8');
    const first = /^# yaml-language-server: \$schema=(\S+)\n/.exec(text);
    t.ok(first, `${name}: the first line names the schema`);
    t.equal(resolve(cwd, 't', first?.[1] ?? ''), resolve('schema/scenario.schema.json'), `${name}: the relative schema path reaches the package's schema`);
    t.match(text, new RegExp(`^scenario: ${name}$`, 'm'), 'the scenario is named after the file');
    const stepLike = text.split('\n').filter((l) => /^\s*#\s*-\s*[A-Za-z_]+\s*:/.test(l));
    t.same(stepLike, [], `${name}: no comment line looks like a step`);
    const r = await hgmsim(['run', `t/${name}.yaml`, '--profile', 'all'], cwd);
    t.equal(r.code, 0, `${name} runs green under --profile all\n${r.out}${r.err}`);
    t.notMatch(r.out, /^(# )?not ok/m);
  }
  const hgm = (await hgmsim(['run', 't/hgm.yaml', '--profile', 'all'], cwd)).out;
  t.match(hgm, /poison one raw page of a split hugepage +skip +xfail +pass\n/, 'hgm: skip on v6.1, XFAIL on hgm-v2, pass on hgm-rfc');
});

t.test('new: .yaml is added once, the default template is basic, an existing file is never overwritten (exit 73)', async (t) => {
  const cwd = workdir({ 'taken.yaml': 'keep me\n' });
  t.equal((await hgmsim(['new', 'a'], cwd)).code, 0);
  t.equal((await hgmsim(['new', 'b.yaml'], cwd)).code, 0);
  t.ok(existsSync(join(cwd, 'a.yaml')) && existsSync(join(cwd, 'b.yaml')) && !existsSync(join(cwd, 'b.yaml.yaml')));
  t.match(readFileSync(join(cwd, 'a.yaml'), 'utf8'), /^# yaml-language-server: \$schema=\S+\n#\n# Poison one raw page/);
  for (const file of ['taken', 'taken.yaml', 'a']) {
    const r = await hgmsim(['new', file, '--template', 'hgm'], cwd);
    t.equal(r.code, 73, `${file} exists`);
    t.match(r.err, /already exists; not overwritten/);
  }
  t.equal(readFileSync(join(cwd, 'taken.yaml'), 'utf8'), 'keep me\n', 'untouched');
  t.equal((await hgmsim(['new', 'c', '--template', 'nope'], cwd)).code, 64, 'an unknown template is a usage error');
  t.equal((await hgmsim(['new'], cwd)).code, 64, 'FILE is required');
  writeFileSync(join(cwd, 'file'), '');
  const r = await hgmsim(['new', 'file/x'], cwd);
  t.equal(r.code, 73, 'a parent that is a file');
  t.match(r.err, /cannot create/);
  t.match((await hgmsim(['--help'], cwd)).out, /new \[options\] <file>/);
});

t.test('new: an odd file name is quoted in scenario:, and the template text is what new writes', async (t) => {
  const { templateText } = await import('../src/cli/new-command.js');
  const text = templateText('/x/y/my test: one.yaml', 'read', '/x/schema/scenario.schema.json');
  t.match(text, /^# yaml-language-server: \$schema=\.\.\/schema\/scenario\.schema\.json\n/);
  t.match(text, /^scenario: "my test: one"$/m);
});

// --- show and --trace ----------------------------------------------------------------------------

t.test('show: the text tree after a step, --json, --svg; usage and input errors', async (t) => {
  const root = resolve('.');
  const rfc = ['show', 'scenarios/hugetlb-hgm/rfc.yaml', '--hugepagesz', '2M', '--test', 'HGM hwpoison test'];
  const v = await hgmsim(['run', 'scenarios/hugetlb-hgm/rfc.yaml', '--profile', 'hgm-rfc', '--hugepagesz', '2M', '--test', 'HGM hwpoison test', '-v'], root);
  const stepLine = v.out.split('\n').find((l) => l.includes('MADV_HWPOISON'));
  const n = /# step (\d+), line (\d+): (.*) = 0$/.exec(stepLine ?? '');
  if (n === null) throw new Error('no MADV_HWPOISON step in -v output');
  const r = await hgmsim([...rfc, '--step', n[1]!], root);
  t.equal(r.code, 0);
  t.equal(r.err, '');
  const lines = r.out.split('\n');
  t.equal(lines[1], `after step ${n[1]} (line ${n[2]}): ${n[3]}`, 'the step is the one -v numbers so');
  // P: its hugepage split around the poisoned raw page, everything else still mapped.
  const p = lines.indexOf(lines.find((l) => l.startsWith('  P [')) ?? '');
  // The second hugepage keeps the PAGE_SIZE pieces UFFDIO_CONTINUE mapped, 4K hole at the end (selftests.md §3.3).
  t.same(lines.slice(p + 1, p + 8).map((l) => l.replace(/\s+/g, ' ').trim()), [
    'PUD P+0x0 table',
    'PMD P+0x0 table',
    'PTE P+0x0 hwpoison 4K pfn 0x40e00',
    'PTE P+0x1000 x511 present 4K rw folio 0x40e00 +1..+511',
    'PMD P+0x200000 table',
    'PTE P+0x200000 x511 present 4K rw folio 0x40c00 +0..+510',
    'PTE P+0x3ff000 none 4K',
  ]);
  t.match(r.out, /folio 0x40e00 2M refcount=\d+ mapcount=0 sub-hugepage entries=1022 page-cache,hwpoison raw_hwp_list=\[0 \(vmas 2, expected 2, actual 2\)\]/);
  t.equal((await hgmsim([...rfc, '--step', n[1]!], root)).out, r.out, 'deterministic');

  const json = await hgmsim([...rfc, '--step', n[1]!, '--json'], root);
  const state = JSON.parse(json.out) as { step: { index: number }; folios: { raw_hwp_list: number[] }[] };
  t.equal(state.step.index, Number(n[1]));
  t.same(state.folios.map((f) => f.raw_hwp_list), [[], [0]]);

  const dir = workdir({});
  const svg = await hgmsim([...rfc.map((a) => (a.startsWith('scenarios/') ? join(root, a) : a)), '--step', n[1]!, '--svg', 'out.svg'], dir);
  t.equal(svg.code, 0);
  t.match(readFileSync(join(dir, 'out.svg'), 'utf8'), /^<svg [^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  t.equal(svg.out, r.out, 'the text still goes to stdout');

  const typo = await hgmsim([...rfc.slice(0, 4), '--test', 'HGM hwpoison tset'], root);
  t.equal(typo.code, 64);
  t.match(typo.err, /no test 'HGM hwpoison tset'.*did you mean "HGM hwpoison test"/);
  t.equal((await hgmsim([...rfc, '--step', '0'], root)).code, 64, 'steps count from 1');
  t.equal((await hgmsim(['show', 'nope.yaml'], root)).code, 66);
  const bad = workdir({ 'bad.yaml': 'scenario: x\nkernel: {profile: v6.1}\ntests: []\nbogus: 1\n' });
  const b = await hgmsim(['show', 'bad.yaml'], bad);
  t.equal(b.code, 65);
  t.match(b.err, /^bad\.yaml:\d+:\d+: /);
  const empty = workdir({ 'empty.yaml': 'scenario: x\nkernel: {profile: v6.1, hugepagesz: [2M], nr_hugepages: 1}\ntests:\n  - name: nothing\n    steps: []\n' });
  const e = await hgmsim(['show', 'empty.yaml'], empty);
  t.equal(e.code, 0);
  t.match(e.out, /at the end of the test \(no call step ran\)\n[\s\S]*process main \(pid \d+\)\n {2}no hugetlb VMAs/);
});

t.test('the README shows what show and --trace print today', async (t) => {
  const root = resolve('.');
  const readme = readFileSync('README.md', 'utf8');
  const block = (re: RegExp): string[] => (re.exec(readme)?.[1] ?? '').split('\n').filter((l) => l !== '');
  const traceBlock = block(/\n```\n(# step 43, line 145: madvise[\s\S]*?)```/);
  t.ok(traceBlock.length > 10, 'README has a --trace excerpt');
  const run = await hgmsim(['run', 'scenarios/hugetlb-hgm/rfc.yaml', '--profile', 'hgm-rfc', '--hugepagesz', '2M', '--test', 'HGM hwpoison test', '--trace'], root);
  t.ok(run.out.includes(`${traceBlock.join('\n')}\n`), 'the --trace excerpt is a contiguous part of the output');
  const showCmd = /\$ hgmsim (show [^\n]*) --svg rfc\.svg\n([\s\S]*?)```/.exec(readme);
  t.ok(showCmd, 'README has a show example');
  if (!showCmd) return;
  const args = [...showCmd[1]!.matchAll(/"([^"]*)"|(\S+)/g)].map((a) => a[1] ?? a[2]!);
  const out = (await hgmsim(args, root)).out.split('\n');
  for (const line of showCmd[2]!.split('\n').filter((l) => l !== '' && l.trim() !== '…')) {
    t.ok(out.includes(line), `show prints: ${line.trim()}`);
  }
  // The picture the README shows is what that command draws today (npm run docs writes it).
  const dir = workdir({});
  t.equal((await hgmsim([...args, '--svg', join(dir, 'x.svg')], root)).code, 0);
  t.equal(readFileSync(join(dir, 'x.svg'), 'utf8'), readFileSync('docs/show-rfc-1g.svg', 'utf8'), 'docs/show-rfc-1g.svg is current');
  t.match(readme, /\]\(docs\/show-rfc-1g\.svg\)/, 'the README shows it');
});

// --- a gate that never lies: the verdict is the same in every output (issue "A gate that never lies") ---

/** GOOD with its verdicts naming hgm-rfc too, so its goldens span two profiles. */
const TWO_PROFILES = GOOD.replace('verdicts: {v6.1: {split: skip}}', 'verdicts: {v6.1: {split: skip}, hgm-rfc: {split: skip}}');

t.test('gate: a golden that differs or is missing fails TAP, JUnit and JSON alike, not only stderr', async (t) => {
  const cwd = workdir({ 'scenarios/good.yaml': GOOD });
  t.equal((await cli(['run', '--update-golden'], cwd)).code, 0);
  const path = join(cwd, 'scenarios/good.2M.v6.1.tap');
  writeFileSync(path, readFileSync(path, 'utf8').replace('ok 1 poison', 'ok 1 poisoned'));
  rmSync(join(cwd, 'scenarios/good.1G.v6.1.tap'));
  const r = await cli(['run', '--check', '--junit', 'j.xml', '--json', 'j.json'], cwd);
  t.equal(r.code, 1);
  t.match(r.out, /\n# golden differs: scenarios\/good\.2M\.v6\.1\.tap, test "poison", first difference at line \d+\n#   expected: ok 1 poisoned\n#   actual:   ok 1 poison\nnot ok 1 selftests: hgmsim: good 2M \[v6\.1\] # golden differs\n/);
  t.match(r.out, /\n# golden missing: scenarios\/good\.1G\.v6\.1\.tap; write it with --update-golden\nnot ok 2 selftests: hgmsim: good 1G \[v6\.1\] # golden missing\n/);
  t.match(r.out, /\n# Totals: pass:0 fail:2 /);
  const xml = readFileSync(join(cwd, 'j.xml'), 'utf8');
  t.match(xml, /<testsuites name="hgmsim" tests="6" failures="2" errors="0"/, 'two golden testcases fail');
  t.match(xml, /<testcase classname="good 2M \[v6\.1\]" name="golden" file="scenarios\/good\.2M\.v6\.1\.tap" line="\d+" time="0">\n +<failure message="golden differs: scenarios\/good\.2M\.v6\.1\.tap, test &quot;poison&quot;, line \d+" type="golden">/);
  t.match(xml, /name="golden" file="scenarios\/good\.1G\.v6\.1\.tap" time="0">\n +<failure message="golden missing/);
  const doc = JSON.parse(readFileSync(join(cwd, 'j.json'), 'utf8')) as { exitStatus: number; streams: { golden?: { status: string; path: string; line?: number } }[] };
  t.equal(doc.exitStatus, 1, 'the JSON states the exit status the run has');
  t.match(doc.streams.map((s) => s.golden), [{ status: 'different', path: 'scenarios/good.2M.v6.1.tap', expected: 'ok 1 poisoned' }, { status: 'missing', path: 'scenarios/good.1G.v6.1.tap' }]);
  for (const format of ['ktap', 'junit', 'json']) {
    const f = await cli(['run', '--check', '--format', format], cwd);
    t.equal(f.code, 1, `${format}: exit 1`);
    t.match(f.out, format === 'ktap' ? /\nnot ok 1 good 2M \[v6\.1\] # golden differs\n/ : format === 'junit' ? /type="golden"/ : /"status": "different"/, `${format} on stdout says so`);
  }
  t.equal((await cli(['run', '--update-golden'], cwd)).code, 0);
  const same = await cli(['run', '--check', '--json', 'j.json'], cwd);
  t.equal(same.code, 0);
  t.match(same.out, /\nok 1 selftests: hgmsim: good 2M \[v6\.1\]\n/);
  t.match(JSON.parse(readFileSync(join(cwd, 'j.json'), 'utf8')), { exitStatus: 0, streams: [{ golden: { status: 'same' } }, { golden: { status: 'same' } }] });
});

t.test('gate: a closed stdout keeps the status the run computed (a failure is not turned into 0)', async (t) => {
  const cwd = workdir({ 'f.yaml': FAILING });
  // bash's pipefail gives the pipeline hgmsim's own status; head closes the pipe after one line.
  const r = spawnSync('/bin/bash', ['-c', `set -o pipefail; node ${BIN} run f.yaml --hugepagesz 2M -v | head -n 1`], { cwd, encoding: 'utf8', env: withoutTapHooks(process.env) });
  t.equal(r.status, 1, 'the failing run still exits 1');
  t.equal(r.stdout, 'TAP version 13\n');
  t.equal(r.stderr, '', 'quietly');
  const ok = spawnSync('/bin/bash', ['-c', `set -o pipefail; node ${BIN} run f.yaml --hugepagesz 2M --test split | head -n 1`], { cwd, encoding: 'utf8', env: withoutTapHooks(process.env) });
  t.equal(ok.status, 0, 'a passing run still exits 0');
});

t.test('gate: --check or --update-golden over zero scenario files is an error (66); *.yml files are scenarios', async (t) => {
  const cwd = workdir({ 'empty/README': 'x' });
  for (const flag of ['--check', '--update-golden']) {
    const r = await cli(['run', 'empty', flag], cwd);
    t.equal(r.code, 66, `${flag} over nothing`);
    t.match(r.err, new RegExp(`^hgmsim: ${flag}: no scenario files \\(\\*\\.yaml, \\*\\.yml\\) under empty; a gate over nothing is not a pass\\n$`));
  }
  t.equal((await cli(['run', 'empty'], cwd)).code, 0, 'a plain run of nothing still skips');
});

t.test('gate: a stale golden (file, size or profile gone) fails --check in every format and --update-golden removes it', async (t) => {
  const cwd = workdir({ 'scenarios/good.yaml': GOOD, 'scenarios/keep.2M.kernel-6.1.0-26-amd64.tap': 'TAP version 13\n1..0\n' });
  t.equal((await cli(['run', '--update-golden'], cwd)).code, 0);
  const golden = readFileSync(join(cwd, 'scenarios/good.2M.v6.1.tap'), 'utf8');
  writeFileSync(join(cwd, 'scenarios/gone.2M.v6.1.tap'), golden); // its scenario file is gone
  writeFileSync(join(cwd, 'scenarios/good.2M.hgm-v2.tap'), golden); // a profile its verdicts do not name
  writeFileSync(join(cwd, 'scenarios/good.2M.no-such-profile.tap'), golden); // a profile that does not exist
  writeFileSync(join(cwd, 'scenarios/good.yaml'), GOOD.replace('hugepagesz: [2M, 1G]', 'hugepagesz: [2M]')); // a size gone
  const stale = ['scenarios/gone.2M.v6.1.tap', 'scenarios/good.1G.v6.1.tap', 'scenarios/good.2M.hgm-v2.tap', 'scenarios/good.2M.no-such-profile.tap'].sort();
  const r = await cli(['run', '--check', '--json', 'j.json', '--junit', 'j.xml'], cwd);
  t.equal(r.code, 1);
  stale.forEach((path, i) => t.match(r.out, new RegExp(`\\nnot ok ${i + 2} golden: ${path.replace(/\./g, '\\.')} # stale\\n`), `${path} is a failing test point`));
  t.match(r.out, /^TAP version 13\n1\.\.5\n/, 'the plan counts them');
  t.match(r.err, /stale golden: scenarios\/gone\.2M\.v6\.1\.tap: no stream of this run writes it/);
  t.notMatch(r.out, /kernel-6\.1\.0/, 'recorded kernel TAP is not a golden');
  t.same((JSON.parse(readFileSync(join(cwd, 'j.json'), 'utf8')) as { staleGoldens: string[] }).staleGoldens, stale);
  t.match(readFileSync(join(cwd, 'j.xml'), 'utf8'), /<testsuite name="hgmsim: stale goldens" tests="4" failures="4"/);
  t.equal((await cli(['run', 'scenarios/good.yaml', '--check'], cwd)).code, 1, 'a file named on its own: its own stale goldens count');
  const up = await cli(['run', '--update-golden'], cwd);
  t.equal(up.code, 0, up.err);
  for (const path of stale) t.match(up.err, new RegExp(`removed stale golden ${path.replace(/\./g, '\\.')}\\n`));
  t.same(readdirSync(join(cwd, 'scenarios')).sort(), ['good.2M.v6.1.tap', 'good.yaml', 'keep.2M.kernel-6.1.0-26-amd64.tap']);
  t.equal((await cli(['run', '--check'], cwd)).code, 0);
});

t.test('gate: --check compares every golden beside a scenario, whatever --profile and --hugepagesz say', async (t) => {
  const cwd = workdir({ 'scenarios/good.yaml': TWO_PROFILES });
  const up = await cli(['run', '--update-golden'], cwd);
  t.equal(up.code, 0, up.err);
  t.equal(readdirSync(join(cwd, 'scenarios')).filter((f) => f.endsWith('.tap')).length, 4, '--update-golden writes every golden the verdicts name');
  const path = join(cwd, 'scenarios/good.1G.hgm-rfc.tap');
  writeFileSync(path, readFileSync(path, 'utf8').replace('ok 1 poison', 'ok 1 poisoned'));
  for (const args of [[], ['--profile', 'v6.1'], ['--hugepagesz', '2M'], ['--profile', 'v6.1', '--hugepagesz', '2M']]) {
    const r = await cli(['run', '--check', ...args], cwd);
    t.equal(r.code, 1, `--check ${args.join(' ')} still sees the hgm-rfc 1G golden`);
    t.match(r.out, /not ok \d selftests: hgmsim: good 1G \[hgm-rfc\] # golden differs/);
  }
  t.equal((await cli(['list', '--check'], cwd)).out.split('\n').filter(Boolean).length, 8, 'list --check names what run --check runs');
});

t.test('gate: an author error at run time stops its stream only: the others run, every format names it, exit 65', async (t) => {
  const bad = GOOD.replace('scenario: good', 'scenario: bad').replace('      - expect: {HardwareCorrupted: +4 kB}', '      - print: "{pfn(P + 2 * hugepagesz)}"');
  const cwd = workdir({ 'a-bad.yaml': bad, 'b-good.yaml': GOOD });
  const r = await cli(['run', '.', '--junit', 'j.xml', '--json', 'j.json'], cwd);
  t.equal(r.code, 65);
  t.match(r.out, /\n# Bail out! a-bad\.yaml:13:18: NOT_ADDRESS [^\n]*\nnot ok 1 selftests: hgmsim: bad 2M \[v6\.1\] # error: a-bad\.yaml:13:18 NOT_ADDRESS\n/);
  t.match(r.out, /\nok 3 selftests: hgmsim: good 2M \[v6\.1\]\n/, 'the other streams ran');
  t.match(r.out, /\nok 4 selftests: hgmsim: good 1G \[v6\.1\]\n/);
  t.match(r.err, /^a-bad\.yaml:13:18: NOT_ADDRESS /m);
  t.match(readFileSync(join(cwd, 'j.xml'), 'utf8'), /<testcase classname="bad 2M \[v6\.1\]" name="\(scenario error\)" file="a-bad\.yaml" line="13" time="0">\n +<error message="a-bad\.yaml:13:18: NOT_ADDRESS/);
  const doc = JSON.parse(readFileSync(join(cwd, 'j.json'), 'utf8')) as { exitStatus: number; streams: { file: string; size: string; profile: string; error?: { code: string; line: number } }[] };
  t.equal(doc.exitStatus, 65);
  t.match(doc.streams[0], { file: 'a-bad.yaml', size: '2M', profile: 'v6.1', error: { code: 'NOT_ADDRESS', line: 13, col: 18 } });
  t.equal(doc.streams[2]?.error, undefined);
  const flat = await cli(['run', 'a-bad.yaml', '--hugepagesz', '2M'], cwd);
  t.equal(flat.code, 65);
  t.match(flat.out, /\n# Totals: pass:0 fail:0 xfail:0 xpass:0 skip:0 error:0\nBail out! a-bad\.yaml:13:18: NOT_ADDRESS /, 'a flat stream bails out');
  t.match((await cli(['run', '.', '--format', 'ktap'], cwd)).out, /\nnot ok 1 bad 2M \[v6\.1\] # error: a-bad\.yaml:13:18 NOT_ADDRESS\n/);
  // The real binary: its workers load dist/ (from this process they would load src/ through ts-node, seconds each).
  const jobs = hgmsimProcess(['run', '.', '--jobs', '2'], cwd);
  t.equal(jobs.out, r.out, '--jobs 2 reports the same');
  const up = await cli(['run', '.', '--update-golden'], cwd);
  t.equal(up.code, 65);
  t.match(up.err, /refusing to update goldens: 2 result\(s\) depart[^\n]*\n {2}a-bad\.yaml 2M v6\.1: stopped by NOT_ADDRESS at line 13\n {2}a-bad\.yaml 1G v6\.1: stopped by NOT_ADDRESS at line 13\n/);
});

t.test('gate: budgets per stream and per run end a long input quickly, positioned; TAP is streamed test by test', async (t) => {
  const loop = (i: number): string => `  - name: t${i}\n    steps:\n      - for: {k: 1 .. 990000}\n        do:\n          - let: {z: k}\n`;
  const head = 'scenario: long\nkernel: {profile: v6.1, hugepagesz: [2M], nr_hugepages: 2}\ntests:\n';
  const cwd = workdir({ 'long.yaml': head + Array.from({ length: 300 }, (_, i) => loop(i)).join('') });
  const r = await hgmsim(['run', 'long.yaml'], cwd);
  t.equal(r.code, 65);
  t.match(r.out, /^TAP version 13\n# hgmsim long 2M, profile v6\.1\n1\.\.300\nok 1 t0\nok 2 t1\nok 3 t2\nok 4 t3\n# Totals: pass:4 [^\n]*\nBail out! long\.yaml:\d+:13: STREAM_BUDGET this stream \(long 2M\) exceeds the budget of 4000000 model operations for all its tests\n$/);
  // Streamed: the first results are on stdout while the run goes on; an interrupt leaves them.
  const child = spawn(process.execPath, [BIN, 'run', 'long.yaml'], { cwd, env: withoutTapHooks({ ...process.env, NO_COLOR: '' }) });
  let seen = '';
  await new Promise<void>((done) => {
    child.stdout.on('data', (d: Buffer) => {
      seen += d.toString();
      // SIGKILL: children of the test runner inherit a signal mask that blocks SIGINT and SIGTERM.
      if (seen.includes('ok 1 t0\n') && !child.killed) child.kill('SIGKILL');
    });
    child.on('close', () => done());
  });
  t.match(seen, /^TAP version 13\n# hgmsim long 2M, profile v6\.1\n1\.\.300\nok 1 t0\n/, 'the first test was printed before the run ended');
  t.notMatch(seen, /Bail out!/, 'interrupted before the budget ran out');
});

t.test('gate: the run budget bounds all streams together (runStream under a small budget)', async (t) => {
  const { loadScenario } = await import('../src/scenario/load.js');
  const { runStream } = await import('../src/runner/run.js');
  const s = loadScenario('x.yaml', GOOD).scenario;
  t.ok(s);
  if (!s) return;
  const full = runStream(s, '2M', 'v6.1');
  t.ok(full.ok);
  t.ok(full.result.spent > 10, `the stream spends ${full.result.spent} operations`);
  const short = runStream(s, '2M', 'v6.1', { budget: { ops: full.result.spent - 1, of: { kind: 'run', limit: 123 } } });
  t.notOk(short.ok);
  t.match(short.result.error, { code: 'RUN_BUDGET', message: 'the run exceeds its budget of 123 model operations for all streams together' });
  t.equal(short.result.tests.length, 1, 'the test that finished before the budget ran out is kept');
});

t.test('gate: control bytes in test names and print text are escaped in TAP and KTAP', async (t) => {
  const text = GOOD.replace('- name: split', '- name: "split\\u0007\\u001b[2J"').replace('{v6.1: {split: skip}}', '{v6.1: {"split\\u0007\\u001b[2J": skip}}')
    .replace('      - madvise: {addr: P, length: PAGE_SIZE', '      - print: "red \\u001b[31m\\u202e"\n      - madvise: {addr: P, length: PAGE_SIZE');
  const cwd = workdir({ 'c.yaml': text });
  for (const format of ['tap', 'ktap']) {
    const r = await cli(['run', 'c.yaml', '--format', format], cwd);
    t.equal(r.code, 0, r.err);
    t.notMatch(r.out, /[\u0000-\u0008\u000b-\u001f\u007f\u202e]/, `${format}: no control byte reaches stdout`);
    t.match(r.out, /ok 2 split\\x07\\x1b\[2J # SKIP/, `${format}: the name shows its bytes`);
    t.match(r.out, / \.\.\. red \\x1b\[31m\\u202e\n/, `${format}: the print text shows its bytes`);
  }
});

t.test('bin/hgmsim.js runs the bundle: self-contained, its --jobs worker included; without a build it says so, exit 70', async (t) => {
  // The shim, the bundle and package.json alone, away from node_modules, src/ and tsc's dist/cli/.
  const pkg = mkdtempSync(join(tmpdir(), 'hgmsim-pkg-'));
  cpSync('bin', join(pkg, 'bin'), { recursive: true });
  cpSync('package.json', join(pkg, 'package.json'));
  const shim = join(pkg, 'bin', 'hgmsim.js');
  const inPkg = (args: string[], cwd: string): { code: number | null; out: string; err: string } => {
    const r = spawnSync(process.execPath, [shim, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '', FORCE_COLOR: '0' } });
    return { code: r.status, out: r.stdout, err: r.stderr };
  };
  const unbuilt = inPkg(['--version'], pkg);
  t.equal(unbuilt.code, 70, 'no dist/: exit 70');
  t.equal(unbuilt.err, 'hgmsim: dist/ is missing: run npm run build\n');
  cpSync('dist/bundle', join(pkg, 'dist', 'bundle'), { recursive: true });
  const version = inPkg(['--version'], pkg);
  t.equal(version.code, 0, version.err);
  t.equal(version.out, `${(JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version}\n`);
  // The step table is loaded only when help may be shown; every way of asking for run's help shows it.
  for (const ask of [['run', '--help'], ['run', '-h'], ['help', 'run']]) {
    t.match(inPkg(ask, pkg).out, /Scenario steps:\n +memfd_create /, `${ask.join(' ')}: the step table`);
  }
  const cwd = workdir({ 'x.yaml': GOOD, 'y.yaml': GOOD.replace('scenario: good', 'scenario: other') });
  const one = inPkg(['run', '--jobs', '1', '.'], cwd);
  const two = inPkg(['run', '--jobs', '2', '.'], cwd);
  t.equal(one.code, 0, one.err);
  t.match(one.out, /^ok 4 selftests: hgmsim: other 1G \[v6\.1\]$/m, 'four streams ran');
  t.equal(two.code, 0, two.err);
  t.equal(two.out, one.out, '--jobs 2 (the bundled worker) prints the same bytes');
  t.equal(two.out, (await hgmsim(['run', '--jobs', '1', '.'], cwd)).out, 'as the build in this checkout');
  rmSync(pkg, { recursive: true, force: true });
});
