// Files in and out (issue 11, items 3, 9, 10, 11, 12, 15 and 18's colour flags): every write goes through
// write.ts (devices, FIFOs and symlinks written through, temp files cleaned up on failure and on a
// signal), --update-golden is all or nothing, file-system problems are one-line errors with 66/73/74,
// non-regular and oversized inputs are refused before they are read, --jobs is capped, *.yml is a
// scenario. Tests run as root, so permission bits stop nothing: where a failure cannot be produced for
// real, an injected writer throws the errno the kernel would give, and the test says so.
import { spawn, spawnSync } from 'node:child_process';
import {
  existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, statSync, symlinkSync, truncateSync, writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import t from 'tap';
import { colorMode, forceColorLevel, stderrChalk } from '../src/cli/color.js';
import { EXIT, EXIT_TABLE, ExitError } from '../src/cli/exit.js';
import { collectScenarioPaths, KNOWN_DIFFERENCES_FILE, scenarioStem } from '../src/cli/files.js';
import { inputError, outputError } from '../src/cli/fs-errors.js';
import { goldenPath } from '../src/cli/golden.js';
import { inputStatus } from '../src/cli/load.js';
import { runCli } from '../src/cli/main.js';
import { scenarioPath } from '../src/cli/new-command.js';
import { readInputFile, SCENARIO_MAX_BYTES, TAP_MAX_BYTES } from '../src/cli/read.js';
import { runStreams, workerCount } from '../src/cli/stream-pool.js';
import type { StreamJob } from '../src/cli/stream-pool.js';
import { commitFiles, liveTemps, planTarget, removeLiveTemps, tempPathFor, writeFileSafely, writeNewFile, writeOutputFile } from '../src/cli/write.js';
import type { NewFileWriter } from '../src/cli/write.js';
import { MAX_TAP_NESTING, readTap, tapNesting } from '../src/report/tap-read.js';
import { KNOWN_DIFFERENCES_FILE as REPORT_KNOWN_DIFFERENCES_FILE } from '../src/report/index.js';
import type { StreamResult } from '../src/runner/results.js';
import { loadScenario } from '../src/scenario/load.js';

const BIN = resolve('bin/hgmsim.js');
const WRITE_JS = resolve('dist/cli/write.js');

const SCENARIO = `scenario: files
kernel: {profile: v6.1, hugepagesz: [2M, 1G], nr_hugepages: 2}
tests:
  - name: poison
    steps:
      - memfd_create: {as: fd, flags: [MFD_HUGETLB]}
      - ftruncate: {fd: fd, length: hugepagesz}
      - mmap: {as: P, fd: fd, length: hugepagesz, flags: [MAP_SHARED]}
      - madvise: {addr: P, length: PAGE_SIZE, advice: MADV_HWPOISON}
      - expect: {HardwareCorrupted: +4 kB}
`;

function workdir(files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'hgmsim-files-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

async function cli(args: string[], cwd: string, readStdin?: () => Promise<string>): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(args, { cwd, env: {}, out: (s) => out.push(s), err: (s) => err.push(s), ...(readStdin ? { readStdin } : {}) });
  return { code, out: out.join(''), err: err.join('') };
}

/** NODE_OPTIONS without node-tap's process-info hook: a child is the CLI as users start it, and starts
 * in a fraction of the time (the hook costs about a second per process on this machine). */
function withoutTapHooks(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const options = (env['NODE_OPTIONS'] ?? '').split(/\s+/).filter((o) => o !== '' && !o.includes('@tapjs/processinfo'));
  return { ...env, NODE_OPTIONS: options.join(' ') };
}

function hgmsim(args: string[], cwd: string): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', timeout: 20_000, env: withoutTapHooks({ ...process.env, NO_COLOR: '', FORCE_COLOR: '0' }) });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** Files in a folder whose name marks them as hgmsim temp files. */
const tempsIn = (dir: string): string[] => readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((n) => n.includes('.hgmsim-tmp-'));

/** Every file under dir (temp files included) with its text. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const n of readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort()) {
    if (statSync(join(dir, n)).isFile()) out[n] = readFileSync(join(dir, n), 'utf8');
  }
  return out;
}

const errno = (code: string): NodeJS.ErrnoException => Object.assign(new Error(code), { code });

/** A writer that creates the temp file and then fails like the kernel would on the nth call. */
function failingWriter(n: number, code: string): { writer: NewFileWriter; calls: () => number } {
  let calls = 0;
  return {
    calls: () => calls,
    writer: (path, text, mode) => {
      calls++;
      writeNewFile(path, calls === n ? text.slice(0, 3) : text, mode);
      if (calls === n) throw errno(code);
    },
  };
}

/** An SVG-free, cheap way to get a report: `run x.yaml` in cwd with extra arguments. */
const run = (cwd: string, ...extra: string[]): Promise<{ code: number; out: string; err: string }> => cli(['run', 'x.yaml', ...extra], cwd);

// --- item 10: safe writes ------------------------------------------------------------------------------

t.test('item 10: --json /dev/null as root leaves /dev/null a character device (and the report goes nowhere)', async (t) => {
  const cwd = workdir({ 'x.yaml': SCENARIO });
  const before = lstatSync('/dev/null');
  const r = hgmsim(['run', 'x.yaml', '--json', '/dev/null', '--junit', '/dev/null'], cwd);
  t.equal(r.code, 0, r.err);
  const after = lstatSync('/dev/null');
  t.ok(after.isCharacterDevice(), '/dev/null is still a character device');
  t.equal(after.rdev, before.rdev, 'the same device');
  t.same(readdirSync('/dev').filter((n) => n.includes('hgmsim-tmp')), [], 'no temp file left in /dev');
});

t.test('item 10: a private character device (mknod 1,3) given to --json stays a device', async (t) => {
  // The same check on a node of our own, so a regression cannot damage the machine's /dev/null.
  const cwd = workdir({ 'x.yaml': SCENARIO });
  const mk = spawnSync('mknod', [join(cwd, 'null'), 'c', '1', '3']);
  if (mk.status !== 0) {
    t.pass('mknod is not allowed here: nothing to check');
    return;
  }
  t.equal((await run(cwd, '--json', 'null')).code, 0);
  t.ok(lstatSync(join(cwd, 'null')).isCharacterDevice());
  t.same(tempsIn(cwd), []);
});

t.test('item 10: a FIFO with a reader is written through: the reader gets the report, the FIFO stays', async (t) => {
  const cwd = workdir({ 'x.yaml': SCENARIO });
  t.equal(spawnSync('mkfifo', [join(cwd, 'fifo')]).status, 0);
  const reader = spawn('/bin/sh', ['-c', 'cat fifo > got'], { cwd, stdio: 'ignore' });
  const done = new Promise<number | null>((r) => reader.on('exit', r));
  const r = await run(cwd, '--json', 'fifo');
  t.equal(r.code, 0, r.err);
  const timer = setTimeout(() => reader.kill(), 5000);
  t.equal(await done, 0, 'the reader saw the end of the report (not killed by the timeout)');
  clearTimeout(timer);
  t.ok(lstatSync(join(cwd, 'fifo')).isFIFO(), 'still a FIFO');
  t.equal(readFileSync(join(cwd, 'got'), 'utf8'), (await run(cwd, '--format', 'json')).out, 'the reader got the JSON report');
});

t.test('item 10: a symlink is followed: the link stays, its target gets the text; a dangling one creates its target', async (t) => {
  const cwd = workdir({ 'x.yaml': SCENARIO, 'real/r.json': 'old\n' });
  symlinkSync('real/r.json', join(cwd, 'link.json'));
  symlinkSync('real/new.xml', join(cwd, 'dangling.xml'));
  const r = await run(cwd, '--json', 'link.json', '--junit', 'dangling.xml');
  t.equal(r.code, 0, r.err);
  t.ok(lstatSync(join(cwd, 'link.json')).isSymbolicLink(), 'link.json is still a symlink');
  t.equal(readlinkSync(join(cwd, 'link.json')), 'real/r.json', 'to the same target');
  t.equal(readFileSync(join(cwd, 'real/r.json'), 'utf8'), (await run(cwd, '--format', 'json')).out, 'the target holds the report');
  t.ok(lstatSync(join(cwd, 'dangling.xml')).isSymbolicLink());
  t.equal(readFileSync(join(cwd, 'real/new.xml'), 'utf8'), (await run(cwd, '--format', 'junit')).out);
  t.same(tempsIn(cwd), []);
});

t.test('item 10: a regular file is replaced by rename, keeping its mode; show --svg writes through write.ts too', async (t) => {
  const cwd = workdir({ 'x.yaml': SCENARIO, 'r.json': 'old\n' });
  const { chmodSync } = await import('node:fs');
  chmodSync(join(cwd, 'r.json'), 0o640);
  const ino = statSync(join(cwd, 'r.json')).ino;
  t.equal((await run(cwd, '--json', 'r.json')).code, 0);
  t.not(statSync(join(cwd, 'r.json')).ino, ino, 'a new file was renamed into place');
  t.equal(statSync(join(cwd, 'r.json')).mode & 0o777, 0o640, 'with the old mode');
  t.equal(planTarget(join(cwd, 'nope')).kind, 'replace');
  t.equal(planTarget('/dev/null').kind, 'through');
  const svgLink = join(cwd, 'pic.svg');
  symlinkSync('real.svg', svgLink);
  t.equal((await cli(['show', 'x.yaml', '--svg', 'pic.svg'], cwd)).code, 0);
  t.ok(lstatSync(svgLink).isSymbolicLink(), 'show --svg follows a symlink as well');
  t.match(readFileSync(join(cwd, 'real.svg'), 'utf8'), /^<svg/);
  const bad = await cli(['show', 'x.yaml', '--svg', 'x.yaml/pic.svg'], cwd);
  t.equal(bad.code, 73);
  t.equal(bad.err, 'hgmsim: x.yaml/pic.svg: cannot write: a part of the path is a file, not a folder (ENOTDIR)\n');
});

t.test('item 10: temp files are hidden, .gitignore covers them, and a failed write leaves none', async (t) => {
  t.equal(tempPathFor('/a/b/r.json', 42), '/a/b/.r.json.hgmsim-tmp-42');
  const ignored = spawnSync('git', ['check-ignore', '-q', '--no-index', 'scenarios/x/.a.2M.v6.1.tap.hgmsim-tmp-123']);
  t.equal(ignored.status, 0, '.gitignore matches the temp name');
  const cwd = workdir({ 'r.json': 'old\n' });
  // The disk filling up mid-write, simulated: the temp file is created, then the writer fails ENOSPC.
  const { writer } = failingWriter(1, 'ENOSPC');
  t.throws(() => writeFileSafely(join(cwd, 'r.json'), 'new\n', writer), { code: 'ENOSPC' });
  t.equal(readFileSync(join(cwd, 'r.json'), 'utf8'), 'old\n', 'the target is untouched');
  t.same(tempsIn(cwd), [], 'no temp file left');
  t.same(liveTemps(), [], 'and none registered');
  const err = outputError('r.json', errno('ENOSPC'));
  t.equal(err.code, EXIT.IOERR, 'no space is an I/O error: 74');
  t.equal(err.message, 'hgmsim: r.json: cannot write: no space left on device (ENOSPC)');
  t.throws(() => writeOutputFile('r.json/x', 'x', cwd), new ExitError(EXIT.CANTCREAT, 'hgmsim: r.json/x: cannot write: a part of the path is a file, not a folder (ENOTDIR)'));
  // A leftover temp file of a dead process with our pid is replaced, not an error.
  writeFileSync(tempPathFor(join(cwd, 'r.json')), 'stale');
  writeFileSafely(join(cwd, 'r.json'), 'newer\n');
  t.equal(readFileSync(join(cwd, 'r.json'), 'utf8'), 'newer\n');
  t.same(tempsIn(cwd), []);
});

/** Runs a module script in a child node that stages files with commitFiles and signals itself at file `at`. */
function interruptedCommit(cwd: string, signal: string, at: number): { code: number | null; stderr: string } {
  const script = `
    import { commitFiles, writeNewFile } from ${JSON.stringify(WRITE_JS)};
    let n = 0;
    const writeNew = (p, text, mode) => { writeNewFile(p, text, mode); if (++n === ${at}) process.kill(process.pid, ${JSON.stringify(signal)}); };
    await commitFiles([1, 2, 3, 4].map((i) => ({ path: 'g' + i + '.tap', text: 'new ' + i + '\\n' })), ['stale.tap'], { cwd: process.cwd(), writeNew });
    console.log('not interrupted');
  `;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd, encoding: 'utf8', timeout: 10_000 });
  return { code: r.status, stderr: r.stderr };
}

