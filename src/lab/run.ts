// Running exported programs on kernels: each program is compiled statically with gcc, packed into an
// initramfs with busybox and its modules, and run in ONE guest boot — all its tests, in order, as the
// model runs one boot per scenario and size. Up to `jobs` guests run at once, and a guest is not started
// while the memory of those running would pass the limit or the host has not that much available (one
// always may run). Outcomes come back in the
// order of the jobs, whatever order the guests finish in.

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { kernelTap, type ExportedProgram, type KernelTestRun } from '../export/index.js';
import { LabError } from './errors.js';
import { buildInitramfs } from './initramfs.js';
import { loadModule, type LabHost, type PreparedKernel } from './packages.js';
import { bootGuest, kernelCommandLine, qemuArgs } from './qemu.js';
import { parseResultChannel } from './serial.js';
import { requireStaticBusybox, requireTool, runTool } from './tools.js';

export interface LabJob {
  readonly kernel: PreparedKernel;
  readonly program: ExportedProgram;
}

export interface LabOptions {
  readonly host: LabHost;
  /** Guests at once. */
  readonly jobs: number;
  /** Each boot's time limit. */
  readonly timeoutSeconds: number;
  /** The most guest memory running at once (a guest larger than this still runs, alone). */
  readonly memoryLimitMiB: number;
  /** A temp folder for programs, initramfs images and result channels. */
  readonly scratch: string;
  /** The host's available memory, MiB, asked before each start (default: not asked). */
  readonly availableMiB?: () => number;
}

export type LabOutcome =
  | {
      readonly kind: 'ran';
      readonly job: LabJob;
      /** The guest's `uname -r` (the kernel's label when the guest never said). */
      readonly release: string;
      readonly runs: readonly KernelTestRun[];
      /** kernelTap's stream for the program. */
      readonly tap: string;
      /** Every test ran and the guest powered off; else `problem` says what happened. */
      readonly complete: boolean;
      readonly problem?: string;
      readonly seconds: number;
    }
  | { readonly kind: 'failed'; readonly job: LabJob; readonly error: LabError };

/** The gcc command line for a program (the lab's C is held to -Wall -Wextra -Werror). */
export const GCC_FLAGS: readonly string[] = ['-static', '-O1', '-Wall', '-Wextra', '-Werror', '-pthread'];

/** The program compiled in `dir`; gcc's complaints are an hgmsim bug (the exporter wrote bad C). */
export async function compileProgram(program: ExportedProgram, dir: string, env: NodeJS.ProcessEnv): Promise<Buffer> {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'prog.c'), program.source);
  const r = await runTool(requireTool('gcc', env), [...GCC_FLAGS, '-o', 'prog', 'prog.c'], { env, cwd: dir });
  if (r.status !== 0) {
    throw new LabError('software', `hgmsim kernel: internal error (a bug in hgmsim): gcc rejects the program exported for ${program.stem} (${program.profile}):\n${r.stderr.trimEnd()}`);
  }
  return readFileSync(join(dir, 'prog'));
}

const tail = (text: string, n: number): string => text.replace(/\r/g, '').trimEnd().split('\n').slice(-n).map((l) => `  | ${l}`).join('\n');

async function runJob(job: LabJob, dir: string, opts: LabOptions, busybox: Buffer): Promise<LabOutcome> {
  const { program, kernel } = job;
  const { env } = opts.host;
  const qemu = requireTool('qemu', env);
  const programBinary = await compileProgram(program, dir, env);
  const moduleFiles = new Map<string, Buffer>();
  for (const name of program.needs.modules) moduleFiles.set(name, await loadModule(kernel, name, env));
  const tests = program.tests.map((t) => t.number);
  const initrd = join(dir, 'initrd.cpio');
  writeFileSync(initrd, buildInitramfs({ plan: { program: program.stem, tests, modules: program.needs.modules }, busybox, programBinary, moduleFiles }));
  const resultFile = join(dir, 'results.txt');
  writeFileSync(resultFile, '');
  const cmdline = kernelCommandLine(program.hugepagesz, program.needs);
  const boot = await bootGuest(qemu, qemuArgs({ kernel: kernel.image, initrd, memoryMiB: program.needs.memoryMiB, cmdline, resultFile }), opts.timeoutSeconds, env);
  const channel = parseResultChannel(readFileSync(resultFile, 'utf8'), tests, boot.end, boot.console);
  const release = channel.release ?? kernel.label;
  let problem: string | undefined;
  if (!channel.complete) {
    const stopped = channel.runs.find((r) => !r.finished && r.reason.startsWith('the guest'));
    problem = stopped && !stopped.finished ? stopped.reason : boot.end.kind === 'timeout' ? `the guest timed out after ${boot.end.seconds} s` : 'the guest stopped before /init finished';
  }
  for (const short of shortPools(program, channel.pools)) opts.host.log(`[${release}] ${program.stem}: ${short}`);
  const n = tests.length;
  opts.host.log(`[${release}] ${program.stem}: ${n} ${n === 1 ? 'test' : 'tests'}, ${boot.seconds.toFixed(1)} s${problem ? ` — ${problem}; the console ended:\n${tail(boot.console, 15)}` : ''}`);
  return {
    kind: 'ran', job, release, runs: channel.runs, tap: kernelTap(program, release, channel.runs), complete: channel.complete,
    ...(problem !== undefined ? { problem } : {}), seconds: boot.seconds,
  };
}

const POOL_KB: Readonly<Record<string, number>> = { '2M': 2048, '1G': 1048576 };

/** What the guest's boot-time pools lack against the program's needs (the guest's memory too small for them). */
export function shortPools(program: Pick<ExportedProgram, 'needs'>, pools: ReadonlyMap<string, number>): string[] {
  return Object.entries(program.needs.pools).flatMap(([size, want]) => {
    const kB = POOL_KB[size];
    const got = kB !== undefined ? pools.get(`${kB}kB`) : undefined;
    return want !== undefined && got !== undefined && got < want ? [`the boot-time pool holds ${got} of the ${want} ${size} hugepages asked for (${program.needs.memoryMiB} MiB of guest memory)`] : [];
  });
}

/** Runs every job, at most opts.jobs guests and opts.memoryLimitMiB of guest memory at once. */
export function runJobs(jobs: readonly LabJob[], opts: LabOptions): Promise<LabOutcome[]> {
  const busybox = requireStaticBusybox(opts.host.env);
  const outcomes: LabOutcome[] = [];
  return new Promise((resolve, reject) => {
    let next = 0;
    let running = 0;
    let memory = 0;
    let settled = 0;
    const pump = (): void => {
      if (settled === jobs.length) {
        resolve(outcomes);
        return;
      }
      while (next < jobs.length && running < opts.jobs) {
        const i = next;
        const job = jobs[i]!;
        const mem = job.program.needs.memoryMiB;
        // Others' guests count too: wait while the host's available memory would not hold this one.
        if (running > 0 && (memory + mem > opts.memoryLimitMiB || mem > (opts.availableMiB?.() ?? Infinity))) break;
        next++;
        running++;
        memory += mem;
        runJob(job, join(opts.scratch, String(i)), opts, busybox)
          .catch((e: unknown): LabOutcome => {
            if (e instanceof LabError) return { kind: 'failed', job, error: e };
            throw e;
          })
          .then((o) => {
            outcomes[i] = o;
            running--;
            memory -= mem;
            settled++;
            pump();
          }, reject);
      }
    };
    pump();
  });
}
