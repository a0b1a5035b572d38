// One guest boot under QEMU (TCG: no KVM here): the kernel command line a program's needs ask for, the
// QEMU arguments, and the boot itself — the console (ttyS0) collected from QEMU's stdout, the result
// channel (ttyS1) written to a file, and a time limit after which QEMU is killed (SIGKILL), never waited
// on forever.

import { spawn } from 'node:child_process';
import type { ProgramNeeds } from '../export/index.js';
import type { GuestEnd } from './serial.js';

/** The hugepage sizes in the spelling the kernel's command line takes. */
type Size = '2M' | '1G';

/**
 * The kernel command line: console on ttyS0, no address randomisation (as the model places mappings
 * deterministically), no reboot on panic (QEMU then exits), the program's size as the default
 * hugepage size, and a boot-time pool per size (gigantic pages are only reliably had at boot).
 */
export function kernelCommandLine(hugepagesz: Size, needs: Pick<ProgramNeeds, 'pools'>): string {
  const pools = Object.entries(needs.pools).filter(([, n]) => n !== undefined).sort(([a], [b]) => (a === hugepagesz ? -1 : b === hugepagesz ? 1 : 0));
  return [
    'console=ttyS0', 'quiet', 'nokaslr', 'norandmaps', 'panic=-1', `default_hugepagesz=${hugepagesz}`,
    ...pools.flatMap(([size, n]) => [`hugepagesz=${size}`, `hugepages=${n}`]),
  ].join(' ');
}

export interface BootSpec {
  /** What -kernel gets (an ELF vmlinux with a PVH note, or a bzImage). */
  readonly kernel: string;
  readonly initrd: string;
  readonly memoryMiB: number;
  readonly cmdline: string;
  /** The file the result channel (ttyS1) is written to. */
  readonly resultFile: string;
}

/** QEMU's arguments: q35, 1 GiB pages offered to the guest (pdpe1gb), one CPU, serial ports only. */
export function qemuArgs(b: BootSpec): string[] {
  return [
    '-machine', 'q35', '-cpu', 'qemu64,+pdpe1gb', '-m', `${b.memoryMiB}M`, '-smp', '1',
    '-nographic', '-no-reboot', '-kernel', b.kernel, '-initrd', b.initrd, '-append', b.cmdline,
    '-serial', 'mon:stdio', '-serial', `file:${b.resultFile}`,
  ];
}

export interface Boot {
  readonly end: GuestEnd;
  /** The console's text (the last MiB when there was more). */
  readonly console: string;
  readonly seconds: number;
}

const CONSOLE_MAX = 1 << 20;

/** Runs QEMU to its end, or kills it after `timeoutSeconds`. */
export function bootGuest(qemu: string, args: readonly string[], timeoutSeconds: number, env: NodeJS.ProcessEnv): Promise<Boot> {
  const t0 = process.hrtime.bigint();
  const seconds = (): number => Number(process.hrtime.bigint() - t0) / 1e9;
  return new Promise((resolve) => {
    const child = spawn(qemu, [...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let consoleText = '';
    const keep = (d: Buffer): void => {
      consoleText += d.toString('utf8');
      if (consoleText.length > 2 * CONSOLE_MAX) consoleText = consoleText.slice(-CONSOLE_MAX);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutSeconds * 1000);
    let spawnError: string | undefined;
    child.on('error', (e) => {
      spawnError = e.message;
    });
    let finished = false;
    let grace: NodeJS.Timeout | undefined;
    const finish = (status: number | null, signal: NodeJS.Signals | null): void => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      clearTimeout(grace);
      const end: GuestEnd = timedOut ? { kind: 'timeout', seconds: timeoutSeconds } : { kind: 'exited', status: spawnError ? 127 : status, signal };
      resolve({ end, console: spawnError ? `${consoleText}${spawnError}\n` : consoleText.slice(-CONSOLE_MAX), seconds: seconds() });
    };
    child.on('close', finish);
    // A child of QEMU's that outlives it (a wrapper script's) would hold the pipes open: do not wait for them.
    child.on('exit', (status, signal) => {
      grace = setTimeout(() => {
        child.stdout.destroy();
        child.stderr.destroy();
        finish(status, signal);
      }, 2000);
    });
  });
}