t.test('item 10 + 11: SIGINT / SIGTERM while goldens are staged: exit 130 / 143, old set intact, no temp file', async (t) => {
  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
    const old = { 'g1.tap': 'old 1\n', 'g2.tap': 'old 2\n', 'g3.tap': 'old 3\n', 'stale.tap': 'stale\n' };
    const cwd = workdir(old);
    const r = interruptedCommit(cwd, signal, 2);
    t.equal(r.code, code, `${signal}: exit ${code} as a shell reports it (${r.stderr})`);
    t.same(snapshot(cwd), old, `${signal}: every old golden as it was, the stale one not deleted, no g4, no temp file`);
  }
});

// --- item 11: all or nothing -----------------------------------------------------------------------------

t.test('item 11: commitFiles stages everything before the first rename; a failure on the 3rd file changes nothing', async (t) => {
  const old = { 'a/g1.tap': 'old 1\n', 'a/g2.tap': 'old 2\n', 'a/g3.tap': 'old 3\n', 'a/stale.tap': 'stale\n' };
  const cwd = workdir(old);
  const writes = [1, 2, 3, 4].map((i) => ({ path: `a/g${i}.tap`, text: `new ${i}\n` }));
  // EIO from the disk on the third temp file, simulated by the injected writer.
  const { writer, calls } = failingWriter(3, 'EIO');
  await t.rejects(commitFiles(writes, ['a/stale.tap'], { cwd, writeNew: writer }), new ExitError(EXIT.IOERR, 'hgmsim: a/g3.tap: cannot write: input/output error (EIO)'));
  t.equal(calls(), 3, 'staging stopped at the failure');
  t.same(snapshot(cwd), old, 'no golden changed, the stale one is still there, no temp file remains');
  // A read-only folder (root ignores modes): simulated by a writer failing EROFS on the first file.
  await t.rejects(commitFiles(writes, [], { cwd, writeNew: failingWriter(1, 'EROFS').writer }), { code: EXIT.CANTCREAT, message: /a\/g1\.tap: cannot write: read-only file system \(EROFS\)/ });
  t.same(snapshot(cwd), old);
  // A target that is a folder is found before anything is staged.
  mkdirSync(join(cwd, 'a/g4.tap'));
  await t.rejects(commitFiles(writes, ['a/stale.tap'], { cwd }), new ExitError(EXIT.CANTCREAT, 'hgmsim: a/g4.tap: cannot write: is a folder, not a file (EISDIR)'));
  t.same(snapshot(cwd), old);
  // And when all goes well: every file new, the stale one gone, nothing left over.
  await commitFiles(writes.slice(0, 3), ['a/stale.tap', 'a/never-existed.tap'], { cwd });
  t.same(snapshot(cwd), { 'a/g1.tap': 'new 1\n', 'a/g2.tap': 'new 2\n', 'a/g3.tap': 'new 3\n' });
  t.same(liveTemps(), []);
});

