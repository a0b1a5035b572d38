// The interpreter: runs one scenario under one hugepage size and one profile against a fresh Kernel, like
// one boot running one selftest binary (DESIGN.md "The model": the pool, HardwareCorrupted and poisoned
// folios carry over from test to test). Kernel outcomes are values here; an exception thrown by the
// kernel is an hgmsim bug and is left to propagate to the CLI (exit 70).

import { Kernel } from '../kernel/index.js';
import type { FolioInfo, MfStats, PtRun, SigInfo, SignalEvent, TaskRef } from '../kernel/index.js';
import { MAIN } from '../scenario/names.js';
import { STEPS } from '../scenario/steps/index.js';
import type {
  CallStep, Expr, HugepageSize, Interp, ModelName, ProfileName, Scenario, ScenarioError, Step, StepName, TestCase,
} from '../scenario/types.js';
import { bootFaults, bootProfile, switchChanges } from './boot.js';
import { blockedOn, type NamedMapping, type StepContext, type StepOutcome } from './context.js';
import { errorAt } from '../scenario/errors.js';
import { ScenarioRuntimeError } from './errors.js';
import { evaluate, hex, interpolate, toNumber } from './eval.js';
import type { EvalEnv, Value } from './eval.js';
import { mappedSizes, mappingRuns, listText } from './observe.js';
import { Processes, type Acting, type ProcessEntry } from './processes.js';
import type { StepRecord, StreamResult, TestResult, TestStatus } from './results.js';
import type { ShowProcess, ShowState } from './show-state.js';
import { compareStepExpect } from './step-expect.js';
import { RUNS, type StepRun } from './steps/index.js';
import { STRERROR } from './strerror.js';
import { judge, streamExitStatus, verdictFor } from './verdict.js';

export const HUGEPAGE_BYTES: { readonly [S in HugepageSize]: number } = { '2M': 2 * 1024 ** 2, '1G': 1024 ** 3 };
export const PAGE_SIZE = 4096;
/** Model operations one test may spend: steps executed plus the kernel's own operation count. */
export const STEP_BUDGET = 1_000_000;
/** Model operations one stream (every test of a file under one size and profile) may spend. */
export const STREAM_BUDGET = 4_000_000;

/** What a stream may spend: its own budget, or less when the run it belongs to has less left. */
export interface StreamBudget {
  /** Model operations the stream may spend in all. */
  readonly ops: number;
  /** Whose limit that is, for the error: the stream's own (STREAM_BUDGET) or the run's remainder. */
  readonly of: { readonly kind: 'stream' } | { readonly kind: 'run'; readonly limit: number };
}
/** TASK_COMM_LEN - 1. */
const COMM_LEN = 15;
/** Folios and raw pages per folio the summary lists before it counts the rest. */
const MAX_SUMMARY_FOLIOS = 8;
const MAX_SUMMARY_RAW = 16;
/** Distinct (si_addr, si_addr_lsb) pairs the summary lists per signal code before it counts the rest. */
const MAX_DISTINCT_SIGNALS = 4;
/** Folios one MADV_HWPOISON step is searched for, for the summary. */
const POISON_SCAN = 4096;

export interface RunOptions {
  /** Record every step for -v. */
  readonly verbose?: boolean;
  /** Record every step with the kernel path it took (--trace; implies verbose). */
  readonly trace?: boolean;
  /** Run only the tests with these names (all when absent). */
  readonly tests?: readonly string[];
  /**
   * Check the kernel's named invariants after every step (tests; HGMSIM_CHECK_INVARIANTS=1 in the CLI).
   * A violation is an hgmsim bug: it is thrown, and the CLI reports it as an internal error.
   */
  readonly checkInvariants?: boolean;
  /**
   * `hgmsim show`: run the tests before `test` as a run would (their state carries over), stop `test`
   * after the step with this -v index, or at its end when null or past the last step, hand the state
   * to `take`, and run nothing after it. `tests` is ignored.
   */
  readonly show?: { readonly test: string; readonly step: number | null; readonly take: (state: ShowState) => void };
  /** The stream's budget (default: STREAM_BUDGET of its own). */
  readonly budget?: StreamBudget;
  /** Called with each test's result as soon as it is judged (streamed output). */
  readonly onTest?: (result: TestResult) => void;
}

