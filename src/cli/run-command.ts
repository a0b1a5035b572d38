// `hgmsim run [PATH…]`: load every scenario, run one stream per (file, size, profile) in that order
// (or the part of them one shard names), print the report on stdout, then judge: results against
// verdicts, and with --check or --update-golden, streams against their goldens.

import { PROFILE_NAMES, isProfileName } from '../kernel/index.js';
import { renderDiff, diffTap } from '../report/diff.js';
import { renderGithubAnnotations } from '../report/github.js';
import { REPORTERS } from '../report/index.js';
import { readTap } from '../report/tap-read.js';
import { ghData, ghProperty } from '../report/escape.js';
import type { StreamResult } from '../runner/results.js';
import type { RunOptions } from '../runner/run.js';
import { streamExitStatus } from '../runner/verdict.js';
import { didYouMean } from '../scenario/suggest.js';
import type { HugepageSize, ProfileName, Scenario, ScenarioError } from '../scenario/types.js';
import { EXIT, ExitError } from './exit.js';
import type { ExitCode } from './exit.js';
import { checkGolden, goldenText, testAtLine, writeGoldens } from './golden.js';
import type { GoldenCheck } from './golden.js';
import type { CommandContext } from './io.js';
import { formatRuntimeErrors, loadPaths } from './load.js';
import type { RunOptionValues } from './options.js';
import { listEntries, selectShard, shardOfLine, streamKey } from './shard.js';
import { runStreams } from './stream-pool.js';
import type { StreamJob } from './stream-pool.js';
import { writeOutputFile } from './write.js';

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

/** One stream to run: what to run, what of it to report, and whether its golden is this run's to judge. */
interface PlannedStream extends StreamJob {
  /** Tests to report (a shard's); every test run when absent. */
  readonly report?: ReadonlySet<string>;
  /** The stream's golden is compared or written by this run (under --shard: by the shard of its first list line). */
  readonly golden: boolean;
}

/** The streams of a run, in sequential order: file, then size, then profile. */
function planStreams(scenarios: readonly Scenario[], opts: RunOptionValues): PlannedStream[] {
  const base: RunOptions = { verbose: opts.verbose === true || opts.trace === true, trace: opts.trace === true, checkInvariants: process.env.HGMSIM_CHECK_INVARIANTS === '1' };
  const sizesFor = (s: Scenario): readonly HugepageSize[] => (opts.hugepagesz ? [opts.hugepagesz] : s.kernel.hugepagesz);
  const wanted = opts.test;
  const shard = opts.shard;
  // Under --shard: the tests of each stream in this shard, and the streams whose first list line is here.
  const mine = new Map<string, Set<string>>();
  const owned = new Set<string>();
  if (shard) {
    const entries = listEntries(scenarios, sizesFor, (s) => profilesFor(s, opts.profile));
    const seen = new Set<string>();
    entries.forEach((e, k) => {
      const key = streamKey(e.file, e.size, e.profile);
      if (!seen.has(key) && shardOfLine(k, shard.count) === shard.index) owned.add(key);
      seen.add(key);
    });
    for (const e of selectShard(entries, shard)) {
      const key = streamKey(e.file, e.size, e.profile);
      mine.set(key, (mine.get(key) ?? new Set<string>()).add(e.test));
    }
  }
  const out: PlannedStream[] = [];
  for (const scenario of scenarios) {
    if (wanted && !scenario.tests.some((t) => wanted.includes(t.name))) continue;
    for (const size of sizesFor(scenario)) {
      for (const profile of profilesFor(scenario, opts.profile)) {
        if (!shard) {
          out.push({ scenario, size, profile, opts: { ...base, ...(wanted ? { tests: wanted } : {}) }, golden: true });
          continue;
        }
        const key = streamKey(scenario.file, size, profile);
        const report = mine.get(key);
        if (!report) continue;
        const golden = owned.has(key) && opts.check === true;
        // Run from the first test so each reported test sees the state a full run gives it; stop after
        // the last one reported, unless the whole stream is needed for its golden.
        const names = scenario.tests.map((t) => t.name);
        const last = Math.max(...names.map((n, i) => (report.has(n) ? i : -1)));
        const tests = golden ? names : names.slice(0, last + 1);
        out.push({ scenario, size, profile, opts: { ...base, tests }, report, golden });
      }
    }
  }
  return out;
}

/** A stream with only the tests a shard reports, its exit status recomputed from them. */
function reported(s: StreamResult, report: ReadonlySet<string> | undefined): StreamResult {
  if (!report) return s;
  const tests = s.tests.filter((t) => report.has(t.name));
  return { ...s, tests, exitStatus: streamExitStatus(tests) };
}

/** Writes a report file: atomically when it is a regular file, through when a device, FIFO or symlink (write.ts). */
function writeReport(path: string, text: string, cwd: string): void {
  writeOutputFile(path, text, cwd);
}