t.test('item 11 + 12: --update-golden with one golden path a folder writes no golden, exit 73, one-line message', async (t) => {
  const cwd = workdir({ 'x.yaml': SCENARIO });
  t.equal((await cli(['run', '--update-golden', '.'], cwd)).code, 0);
  const before = snapshot(cwd);
  const changed = SCENARIO.replace('scenario: files', 'scenario: files2');
  writeFileSync(join(cwd, 'x.yaml'), changed);
  const golden1G = join(cwd, 'x.1G.v6.1.tap');
  const { rmSync } = await import('node:fs');
  rmSync(golden1G);
  mkdirSync(golden1G);
  const r = await cli(['run', '--update-golden', '.'], cwd);
  t.equal(r.code, 73);
  t.equal(r.err, 'hgmsim: x.1G.v6.1.tap: cannot write: is a folder, not a file (EISDIR)\n');
  t.equal(readFileSync(join(cwd, 'x.2M.v6.1.tap'), 'utf8'), before['x.2M.v6.1.tap'], 'the 2M golden was not rewritten either');
  t.same(tempsIn(cwd), []);
  const check = await cli(['run', '--check', '.'], cwd);
  t.equal(check.code, 66, '--check with a golden that is a folder: it cannot be read');
  t.match(check.err, /^hgmsim: x\.1G\.v6\.1\.tap: cannot read: is a folder, not a file \(EISDIR\)\n/m);
  t.notMatch(check.err, /internal error|\n {4}at /);
});