/**
 * A stream's result; with an author error, the tests that finished before it and the error (the
 * result then carries it as `error` too, so reporters show it where the stream stands).
 */
export type StreamRun =
  | { readonly ok: true; readonly result: StreamResult }
  | { readonly ok: false; readonly errors: readonly ScenarioError[]; readonly result: StreamResult };

/** A stream's budget and what its finished tests spent of it. */
interface Spending extends StreamBudget {
  spent: number;
}

/** Names visible to expressions; a loop body or iteration gets a child scope. */
class Scope {
  private readonly vars = new Map<string, Value>();
  constructor(private readonly parent?: Scope) {}
  get(name: string): Value | undefined {
    return this.vars.get(name) ?? this.parent?.get(name);
  }
  set(name: string, v: Value): void {
    this.vars.set(name, v);
  }
}

interface Stop {
  readonly status: Exclude<TestStatus, 'pass'>;
  readonly reason: string;
  /** The YAML line of the step that stopped the test. */
  readonly line?: number;
}

interface PoisonedFolio {
  /** The thread that saw the folio mapped (its process may be gone by the summary). */
  readonly task: TaskRef;
  readonly headAddr: number;
  readonly label: string;
  readonly info: FolioInfo;
}

/** Evaluation against the kernel without a test (file-level `let`). */
function bootEnv(scenario: Scenario, kernel: Kernel, scope: Scope): EvalEnv {
  return {
    file: scenario.file,
    text: scenario.text,
    lookup: (name) => scope.get(name),
    model: (name: ModelName) => BigInt(kernel.meminfo()[name]),
    pfnOf: (addr) => kernel.pfnOf(kernel.init, addr),
  };
}

/** Runs the scenario's tests in order on one boot; author errors come back as positioned values. */
export function runStream(scenario: Scenario, size: HugepageSize, profileName: ProfileName, opts: RunOptions = {}): StreamRun {
  const bytes = HUGEPAGE_BYTES[size];
  const nr = scenario.kernel.nr_hugepages;
  const pools = new Map<number, number>();
  if (typeof nr === 'bigint') pools.set(bytes, Number(nr));
  else for (const [s, n] of nr) pools.set(HUGEPAGE_BYTES[s], Number(n));
  const profile = bootProfile(scenario.kernel, profileName);
  const kernel = new Kernel({
    profile,
    default_hugepagesz: bytes,
    nr_hugepages: pools,
    comm: scenario.name.slice(0, COMM_LEN),
    faults: bootFaults(scenario.kernel),
  });
  if (opts.trace === true) kernel.startTrace();
  const budget: Spending = { ...(opts.budget ?? { ops: STREAM_BUDGET, of: { kind: 'stream' } }), spent: 0 };
  const tests: TestResult[] = [];
  const stream = (error?: ScenarioError): StreamResult => ({
    file: scenario.file, scenario: scenario.name, size, profile: profileName, switches: switchChanges(profile), tests,
    exitStatus: error ? 1 : streamExitStatus(tests), spent: budget.spent, ...(error ? { error } : {}),
  });
  try {
    const fileScope = new Scope();
    fileScope.set('PAGE_SIZE', { value: BigInt(PAGE_SIZE), address: false });
    fileScope.set('hugepagesz', { value: BigInt(bytes), address: false });
    const env = bootEnv(scenario, kernel, fileScope);
    for (const b of scenario.let) fileScope.set(b.name, evaluate(b.expr, env));

    const show = opts.show;
    const last = show === undefined ? -1 : scenario.tests.findIndex((t) => t.name === show.test);
    const selected = show !== undefined ? scenario.tests.slice(0, last + 1)
      : opts.tests ? scenario.tests.filter((t) => opts.tests?.includes(t.name)) : scenario.tests;
    for (const [i, test] of selected.entries()) {
      // Each test runs in a process of its own, as one selftest binary would run each test; the pool,
      // HardwareCorrupted and poisoned folios carry over, mappings and fds do not.
      const task = kernel.spawn();
      const showStep = show !== undefined && i === last ? show.step : undefined;
      const run = new TestRun(scenario, kernel, task, { size, profile: profileName }, new Scope(fileScope), opts, budget, showStep);
      const done = run.run(test);
      budget.spent += run.spent;
      if (show !== undefined && i === last) show.take(run.showState(profileName, test.name, done));
      // Processes do not carry over between tests: main and every process the test forked or spawned.
      for (const p of run.processes.all()) kernel.exit_group(p.main);
      const verdict = verdictFor(scenario, profileName, test.name);
      const { outcome, departure } = judge(verdict.result, done.status);
      const result: TestResult = {
        name: test.name,
        status: done.status,
        expected: verdict.result,
        ...(verdict.why !== undefined ? { why: verdict.why } : {}),
        outcome,
        departure,
        ...(done.reason !== undefined ? { reason: done.reason } : {}),
        ...(done.failedAt !== undefined ? { failedAt: done.failedAt } : {}),
        lines: done.lines,
        summary: done.summary,
        basis: [...scenario.basis, ...test.basis],
        steps: done.steps,
      };
      tests.push(result);
      opts.onTest?.(result);
    }
    return { ok: true, result: stream() };
  } catch (e) {
    if (e instanceof ScenarioRuntimeError) return { ok: false, errors: [e.error], result: stream(e.error) };
    throw e;
  }
}

