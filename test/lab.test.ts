// The real-kernel lab without a real kernel: the cpio writer read back, /init and the kernel command
// line for a program, the result channel parsed into runs (CRLF, a test killed, a guest that died or
// timed out), kernel specs and profiles, missing tools, and QEMU replaced by a script (HGMSIM_QEMU) that
// either writes a canned result channel or hangs until it is killed. No test needs QEMU, network or apt.
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import t from 'tap';
import { runCli } from '../src/cli/main.js';
import {
  bootGuest, bzImagePayload, consoleCause, extractVmlinux, findModule, findOnPath, hasPvhEntry, initScript, isStaticElf, kernelCommandLine,
  kernelProfile, loadModule, missingHostTools, newestPackage, parseKernelSpec, parseResultChannel, prepareKernel, qemuArgs, shortPools, statusReason, writeCpio, MARK,
} from '../src/lab/index.js';

/** A temp folder removed when test `t` ends. */
const scratch = (t: { teardown: (fn: () => void) => void }): string => {
  const dir = mkdtempSync(join(tmpdir(), 'hgmsim-lab-test-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
};

/** A newc reader, independent of the writer: [name, mode, data, rdevmajor, rdevminor] per member. */
function readCpio(buf: Buffer): [string, number, string, number, number][] {
  const out: [string, number, string, number, number][] = [];
  let at = 0;
  const align = (n: number): number => (n + 3) & ~3;
  for (;;) {
    if (buf.toString('ascii', at, at + 6) !== '070701') throw new Error(`bad magic at ${at}`);
    const field = (i: number): number => parseInt(buf.toString('ascii', at + 6 + 8 * i, at + 14 + 8 * i), 16);
    const [mode, size, rmaj, rmin, namesize] = [field(1), field(6), field(9), field(10), field(11)];
    const name = buf.toString('utf8', at + 110, at + 110 + namesize - 1);
    const dataAt = align(at + 110 + namesize);
    if (name === 'TRAILER!!!') return out;
    out.push([name, mode, buf.toString('utf8', dataAt, dataAt + size), rmaj, rmin]);
    at = align(dataAt + size);
  }
}

t.test('cpio: newc members read back with their type, permissions, data and device numbers', async (t) => {
  const archive = writeCpio([
    { kind: 'dir', path: '/dev' },
    { kind: 'chardev', path: 'dev/console', major: 5, minor: 1 },
    { kind: 'file', path: 'init', data: Buffer.from('#!/bin/sh\n'), perm: 0o755 },
    { kind: 'file', path: 't/odd', data: Buffer.from('12345') },
    { kind: 'symlink', path: 'bin/sh', target: 'busybox' },
  ]);
  t.equal(archive.length % 4, 0, 'padded to 4 bytes');
  t.same(readCpio(archive), [
    ['dev', 0o040755, '', 0, 0],
    ['dev/console', 0o020600, '', 5, 1],
    ['init', 0o100755, '#!/bin/sh\n', 0, 0],
    ['t/odd', 0o100644, '12345', 0, 0],
    ['bin/sh', 0o120777, 'busybox', 0, 0],
  ]);
  t.same(writeCpio([{ kind: 'dir', path: 'x' }]), writeCpio([{ kind: 'dir', path: 'x' }]), 'the same input gives the same bytes');
});

t.test('/init mounts what the tests need, loads modules, and brackets each test with markers on ttyS1', async (t) => {
  const text = initScript({ program: 'hwpoison-shared.2M', tests: [1, 2], modules: ['hwpoison_inject'] });
  t.match(text, /^#!\/bin\/busybox sh\n/);
  for (const line of [
    'mount -t devtmpfs devtmpfs /dev', 'mount -t debugfs debugfs /sys/kernel/debug', 'exec 3>/dev/ttyS1',
    `insmod /lib/modules/hwpoison_inject.ko || echo "${MARK} insmod hwpoison_inject failed" >/dev/console`,
    `echo "${MARK} release $(uname -r)" >&3`,
    `for d in /sys/kernel/mm/hugepages/hugepages-*; do echo "${MARK} pool \${d##*-} $(cat $d/nr_hugepages)" >&3; done`,
    `echo "${MARK} begin 1" >&3\n/t/hwpoison-shared.2M -t 1 >&3 2>/dev/console 3>&-\necho "${MARK} end 1 $?" >&3\necho "${MARK} begin 2" >&3`,
    `echo "${MARK} done" >&3\nexec 3>&-\npoweroff -f\n`,
  ]) t.ok(text.includes(line), line);
  t.ok(text.indexOf('mount -t devtmpfs') < text.indexOf('exec 3>/dev/ttyS1'), '/dev/ttyS1 exists only once devtmpfs is mounted');
  t.match(initScript({ program: "a b'c", tests: [1], modules: [] }), /\/t\/'a b'\\''c' -t 1/, 'an odd program name is quoted');
});

t.test('kernel command line and QEMU arguments for a program\'s needs', async (t) => {
  t.equal(kernelCommandLine('2M', { pools: { '2M': 8 } }),
    'console=ttyS0 quiet nokaslr norandmaps panic=-1 default_hugepagesz=2M hugepagesz=2M hugepages=8');
  t.equal(kernelCommandLine('1G', { pools: { '2M': 16, '1G': 2 } }),
    'console=ttyS0 quiet nokaslr norandmaps panic=-1 default_hugepagesz=1G hugepagesz=1G hugepages=2 hugepagesz=2M hugepages=16', 'the program\'s own size first');
  const args = qemuArgs({ kernel: 'K', initrd: 'I', memoryMiB: 4096, cmdline: 'C', resultFile: '/r' });
  t.same(args.slice(0, 6), ['-machine', 'q35', '-cpu', 'qemu64,+pdpe1gb', '-m', '4096M']);
  t.same(args.slice(-4), ['-serial', 'mon:stdio', '-serial', 'file:/r'], 'console first, the result channel second');
  t.ok(args.includes('-no-reboot'), 'a panic ends QEMU instead of rebooting');
});

const exited = { kind: 'exited', status: 0, signal: null } as const;

t.test('result channel: CRLF stripped, each test\'s lines, statuses and what a dead guest leaves', async (t) => {
  const full = [`${MARK} release 6.12.118+deb12-amd64`, `${MARK} pool 1048576kB 1`, `${MARK} pool 2048kB 8`, `${MARK} begin 1`, '# a line', 'ok 1 first', `${MARK} end 1 0`,
    `${MARK} begin 2`, '# SIGBUS', `${MARK} end 2 135`, `${MARK} begin 3`, 'no newline' + `${MARK} end 3 1`, `${MARK} done`, ''].join('\r\n');
  const r = parseResultChannel(full, [1, 2, 3], exited);
  t.equal(r.release, '6.12.118+deb12-amd64');
  t.same([...r.pools], [['1048576kB', 1], ['2048kB', 8]]);
  t.same(shortPools({ needs: { pools: { '1G': 2, '2M': 8 }, max_hugepages: 2, modules: [], memoryMiB: 2048 } }, r.pools),
    ['the boot-time pool holds 1 of the 2 1G hugepages asked for (2048 MiB of guest memory)'], 'a pool short of the needs is told');
  t.ok(r.complete);
  t.same(r.runs, [
    { finished: true, text: '# a line\nok 1 first\n' },
    { finished: false, text: '# SIGBUS\n', reason: 'killed by SIGBUS' },
    { finished: false, text: 'no newline\n', reason: 'exit status 1' },
  ]);

  const cut = [`${MARK} release 6.1.0-57-amd64`, `${MARK} begin 1`, 'ok 1 first', `${MARK} end 1 0`, `${MARK} begin 2`, '# half'].join('\r\n');
  const panic = '[    3.3] Kernel panic - not syncing: Fatal exception\r\n[    3.4] Kernel Offset: disabled\r\n';
  const died = parseResultChannel(cut, [1, 2, 3], exited, panic);
  t.notOk(died.complete, 'no exit marker: not complete');
  t.same(died.runs, [
    { finished: true, text: 'ok 1 first\n' },
    { finished: false, text: '# half\n', reason: 'the guest died: Kernel panic - not syncing: Fatal exception' },
    { finished: false, text: '', reason: 'not run: the guest stopped in test 2' },
  ]);
  const hung = parseResultChannel(cut, [1, 2], { kind: 'timeout', seconds: 300 });
  t.same(hung.runs[1], { finished: false, text: '# half\n', reason: 'the guest timed out after 300 s' });
  t.notOk(hung.complete);
  const silent = parseResultChannel('', [1], exited);
  t.same(silent.runs, [{ finished: false, text: '', reason: 'not run: the guest stopped without finishing' }]);
  t.equal(silent.release, undefined);
  t.notOk(parseResultChannel(full, [1, 2, 3], { kind: 'timeout', seconds: 5 }).complete, 'a guest killed after done is not complete');
  t.equal(statusReason(137), 'killed by SIGKILL');
  t.equal(statusReason(2), 'exit status 2');
  t.equal(consoleCause('[ 1.0] BUG: kernel NULL pointer dereference, address: 0\n'), 'BUG: kernel NULL pointer dereference, address: 0');
  t.equal(consoleCause('all fine\n'), undefined);
});

t.test('--kernel values: Debian lines map to profiles, a path needs --profile', async (t) => {
  t.same(parseKernelSpec('6.1'), { kind: 'debian', version: '6.1' });
  t.same(parseKernelSpec('/boot/vmlinuz', 'mods'), { kind: 'image', path: '/boot/vmlinuz', modules: 'mods' });
  t.equal(kernelProfile(parseKernelSpec('6.1')), 'v6.1');
  t.equal(kernelProfile(parseKernelSpec('6.12')), 'v6.12');
  t.equal(kernelProfile(parseKernelSpec('6.12'), 'hgm-rfc'), 'hgm-rfc', '--profile wins');
  t.match(kernelProfile(parseKernelSpec('6.6')), { error: /no profile is known for Linux 6\.6: give --profile/ });
  t.match(kernelProfile(parseKernelSpec('bzImage')), { error: /--kernel bzImage needs --profile/ });
  t.match(kernelProfile(parseKernelSpec('6.1'), 'v9'), { error: /unknown profile 'v9'/ });
  const names = ['linux-image-6.1.0-9-amd64-unsigned', 'linux-image-6.1.0-57-amd64-unsigned', 'linux-image-6.1.0-57-cloud-amd64-unsigned',
    'linux-image-6.12.118+deb12-amd64-unsigned', 'linux-image-6.12.9+deb12-amd64-unsigned', 'linux-image-6.12.118+deb12-rt-amd64-unsigned',
    'linux-image-6.12-amd64', 'linux-image-6.1.0-57-amd64'];
  t.equal(newestPackage(names, '6.1'), 'linux-image-6.1.0-57-amd64-unsigned');
  t.equal(newestPackage(names, '6.12'), 'linux-image-6.12.118+deb12-amd64-unsigned');
  t.equal(newestPackage(names, '6.6'), undefined);
});

/** A minimal ELF64 with one PT_NOTE holding a Xen note of `type`. */
function elfWithNote(type: number): Buffer {
  const note = Buffer.alloc(12 + 4 + 8);
  note.writeUInt32LE(4, 0); // namesz "Xen\0"
  note.writeUInt32LE(8, 4);
  note.writeUInt32LE(type, 8);
  note.write('Xen\0', 12, 'latin1');
  const elf = Buffer.alloc(64 + 56);
  elf.writeUInt32BE(0x7f454c46, 0);
  elf[4] = 2;
  elf.writeBigUInt64LE(64n, 32); // e_phoff
  elf.writeUInt16LE(56, 54);
  elf.writeUInt16LE(1, 56);
  elf.writeUInt32LE(4, 64); // PT_NOTE
  elf.writeBigUInt64LE(BigInt(64 + 56), 64 + 8);
  elf.writeBigUInt64LE(BigInt(note.length), 64 + 32);
  return Buffer.concat([elf, note]);
}

/** A bzImage-shaped buffer whose payload is `inner` gzipped, with the size trailer. */
function bzImage(inner: Buffer): Buffer {
  const setupSects = 1;
  const payload = Buffer.concat([gzipSync(inner), Buffer.alloc(4)]);
  payload.writeUInt32LE(inner.length, payload.length - 4);
  const head = Buffer.alloc((setupSects + 1) * 512 + 16);
  head[0x1f1] = setupSects;
  head.write('HdrS', 0x202, 'latin1');
  head.writeUInt16LE(0x20f, 0x206);
  head.writeUInt32LE(16, 0x248);
  head.writeUInt32LE(payload.length, 0x24c);
  return Buffer.concat([head, payload]);
}

t.test('vmlinux: the payload of a bzImage, decompressed, kept only when it has a PVH entry', async (t) => {
  t.ok(hasPvhEntry(elfWithNote(18)));
  t.notOk(hasPvhEntry(elfWithNote(17)));
  t.notOk(isStaticElf(Buffer.from('not elf')));
  t.ok(isStaticElf(elfWithNote(18)), 'no PT_INTERP: static');
  t.equal(bzImagePayload(Buffer.alloc(4096)), 'not a bzImage (no HdrS setup header)');
  const good = elfWithNote(18);
  t.same(await extractVmlinux(bzImage(good), {}), good);
  t.equal(await extractVmlinux(bzImage(elfWithNote(3)), {}), 'the vmlinux has no PVH entry note');
});

t.test('modules are found by name whatever their dashes and compression', async (t) => {
  const dir = scratch(t);
  mkdirSync(join(dir, 'kernel/mm'), { recursive: true });
  writeFileSync(join(dir, 'kernel/mm/hwpoison-inject.ko.xz'), '');
  writeFileSync(join(dir, 'kernel/mm/other.ko'), '');
  t.equal(findModule(dir, 'hwpoison_inject'), join(dir, 'kernel/mm/hwpoison-inject.ko.xz'));
  t.equal(findModule(dir, 'missing'), undefined);
});

t.test('missing tools are named with the package to install', async (t) => {
  const empty = scratch(t);
  const env = { PATH: empty, HGMSIM_BUSYBOX: join(empty, 'busybox') };
  t.same(await missingHostTools(['qemu', 'gcc', 'busybox'], env), [
    'hgmsim kernel: qemu-system-x86_64 is not installed (apt-get install qemu-system-x86)',
    'hgmsim kernel: gcc is not installed (apt-get install gcc)',
    `hgmsim kernel: ${join(empty, 'busybox')} is not installed (apt-get install busybox-static)`,
  ]);
  writeFileSync(join(empty, 'busybox'), '#!/bin/sh\n');
  chmodSync(join(empty, 'busybox'), 0o755);
  t.same(await missingHostTools(['busybox'], env), [`hgmsim kernel: ${join(empty, 'busybox')} is not statically linked (apt-get install busybox-static)`]);
  t.equal(findOnPath('sh', { PATH: `relative:${empty}:/bin` }), '/bin/sh', 'relative PATH entries are skipped');

  const err: string[] = [];
  const io = { cwd: process.cwd(), env: { PATH: empty }, out: () => {}, err: (s: string) => err.push(s) };
  t.equal(await runCli(['kernel', 'scenarios/mainline/hwpoison-shared.yaml', '--kernel', '6.12'], io), 69);
  t.match(err.join(''), /qemu-system-x86_64 is not installed \(apt-get install qemu-system-x86\)/);
  t.notMatch(err.join(''), /\n\s+at /, 'no stack trace');
});

t.test('hgmsim kernel: usage and input errors', async (t) => {
  const run = async (args: string[]): Promise<[number, string]> => {
    const err: string[] = [];
    const code = await runCli(args, { cwd: process.cwd(), env: process.env, out: () => {}, err: (s) => err.push(s) });
    return [code, err.join('')];
  };
  t.match(await run(['kernel', 'scenarios/mainline/hwpoison-shared.yaml']), [64, /give --kernel 6\.1/]);
  t.match(await run(['kernel', 'scenarios/mainline/hwpoison-shared.yaml', '--kernel', 'bzImage']), [64, /needs --profile/]);
  t.match(await run(['kernel', 'no-such.yaml', '--kernel', '6.1']), [66, /no-such\.yaml/]);
  t.match(await run(['kernel', '--kernel', '6.1', '--timeout', '0']), [64, /whole seconds/]);
});

t.test('a guest that does not end is killed at its time limit', async (t) => {
  const dir = scratch(t);
  const qemu = join(dir, 'qemu');
  writeFileSync(qemu, '#!/bin/sh\necho booting\nsleep 600 &\nwait\n');
  chmodSync(qemu, 0o755);
  const boot = await bootGuest(qemu, [], 1, process.env);
  t.same(boot.end, { kind: 'timeout', seconds: 1 });
  t.ok(boot.seconds < 5, `killed after ${boot.seconds.toFixed(1)} s, its children's pipes not waited for`);
  t.match(boot.console, /booting/);
  const missing = await bootGuest(join(dir, 'nothing'), [], 5, process.env);
  t.match(missing.end, { kind: 'exited', status: 127 });
});

/** A fake QEMU: answers every test of the program with `ok`, or (HANG set) never ends. */
const FAKE_QEMU = `#!/bin/sh
out=
for a in "$@"; do case "$a" in file:*) out="\${a#file:}";; esac; done
[ -n "$HANG" ] && exec sleep 600
printf '${MARK} release 9.9.9-fake\\r\\n' > "$out"
for n in 1 2 3; do printf '${MARK} begin %s\\r\\nok %s t%s\\r\\n${MARK} end %s 0\\r\\n' $n $n $n $n >> "$out"; done
printf '${MARK} done\\r\\n' >> "$out"
echo "Power down"
`;

const canCompile = findOnPath('gcc', process.env) !== undefined && existsSync('/bin/busybox') && isStaticElf(readFileSync('/bin/busybox'));

t.test('hgmsim kernel with a fake QEMU: compiles, boots once per program, writes <stem>.kernel-<release>.tap', { skip: canCompile ? false : 'needs gcc and a static /bin/busybox' }, async (t) => {
  const dir = scratch(t);
  const qemu = join(dir, 'qemu');
  writeFileSync(qemu, FAKE_QEMU);
  chmodSync(qemu, 0o755);
  writeFileSync(join(dir, 'bzImage'), 'not really a kernel');
  writeFileSync(join(dir, 'x.yaml'), 'scenario: x\nkernel: {profile: v6.1, hugepagesz: [2M, 1G], nr_hugepages: 1}\ntests:\n  - name: t1\n    steps: []\n');
  const run = async (extra: NodeJS.ProcessEnv, args: string[], kernel = 'bzImage'): Promise<[number, string, string]> => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(['kernel', 'x.yaml', '--kernel', kernel, '--profile', 'v6.12', ...args],
      { cwd: dir, env: { ...process.env, HGMSIM_QEMU: qemu, ...extra }, out: (s) => out.push(s), err: (s) => err.push(s) });
    return [code, out.join(''), err.join('')];
  };
  const [code, out, err] = await run({}, ['--hugepagesz', '2M']);
  t.same(await run({}, [], 'no-such-image'), [66, '', 'hgmsim kernel: no-such-image: no such kernel image\n'], 'a kernel image that is not there: 66');
  t.equal(code, 0, err);
  t.equal(out, 'x.2M.kernel-9.9.9-fake.tap\n');
  t.match(err, /\[9\.9\.9-fake\] x\.2M: 1 test, \d+\.\d s/);
  t.match(readFileSync(join(dir, 'x.2M.kernel-9.9.9-fake.tap'), 'utf8'), /kernel 9\.9\.9-fake\n1\.\.1\nok 1 t1\n/);

  const [hung, hout, herr] = await run({ HANG: '1' }, ['--timeout', '1', '-o', 'out', '--jobs', '2']);
  t.equal(hung, 1, 'a guest that timed out: exit 1');
  t.equal(hout, 'out/x.2M.kernel-bzImage.tap\nout/x.1G.kernel-bzImage.tap\n', 'what came back is still written, in job order');
  t.match(herr, /the guest timed out after 1 s/);
  t.match(readFileSync(join(dir, 'out/x.1G.kernel-bzImage.tap'), 'utf8'), /not ok 1 t1 # not run: the guest timed out after 1 s/);
});

/** Writes an executable shell script. */
function script(path: string, text: string): void {
  writeFileSync(path, text);
  chmodSync(path, 0o755);
}

t.test('a Debian kernel is fetched with apt-get download and unpacked once, then taken from the cache without apt', async (t) => {
  const dir = scratch(t);
  const bin = join(dir, 'bin');
  const template = join(dir, 'template');
  mkdirSync(bin);
  mkdirSync(join(template, 'boot'), { recursive: true });
  mkdirSync(join(template, 'lib/modules/6.12.9+deb12-amd64/kernel/mm'), { recursive: true });
  writeFileSync(join(template, 'boot/vmlinuz-6.12.9+deb12-amd64'), bzImage(elfWithNote(18)));
  writeFileSync(join(template, 'lib/modules/6.12.9+deb12-amd64/kernel/mm/hwpoison-inject.ko.gz'), gzipSync(Buffer.from('module')));
  const log = join(dir, 'apt.log');
  script(join(bin, 'apt-cache'), '#!/bin/sh\necho "linux-image-6.12.8+deb12-amd64-unsigned - old"\necho "linux-image-6.12.9+deb12-amd64-unsigned - Linux 6.12"\n');
  script(join(bin, 'apt-get'), `#!/bin/sh\necho "$@" >> ${log}\n[ "$1" = download ] && echo deb > "$2"_1_amd64.deb\n`);
  script(join(bin, 'dpkg-deb'), `#!/bin/sh\n[ "$1" = -x ] && /bin/mkdir -p "$3" && /bin/cp -r ${template}/. "$3"\n`);
  const lines: string[] = [];
  const host = { env: { PATH: bin, HGMSIM_CACHE: join(dir, 'cache') }, cwd: dir, log: (l: string) => lines.push(l) };
  const first = await prepareKernel({ kind: 'debian', version: '6.12' }, join(dir, 's'), host);
  const pkg = join(dir, 'cache/kernels/linux-image-6.12.9+deb12-amd64-unsigned');
  t.same(first, { label: '6.12.9+deb12-amd64', image: join(pkg, 'vmlinux'), modulesDir: join(pkg, 'root/lib/modules/6.12.9+deb12-amd64') });
  t.same(readFileSync(first.image), elfWithNote(18), 'the vmlinux is extracted beside the package');
  t.equal(readFileSync(log, 'utf8'), 'download linux-image-6.12.9+deb12-amd64-unsigned\n');
  t.match(lines, [/downloading linux-image-6\.12\.9\+deb12-amd64-unsigned/]);
  t.notOk(readdirSync(pkg).some((f) => f.endsWith('.deb')), 'the .deb is not kept');
  t.same(await loadModule(first, 'hwpoison_inject', {}), Buffer.from('module'), 'a compressed module is decompressed on the host');
  await t.rejects(loadModule(first, 'nothing', {}), { kind: 'unavailable', message: /has no module nothing under/ });

  rmSync(join(bin, 'apt-get'));
  script(join(bin, 'apt-cache'), '#!/bin/sh\necho "linux-image-6.12.10+deb12-amd64-unsigned - newer"\n');
  t.same(await prepareKernel({ kind: 'debian', version: '6.12' }, join(dir, 's'), host), first, 'the cache is used, apt-get is not needed');
  t.match(lines.at(-1), /using the cached linux-image-6\.12\.9\+deb12-amd64-unsigned; apt knows the newer linux-image-6\.12\.10/);
  await t.rejects(prepareKernel({ kind: 'debian', version: '6.1' }, join(dir, 's'), host), { kind: 'unavailable', message: /apt knows no package linux-image-6\.1…-amd64-unsigned/ });
  script(join(bin, 'apt-cache'), '#!/bin/sh\necho "linux-image-6.1.0-3-amd64-unsigned - Linux 6.1"\n');
  script(join(bin, 'apt-get'), '#!/bin/sh\necho "E: Failed to fetch" >&2\nexit 100\n');
  await t.rejects(prepareKernel({ kind: 'debian', version: '6.1' }, join(dir, 's'), host), { kind: 'unavailable', message: /cannot download linux-image-6\.1\.0-3-amd64-unsigned: E: Failed to fetch/ });
  t.notOk(existsSync(join(dir, 'cache/kernels/linux-image-6.1.0-3-amd64-unsigned')), 'a failed download leaves no cache entry');

  await t.rejects(prepareKernel({ kind: 'image', path: 'nope' }, join(dir, 's'), host), { kind: 'noinput', message: /nope: no such kernel image/ });
  const image = await prepareKernel({ kind: 'image', path: 'template/boot/vmlinuz-6.12.9+deb12-amd64', modules: 'template' }, join(dir, 's'), host);
  t.same(image, { label: 'vmlinuz-6.12.9+deb12-amd64', image: join(dir, 's/vmlinux-vmlinuz-6.12.9+deb12-amd64'), modulesDir: join(dir, 'template') });
  writeFileSync(join(dir, 'plain'), 'x');
  t.same(await prepareKernel({ kind: 'image', path: 'plain' }, join(dir, 's'), host), { label: 'plain', image: join(dir, 'plain') }, 'not a bzImage: booted as given');
});
