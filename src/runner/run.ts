// The interpreter: runs one scenario under one hugepage size and one profile against a fresh Kernel, like
// one boot running one selftest binary (DESIGN.md "The model": the pool, HardwareCorrupted and poisoned
// folios carry over from test to test). Kernel outcomes are values here; an exception thrown by the
// kernel is an hgmsim bug and is left to propagate to the CLI (exit 70).

import { Kernel, TaskHalted } from '../kernel/index.js';
import type { FolioInfo, Halt, KernelBug, MfStats, PtRun, SigInfo, SignalEvent, TaskRef } from '../kernel/index.js';
import { errorAt, MAIN, STEPS, whenSelects } from '../scenario/index.js';
import type {
  Expr, HugepageSize, Interp, ModelName, ProfileName, Scenario, ScenarioError, ScenarioErrorCode, Step, StepName, TestCase,
} from '../scenario/index.js';
import { bootFaults, bootProfile, switchChanges } from './boot.js';
import { blockedOn, type NamedMapping, type StepContext, type StepOutcome } from './context.js';
import { ScenarioRuntimeError } from './errors.js';
import { evaluate, evaluateNumber, hex, interpolate } from './eval.js';
import type { EvalEnv, Value } from './eval.js';
import { capped, mappingRuns, relativeRuns } from './observe.js';
import { Processes, type Acting, type ProcessEntry } from './processes.js';
import type {
  Address, BugFacts, Failure, Loss, Observations, OutputRecord, SignalGroup, SignalInfo, SignalRecord, StepRecord, StepReturn, StreamResult,
  TestResult, TestStatus,
} from './results.js';
import type { ShowProcess, ShowState } from './show-state.js';
import { SignalTally } from './signal-tally.js';
import { compareStepExpect } from './step-expect.js';
import { RUNS, type StepRun } from './steps/index.js';
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
/** The name a stream's tasks carry (comm), which the kernel's messages print: the scenario's, cut to fit. */
export const taskComm = (scenarioName: string): string => scenarioName.slice(0, COMM_LEN);
/** Folios and raw pages per folio the summary lists before it counts the rest. */
const MAX_SUMMARY_FOLIOS = 8;
const MAX_SUMMARY_RAW = 16;
/** Distinct (si_addr, si_addr_lsb) pairs the summary lists per signal code before it counts the rest. */
const MAX_DISTINCT_SIGNALS = 4;
/** The signals of a step that sent none (most steps), shared. */
const NO_SIGNALS: readonly SignalRecord[] = [];
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
  /** Forget this scope's own names (a loop's next iteration reuses its scope). */
  clear(): void {
    this.vars.clear();
  }
  get(name: string): Value | undefined {
    return this.vars.get(name) ?? this.parent?.get(name);
  }
  set(name: string, v: Value): void {
    this.vars.set(name, v);
  }
  /** Rebind `name` in the scope that bound it (`set:`; the loader checked it is a let of the test). */
  assign(name: string, v: Value): void {
    if (this.vars.has(name) || this.parent === undefined) this.vars.set(name, v);
    else this.parent.assign(name, v);
  }
}

/** A `break` step, or a step with `on_error: break` that met an errno: the innermost loop ends (not the test). */
const BREAK = 'break';
type Flow = Stop | typeof BREAK | undefined;

/** What stopped a test: a failure (or `on_error: skip`), or `show` reaching its step (no failure). */
interface Stop {
  readonly status: Exclude<TestStatus, 'pass'>;
  readonly failure?: Failure;
  /** The YAML line of the step that stopped the test. */
  readonly line?: number;
}