/** One test on the stream's kernel: its scope, its output, what it poisoned and what it was sent. */
/** A step's `when:`: every condition it names holds for this stream. */
function whenHolds(when: NonNullable<CallStep['when']>, size: HugepageSize, profile: ProfileName): boolean {
  return (when.hugepagesz?.includes(size) ?? true) && (when.profile?.includes(profile) ?? true);
}

class TestRun implements StepContext, EvalEnv {
  /** Process `main`, thread `main`: where the test starts. */
  readonly main: TaskRef;
  readonly processes: Processes;
  /** The thread the current step acts in. */
  private acting: Acting;
  readonly start: { readonly hardwareCorrupted: number; readonly dmesgLength: number; readonly mfStats: MfStats | null };
  readonly file: string;
  readonly text: string;
  private readonly scenarioName: string;
  private scope: Scope;
  private readonly lines: string[] = [];
  private readonly steps: StepRecord[] = [];
  private readonly signals: SignalEvent[] = [];
  /** Processes a signal's default action killed, in order. */
  private readonly kills: { readonly process: ProcessEntry; readonly info: SigInfo }[] = [];
  private readonly mappings: NamedMapping[] = [];
  private readonly poisoned = new Map<number, PoisonedFolio>();
  /** Head pfns of the folios the current step injected into (for findings). */
  private readonly injected = new Set<number>();
  /** Findings already printed in this test, by pfn@pid:address. */
  private readonly findings = new Set<string>();
  private readonly opsStart: number;
  private executed = 0;
  /** With `show`: the last call step run (its -v index, line and call text), and whether it stopped the test. */
  private lastCall: ShowState['step'] = null;
  private stoppedForShow = false;

  readonly hugepagesz: number;
  private readonly size: HugepageSize;
  private readonly profile: ProfileName;

  constructor(
    scenario: Scenario,
    readonly kernel: Kernel,
    task: TaskRef,
    /** The stream's hugepage size and profile (what `when:` selects on). */
    stream: { readonly size: HugepageSize; readonly profile: ProfileName },
    scope: Scope,
    private readonly opts: RunOptions,
    /** The stream's budget, with what the tests before this one spent. */
    private readonly budget: Spending,
    /** `show` on this test: stop after this -v step index (null: run to the end); undefined: not shown. */
    private readonly showStep?: number | null,
  ) {
    this.size = stream.size;
    this.profile = stream.profile;
    this.main = task;
    this.processes = new Processes(kernel, task);
    this.acting = { task, process: this.processes.get(MAIN) as ProcessEntry, label: MAIN };
    this.hugepagesz = HUGEPAGE_BYTES[stream.size];
    this.scope = scope;
    this.file = scenario.file;
    this.text = scenario.text;
    this.scenarioName = scenario.name;
    this.opsStart = kernel.ops;
    kernel.takeSignals(); // signals from earlier tests are theirs
    this.start = { hardwareCorrupted: kernel.meminfo().HardwareCorrupted, dmesgLength: kernel.dmesg.length, mfStats: kernel.mfStats() };
    scope.set(MAIN, { value: BigInt(task.pid), address: false });
  }

  get task(): TaskRef {
    return this.acting.task;
  }