// --- item 12: file-system problems are clean errors ---------------------------------------------------

t.test('item 12: symlink loops, walked and named, are 66 with a one-line message, never 70', async (t) => {
  const cwd = workdir({ 's/good.yaml': SCENARIO });
  symlinkSync('loop.yaml', join(cwd, 's/loop.yaml'));
  symlinkSync('.', join(cwd, 's/self')); // a link to a folder: not followed, so not a loop
  for (const args of [['validate', 's'], ['run', 's'], ['validate', 's/loop.yaml'], ['list', 's/loop.yaml']]) {
    const r = await cli(args, cwd);
    t.equal(r.code, 66, args.join(' '));
    t.equal(r.err, 'hgmsim: s/loop.yaml: cannot read: a symbolic link loop, or too many links in a row (ELOOP)\n', args.join(' '));
  }
  symlinkSync('b', join(cwd, 'a'));
  symlinkSync('a', join(cwd, 'b'));
  const r = await cli(['validate', 'a'], cwd);
  t.equal(r.code, 66, 'a named folder path that loops');
  t.equal(r.err, 'hgmsim: a: cannot read: a symbolic link loop, or too many links in a row (ELOOP)\n');
});

t.test('item 12: unreadable inputs (simulated: root reads everything) are 66; an I/O error is 74', async (t) => {
  const cwd = workdir({ 'x.yaml': SCENARIO });
  // A path component that is a file: the kernel's ENOTDIR, which even root gets.
  const r = await cli(['validate', 'x.yaml/y.yaml'], cwd);
  t.equal(r.code, 66);
  t.equal(r.err, 'hgmsim: x.yaml/y.yaml: cannot read: a part of the path is a file, not a folder (ENOTDIR)\n');
  // EACCES and EIO cannot be produced as root here: the mapping of the errno the kernel would give.
  t.same(inputError('s', errno('EACCES')), new ExitError(EXIT.NOINPUT, 'hgmsim: s: cannot read: permission denied (EACCES)'));
  t.same(inputError('s', errno('EIO')), new ExitError(EXIT.IOERR, 'hgmsim: s: cannot read: input/output error (EIO)'));
  t.equal(inputStatus([], [inputError('a', errno('EIO')), inputError('b', errno('ENOENT'))]), EXIT.IOERR);
  t.ok(EXIT_TABLE.some(([code, text]) => code === 74 && /I\/O error/.test(text)), '74 is in --help\'s exit table');
  t.match((await cli(['--help'], cwd)).out, /^ {2}74 +an I\/O error/m);
});