interface PoisonedFolio {
  /** The thread that saw the folio mapped (its process may be gone by the summary). */
  readonly task: TaskRef;
  readonly headAddr: number;
  readonly at: Address;
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
    comm: taskComm(scenario.name),
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
    // A test whose `when:` excludes this stream is neither run nor planned here.
    const inStream = scenario.tests.filter((t) => whenSelects(t.when, size, profileName));
    const last = show === undefined ? -1 : inStream.findIndex((t) => t.name === show.test);
    const selected = show !== undefined ? inStream.slice(0, last + 1)
      : opts.tests ? inStream.filter((t) => opts.tests?.includes(t.name)) : inStream;
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
        ...(done.stop !== undefined ? { stop: done.stop } : {}),
        ...(done.failedAt !== undefined ? { failedAt: done.failedAt } : {}),
        output: done.output,
        observations: done.observations,
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
  private readonly output: OutputRecord[] = [];
  private readonly steps: StepRecord[] = [];
  /** The signals of the test, counted by receiver and code (observations' summary). */
  private readonly tally = new SignalTally();
  private readonly receivers = new Map<number, { readonly receiver: SignalGroup['receiver']; readonly order: number }>();
  /** Each process's SIGBUS/SIGKILL signals not dropped, by pid: kept only when a step expects `signals`. */
  private history: Map<number, SignalEvent[]> | null = null;
  /** Processes a signal's default action killed, in order. */
  private readonly kills: { readonly process: ProcessEntry; readonly info: SigInfo }[] = [];
  private readonly mappings: NamedMapping[] = [];
  private readonly poisoned = new Map<number, PoisonedFolio>();
  /** SIGBUSes not dropped, by receiving pid, then si_addr_lsb: counts (`loss:`). */
  private readonly sigbusLsbs = new Map<number, Map<number, number>>();
  /** `loss:` records waiting for the pool at the end of the test. */
  private readonly losses: Omit<Loss, 'poolLost' | 'dissolved'>[] = [];
  /** HugePages_Free and HugePages_Total of the run's hstate when the test began (`loss:`). */
  private readonly poolStart: { readonly free: number; readonly total: number };
  /** Findings already printed in this test, by pfn@pid:address. */
  private readonly findings = new Set<string>();
  private readonly opsStart: number;
  private executed = 0;
  /** Operations steps spent that the kernel does not count (check_range's loads). */
  private stepOps = 0;
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
    this.poolStart = this.pool();
    scope.set(MAIN, { value: BigInt(task.pid), address: false });
  }

  get task(): TaskRef {
    return this.acting.task;
  }

  run(test: TestCase): {
    status: TestStatus; stop?: Failure; failedAt?: { line: number }; output: OutputRecord[]; observations: Observations; steps: StepRecord[];
  } {
    let stop: Stop | undefined;
    this.history = expectsSignals(test.steps) ? new Map() : null;
    if (!this.kernel.alive(this.task)) {
      stop = this.failWith({ kind: 'dead', what: 'process', name: MAIN });
    } else {
      const flow = this.runSteps(test.steps);
      // The loader allows `on_error: break` only inside a loop: a break never reaches the test.
      stop = flow === BREAK ? undefined : flow;
    }
    if (this.losses.length > 0) {
      const now = this.pool();
      for (const l of this.losses) {
        this.emit({ kind: 'loss', loss: { ...l, poolLost: this.poolStart.free - now.free, dissolved: this.poolStart.total - now.total } });
      }
    }
    return {
      status: stop?.status ?? 'pass',
      ...(stop?.failure !== undefined ? { stop: stop.failure } : {}),
      ...(stop?.status === 'fail' && stop.line !== undefined ? { failedAt: { line: stop.line } } : {}),
      output: this.output,
      observations: this.observations(),
      steps: this.steps,
    };
  }

  /** HugePages_Free and HugePages_Total of the run's hstate. */
  private pool(): { readonly free: number; readonly total: number } {
    const p = this.kernel.pool(this.hugepagesz);
    return { free: p.free, total: p.total };
  }

  sigbusByLsb(pid: number): Loss['sigbus'] {
    const byLsb = this.sigbusLsbs.get(pid);
    return byLsb === undefined ? [] : [...byLsb].sort((a, b) => a[0] - b[0]).map(([lsb, count]) => ({ lsb, count }));
  }

  lossAtEnd(loss: Omit<Loss, 'poolLost' | 'dissolved'>): void {
    this.losses.push(loss);
  }

  /** The test stops on `failure`: it goes to the output (the C test's ` !!! ` line) and ends the test. */
  private failWith(failure: Failure, line?: number, status: Stop['status'] = 'fail'): Stop {
    this.emit({ kind: 'failure', failure });
    return { status, failure, ...(line !== undefined ? { line } : {}) };
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
  authorError(at: Expr, code: ScenarioErrorCode, message: string): never {
    throw new ScenarioRuntimeError(errorAt(this, at.span, code, message));
  }
  num(e: Expr, what?: 'byte'): number {
    const n = evaluateNumber(e, this);
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
    return (pid === undefined ? undefined : this.history?.get(pid)) ?? [];
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
  address(addr: number): Address {
    const m = this.mappingOf(addr);
    return m ? { addr, mapping: { name: m.name, offset: addr - m.start } } : { addr };
  }
  emit(record: OutputRecord): void {
    this.output.push(record);
  }
  notePoisoned(addr: number, length: number): void {
    // MADV_HWPOISON poisons every page of the range; note each folio it covers (bounded: one query per
    // hugepage of the range, at most POISON_SCAN of them).
    const end = addr + Math.max(length, 1);
    const task = this.processes.liveThread(this.task.pid);
    if (task === undefined) return;
    for (let at = addr, n = 0; at < end && n < POISON_SCAN; n++) {
      const folio = this.kernel.folioHeadAt(this.task, at);
      const size = folio?.size ?? this.hugepagesz;
      if (folio?.hwpoison && !this.poisoned.has(folio.pfn)) this.notePoisonedFolio(task, at, folio.size);
      at = at - (at % size) + size;
    }
  }

  /** A poisoned folio seen for the first time in this test: its facts as they are now, for the summary. */
  private notePoisonedFolio(task: TaskRef, at: number, size: number): void {
    const info = this.kernel.folioAt(task, at);
    if (info === null) return;
    const headAddr = at - (at % size);
    this.poisoned.set(info.pfn, { task, headAddr, at: this.address(headAddr), info });
  }

  notePoisonedPfn(pfn: number): void {
    // A pfn injector names no address: look for the folio in the acting process's named mappings, one
    // query per hugepage, at most POISON_SCAN in all. A folio nobody maps gets no summary entry.
    const task = this.processes.liveThread(this.task.pid);
    if (task === undefined) return;
    let n = 0;
    for (const m of this.mappings) {
      if (m.pid !== task.pid) continue;
      for (const piece of m.live) {
        for (let at = piece.start; at < piece.end && n < POISON_SCAN; n++) {
          const folio = this.kernel.folioHeadAt(task, at);
          const size = folio?.size ?? this.hugepagesz;
          if (folio?.hwpoison && pfn >= folio.pfn && pfn < folio.pfn + folio.size / PAGE_SIZE) {
            if (!this.poisoned.has(folio.pfn)) this.notePoisonedFolio(task, at, folio.size);
            return;
          }
          at = at - (at % size) + size;
        }
      }
    }
  }

  /**
   * The findings the kernel noted during the step (findings it ran a known-wrong line of the posted
   * code), then a named property that holds upstream and not for every profile: "no poisoned raw page
   * stays mapped" (MAPPED). After an injection, each raw page recorded in raw_hwp_list that an entry still maps is
   * printed once as a finding (under hgm-rfc a finding about the RFC, e.g. its busy path or a failed
   * split), with the step that caused it (DESIGN.md, The model: invariants).
   */
  private reportFindings(step: Extract<Step, { kind: 'call' }>): void {
    for (const f of this.kernel.takeFindings()) {
      const process = this.processes.byPid(f.pid)?.name;
      this.emit({
        kind: 'finding',
        finding: {
          id: f.id, pfn: f.pfn, raw: f.raw, ...(f.addr !== undefined ? { at: this.address(f.addr) } : {}),
          ...(process !== undefined ? { process } : {}), pid: f.pid,
          ...(f.other !== undefined ? { other: f.other } : {}), ...(f.count !== undefined ? { count: f.count } : {}),
          afterLine: step.line,
        },
      });
    }
    const calls = this.kernel.takePoisonCalls();
    if (calls.length > 0) {
      for (const f of this.kernel.poisonedStillMapped(calls)) {
        const key = `${f.pfn}@${f.pid}:${f.addr}`;
        if (this.findings.has(key)) continue;
        this.findings.add(key);
        const process = this.processes.byPid(f.pid)?.name;
        this.emit({
          kind: 'finding',
          finding: { id: 'MAPPED', pfn: f.pfn, raw: f.raw, at: this.address(f.addr), ...(process !== undefined ? { process } : {}), pid: f.pid, afterLine: step.line },
        });
      }
    }
  }

  /** Model operations this test has spent: steps executed plus the kernel's own operations. */
  get spent(): number {
    return this.executed + this.stepOps + (this.kernel.ops - this.opsStart);
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

  private runSteps(steps: readonly Step[]): Flow {
    for (const step of steps) {
      if (this.showStep !== undefined && this.showStep !== null && this.executed >= this.showStep) {
        this.stoppedForShow = true;
        return { status: 'skip' };
      }
      switch (step.kind) {
        case 'let':
          this.tick(step);
          for (const b of step.bindings) this.scope.set(b.name, this.value(b.expr));
          break;
        case 'set':
          this.tick(step);
          for (const b of step.bindings) this.scope.assign(b.name, this.value(b.expr));
          break;
        case 'for': {
          const from = this.value(step.from).value;
          const to = this.value(step.to).value;
          const outer = this.scope;
          // Each iteration starts with only the loop's names bound, in one scope cleared per iteration.
          const iteration = new Scope(outer);
          try {
            for (let i = from; i <= to; i++) {
              // An iteration costs what its body does; only an empty body is charged per iteration.
              if (step.body.length === 0) this.tick(step);
              iteration.clear();
              this.scope = iteration;
              this.scope.set(step.var, { value: i, address: false });
              for (const b of step.let) this.scope.set(b.name, this.value(b.expr));
              if (step.while !== undefined && this.value(step.while).value === 0n) break;
              const flow = this.runSteps(step.body);
              if (flow === BREAK) break;
              if (flow) return flow;
            }
          } finally {
            this.scope = outer;
          }
          break;
        }
        case 'call': {
          if (!whenSelects(step.when, this.size, this.profile)) break;
          if (step.when?.holds !== undefined && this.value(step.when.holds).value === 0n) break;
          this.tick(step);
          const flow = this.runCall(step);
          if (flow) return flow;
          break;
        }
      }
    }
    return undefined;
  }

  private runCall(step: Extract<Step, { kind: 'call' }>): Flow {
    // RUNS is keyed by step name and step.args was built by the same name's definition; TypeScript
    // cannot correlate the two unions, so the handler is called through the erased signature.
    const run = RUNS[step.op] as StepRun<StepName>;
    const traits = STEPS[step.op].traits;
    const acting = this.processes.resolve(step.in);
    if ('missing' in acting) return this.failWith({ kind: 'missing', what: acting.missing, name: acting.name }, step.line);
    this.acting = acting;
    const dead = this.deadFailure(step);
    if (dead !== undefined) return this.failWith(dead, step.line);
    const outputBefore = this.output.length;
    if (this.opts.trace === true) this.kernel.takeTrace(); // what ran between steps (process exits) belongs to no step
    let o: StepOutcome;
    try {
      o = run(this, step.args);
    } catch (e) {
      if (e instanceof TaskHalted) return this.halted(step, e.halt, outputBefore);
      throw e;
    }
    this.stepOps += o.ops ?? 0;
    if (this.showStep !== undefined) this.lastCall = { index: this.executed, line: step.line, ...(this.acting.label === MAIN ? {} : { in: this.acting.label }), call: o.call };
    this.reportFindings(step);
    if (o.unsupported !== undefined) throw new ScenarioRuntimeError(errorAt(this, step.span, 'UNSUPPORTED', o.unsupported));
    if (o.breaksLoop === true) return BREAK;
    if (this.opts.checkInvariants === true) {
      const broken = this.kernel.checkInvariants();
      if (broken.length > 0) {
        throw new Error(`model invariant broken after ${this.file}:${step.line}: ${broken.map((v) => `${v.invariant} (${v.detail})`).join('; ')}`);
      }
    }
    const events = this.kernel.takeSignals();
    this.noteSignals(events);
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
    if (this.opts.verbose === true || this.opts.trace === true) this.record(step, o, events, outputBefore, traceLines);

    const line = step.line;
    if (o.failures && o.failures.length > 0) return this.failWith({ kind: 'expect', line, mismatches: o.failures }, line);
    if (o.fail !== undefined) return this.failWith({ kind: 'step', message: o.fail }, line);
    if (o.range !== undefined && (o.range.departures.first.length > 0 || o.range.stopped !== undefined)) {
      return this.failWith({ kind: 'range', line, call: o.call, ...o.range }, line);
    }
    if (blocked !== undefined && step.expect?.blocked === undefined) {
      return this.failWith({ kind: 'blocked', line, call: o.name ?? step.op, uffd: blocked }, line);
    }
    if (o.ret && !o.ret.ok && blocked === undefined && step.expect?.errno === undefined) {
      if (step.on_error === 'break') {
        // The C loop's `perror("read failed"); break;`: the line, and the loop ends; the test goes on.
        this.emit({ kind: 'failure', failure: { kind: 'errno', call: o.name ?? step.op, errno: o.ret.errno }, endsLoop: true });
        return BREAK;
      }
      return this.failWith({ kind: 'errno', call: o.name ?? step.op, errno: o.ret.errno }, line, step.on_error === 'skip' ? 'skip' : 'fail');
    }
    if (step.expect) {
      const m = compareStepExpect(this, step.expect, o, signal, traits.returnsAddress === true);
      if (m) return this.failWith({ kind: 'step-expect', line, op: step.op, expected: m.expected, actual: m.actual }, line);
    }
    if (traits.touchesMemory === true && signal && step.expect?.sigbus === undefined) {
      return this.failWith({ kind: 'signal', line, signal: this.signalInfo(signal) }, line);
    }
    return undefined;
  }

  /**
   * The step's call never returned (bug.ts): a kernel BUG ended its thread, or it sleeps for good on a
   * lock a dead task holds. A BUG the step expects (`expect: {bug: FUNC}`) lets the test go on: steps in
   * the dead thread then fail as dead ones, and steps that need a lock it held stop the test here.
   */
  private halted(step: Extract<Step, { kind: 'call' }>, halt: Halt, outputBefore: number): Flow {
    this.reportFindings(step);
    const facts = (b: KernelBug): BugFacts => ({ file: b.file, bugLine: b.line, func: b.func, pid: b.pid, comm: b.comm, locks: b.locks });
    const line = step.line;
    const call = step.op;
    const failure: Extract<Failure, { kind: 'bug' | 'lock' }> = halt.kind === 'bug'
      ? { kind: 'bug', line, call, bug: facts(halt.bug) }
      : { kind: 'lock', line, call, lock: halt.lock, holder: facts(halt.holder) };
    this.noteSignals(this.kernel.takeSignals());
    const traceLines = this.opts.trace === true ? this.kernel.takeTrace() : [];
    if (this.opts.verbose === true || this.opts.trace === true) {
      this.record(step, { call: `${call}(…)` }, [], outputBefore, traceLines, { kind: 'halted', failure });
    }
    const want = step.expect?.bug;
    if (want !== undefined && halt.kind === 'bug' && halt.bug.func === want) return undefined;
    if (want !== undefined) {
      const have = halt.kind === 'bug' ? halt.bug.func : `none (asleep on ${halt.lock})`;
      return this.failWith({ kind: 'step-expect', line, op: step.op, expected: `bug=${want}`, actual: `bug=${have}` }, line);
    }
    return this.failWith(failure, line);
  }

  /**
   * Why the step cannot run in the acting thread: its process or the thread is dead. Observers
   * (print, and expect/dump that read no page tables) still run once a process died.
   */
  private deadFailure(step: Extract<Step, { kind: 'call' }>): Failure | undefined {
    if (this.kernel.alive(this.task)) return undefined;
    const { syscall, readsMm } = STEPS[step.op].traits;
    if (!syscall && readsMm?.(step.args) !== true) return undefined;
    const { process, label } = this.acting;
    return this.processes.alive(process) ? { kind: 'dead', what: 'thread', name: label } : { kind: 'dead', what: 'process', name: process.name };
  }

  /** A siginfo with its address resolved against the named mappings as they stand now. */
  private signalInfo(info: SigInfo): SignalInfo {
    return { signo: info.signo, si_code: info.si_code, si_addr: this.address(info.si_addr), si_addr_lsb: info.si_addr_lsb };
  }

  /** What the step returned, as -v shows it. */
  private stepReturn(step: Extract<Step, { kind: 'call' }>, o: StepOutcome): StepReturn {
    if (o.ret) {
      return o.ret.ok ? { kind: 'value', value: o.ret.value, address: STEPS[step.op].traits.returnsAddress === true } : { kind: 'errno', errno: o.ret.errno };
    }
    if (o.access) {
      return o.access.ok ? { kind: 'access', value: o.access.value }
        : 'blocked' in o.access ? { kind: 'blocked', uffd: o.access.uffd }
          : { kind: 'signal', signal: this.signalInfo(o.access.signal) };
    }
    if (o.range) {
      const r = o.range;
      return { kind: 'range', read: r.read, sigbus: r.sigbus, departed: r.departures.first.length + r.departures.more };
    }
    if (o.failures) return { kind: 'expect', mismatches: o.failures.length };
    return o.fail !== undefined ? { kind: 'failed', message: o.fail } : { kind: 'none' };
  }

  private record(step: Extract<Step, { kind: 'call' }>, o: StepOutcome, events: readonly SignalEvent[], outputBefore: number, trace: readonly string[], ret?: StepReturn): void {
    // A -v probe loop records millions of steps: build each record directly (no spreads), and share
    // the empty signal list.
    // check_range's return counts its SIGBUSes: one -v line, not one per load.
    const signals = events.length === 0 || o.range !== undefined ? NO_SIGNALS : events.map((ev): SignalRecord => {
      const { signo, si_code, si_addr_lsb } = ev.info;
      const si_addr = this.address(ev.info.si_addr);
      const process = this.processes.byPid(ev.pid)?.name;
      const { pid, tid, how, outcome } = ev;
      return process === undefined
        ? { signo, si_code, si_addr, si_addr_lsb, pid, tid, how, outcome }
        : { signo, si_code, si_addr, si_addr_lsb, process, pid, tid, how, outcome };
    });
    const r: StepRecord = this.acting.label === MAIN
      ? { index: this.executed, line: step.line, call: o.call, ret: ret ?? this.stepReturn(step, o), signals, outputBefore }
      : { index: this.executed, line: step.line, in: this.acting.label, call: o.call, ret: ret ?? this.stepReturn(step, o), signals, outputBefore };
    this.steps.push(this.opts.trace === true ? { ...r, trace } : r);
  }

  /** The state `show` draws: the test's processes, their VMAs and page tables, the folios mapped. */
  showState(profile: string, test: string, done: { readonly status: TestStatus; readonly stop?: Failure }): ShowState {
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
      outcome: this.stoppedForShow ? null : { status: done.status, ...(done.stop !== undefined ? { stop: done.stop } : {}) },
      processes,
      folios,
      hardwareCorrupted: this.kernel.meminfo().HardwareCorrupted,
    };
  }

  /**
   * Who a signal to `pid` went to, for the summary: main, a named process, or a bare pid (none of the
   * test's processes; it sorts after all of them). Pids are never reused (task.ts), so the process a
   * pid names when its signal arrives is the one it names at the end; one object per process.
   */
  private receiverOf(pid: number): { readonly receiver: SignalGroup['receiver']; readonly order: number } {
    const known = this.receivers.get(pid);
    if (known !== undefined) return known;
    const p = this.processes.byPid(pid);
    if (p === undefined) return { receiver: { kind: 'pid', pid }, order: Number.MAX_SAFE_INTEGER };
    const r = { receiver: p.name === MAIN && p.how === 'main' ? { kind: 'main' as const } : { kind: 'process' as const, name: p.name }, order: this.processes.all().indexOf(p) };
    this.receivers.set(pid, r);
    return r;
  }

  /** Signals the kernel sent during a step: counted for the summary, kept per process when a step expects them. */
  private noteSignals(events: readonly SignalEvent[]): void {
    for (const ev of events) {
      const { receiver, order } = this.receiverOf(ev.pid);
      this.tally.add(ev, receiver, order);
      if (ev.info.signo === 'SIGBUS' && ev.outcome !== 'dropped') {
        let byLsb = this.sigbusLsbs.get(ev.pid);
        if (byLsb === undefined) this.sigbusLsbs.set(ev.pid, (byLsb = new Map()));
        byLsb.set(ev.info.si_addr_lsb, (byLsb.get(ev.info.si_addr_lsb) ?? 0) + 1);
      }
      if (this.history !== null && ev.outcome !== 'dropped' && (ev.info.signo === 'SIGBUS' || ev.info.signo === 'SIGKILL')) {
        const list = this.history.get(ev.pid);
        if (list === undefined) this.history.set(ev.pid, [ev]);
        else list.push(ev);
      }
    }
  }

  /**
   * What the model saw over the test: signals by process and code (main's first, then each other
   * process's in creation order), processes killed, the named mappings' page tables, the poisoned
   * folios' raw_hwp_list, the HardwareCorrupted delta. Long lists are capped here, as data.
   */
  private observations(): Observations {
    const signals = this.tally.summary((addr) => this.address(addr), namesUnique(this.mappings), MAX_DISTINCT_SIGNALS);
    const kills = this.kills.map((k) => ({ process: k.process.name, signo: k.info.signo, si_code: k.info.si_code }));
    const mappings = this.mappings.flatMap((m) => {
      const owner = this.processes.liveThread(m.pid);
      if (m.live.length === 0 || owner === undefined) return [];
      return [{ name: m.name, runs: relativeRuns(mappingRuns(this.kernel, owner, m), m) }];
    });
    // A storm poisons many folios: keep the first few, count the rest.
    const poisoned = [...this.poisoned.values()];
    const folios = poisoned.slice(0, MAX_SUMMARY_FOLIOS).map((p) => {
      const task = this.processes.liveThread(p.task.pid);
      // A process that died (a kill, a kernel BUG) no longer maps it: the folio by its head pfn.
      // By its head pfn: the mapping that first showed it may be gone (munmap, a kill, a kernel BUG).
      const now = this.kernel.folioView(p.info.pfn) ?? (task === undefined ? null : this.kernel.folioAt(task, p.headAddr));
      const info = now && now.pfn === p.info.pfn ? now : p.info;
      return { at: p.at, raw_hwp_list: capped(info.raw_hwp_list, MAX_SUMMARY_RAW) };
    });
    return {
      signals,
      kills,
      mappings,
      poisoned: { first: folios, more: poisoned.length - folios.length },
      hardwareCorruptedDelta: this.kernel.meminfo().HardwareCorrupted - this.start.hardwareCorrupted,
    };
  }
}

/** Whether any `expect:` step of these steps (loops included) checks `signals`. */
function expectsSignals(steps: readonly Step[]): boolean {
  return steps.some((s) => (s.kind === 'for' ? expectsSignals(s.body) : s.kind === 'call' && s.op === 'expect' && s.args.signals !== undefined));
}

/** Whether no two named mappings of the test share a name (a rebound name keeps its old mappings). */
function namesUnique(mappings: readonly NamedMapping[]): boolean {
  return new Set(mappings.map((m) => m.name)).size === mappings.length;
}