  run(test: TestCase): { status: TestStatus; reason?: string; failedAt?: { line: number }; lines: string[]; summary: string[]; steps: StepRecord[] } {
    let stop: Stop | undefined;
    if (!this.kernel.alive(this.task)) {
      this.say(' !!! process main is dead');
      stop = { status: 'fail', reason: 'process main is dead' };
    } else {
      stop = this.runSteps(test.steps);
    }
    return {
      status: stop?.status ?? 'pass',
      ...(stop ? { reason: stop.reason } : {}),
      ...(stop?.status === 'fail' && stop.line !== undefined ? { failedAt: { line: stop.line } } : {}),
      lines: this.lines,
      summary: this.summary(),
      steps: this.steps,
    };
  }

  // --- EvalEnv ---
  lookup(name: string): Value | undefined {
    return this.scope.get(name);
  }
  model(name: ModelName): bigint {
    return BigInt(this.kernel.meminfo()[name]);
  }
  pfnOf(addr: number): number | null {
    return this.kernel.alive(this.task) ? this.kernel.pfnOf(this.task, addr) : null;
  }

  // --- StepContext ---
  value(e: Expr): Value {
    return evaluate(e, this);
  }
  num(e: Expr, what?: 'byte'): number {
    const n = toNumber(this, e.span, evaluate(e, this).value);
    return what === 'byte' ? n % 256 : n;
  }
  interp(i: Interp): string {
    return interpolate(i, this);
  }
  bind(name: string, v: Value): void {
    this.scope.set(name, v);
  }
  defineProcess(name: string, main: TaskRef, how: 'fork' | 'spawn'): void {
    this.processes.addProcess(name, main, how);
    this.scope.set(name, { value: BigInt(main.pid), address: false });
  }
  defineThread(name: string, task: TaskRef): void {
    this.processes.addThread(name, task);
    this.scope.set(name, { value: BigInt(task.tid), address: false });
  }
  signalsOf(name: string): readonly SignalEvent[] {
    const pid = this.processes.get(name)?.main.pid;
    return this.signals.filter((ev) => ev.pid === pid);
  }
  processPid(name: string): number | undefined {
    return this.processes.get(name)?.main.pid;
  }
  processAlive(name: string): boolean | undefined {
    const p = this.processes.get(name);
    return p === undefined ? undefined : this.processes.alive(p);
  }
  addMapping(name: string, start: number, length: number): void {
    this.mappings.push({ name, pid: this.task.pid, start, length, live: [{ start, end: start + length }] });
  }
  unmapRange(start: number, length: number): void {
    const end = start + length;
    for (const m of this.mappings) {
      if (m.pid !== this.task.pid) continue; // another address space (a fork's copy, a spawned process)
      m.live = m.live.flatMap((p) => {
        if (p.end <= start || p.start >= end) return [p];
        const keep: { start: number; end: number }[] = [];
        if (p.start < start) keep.push({ start: p.start, end: start });
        if (p.end > end) keep.push({ start: end, end: p.end });
        return keep;
      });
    }
  }
  mappingOf(addr: number): NamedMapping | undefined {
    // The acting process's own names first: a spawned process may reuse another's addresses.
    let best: NamedMapping | undefined;
    let bestOwn = false;
    for (const m of this.mappings) {
      if (addr < m.start || addr >= m.start + m.length) continue;
      const own = m.pid === this.task.pid;
      if (!best || (own && !bestOwn) || (own === bestOwn && m.start >= best.start)) {
        best = m;
        bestOwn = own;
      }
    }
    return best;
  }
  fmtAddr(addr: number): string {
    const m = this.mappingOf(addr);
    return m ? `${m.name}+${hex(addr - m.start)}` : hex(addr);
  }
  say(line: string): void {
    this.lines.push(line);
  }
  notePoisoned(addr: number, length: number): void {
    // MADV_HWPOISON poisons every page of the range; note each folio it covers (bounded: one query per
    // hugepage of the range, at most POISON_SCAN of them).
    const end = addr + Math.max(length, 1);
    const task = this.processes.liveThread(this.task.pid);
    if (task === undefined) return;
    for (let at = addr, n = 0; at < end && n < POISON_SCAN; n++) {
      const folio = this.kernel.folioAt(this.task, at);
      const size = folio?.size ?? this.hugepagesz;
      if (folio?.hwpoison) this.injected.add(folio.pfn);
      if (folio?.hwpoison && !this.poisoned.has(folio.pfn)) {
        const headAddr = at - (at % folio.size);
        this.poisoned.set(folio.pfn, { task, headAddr, label: this.fmtAddr(headAddr), info: folio });
      }
      at = at - (at % size) + size;
    }
  }

