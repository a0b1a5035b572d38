// What `validate` can know before a run: every expression is evaluated with the evaluator runs use
// (expr.ts evalPartial), once per hugepage size the file lists, with PAGE_SIZE, hugepagesz, `let` values
// and the variables of loops with constant bounds known, and everything else (mapping addresses, fds,
// pids, pfn(), model values such as HardwareCorrupted) RUN_TIME: skipped, never guessed. A failure here
// is the failure the run would report at the same place (division by zero, log2(0), a value outside
// [0, 2^64), a step argument of 2^53 or more, a pool larger than the model handles), so a file that
// validates does not fail its run on anything knowable. Steps are checked whether or not a run would
// reach them (an earlier step may end the test); a loop whose constant range is empty is not entered.
// A loop with `while:` (or a step with `on_error: break`) may end at any iteration: its range is
// checked as if it ran to the end, its condition evaluated in each, and a name its body `set:`s is
// RUN_TIME from the first `set:` on (its value depends on the run).

import { evalPartial, modelNumberFailure, RUN_TIME, type ExprEnv, type PartialResult, type RunTime } from './expr.js';
import { MAIN, MAX_NR_HUGEPAGES } from './names.js';
import type { CallStep, Expr, HugepageSize, LetBinding, Span, Step, TestCase } from './types.js';
import type { YamlSource } from './yaml-source.js';

const HUGEPAGE_BYTES: { readonly [S in HugepageSize]: bigint } = { '2M': 2n << 20n, '1G': 1n << 30n };
const PAGE_SIZE = 4096n;
/** Expression evaluations one size's pass may spend unrolling loops (beyond that a loop variable is RUN_TIME). */
export const PRECHECK_BUDGET = 100_000;
const EXPR_KINDS: readonly string[] = ['lit', 'name', 'neg', 'binary', 'call'];

type Known = bigint | RunTime;

/** Names → values known before the run; a name bound to RUN_TIME (or not bound here) is skipped. */
class KnownScope {
  private readonly vars = new Map<string, Known>();
  constructor(private readonly parent?: KnownScope) {}
  get(name: string): Known {
    return this.vars.get(name) ?? this.parent?.get(name) ?? RUN_TIME;
  }
  set(name: string, v: Known): void {
    this.vars.set(name, v);
  }
  /** Rebind `name` where it was bound (`set:`). */
  assign(name: string, v: Known): void {
    if (this.vars.has(name) || this.parent === undefined) this.vars.set(name, v);
    else this.parent.assign(name, v);
  }
}

const envOf = (scope: KnownScope): ExprEnv => ({ lookup: (name) => scope.get(name), pfn: () => RUN_TIME, phys: () => RUN_TIME });

/** Whether `v` is an Expr node (a step's arguments mix them with flags, strings, Maps and plain maps). */
function isExpr(v: unknown): v is Expr {
  return typeof v === 'object' && v !== null && EXPR_KINDS.includes((v as { kind?: unknown }).kind as string) && 'span' in v;
}

/** Every expression in a step's arguments or expect, in field order (each one goes through ctx.num at run time). */
function exprsIn(v: unknown): Expr[] {
  if (isExpr(v)) return [v];
  if (Array.isArray(v)) return v.flatMap(exprsIn);
  if (v instanceof Map) return [...v.values()].flatMap(exprsIn);
  if (typeof v === 'object' && v !== null) return Object.values(v).flatMap(exprsIn);
  return [];
}

/** How many expressions one pass over `steps` evaluates (a loop's body once). */
function costOf(steps: readonly Step[]): number {
  return steps.reduce((n, s) => n + (s.kind === 'let' || s.kind === 'set' ? s.bindings.length
    : s.kind === 'for' ? 2 + s.let.length + (s.while === undefined ? 0 : 1) + costOf(s.body)
      : s.op === 'print' ? s.args.text.parts.length : exprsIn([s.args, s.expect]).length), 0);
}

/** One hugepage size's pass over the file. */
class SizePass {
  private budget = PRECHECK_BUDGET;
  /** Loop variables of the iteration being checked, for messages. */
  private readonly loopVars: string[] = [];

  constructor(
    private readonly src: YamlSource,
    private readonly size: HugepageSize | undefined,
    private readonly sizeInMessages: boolean,
    /** Failure spans already reported (by this or another size's pass): one message per place. */
    private readonly reported: Set<string>,
  ) {}

  run(lets: readonly LetBinding[], tests: readonly TestCase[]): void {
    const root = new KnownScope();
    root.set('PAGE_SIZE', PAGE_SIZE);
    root.set('hugepagesz', this.size === undefined ? RUN_TIME : HUGEPAGE_BYTES[this.size]);
    this.lets(lets, root);
    for (const test of tests) {
      // A test for other sizes never runs here (one for some profiles may: the check does not know the profile).
      if (test.when?.hugepagesz !== undefined && this.size !== undefined && !test.when.hugepagesz.includes(this.size)) continue;
      const scope = new KnownScope(root);
      scope.set(MAIN, RUN_TIME); // the process every test starts in: its pid
      this.steps(test.steps, scope);
    }
  }

