// The guest's initramfs: busybox, an /init shell script that runs a program's tests one by one and
// writes their results on the result channel (serial.ts), the compiled program under /t/, and the
// kernel modules it needs under /lib/modules/ (already decompressed: busybox insmod loads plain .ko).

import { writeCpio, type CpioEntry } from './cpio.js';
import { MARK } from './serial.js';

export interface GuestPlan {
  /** The program's file name under /t/. */
  readonly program: string;
  /** Test numbers, in the order to run them. */
  readonly tests: readonly number[];
  /** Module names (`hwpoison_inject`), loaded in order from /lib/modules/<name>.ko. */
  readonly modules: readonly string[];
}

const shellWord = (s: string): string => (/^[\w.+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

/**
 * The /init script. Without devtmpfs there is no /dev/ttyS1; fd 3 keeps the channel open for the
 * whole run, and closing it before poweroff waits until the UART has sent everything.
 */
export function initScript(plan: GuestPlan): string {
  const prog = `/t/${shellWord(plan.program)}`;
  const lines = [
    '#!/bin/busybox sh',
    '# hgmsim lab guest: each test of the program in order, results on ttyS1, then power off.',
    '/bin/busybox --install -s /bin',
    'export PATH=/bin',
    'mount -t proc proc /proc',
    'mount -t sysfs sysfs /sys',
    'mount -t devtmpfs devtmpfs /dev',
    'mount -t debugfs debugfs /sys/kernel/debug',
    'mkdir -p /dev/hugepages && mount -t hugetlbfs hugetlbfs /dev/hugepages',
    'exec 3>/dev/ttyS1',
    ...plan.modules.map((m) => `insmod /lib/modules/${shellWord(m)}.ko || echo "${MARK} insmod ${m} failed" >/dev/console`),
    `echo "${MARK} release $(uname -r)" >&3`,
    `for d in /sys/kernel/mm/hugepages/hugepages-*; do echo "${MARK} pool \${d##*-} $(cat $d/nr_hugepages)" >&3; done`,
    'cd /tmp',
    ...plan.tests.flatMap((n) => [
      `echo "${MARK} begin ${n}" >&3`,
      `${prog} -t ${n} >&3 2>/dev/console 3>&-`,
      `echo "${MARK} end ${n} $?" >&3`,
    ]),
    `echo "${MARK} done" >&3`,
    'exec 3>&-',
    'poweroff -f',
    '',
  ];
  return lines.join('\n');
}

export interface InitramfsParts {
  readonly plan: GuestPlan;
  /** A statically linked busybox. */
  readonly busybox: Buffer;
  /** The statically linked test program. */
  readonly programBinary: Buffer;
  /** Each module of plan.modules, decompressed, by name. */
  readonly moduleFiles: ReadonlyMap<string, Buffer>;
}

/** The initramfs as an uncompressed newc cpio (the kernel takes it as it is). */
export function buildInitramfs(parts: InitramfsParts): Buffer {
  const entries: CpioEntry[] = [
    ...['bin', 'dev', 'lib', 'lib/modules', 'proc', 'sys', 't', 'tmp'].map((path): CpioEntry => ({ kind: 'dir', path })),
    { kind: 'chardev', path: 'dev/console', major: 5, minor: 1 },
    { kind: 'file', path: 'bin/busybox', data: parts.busybox, perm: 0o755 },
    { kind: 'file', path: 'init', data: Buffer.from(initScript(parts.plan), 'utf8'), perm: 0o755 },
    { kind: 'file', path: `t/${parts.plan.program}`, data: parts.programBinary, perm: 0o755 },
  ];
  for (const name of parts.plan.modules) {
    const data = parts.moduleFiles.get(name);
    if (data) entries.push({ kind: 'file', path: `lib/modules/${name}.ko`, data });
  }
  return writeCpio(entries);
}