  notePoisonedPfn(pfn: number): void {
    this.injected.add(pfn);
    // A pfn injector names no address: look for the folio in the acting process's named mappings, one
    // query per hugepage, at most POISON_SCAN in all. A folio nobody maps gets no summary entry.
    const task = this.processes.liveThread(this.task.pid);
    if (task === undefined) return;
    let n = 0;
    for (const m of this.mappings) {
      if (m.pid !== task.pid) continue;
      for (const piece of m.live) {
        for (let at = piece.start; at < piece.end && n < POISON_SCAN; n++) {
          const folio = this.kernel.folioAt(task, at);
          const size = folio?.size ?? this.hugepagesz;
          if (folio?.hwpoison && pfn >= folio.pfn && pfn < folio.pfn + folio.size / PAGE_SIZE) {
            this.injected.add(folio.pfn);
            if (!this.poisoned.has(folio.pfn)) {
              const headAddr = at - (at % folio.size);
              this.poisoned.set(folio.pfn, { task, headAddr, label: this.fmtAddr(headAddr), info: folio });
            }
            return;
          }
          at = at - (at % size) + size;
        }
      }
    }
  }

  /**
   * A named property that holds upstream and not for every profile: "no poisoned raw page stays
   * mapped". After an injection, each raw page recorded in raw_hwp_list that an entry still maps is
   * printed once as a finding (under hgm-rfc a finding about the RFC, e.g. its busy path or a failed
   * split), with the step that caused it (DESIGN.md, The model: invariants).
   */
  private reportFindings(step: Extract<Step, { kind: 'call' }>): void {
    for (const pfn of this.injected) {
      for (const f of this.kernel.poisonedStillMapped(pfn)) {
        const key = `${f.pfn}@${f.pid}:${f.addr}`;
        if (this.findings.has(key)) continue;
        this.findings.add(key);
        const who = this.processes.byPid(f.pid)?.name ?? `pid ${f.pid}`;
        this.say(`finding: poisoned raw page ${hex(f.pfn)} (index ${f.raw}) stays mapped at ${this.fmtAddr(f.addr)} in ${who} after line ${step.line}`);
      }
    }
  }

  /** Model operations this test has spent: steps executed plus the kernel's own operations. */
  get spent(): number {
    return this.executed + (this.kernel.ops - this.opsStart);
  }

  // --- the interpreter ---
  private tick(step: Step): void {
    this.executed++;
    const spent = this.spent;
    if (spent > STEP_BUDGET) {
      throw new ScenarioRuntimeError(errorAt(this, step.span, 'STEP_BUDGET',
        `this test exceeds the budget of ${STEP_BUDGET} model operations`));
    }
    const b = this.budget;
    if (b.spent + spent > b.ops) {
      throw new ScenarioRuntimeError(b.of.kind === 'stream'
        ? errorAt(this, step.span, 'STREAM_BUDGET', `this stream (${this.scenarioName} ${this.size}) exceeds the budget of ${b.ops} model operations for all its tests`)
        : errorAt(this, step.span, 'RUN_BUDGET', `the run exceeds its budget of ${b.of.limit} model operations for all streams together`));
    }
  }

  private runSteps(steps: readonly Step[]): Stop | undefined {
    for (const step of steps) {
      if (this.showStep !== undefined && this.showStep !== null && this.executed >= this.showStep) {
        this.stoppedForShow = true;
        return { status: 'skip', reason: 'stopped for show' };
      }
      switch (step.kind) {
        case 'let':
          this.tick(step);
          for (const b of step.bindings) this.scope.set(b.name, this.value(b.expr));
          break;
        case 'for': {
          const from = this.value(step.from).value;
          const to = this.value(step.to).value;
          const outer = this.scope;
          try {
            for (let i = from; i <= to; i++) {
              // An iteration costs what its body does; only an empty body is charged per iteration.
              if (step.body.length === 0) this.tick(step);
              this.scope = new Scope(outer);
              this.scope.set(step.var, { value: i, address: false });
              for (const b of step.let) this.scope.set(b.name, this.value(b.expr));
              const stop = this.runSteps(step.body);
              if (stop) return stop;
            }
          } finally {
            this.scope = outer;
          }
          break;
        }
        case 'call': {
          if (step.when !== undefined && !whenHolds(step.when, this.size, this.profile)) break;
          this.tick(step);
          const stop = this.runCall(step);
          if (stop) return stop;
          break;
        }
      }
    }
    return undefined;
  }

