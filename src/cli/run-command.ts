// `hgmsim run [PATH…]`: load every scenario, run one stream per (file, size, profile) in that order,
// print the report on stdout, then judge: results against verdicts, and with --check or
// --update-golden, streams against their goldens.

import { PROFILE_NAMES, isProfileName } from '../kernel/index.js';
import { REPORTERS } from '../report/index.js';
import { runStream } from '../runner/run.js';
import type { StreamResult } from '../runner/results.js';
import { didYouMean } from '../scenario/suggest.js';
import type { HugepageSize, ProfileName, Scenario, ScenarioError } from '../scenario/types.js';
import { EXIT, ExitError } from './exit.js';
import type { ExitCode } from './exit.js';
import { checkGolden, writeGolden } from './golden.js';
import type { CommandContext } from './io.js';
import { formatRuntimeErrors, loadPaths } from './load.js';
import type { RunOptionValues } from './options.js';

/** The profiles a file runs under: --profile's list, 'all', or the file's kernel.profile. */
export function profilesFor(scenario: Scenario, option: string | undefined): ProfileName[] {
  if (option === undefined) return [scenario.kernel.profile];
  if (option === 'all') {
    const named = new Set<string>([scenario.kernel.profile, ...scenario.verdicts.keys()]);
    return PROFILE_NAMES.filter((p) => named.has(p)) as ProfileName[];
  }
  const out: ProfileName[] = [];
  for (const raw of option.split(',')) {
    const p = raw.trim();
    if (!isProfileName(p)) {
      throw new ExitError(EXIT.USAGE, `hgmsim: unknown profile '${p}'${didYouMean(p, [...PROFILE_NAMES, 'all'])}; known: ${PROFILE_NAMES.join(', ')}, all`);
    }
    if (!out.includes(p as ProfileName)) out.push(p as ProfileName);
  }
  return out;
}

/** 1 when a stream fails or XPASSes against its verdicts, else 4 when one skips unexpectedly, else 0. */
export function runExitStatus(streams: readonly StreamResult[]): ExitCode {
  if (streams.some((s) => s.exitStatus === 1)) return EXIT.FAIL;
  if (streams.some((s) => s.exitStatus === 4)) return EXIT.SKIP;
  return EXIT.OK;
}

export async function runCommand(paths: readonly string[], opts: RunOptionValues, ctx: CommandContext): Promise<ExitCode> {
  const { io, chalk } = ctx;
  const got = loadPaths(paths, ctx);
  if (typeof got === 'number') return got;
  const { loaded } = got;

  const wanted = opts.test;
  if (wanted) {
    for (const name of wanted) {
      const all = loaded.scenarios.flatMap((s) => s.tests.map((t) => t.name));
      if (!all.includes(name)) throw new ExitError(EXIT.USAGE, `hgmsim: no test named '${name}'${didYouMean(name, all)}`);
    }
  }

  const streams: StreamResult[] = [];
  const runtimeErrors: ScenarioError[] = [];
  for (const scenario of loaded.scenarios) {
    if (wanted && !scenario.tests.some((t) => wanted.includes(t.name))) continue;
    const sizes: readonly HugepageSize[] = opts.hugepagesz ? [opts.hugepagesz] : scenario.kernel.hugepagesz;
    const profiles = profilesFor(scenario, opts.profile);
    for (const size of sizes) {
      for (const profile of profiles) {
        const r = runStream(scenario, size, profile, {
          verbose: opts.verbose === true,
          checkInvariants: process.env.HGMSIM_CHECK_INVARIANTS === '1',
          ...(wanted ? { tests: wanted } : {}),
        });
        if (r.ok) streams.push(r.result);
        else runtimeErrors.push(...r.errors);
      }
    }
  }
  if (runtimeErrors.length > 0) {
    const texts = new Map(loaded.scenarios.map((s) => [s.file, s.text]));
    io.err(`${formatRuntimeErrors(runtimeErrors, texts, chalk.red).join('\n')}\n`);
    return EXIT.DATAERR;
  }

  if (streams.length === 0) io.out('TAP version 13\n1..0 # SKIP no scenario files\n');
  else io.out(REPORTERS[opts.format](streams, { verbose: opts.verbose === true }));

  let status = runExitStatus(streams);
  if (opts.check) {
    for (const s of streams) {
      const c = checkGolden(s, io.cwd);
      if (c.kind === 'same') continue;
      status = EXIT.FAIL;
      const what = `${s.file} ${s.size} ${s.profile}`;
      if (c.kind === 'missing') io.err(`${chalk.red('hgmsim: golden missing:')} ${c.path} (${what}); write it with --update-golden\n`);
      else {
        io.err(`${chalk.red('hgmsim: golden differs:')} ${c.path} (${what}), first difference at line ${c.line}\n` +
          `  expected: ${c.expected}\n  actual:   ${c.actual}\n`);
      }
    }
  }
  if (opts.updateGolden) {
    const departing = streams.flatMap((s) => s.tests.filter((t) => t.departure !== 'none').map((t) => `${s.file} ${s.size} ${s.profile}: ${t.name} (expected ${t.expected}, got ${t.status})`));
    if (departing.length > 0) {
      io.err(`${chalk.red('hgmsim: refusing to update goldens:')} ${departing.length} result(s) depart from their verdicts:\n` +
        departing.map((d) => `  ${d}\n`).join(''));
      return status === EXIT.OK ? EXIT.FAIL : status;
    }
    for (const s of streams) io.err(`hgmsim: wrote ${writeGolden(s, io.cwd)}\n`);
  }
  return status;
}