// --- item 15: non-regular and oversized input --------------------------------------------------------

t.test('item 15: /dev/zero, a FIFO, a socket named or found in a folder are refused at once (66)', async (t) => {
  const cwd = workdir({ 's/good.yaml': SCENARIO });
  t.equal(spawnSync('mkfifo', [join(cwd, 's/fifo.yaml')]).status, 0);
  const server = createServer();
  await new Promise<void>((r) => server.listen(join(cwd, 'sock.yaml'), r));
  t.teardown(() => server.close());
  const started = Date.now();
  const zero = hgmsim(['run', '/dev/zero'], cwd);
  t.equal(zero.code, 66);
  t.match(zero.err, /^hgmsim: \S*dev\/zero: not a regular file \(a character device\); not read\n$/);
  const walked = await cli(['validate', 's'], cwd);
  t.equal(walked.code, 66, 'a FIFO found while walking: refused, not waited on');
  t.equal(walked.err, 'hgmsim: s/fifo.yaml: not a regular file (a FIFO); not read\n');
  const sock = await cli(['run', 'sock.yaml'], cwd);
  t.equal(sock.code, 66);
  t.equal(sock.err, 'hgmsim: sock.yaml: not a regular file (a socket); not read\n');
  t.ok(Date.now() - started < 5000, 'no input hangs');
  t.throws(() => readInputFile('/dev/zero', 'z', 10), { code: EXIT.NOINPUT });
});

t.test('item 15: a scenario over 1 MiB and a diff input over 64 MiB are refused from their size (sparse files, never read)', async (t) => {
  const cwd = workdir({ 'x.yaml': SCENARIO, 'e.tap': 'TAP version 13\n1..1\nok 1 a\n' });
  writeFileSync(join(cwd, 'big.yaml'), '');
  truncateSync(join(cwd, 'big.yaml'), 3 * 2 ** 30); // 3 GiB of holes: reading it whole would fail (ERR_FS_FILE_TOO_LARGE)
  const started = Date.now();
  const r = await cli(['validate', 'big.yaml'], cwd);
  t.equal(r.code, 65);
  t.equal(r.err, `hgmsim: big.yaml: larger than the 1 MiB limit (${3 * 2 ** 30} bytes); not read\n`);
  t.equal(SCENARIO_MAX_BYTES, 1 << 20);
  writeFileSync(join(cwd, 'seven'), '1234567');
  t.equal(readInputFile(join(cwd, 'seven'), 'seven', 7), '1234567', 'a file of exactly the limit is read');
  t.throws(() => readInputFile(join(cwd, 'seven'), 'seven', 6), new ExitError(EXIT.DATAERR, 'hgmsim: seven: larger than the 6 bytes limit (7 bytes); not read'));
  writeFileSync(join(cwd, 'big.tap'), '');
  truncateSync(join(cwd, 'big.tap'), TAP_MAX_BYTES + 1);
  const d = await cli(['diff', 'e.tap', 'big.tap'], cwd);
  t.equal(d.code, 65);
  t.equal(d.err, `hgmsim: big.tap: larger than the 64 MiB limit (${TAP_MAX_BYTES + 1} bytes); not read\n`);
  const stdin = await cli(['diff', 'e.tap', '-'], cwd, async () => 'x'.repeat(TAP_MAX_BYTES + 1));
  t.equal(stdin.code, 65);
  t.match(stdin.err, /^hgmsim: <stdin>: larger than the 64 MiB limit/);
  t.ok(Date.now() - started < 5000);
  t.match(readFileSync('docs/errors.md', 'utf8'), /1 MiB[\s\S]*64 MiB/, 'the limits are documented');
});

t.test('item 15: diff refuses TAP nested deeper than MAX_TAP_NESTING (65); readTap never recurses past it', async (t) => {
  let text = 'TAP version 13\n1..1\nok 1 leaf\n';
  for (let i = 0; i < 40; i++) text = `TAP version 13\n1..1\n${text.trimEnd().split('\n').map((l) => `# ${l}`).join('\n')}\nok 1 selftests: d: level${i}\n`;
  t.equal(tapNesting(text), 40);
  t.equal(tapNesting('TAP version 13\n1..1\n# TAP version 13\n# 1..1\n# ok 1 x\nok 1 y\n'), 1);
  t.equal(tapNesting(`KTAP version 1\n1..1\n${' '.repeat(4 * 20)}ok 1 deep\nok 1 x\n`), 20, 'indented subtests count too');
  const cwd = workdir({ 'deep.tap': text, 'e.tap': 'TAP version 13\n1..1\nok 1 a\n' });
  const r = await cli(['diff', 'e.tap', 'deep.tap'], cwd);
  t.equal(r.code, 65);
  t.equal(r.err, `hgmsim: deep.tap: TAP nested 40 levels deep; at most ${MAX_TAP_NESTING} are read\n`);
  let depth = 0;
  for (let level = readTap(text)?.points[0]; level?.child; level = level.child.points[0]) depth++;
  t.equal(depth, MAX_TAP_NESTING, 'readTap stops nesting at the limit');
});