  private runCall(step: Extract<Step, { kind: 'call' }>): Stop | undefined {
    // RUNS is keyed by step name and step.args was built by the same name's definition; TypeScript
    // cannot correlate the two unions, so the handler is called through the erased signature.
    const run = RUNS[step.op] as StepRun<StepName>;
    const traits = STEPS[step.op].traits;
    const where = `line ${step.line}`;
    const acting = this.processes.resolve(step.in);
    if (typeof acting === 'string') {
      this.say(` !!! ${acting}`);
      return { status: 'fail', reason: acting, line: step.line };
    }
    this.acting = acting;
    const dead = this.deadText(step);
    if (dead !== undefined) {
      this.say(` !!! ${dead}`);
      return { status: 'fail', reason: dead, line: step.line };
    }
    const linesBefore = this.lines.length;
    this.injected.clear();
    if (this.opts.trace === true) this.kernel.takeTrace(); // what ran between steps (process exits) belongs to no step
    const o = run(this, step.args);
    if (this.showStep !== undefined) this.lastCall = { index: this.executed, line: step.line, call: `${this.acting.label === MAIN ? '' : `[${this.acting.label}] `}${o.call}` };
    this.reportFindings(step);
    if (o.unsupported !== undefined) throw new ScenarioRuntimeError(errorAt(this, step.span, 'UNSUPPORTED', o.unsupported));
    if (this.opts.checkInvariants === true) {
      const broken = this.kernel.checkInvariants();
      if (broken.length > 0) {
        throw new Error(`model invariant broken after ${this.file}:${step.line}: ${broken.map((v) => `${v.invariant} (${v.detail})`).join('; ')}`);
      }
    }
    const events = this.kernel.takeSignals();
    this.signals.push(...events);
    // A process killed by a signal is an outcome: noted for the summary; steps in it fail from now on.
    for (const ev of events) {
      const p = ev.outcome === 'killed' ? this.processes.byPid(ev.pid) : undefined;
      if (p !== undefined && p.killedBy === undefined) {
        p.killedBy = ev.info;
        this.kills.push({ process: p, info: ev.info });
      }
    }
    const actingTid = o.actingTid ?? this.task.tid;
    const blocked = blockedOn(o);
    const signal: SigInfo | undefined = o.access && !o.access.ok && 'signal' in o.access
      ? o.access.signal
      : events.find((ev) => ev.tid === actingTid && ev.info.signo === 'SIGBUS')?.info;
    const traceLines = this.opts.trace === true ? this.kernel.takeTrace() : [];
    if (this.opts.verbose === true || this.opts.trace === true) this.record(step, o, events, linesBefore, traceLines);

    if (o.failures && o.failures.length > 0) {
      for (const f of o.failures) this.say(` !!! ${where}: ${f}`);
      return { status: 'fail', reason: `${where}: ${o.failures[0] ?? ''}`, line: step.line };
    }
    if (o.fail !== undefined) {
      this.say(` !!! ${o.fail}`);
      return { status: 'fail', reason: o.fail, line: step.line };
    }
    if (blocked !== undefined && step.expect?.blocked === undefined) {
      const text = `blocked: ${o.name ?? step.op} waits on userfaultfd ${blocked}`;
      this.say(` !!! ${text} (${where})`);
      return { status: 'fail', reason: text, line: step.line };
    }
    if (o.ret && !o.ret.ok && blocked === undefined && step.expect?.errno === undefined) {
      const text = `${o.name ?? step.op} failed: ${STRERROR[o.ret.errno]}`;
      this.say(` !!! ${text}`);
      return { status: step.on_error === 'skip' ? 'skip' : 'fail', reason: text, line: step.line };
    }
    if (step.expect) {
      const m = compareStepExpect(this, step.expect, o, signal, traits.returnsAddress === true);
      if (m) {
        this.say(` !!! ${where}: ${step.op} expected ${m.expected}, got ${m.actual}`);
        return { status: 'fail', reason: `${where}: ${step.op} expected ${m.expected}`, line: step.line };
      }
    }
    if (traits.touchesMemory === true && signal && step.expect?.sigbus === undefined) {
      const text = `unexpected ${signal.signo} ${signal.si_code} si_addr=${this.fmtAddr(signal.si_addr)}`;
      this.say(` !!! ${text} (${where})`);
      return { status: 'fail', reason: text, line: step.line };
    }
    return undefined;
  }

