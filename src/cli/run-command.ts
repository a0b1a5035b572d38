// `hgmsim run [PATH…]`: load every scenario, run one stream per (file, size, profile) in that order
// (or the part of them one shard names), print the report on stdout, then judge: results against
// verdicts, and with --check or --update-golden, streams against their goldens.

import { PROFILE_NAMES, isProfileName } from '../abi/index.js';
import { diffTap, readTap, renderDiff, renderGithubAnnotations, REPORTERS, runExitStatus, TapWriter } from '../report/index.js';
import type { ReportOptions } from '../report/index.js';
import { bootProfile, STREAM_BUDGET, streamExitStatus, switchChanges } from '../runner/index.js';
import type { GoldenStatus, RunOptions, StreamBudget, StreamResult } from '../runner/index.js';
import { didYouMean } from '../scenario/index.js';
import type { HugepageSize, ProfileName, Scenario, ScenarioError } from '../scenario/index.js';
import { EXIT, ExitError } from './exit.js';
import type { ExitCode } from './exit.js';
import { DEFAULT_PATH } from './files.js';
import { checkGolden, findStaleGoldens, goldenPath, writeGoldens } from './golden.js';
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

/** Which sizes and profiles of a file a run (or list) covers. */
export interface StreamSelection {
  sizes(s: Scenario): readonly HugepageSize[];
  profiles(s: Scenario): readonly ProfileName[];
}

/**
 * --hugepagesz and --profile pick the streams; under --check every stream with a golden is added (each
 * listed size under every profile the verdicts name), so no golden goes unchecked whatever they say.
 */