t.test('item 15: --jobs is capped at the cores and the streams; the pool never starts more workers', async (t) => {
  t.equal(workerCount(9999, 300, 2), 2, '9999 asked, 2 cores');
  t.equal(workerCount(9999, 3, 64), 3, 'no more workers than streams');
  t.equal(workerCount(1, 300, 64), 1);
  t.equal(workerCount(9999, 0, 8), 1);
  t.ok(workerCount(9999, 10_000) <= (await import('node:os')).availableParallelism(), 'the default is os.availableParallelism()');
  const cwd = workdir({ 'x.yaml': SCENARIO });
  const { scenario } = loadScenario('x.yaml', SCENARIO);
  if (!scenario) throw new Error('the test scenario does not load');
  const jobs: StreamJob[] = Array.from({ length: 5 }, () => ({ scenario, size: '2M', profile: 'v6.1', opts: {} }));
  let started = 0;
  const createWorker = (): Worker => {
    started++;
    // Without tap's loaders (execArgv): the worker is the built one, as the CLI starts it.
    return new Worker(resolve('dist/cli/stream-worker.js'), { execArgv: [] });
  };
  const runs: boolean[] = [];
  const events = { budget: () => ({ ops: 1e6, of: { kind: 'stream' as const } }), start: () => {}, test: () => {}, done: (_i: number, r: { ok: boolean }) => { runs.push(r.ok); } };
  await runStreams(jobs, 9999, events, { cores: 2, createWorker });
  t.equal(started, 2, '5 streams, --jobs 9999, 2 cores: 2 workers');
  t.equal(runs.filter((ok) => ok).length, 5, 'every stream ran');
  await runStreams(jobs.slice(0, 1), 9999, events, { cores: 8, createWorker });
  t.equal(started, 2, 'one stream runs in-process: no worker');
  t.match((await cli(['run', '--help'], cwd)).out, /capped\s+at\s+the\s+CPU\s+cores/);
  const r = hgmsim(['run', 'x.yaml', '--jobs', '9999'], cwd);
  t.equal(r.code, 0, '--jobs 9999 is accepted and runs');
  t.equal(r.err, '', 'silently');
});

// --- item 9: every file's problems at once -------------------------------------------------------------

t.test('item 9: validate / run with a missing file still report the other files; 66 only-missing, else 65', async (t) => {
  const cwd = workdir({ 'good.yaml': SCENARIO, 'bad.yaml': SCENARIO.replace('MAP_SHARED]', 'MAP_SHARD]') });
  for (const cmd of ['validate', 'run']) {
    const both = await cli([cmd, 'bad.yaml', 'nope.yaml', 'gone/'], cwd);
    t.equal(both.code, 65, `${cmd}: a missing file and an invalid one: 65`);
    t.match(both.err, /^hgmsim: nope\.yaml: no such file or directory$/m);
    t.match(both.err, /^hgmsim: gone\/: no such file or directory$/m, 'every missing path is named');
    t.match(both.err, /^bad\.yaml:8:\d+: BAD_VALUE .*MAP_SHARD/m, 'and the invalid file\'s errors are printed');
    t.equal(both.out, '', 'nothing runs');
    const missing = await cli([cmd, 'good.yaml', 'nope.yaml', 'nope2.yaml'], cwd);
    t.equal(missing.code, 66, `${cmd}: only missing files: 66`);
    t.equal(missing.err, 'hgmsim: nope.yaml: no such file or directory\nhgmsim: nope2.yaml: no such file or directory\n');
  }
  t.equal(inputStatus([], [new ExitError(EXIT.DATAERR, 'too big')]), EXIT.DATAERR, 'a file too large counts as bad input');
  t.same(collectScenarioPaths(['good.yaml', 'nope.yaml'], cwd).files, ['good.yaml']);
});

// --- item 3: *.yml ------------------------------------------------------------------------------------