  /**
   * Why the step cannot run in the acting thread: its process or the thread is dead. Observers
   * (print, and expect/dump that read no page tables) still run once a process died.
   */
  private deadText(step: Extract<Step, { kind: 'call' }>): string | undefined {
    if (this.kernel.alive(this.task)) return undefined;
    const { syscall, readsMm } = STEPS[step.op].traits;
    if (!syscall && readsMm?.(step.args) !== true) return undefined;
    const { process, label } = this.acting;
    return this.processes.alive(process) ? `thread ${label} is dead` : `process ${process.name} is dead`;
  }

  private signalText(info: SigInfo): string {
    const lsb = info.si_code === 'BUS_MCEERR_AR' || info.si_code === 'BUS_MCEERR_AO' || info.si_addr_lsb !== 0 ? ` si_addr_lsb=${info.si_addr_lsb}` : '';
    return `${info.si_code} si_addr=${this.fmtAddr(info.si_addr)}${lsb}`;
  }

  private record(step: Extract<Step, { kind: 'call' }>, o: StepOutcome, events: readonly SignalEvent[], linesBefore: number, trace: readonly string[]): void {
    const prefix = this.acting.label === MAIN ? '' : `[${this.acting.label}] `;
    let ret = '';
    if (o.ret) ret = o.ret.ok ? `= ${STEPS[step.op].traits.returnsAddress === true ? hex(o.ret.value) : o.ret.value}` : `= -1 ${o.ret.errno} (${STRERROR[o.ret.errno]})`;
    else if (o.access) {
      ret = o.access.ok ? `= ${o.access.value}`
        : 'blocked' in o.access ? `blocked on userfaultfd ${o.access.uffd}`
          : `${o.access.signal.signo} ${this.signalText(o.access.signal)}`;
    }
    else if (o.failures) ret = o.failures.length ? `${o.failures.length} mismatch(es)` : 'ok';
    this.steps.push({
      index: this.executed,
      line: step.line,
      call: `${prefix}${o.call}`,
      ret: o.fail !== undefined && ret === '' ? o.fail : ret,
      signals: events.map((ev) => {
        const name = this.processes.byPid(ev.pid)?.name;
        return `${ev.info.signo} ${this.signalText(ev.info)} to ${name === undefined ? '' : `${name} `}${ev.pid}/${ev.tid} (${ev.how}, ${ev.outcome})`;
      }),
      linesBefore,
      ...(this.opts.trace === true ? { trace } : {}),
    });
  }

  /** The state `show` draws: the test's processes, their VMAs and page tables, the folios mapped. */
  showState(profile: string, test: string, done: { readonly status: TestStatus; readonly reason?: string }): ShowState {
    const pfns = new Set<number>();
    const collect = (runs: readonly PtRun[]): void => {
      for (const r of runs) {
        if (r.children !== undefined) collect(r.children);
        else if (r.pfn !== undefined && r.kind !== 'migration') pfns.add(r.pfn);
      }
    };
    const processes: ShowProcess[] = this.processes.all().map((p) => {
      const task = this.processes.liveThread(p.main.pid);
      // A process sees the names of its own mmaps; a fork also those of the address space it copied
      // (main's and other forks'); a spawned process has an address space of its own.
      const visible = this.mappings.filter((m) => m.pid === p.main.pid || (p.how === 'fork' && this.processes.byPid(m.pid)?.how !== 'spawn'));
      const vmas = task === undefined ? [] : this.kernel.vmaViews(task).map((v) => {
        collect(v.tree);
        // Its own names while mapped; inherited ones by address (the parent's munmaps are not the child's).
        const names = visible
          .filter((m) => (m.pid === p.main.pid ? m.live : [{ start: m.start, end: m.start + m.length }]).some((piece) => piece.start < v.end && v.start < piece.end))
          .map((m) => ({ name: m.name, start: m.start, length: m.length }));
        return { ...v, names };
      });
      return { name: p.name, pid: p.main.pid, alive: task !== undefined, vmas };
    });
    const folios = [...pfns].sort((a, b) => a - b).flatMap((pfn) => this.kernel.folioView(pfn) ?? []);
    return {
      file: this.file,
      scenario: this.scenarioName,
      size: this.size,
      profile,
      test,
      step: this.lastCall,
      requested: this.showStep ?? null,
      atEnd: !this.stoppedForShow,
      outcome: this.stoppedForShow ? null : { status: done.status, ...(done.reason !== undefined ? { reason: done.reason } : {}) },
      processes,
      folios,
      hardwareCorrupted: this.kernel.meminfo().HardwareCorrupted,
    };
  }