export function streamSelection(opts: { readonly profile?: string | undefined; readonly hugepagesz?: HugepageSize | undefined; readonly check?: boolean | undefined }): StreamSelection {
  if (opts.check !== true) {
    return { sizes: (s) => (opts.hugepagesz ? [opts.hugepagesz] : s.kernel.hugepagesz), profiles: (s) => profilesFor(s, opts.profile) };
  }
  return {
    sizes: (s) => s.kernel.hugepagesz,
    profiles: (s) => {
      const named = new Set([...profilesFor(s, opts.profile), ...profilesFor(s, 'all')]);
      return PROFILE_NAMES.filter((p) => named.has(p as ProfileName)) as ProfileName[];
    },
  };
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
  const { sizes: sizesFor, profiles: profilesOf } = streamSelection({ ...opts, check: opts.check === true || opts.updateGolden === true });
  const wanted = opts.test;
  const shard = opts.shard;
  // Under --shard: the tests of each stream in this shard, and the streams whose first list line is here.
  const mine = new Map<string, Set<string>>();
  const owned = new Set<string>();
  if (shard) {
    const entries = listEntries(scenarios, sizesFor, profilesOf);
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
      for (const profile of profilesOf(scenario)) {
        if (!shard) {
          out.push({ scenario, size, profile, opts: { ...base, ...(wanted ? { tests: wanted } : {}) }, golden: true });
          continue;
        }
        const key = streamKey(scenario.file, size, profile);
        const report = mine.get(key);
        if (!report) continue;
        const golden = owned.has(key) && (opts.check === true || opts.updateGolden === true);
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
  return { ...s, tests, exitStatus: s.error ? 1 : streamExitStatus(tests) };
}

/** How many tests of a planned stream its report shows (the plan line is printed before they run). */
function reportedCount(p: PlannedStream): number {
  const names = p.scenario.tests.map((t) => t.name);
  const shown = p.report ?? (p.opts.tests ? new Set(p.opts.tests) : null);
  return shown ? names.filter((n) => shown.has(n)).length : names.length;
}

/** Writes a report file: atomically when it is a regular file, through when a device, FIFO or symlink (write.ts). */
function writeReport(path: string, text: string, cwd: string): void {
  writeOutputFile(path, text, cwd);
}

/** Lines of a golden's semantic diff printed before the rest is cut (the summary line is always printed). */
const GOLDEN_DIFF_LINES = 24;

/** Explains a golden that differs or is missing on stderr, with the head of a semantic diff. */
function explainGolden(s: StreamResult, g: GoldenStatus, texts: { expected: string; actual: string } | undefined, ctx: CommandContext): void {
  const { io, chalk } = ctx;
  const what = `${s.file} ${s.size} ${s.profile}`;
  if (g.kind === 'same') return;
  if (g.kind === 'missing') {
    io.err(`${chalk.red('hgmsim: golden missing:')} ${g.path} (${what}); write it with --update-golden\n`);
    return;
  }
  io.err(`${chalk.red('hgmsim: golden differs:')} ${g.path} (${what}), ${g.test}, first difference at line ${g.line}\n` +
    `  expected: ${g.expected}\n  actual:   ${g.actual}\n`);
  const expectedTap = texts === undefined ? null : readTap(texts.expected);
  const actualTap = texts === undefined ? null : readTap(texts.actual);
  if (expectedTap && actualTap) {
    const diff = renderDiff(g.path, '(this run)', diffTap(expectedTap, actualTap)).trimEnd().split('\n');
    // The head of the diff, and its summary line, which names every test that differs.
    const shown = diff.length > GOLDEN_DIFF_LINES + 1 ? [...diff.slice(0, GOLDEN_DIFF_LINES), `… ${diff.length - GOLDEN_DIFF_LINES - 1} more lines`, diff.at(-1) ?? ''] : diff;
    io.err(shown.map((l) => `  ${l}\n`).join(''));
  }
}

/** Model operations a whole run may spend, all streams together (each also has STREAM_BUDGET). */
export const RUN_BUDGET = 50_000_000;

/** The budget of the next stream: its own, or what is left of the run's when that is less. */
function nextBudget(spent: number): StreamBudget {
  const left = Math.max(0, RUN_BUDGET - spent);
  return left < STREAM_BUDGET ? { ops: left, of: { kind: 'run', limit: RUN_BUDGET } } : { ops: STREAM_BUDGET, of: { kind: 'stream' } };
}

/** Every golden path the scenarios' streams write: each listed size under every profile the verdicts name. */
function expectedGoldens(scenarios: readonly Scenario[]): Set<string> {
  const out = new Set<string>();
  for (const s of scenarios) {
    for (const size of s.kernel.hugepagesz) {
      for (const profile of profilesFor(s, 'all')) out.add(goldenPath({ file: s.file, size, profile }));
    }
  }
  return out;
}

export async function runCommand(paths: readonly string[], opts: RunOptionValues, ctx: CommandContext): Promise<ExitCode> {
  const { io, chalk } = ctx;
  const got = loadPaths(paths, ctx);
  if (typeof got === 'number') return got;
  const { loaded } = got;
  const gate = opts.check === true || opts.updateGolden === true;
  if (gate && loaded.scenarios.length === 0) {
    const where = (paths.length ? paths : [DEFAULT_PATH]).join(', ');
    throw new ExitError(EXIT.NOINPUT, `hgmsim: ${opts.check ? '--check' : '--update-golden'}: no scenario files (*.yaml, *.yml) under ${where}; a gate over nothing is not a pass`);
  }

  const wanted = opts.test;
  if (wanted) {
    for (const name of wanted) {
      const all = loaded.scenarios.flatMap((s) => s.tests.map((t) => t.name));
      if (!all.includes(name)) throw new ExitError(EXIT.USAGE, `hgmsim: no test named '${name}'${didYouMean(name, all)}`);
    }
  }

  const planned = planStreams(loaded.scenarios, opts);
  // Stale goldens are judged once per run: by shard 1 under --shard.
  const stale = gate && (opts.shard === undefined || opts.shard.index === 1)
    ? findStaleGoldens(paths.length ? paths : [DEFAULT_PATH], io.cwd, expectedGoldens(loaded.scenarios))
    : [];
  const reportOpts: ReportOptions = { verbose: opts.verbose === true || opts.trace === true, ...(opts.check ? { check: true, stale } : {}) };
  const writer = opts.format === 'tap' && (planned.length > 0 || (opts.check === true && stale.length > 0))
    ? new TapWriter((text) => io.out(text), { streams: planned.length, check: opts.check === true, stale: opts.check ? stale : [] }, reportOpts)
    : null;

  const streams: StreamResult[] = [];
  const runtimeErrors: ScenarioError[] = [];
  /** Both texts of each golden that differs, by stream index (what explainGolden diffs). */
  const goldenTexts = new Map<number, { expected: string; actual: string }>();
  let spent = 0;
  await runStreams(planned, opts.jobs ?? 1, {
    budget: () => nextBudget(spent),
    start: (i) => {
      const p = planned[i]!;
      writer?.startStream({ scenario: p.scenario.name, size: p.size, profile: p.profile, switches: switchChanges(bootProfile(p.scenario.kernel, p.profile)) }, reportedCount(p));
    },
    test: (i, t) => {
      const report = planned[i]!.report;
      if (!report || report.has(t.name)) writer?.test(t);
    },
    done: (i, run) => {
      const p = planned[i]!;
      spent += run.result.spent;
      if (!run.ok) runtimeErrors.push(...run.errors);
      let stream = reported(run.result, p.report);
      // The golden is the whole stream's TAP (a shard reports only its tests of it).
      if (opts.check === true && p.golden && !run.result.error) {
        const c = checkGolden(run.result, io.cwd);
        if (c.texts !== undefined) goldenTexts.set(streams.length, c.texts);
        stream = { ...stream, golden: c.status };
      }
      streams.push(stream);
      writer?.endStream(stream);
    },
  });
  writer?.end();
  if (opts.format !== 'tap') io.out(REPORTERS[opts.format](streams, reportOpts));
  else if (!writer) io.out(opts.shard ? 'TAP version 13\n1..0 # SKIP empty shard\n' : 'TAP version 13\n1..0 # SKIP no scenario files\n');
  if (opts.junit !== undefined) writeReport(opts.junit, REPORTERS.junit(streams, reportOpts), io.cwd);
  if (opts.json !== undefined) writeReport(opts.json, REPORTERS.json(streams, reportOpts), io.cwd);

  // People read stderr: each author error with its source line, each golden problem with a diff.
  if (runtimeErrors.length > 0) {
    const texts = new Map(loaded.scenarios.map((s) => [s.file, s.text]));
    io.err(`${formatRuntimeErrors(runtimeErrors, texts, chalk.red).join('\n')}\n`);
  }
  streams.forEach((s, i) => {
    if (s.golden) explainGolden(s, s.golden, goldenTexts.get(i), ctx);
  });
  if (opts.check) for (const path of stale) io.err(`${chalk.red('hgmsim: stale golden:')} ${path}: no stream of this run writes it (its scenario, size or profile is gone); --update-golden removes it\n`);
  if (io.env['GITHUB_ACTIONS'] === 'true') io.err(renderGithubAnnotations(streams, opts.check ? stale : []));

  const status = runExitStatus(streams, opts.check ? stale.length : 0);
  if (opts.updateGolden) {
    const departing = streams.flatMap((s) => [
      ...(s.error ? [`${s.file} ${s.size} ${s.profile}: stopped by ${s.error.code} at line ${s.error.line}`] : []),
      ...s.tests.filter((t) => t.departure !== 'none').map((t) => `${s.file} ${s.size} ${s.profile}: ${t.name} (expected ${t.expected}, got ${t.status})`),
    ]);
    if (departing.length > 0) {
      io.err(`${chalk.red('hgmsim: refusing to update goldens:')} ${departing.length} result(s) depart from their verdicts:\n` +
        departing.map((d) => `  ${d}\n`).join(''));
      return status === EXIT.OK ? EXIT.FAIL : status;
    }
    // All or nothing: every golden is staged before the first rename; stale ones go after the renames.
    for (const path of await writeGoldens(streams, io.cwd, stale)) io.err(`hgmsim: wrote ${path}\n`);
    for (const path of stale) io.err(`hgmsim: removed stale golden ${path}\n`);
  }
  return status;
}