t.test('item 3: *.yml is a scenario wherever a folder is searched; its goldens drop .yml; new x.yml writes x.yml', async (t) => {
  const cwd = workdir({ 's/x.yml': SCENARIO, 's/notes.txt': 'no' });
  const v = await cli(['validate', 's'], cwd);
  t.equal(v.code, 0);
  t.equal(v.err, '1 file OK\n');
  const up = await cli(['run', 's', '--update-golden'], cwd);
  t.equal(up.code, 0, up.err);
  t.ok(existsSync(join(cwd, 's/x.2M.v6.1.tap')) && existsSync(join(cwd, 's/x.1G.v6.1.tap')), 'x.<size>.<profile>.tap');
  t.equal((await cli(['run', 's', '--check'], cwd)).code, 0);
  t.equal(scenarioStem('a/b.yml'), 'b');
  t.equal(scenarioStem('a/b.yaml'), 'b');
  t.equal(scenarioStem('a/b.tap'), 'b.tap');
  t.equal(goldenPath({ file: 'd/y.yml', size: '2M', profile: 'v6.1' } as StreamResult), join('d', 'y.2M.v6.1.tap'));
  writeFileSync(join(cwd, 's/x.yaml'), SCENARIO);
  const clash = await cli(['validate', 's'], cwd);
  t.equal(clash.code, 65, 'x.yaml beside x.yml would share goldens');
  t.match(clash.err, /^hgmsim: s\/x\.yml: has the same goldens as s\/x\.yaml/);
  t.equal(scenarioPath('n.yml'), 'n.yml');
  t.equal(scenarioPath('n'), 'n.yaml');
  t.equal((await cli(['new', 'n.yml'], cwd)).code, 0);
  t.ok(existsSync(join(cwd, 'n.yml')) && !existsSync(join(cwd, 'n.yml.yaml')), 'new n.yml writes n.yml');
  t.match(readFileSync(join(cwd, 'n.yml'), 'utf8'), /^scenario: n$/m, 'named without .yml');
});

// --- item 18: --no-color, NO_COLOR, FORCE_COLOR ------------------------------------------------------