/** Lines of a golden's semantic diff printed before the rest is cut (the summary line is always printed). */
const GOLDEN_DIFF_LINES = 24;

/** Reports a golden that differs or is missing on stderr (and as an annotation in GitHub Actions). */
function reportGolden(s: StreamResult, c: Exclude<GoldenCheck, { kind: 'same' }>, ctx: CommandContext, annotations: string[]): void {
  const { io, chalk } = ctx;
  const what = `${s.file} ${s.size} ${s.profile}`;
  if (c.kind === 'missing') {
    io.err(`${chalk.red('hgmsim: golden missing:')} ${c.path} (${what}); write it with --update-golden\n`);
    annotations.push(`::error file=${ghProperty(s.file)},title=${ghProperty('golden missing')}::${ghData(`${c.path} (${what})`)}\n`);
    return;
  }
  const actual = goldenText(s);
  const test = testAtLine(actual, c.line);
  io.err(`${chalk.red('hgmsim: golden differs:')} ${c.path} (${what}), ${test}, first difference at line ${c.line}\n` +
    `  expected: ${c.expected}\n  actual:   ${c.actual}\n`);
  const expectedTap = readTap(c.text);
  const actualTap = readTap(actual);
  if (expectedTap && actualTap) {
    const diff = renderDiff(c.path, '(this run)', diffTap(expectedTap, actualTap)).trimEnd().split('\n');
    // The head of the diff, and its summary line, which names every test that differs.
    const shown = diff.length > GOLDEN_DIFF_LINES + 1 ? [...diff.slice(0, GOLDEN_DIFF_LINES), `… ${diff.length - GOLDEN_DIFF_LINES - 1} more lines`, diff.at(-1) ?? ''] : diff;
    io.err(shown.map((l) => `  ${l}\n`).join(''));
  }
  annotations.push(`::error file=${ghProperty(c.path)},line=${c.line},title=${ghProperty(`golden differs: ${what}, ${test}`)}::${ghData(`expected: ${c.expected}\nactual:   ${c.actual}`)}\n`);
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

  const planned = planStreams(loaded.scenarios, opts);
  const runs = await runStreams(planned, opts.jobs ?? 1);
  const full: { stream: StreamResult; plan: PlannedStream }[] = [];
  const runtimeErrors: ScenarioError[] = [];
  runs.forEach((r, i) => {
    if (r.ok) full.push({ stream: r.result, plan: planned[i]! });
    else runtimeErrors.push(...r.errors);
  });
  if (runtimeErrors.length > 0) {
    const texts = new Map(loaded.scenarios.map((s) => [s.file, s.text]));
    io.err(`${formatRuntimeErrors(runtimeErrors, texts, chalk.red).join('\n')}\n`);
    return EXIT.DATAERR;
  }
  const streams = full.map(({ stream, plan }) => reported(stream, plan.report));
  const reportOpts = { verbose: opts.verbose === true || opts.trace === true };

  if (streams.length > 0) io.out(REPORTERS[opts.format](streams, reportOpts));
  else if (opts.format !== 'tap') io.out(REPORTERS[opts.format]([], reportOpts));
  else io.out(opts.shard ? 'TAP version 13\n1..0 # SKIP empty shard\n' : 'TAP version 13\n1..0 # SKIP no scenario files\n');
  if (opts.junit !== undefined) writeReport(opts.junit, REPORTERS.junit(streams, reportOpts), io.cwd);
  if (opts.json !== undefined) writeReport(opts.json, REPORTERS.json(streams, reportOpts), io.cwd);

  const annotations: string[] = [];
  let status = runExitStatus(streams);
  if (opts.check) {
    for (const { stream, plan } of full) {
      if (!plan.golden) continue;
      const c = checkGolden(stream, io.cwd);
      if (c.kind === 'same') continue;
      status = EXIT.FAIL;
      reportGolden(stream, c, ctx, annotations);
    }
  }
  if (io.env['GITHUB_ACTIONS'] === 'true' && opts.format === 'tap') io.out(renderGithubAnnotations(streams) + annotations.join(''));

  if (opts.updateGolden) {
    const departing = streams.flatMap((s) => s.tests.filter((t) => t.departure !== 'none').map((t) => `${s.file} ${s.size} ${s.profile}: ${t.name} (expected ${t.expected}, got ${t.status})`));
    if (departing.length > 0) {
      io.err(`${chalk.red('hgmsim: refusing to update goldens:')} ${departing.length} result(s) depart from their verdicts:\n` +
        departing.map((d) => `  ${d}\n`).join(''));
      return status === EXIT.OK ? EXIT.FAIL : status;
    }
    for (const path of await writeGoldens(streams, io.cwd)) io.err(`hgmsim: wrote ${path}\n`);
  }
  return status;
}
