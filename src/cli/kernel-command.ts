// `hgmsim kernel [PATH…] --kernel 6.1|6.12|PATH`: export each scenario for the kernel's profile, run the
// programs on the real kernel under QEMU (src/lab), and write `<stem>.kernel-<uname -r>.tap` beside each
// scenario (or into -o DIR); the written paths go to stdout, progress to stderr. A test failing inside
// the kernel's TAP is data, not an exit status: 0 means every guest ran every test to the end.

import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { freemem, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { exportScenario } from '../export/index.js';
import {
  kernelProfile, LabError, missingHostTools, parseKernelSpec, prepareKernel, runJobs,
  type KernelSpec, type LabHost, type LabJob, type LabOutcome,
} from '../lab/index.js';
import type { ProfileName } from '../scenario/index.js';
import { EXIT, ExitError, type ExitCode } from './exit.js';
import { outputError } from './fs-errors.js';
import type { CommandContext } from './io.js';
import { loadPaths } from './load.js';
import type { KernelOptionValues } from './options.js';
import { writeOutputFile } from './write.js';

/**
 * Guest memory declared by the guests running at once, MiB. QEMU allocates guest RAM as the guest
 * touches it, and a program touches its tests' mappings, not its whole pool: two 1 GiB-page guests
 * (11.5 GiB each) run side by side on the 24 GiB reference machine, and a guest still waits while the
 * host's free memory is below what it declares.
 */
const MEMORY_LIMIT_MIB = 24 * 1024;

const LAB_STATUS: Readonly<Record<LabError['kind'], ExitCode>> = { unavailable: EXIT.UNAVAILABLE, software: EXIT.SOFTWARE, noinput: EXIT.NOINPUT };

/** The worst of two statuses: an hgmsim bug, then a missing tool, then bad input, then a guest that failed. */
const RANK: readonly ExitCode[] = [EXIT.SOFTWARE, EXIT.UNAVAILABLE, EXIT.DATAERR, EXIT.NOINPUT, EXIT.CANTCREAT, EXIT.IOERR, EXIT.FAIL, EXIT.OK];
const worse = (a: ExitCode, b: ExitCode): ExitCode => (RANK.indexOf(a) <= RANK.indexOf(b) ? a : b);

/**
 * The kernel TAP file of an outcome: `<stem>.kernel-<release>.tap` in -o DIR or beside the scenario; a
 * character of the guest's release that does not belong in a file name becomes `_`.
 */
export function kernelTapPath(file: string, stem: string, release: string, outDir?: string): string {
  return join(outDir ?? dirname(file), `${stem}.kernel-${release.replace(/[^\w.+-]/g, '_')}.tap`);
}

export async function kernelCommand(paths: readonly string[], opts: KernelOptionValues, ctx: CommandContext): Promise<ExitCode> {
  const { io } = ctx;
  const say = (line: string): void => io.err(`${line}\n`);
  if (!opts.kernel || opts.kernel.length === 0) {
    say('hgmsim kernel: give --kernel 6.1, --kernel 6.12 or --kernel PATH (repeatable)');
    return EXIT.USAGE;
  }
  const kernels: { spec: KernelSpec; profile: ProfileName }[] = [];
  for (const text of opts.kernel) {
    const spec = parseKernelSpec(text, opts.modules);
    const profile = kernelProfile(spec, opts.profile);
    if (typeof profile !== 'string') {
      say(profile.error);
      return EXIT.USAGE;
    }
    kernels.push({ spec, profile });
  }
  const got = loadPaths(paths, ctx);
  if (typeof got === 'number') return got;

  const missing = await missingHostTools(['qemu', 'gcc', 'busybox'], io.env);
  if (missing.length > 0) {
    say(missing.join('\n'));
    return EXIT.UNAVAILABLE;
  }
  if (opts.output !== undefined) {
    try {
      mkdirSync(resolve(io.cwd, opts.output), { recursive: true });
    } catch (e) {
      say(outputError(opts.output, e, 'cannot create the folder').message);
      return EXIT.CANTCREAT;
    }
  }

  const host: LabHost = { env: io.env, cwd: io.cwd, log: say };
  const scratch = mkdtempSync(join(tmpdir(), 'hgmsim-lab-'));
  try {
    const jobs: LabJob[] = [];
    for (const [i, k] of kernels.entries()) {
      const kernel = await prepareKernel(k.spec, join(scratch, `kernel-${i}`), host);
      for (const scenario of got.loaded.scenarios) {
        const programs = exportScenario(scenario, { profile: k.profile, ...(opts.hugepagesz ? { hugepagesz: [opts.hugepagesz] } : {}) });
        for (const program of programs) jobs.push({ kernel, program });
      }
    }
    if (jobs.length === 0) {
      say('hgmsim kernel: no program to run (no scenario lists the hugepage size asked for)');
      return EXIT.NOINPUT;
    }
    const outcomes = await runJobs(jobs, { host, jobs: opts.jobs ?? 2, timeoutSeconds: opts.timeout ?? 300, memoryLimitMiB: MEMORY_LIMIT_MIB, scratch, availableMiB: () => freemem() / 2 ** 20 });
    return writeOutcomes(outcomes, opts.output, ctx);
  } catch (e) {
    // A kernel that cannot be had (or a tool missing on the way) stops the run before any guest.
    if (!(e instanceof LabError)) throw e;
    say(e.message);
    return LAB_STATUS[e.kind];
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** Writes each TAP that came back, prints its path, and says what did not come back; the exit status. */
function writeOutcomes(outcomes: readonly LabOutcome[], outDir: string | undefined, ctx: CommandContext): ExitCode {
  const { io } = ctx;
  let status: ExitCode = EXIT.OK;
  for (const o of outcomes) {
    if (o.kind === 'failed') {
      io.err(`${o.error.message}\n`);
      status = worse(status, LAB_STATUS[o.error.kind]);
      continue;
    }
    // As the user spelled the folder: relative paths stay relative to the working directory.
    const shown = kernelTapPath(o.job.program.file, o.job.program.stem, o.release, outDir);
    try {
      writeOutputFile(shown, o.tap, io.cwd);
    } catch (e) {
      if (!(e instanceof ExitError)) throw e;
      io.err(`${e.message}\n`);
      status = worse(status, e.code);
      continue;
    }
    io.out(`${shown}\n`);
    if (!o.complete) status = worse(status, EXIT.FAIL);
  }
  return status;
}