t.test('item 18: --no-color is --color never; --color documents NO_COLOR and FORCE_COLOR, and FORCE_COLOR works', async (t) => {
  const cwd = workdir({ 'x.yaml': SCENARIO });
  for (const args of [['--no-color', 'validate', 'x.yaml'], ['validate', 'x.yaml', '--no-color'], ['--color', 'always', '--no-color', 'validate', 'x.yaml']]) {
    const r = await cli(args, cwd);
    t.equal(r.code, 0, args.join(' '));
    t.equal(r.err, '1 file OK\n', `${args.join(' ')}: no colour`);
  }
  t.match((await cli(['--color', 'always', 'validate', 'x.yaml'], cwd)).err, /\u001b\[32m/, '--color always still colours');
  const help = (await cli(['--help'], cwd)).out;
  t.match(help, /--color <when>[\s\S]*NO_COLOR[\s\S]*FORCE_COLOR/);
  t.match(help, /--no-color +the same as --color never/);
  t.equal(colorMode(false), 'never');
  t.equal(colorMode(undefined), 'auto');
  t.equal(forceColorLevel('0'), 0);
  t.equal(forceColorLevel(''), 1);
  t.equal(forceColorLevel('3'), 3);
  t.equal(forceColorLevel(undefined), undefined);
  t.ok(stderrChalk('auto', { FORCE_COLOR: '1' }).level >= 1, 'FORCE_COLOR colours off a terminal');
  t.equal(stderrChalk('auto', { FORCE_COLOR: '1', NO_COLOR: '1' }).level, 0, 'NO_COLOR wins over FORCE_COLOR');
  t.equal(stderrChalk('never', { FORCE_COLOR: '3' }).level, 0);
});

t.teardown(() => removeLiveTemps());

// --- robustness: hostile inputs end quickly with a status, never a stack trace -------------------------

/** mulberry32, so a failing input can be replayed from its seed. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

/** HGMSIM_ROBUST_LONG=1: bigger inputs and more seeded ones (minutes); the default run takes seconds. */
const LONG = process.env['HGMSIM_ROBUST_LONG'] === '1';
const ROBUST_SEED = 20261203;
/** Every input must end within this, with one of these statuses. */
const DEADLINE_MS = 5000;
const STATUSES = [0, 1, 4, 65, 66, 73, 74];

const HEAD = 'scenario: r\nkernel: {profile: v6.1, hugepagesz: [2M], nr_hugepages: 2}\n';

/** Hostile scenario texts, by name: alias bombs and chains, deep nesting, huge numbers, long loops. */
function hostileScenarios(rand: () => number): Record<string, string> {
  const n = LONG ? 20_000 : 4_000;
  const bomb = ['a0: &a0 [x, x, x, x, x, x, x, x, x]', ...Array.from({ length: 9 }, (_, i) => `a${i + 1}: &a${i + 1} [${Array(9).fill(`*a${i}`).join(', ')}]`)].join('\n');
  const chain = Array.from({ length: n }, (_, i) => (i === 0 ? 'c0: &c0 1' : `c${i}: &c${i} [*c${i - 1}]`)).join('\n');
  const flat = `anchor: &x {print: "x"}\n${HEAD}tests:\n  - name: t\n    steps:\n${'      - *x\n'.repeat(n)}`;
  const loops = (tests: number): string => `${HEAD}tests:\n${Array.from({ length: tests }, (_, i) => `  - name: t${i}\n    steps:\n      - for: {k: 1 .. 990000}\n        do:\n          - let: {z: k}\n`).join('')}`;
  const deep = `${'['.repeat(LONG ? 100_000 : 5_000)}${']'.repeat(LONG ? 100_000 : 5_000)}\n`;
  const random = Array.from({ length: LONG ? 200 : 20 }, () => {
    const parts = ['&a', '*a', '[', ']', '{', '}', ': ', '- ', '\n  ', 'print: "{', '}"', '1 << 70', '0 - 1', 'log2(0)', '9'.repeat(40), 'tests', 'steps', 'for: {k: 1 .. 99999999}', '\u0000', '\u001b[2J', '"', "'", '#', '|', '>'];
    return HEAD + Array.from({ length: 40 }, () => parts[Math.floor(rand() * parts.length)]).join('');
  });
  const out: Record<string, string> = {
    'alias-bomb.yaml': bomb, 'alias-chain.yaml': chain, 'aliases-flat.yaml': flat,
    'loops-many-tests.yaml': loops(LONG ? 300 : 2), 'deep-nesting.yaml': deep,
    'huge-number.yaml': `${HEAD}tests:\n  - name: t\n    steps:\n      - mmap: {as: P, length: ${'9'.repeat(5000)}, flags: [MAP_PRIVATE, MAP_ANONYMOUS, MAP_HUGETLB]}\n`,
  };
  random.forEach((text, i) => { out[`random-${i}.yaml`] = text; });
  return out;
}

function runBounded(args: string[], cwd: string): { code: number | null; err: string; ms: number; signal: NodeJS.Signals | null } {
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', timeout: DEADLINE_MS, killSignal: 'SIGKILL', env: withoutTapHooks({ ...process.env, NO_COLOR: '1' }), maxBuffer: 256 * 1024 * 1024 });
  return { code: r.status, err: r.stderr ?? '', ms: Number(process.hrtime.bigint() - start) / 1e6, signal: r.signal };
}

t.test(`robustness: hostile scenarios, non-regular files and file-system errors end with a status, no stack trace (seed ${ROBUST_SEED}${LONG ? ', long' : ''})`, async (t) => {
  const files = hostileScenarios(seeded(ROBUST_SEED));
  const cwd = workdir(files);
  // Non-regular files and file-system errors beside them.
  spawnSync('mkfifo', [join(cwd, 'fifo.yaml')]);
  symlinkSync('loop-b', join(cwd, 'loop-a'));
  symlinkSync('loop-a', join(cwd, 'loop-b'));
  mkdirSync(join(cwd, 'golden-dir'));
  writeFileSync(join(cwd, 'golden-dir/g.yaml'), SCENARIO.replace('hugepagesz: [2M, 1G]', 'hugepagesz: [2M]'));
  mkdirSync(join(cwd, 'golden-dir/g.2M.v6.1.tap')); // a golden path that is a folder
  const runs: [string, string[]][] = [
    ...Object.keys(files).flatMap((f): [string, string[]][] => [[`validate ${f}`, ['validate', f]], [`run ${f}`, ['run', f]]]),
    ['run /dev/zero', ['run', '/dev/zero']],
    ['validate fifo.yaml', ['validate', 'fifo.yaml']],
    ['run loop-a', ['run', 'loop-a']],
    ['run --check golden-dir', ['run', '--check', 'golden-dir']],
    ['run --update-golden golden-dir', ['run', '--update-golden', 'golden-dir']],
    ['run --json . (a folder)', ['run', 'huge-number.yaml', '--json', 'golden-dir']],
  ];
  const failures: string[] = [];
  const slowest: [number, string][] = [];
  for (const [what, args] of runs) {
    const r = runBounded(args, cwd);
    slowest.push([r.ms, what]);
    if (r.signal !== null) failures.push(`${what}: did not end within ${DEADLINE_MS} ms (killed)`);
    else if (!STATUSES.includes(r.code ?? -1)) failures.push(`${what}: exit ${r.code}: ${r.err.slice(0, 400)}`);
    else if (/internal error|\n\s+at [^\n]*:\d+:\d+\)?\n/.test(r.err)) failures.push(`${what}: a stack trace: ${r.err.slice(0, 400)}`);
  }
  t.comment(`slowest: ${slowest.sort((a, b) => b[0] - a[0]).slice(0, 5).map(([ms, w]) => `${w} ${Math.round(ms)} ms`).join(', ')}`);
  t.same(failures, [], `${runs.length} inputs, each ended with ${STATUSES.join('/')} and no stack trace (replay: seed ${ROBUST_SEED}${LONG ? ', HGMSIM_ROBUST_LONG=1' : ''})`);
});

t.test('files.ts skips the same known-differences file name the reports read', async (t) => {
  t.equal(KNOWN_DIFFERENCES_FILE, REPORT_KNOWN_DIFFERENCES_FILE);
});