  /**
   * The model's view of the test: signals by process and code (`sigbus: …` for main, `sigbus C: …` for
   * another process), processes killed, mapped sizes, raw_hwp_list, HardwareCorrupted.
   */
  private summary(): string[] {
    const out: string[] = [];
    const byCode = new Map<string, { order: number; count: number; dropped: number; distinct: Set<string> }>();
    const created = this.processes.all();
    for (const ev of this.signals) {
      const p = this.processes.byPid(ev.pid);
      const who = p === undefined ? ` pid ${ev.pid}` : p.name === MAIN && p.how === 'main' ? '' : ` ${p.name}`;
      const order = p === undefined ? created.length : created.indexOf(p);
      const key = `${ev.info.signo.toLowerCase()}${who}: |${ev.info.si_code}`;
      const entry = byCode.get(key) ?? { order, count: 0, dropped: 0, distinct: new Set<string>() };
      byCode.set(key, entry);
      if (ev.outcome === 'dropped') {
        entry.dropped++;
        continue;
      }
      entry.count++;
      const one = this.signalText(ev.info).slice(ev.info.si_code.length + 1);
      entry.distinct.add(one);
    }
    // Main's lines first, then each other process's in creation order (a stable sort keeps code order).
    for (const [key, e] of [...byCode].sort((a, b) => a[1].order - b[1].order)) {
      const [prefix, code] = key.split('|') as [string, string];
      const dropped = e.dropped ? ` (${e.dropped} dropped)` : '';
      // Probe loops deliver hundreds of distinct addresses: show the first few and count the rest.
      const distinct = [...e.distinct];
      const shown = distinct.length > MAX_DISTINCT_SIGNALS ? [...distinct.slice(0, MAX_DISTINCT_SIGNALS - 1), `… ${distinct.length - MAX_DISTINCT_SIGNALS + 1} more`] : distinct;
      out.push(`${prefix}${e.count} ${code}${shown.length ? ` ${shown.join(', ')}` : ''}${dropped}`);
    }
    for (const k of this.kills) out.push(`killed: ${k.process.name} by ${k.info.signo} ${k.info.si_code}`);

    const parts: string[] = [];
    for (const m of this.mappings) {
      const owner = this.processes.liveThread(m.pid);
      if (m.live.length === 0 || owner === undefined) continue;
      parts.push(`mapped ${m.name}: ${mappedSizes(mappingRuns(this.kernel, owner, m))}`);
    }
    // A storm poisons many folios: list the first few, count the rest.
    const poisoned = [...this.poisoned.values()];
    for (const p of poisoned.slice(0, MAX_SUMMARY_FOLIOS)) {
      const task = this.processes.liveThread(p.task.pid);
      const now = task === undefined ? null : this.kernel.folioAt(task, p.headAddr);
      const info = now && now.pfn === p.info.pfn ? now : p.info;
      parts.push(`raw_hwp_list(${p.label}): ${listText(info.raw_hwp_list, MAX_SUMMARY_RAW)}`);
    }
    if (poisoned.length > MAX_SUMMARY_FOLIOS) parts.push(`… ${poisoned.length - MAX_SUMMARY_FOLIOS} more poisoned folios`);
    const delta = this.kernel.meminfo().HardwareCorrupted - this.start.hardwareCorrupted;
    if (parts.length > 0 || delta !== 0) {
      parts.push(`HardwareCorrupted: ${delta < 0 ? '-' : '+'}${Math.abs(delta)} kB`);
      out.push(parts.join(' | '));
    }
    return out;
  }
}