  private report(code: Parameters<YamlSource['report']>[0], message: string, span: Span): void {
    const key = `${span.start}:${span.end}`;
    if (this.reported.has(key)) return;
    this.reported.add(key);
    const where = [...(this.sizeInMessages && this.size ? [`hugepagesz = ${this.size}`] : []), ...this.loopVars];
    this.src.report(code, where.length > 0 ? `${message} (with ${where.join(', ')})` : message, span);
  }

  /** The expression's value, RUN_TIME when unknown or failed (the failure reported). */
  private value(e: Expr, scope: KnownScope): Known {
    this.budget--;
    const r: PartialResult = evalPartial(e, envOf(scope));
    if (r === RUN_TIME) return RUN_TIME;
    if (!r.ok) {
      this.report(r.code, r.message, r.span);
      return RUN_TIME;
    }
    return r.value;
  }

  /** A step argument: also below 2^53, as the model takes it. */
  private argument(e: Expr, scope: KnownScope): Known {
    const v = this.value(e, scope);
    const tooLarge = v === RUN_TIME ? undefined : modelNumberFailure(v, e.span);
    if (tooLarge) this.report(tooLarge.code, tooLarge.message, tooLarge.span);
    return tooLarge ? RUN_TIME : v;
  }

  private lets(bindings: readonly LetBinding[], scope: KnownScope): void {
    for (const b of bindings) scope.set(b.name, this.value(b.expr, scope));
  }

  private steps(steps: readonly Step[], scope: KnownScope): void {
    for (const step of steps) {
      if (step.kind === 'let') this.lets(step.bindings, scope);
      else if (step.kind === 'set') for (const b of step.bindings) { this.value(b.expr, scope); scope.assign(b.name, RUN_TIME); }
      else if (step.kind === 'for') this.forStep(step, scope);
      else this.call(step, scope);
    }
  }

  private forStep(step: Extract<Step, { kind: 'for' }>, scope: KnownScope): void {
    const from = this.value(step.from, scope);
    const to = this.value(step.to, scope);
    const iteration = (v: Known): void => {
      const inner = new KnownScope(scope);
      inner.set(step.var, v);
      this.lets(step.let, inner);
      if (step.while !== undefined) this.value(step.while, inner);
      this.steps(step.body, inner);
    };
    if (from === RUN_TIME || to === RUN_TIME) return iteration(RUN_TIME);
    if (from > to) return; // the run does not enter it
    const cost = (to - from + 1n) * BigInt(1 + step.let.length + (step.while === undefined ? 0 : 1) + costOf(step.body));
    if (cost > BigInt(this.budget)) return iteration(RUN_TIME);
    for (let i = from; i <= to; i++) {
      this.loopVars.push(`${step.var} = ${i}`);
      iteration(i);
      this.loopVars.pop();
    }
  }

  private call(step: CallStep, scope: KnownScope): void {
    // A step for other sizes never runs here; one for some profiles may (the check does not know the profile).
    if (step.when?.hugepagesz !== undefined && this.size !== undefined && !step.when.hugepagesz.includes(this.size)) return;
    if (step.when?.holds !== undefined) this.value(step.when.holds, scope);
    if (step.op === 'print') {
      for (const part of step.args.text.parts) if (typeof part !== 'string') this.value(part.expr, scope);
      return;
    }
    for (const e of exprsIn([step.args, step.expect])) this.argument(e, scope);
    this.poolSize(step, scope);
    this.rangeStride(step, scope);
    if ('as' in step.args && typeof step.args.as === 'string') scope.set(step.args.as, RUN_TIME);
  }

  /** check_range's `step` of 0, which the run refuses (runner/steps/range.ts): no load would move on. */
  private rangeStride(step: CallStep, scope: KnownScope): void {
    if (step.op !== 'check_range' || step.args.step === undefined) return;
    const v = evalPartial(step.args.step, envOf(scope));
    if (v !== RUN_TIME && v.ok && v.value === 0n) this.report('OUT_OF_RANGE', 'step must be at least 1 byte', step.args.step.span);
  }

  /** A pool the model cannot grow to (nr_hugepages, sysctl vm.nr_hugepages), as the run reports it. */
  private poolSize(step: CallStep, scope: KnownScope): void {
    const e = step.op === 'nr_hugepages' ? step.args.count : step.op === 'sysctl' && step.args.name === 'vm.nr_hugepages' ? step.args.value : undefined;
    if (e === undefined) return;
    const v = evalPartial(e, envOf(scope));
    if (v !== RUN_TIME && v.ok && v.value > BigInt(MAX_NR_HUGEPAGES) && v.value <= BigInt(Number.MAX_SAFE_INTEGER)) {
      this.report('UNSUPPORTED', `a pool of ${v.value} hugepages: hgmsim models pools of at most ${MAX_NR_HUGEPAGES} hugepages per size`, e.span);
    }
  }
}

/**
 * Evaluate what can be known before a run, once per size in `sizes` (none: one pass with hugepagesz
 * unknown), and report each failure once, positioned, into `src`.
 */
export function precheck(src: YamlSource, sizes: readonly HugepageSize[], lets: readonly LetBinding[], tests: readonly TestCase[]): void {
  // A place already reported by an earlier stage (a negative literal) is not reported again.
  const reported = new Set(src.errors.map((e) => `${e.span.start}:${e.span.end}`));
  const passes = sizes.length > 0 ? sizes : [undefined];
  for (const size of passes) new SizePass(src, size, sizes.length > 1, reported).run(lets, tests);
}
