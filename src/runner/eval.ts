// Runtime evaluation of scenario expressions and `print:` strings through the loader's evaluator
// (scenario/expr.ts evalExpr, scenario/interp.ts formatInterp), with the runner's hooks: names from the
// test's scope, model names (MODEL_NAMES) read live from the kernel, pfn()/phys() through its page tables.
// A failed evaluation becomes a positioned ScenarioRuntimeError (an author error, exit 65).

import { errorFromFailure, evalExpr, formatInterp, isAddressExpr, MODEL_NAMES, modelNumberFailure } from '../scenario/index.js';
import type { Expr, ExprEnv, Interp, ModelName, Span } from '../scenario/index.js';
import { ScenarioRuntimeError } from './errors.js';

/** A bound value and whether it is an address (bound by mmap). */
export interface Value {
  readonly value: bigint;
  readonly address: boolean;
}

export interface EvalEnv {
  readonly file: string;
  readonly text: string;
  lookup(name: string): Value | undefined;
  /** A model value (MODEL_NAMES), read now. */
  model(name: ModelName): bigint;
  /** The raw pfn mapped at addr through a present entry, or null. */
  pfnOf(addr: number): number | null;
}

const isModelName = (name: string): name is ModelName => (MODEL_NAMES as readonly string[]).includes(name);
const PAGE = 4096n;

export const hex = (n: number | bigint): string => `0x${n.toString(16)}`;

/** Each EvalEnv's ExprEnv, made once: a probe loop evaluates a few expressions per step. */
const exprEnvs = new WeakMap<EvalEnv, ExprEnv>();

function exprEnv(env: EvalEnv): ExprEnv {
  const known = exprEnvs.get(env);
  if (known !== undefined) return known;
  const made = makeExprEnv(env);
  exprEnvs.set(env, made);
  return made;
}

function makeExprEnv(env: EvalEnv): ExprEnv {
  const pfn = (addr: bigint): bigint | string => {
    const n = addr <= BigInt(Number.MAX_SAFE_INTEGER) ? env.pfnOf(Number(addr)) : null;
    return n === null ? `no page is mapped at ${hex(addr)}` : BigInt(n);
  };
  return {
    lookup: (name) => env.lookup(name)?.value ?? (isModelName(name) ? env.model(name) : undefined),
    pfn,
    phys: (addr) => {
      const p = pfn(addr);
      return typeof p === 'string' ? p : p * PAGE + (addr % PAGE);
    },
  };
}

const isAddressName = (env: EvalEnv) => (name: string): boolean => env.lookup(name)?.address === true;

/** An expression's value; throws ScenarioRuntimeError (positioned) on an author error. */
export function evaluate(expr: Expr, env: EvalEnv): Value {
  const r = evalExpr(expr, exprEnv(env));
  if (!r.ok) throw new ScenarioRuntimeError(errorFromFailure(env, r));
  return { value: r.value, address: isAddressExpr(expr, isAddressName(env)) };
}

/** An expression's value alone (not whether it is an address); throws as evaluate() does. */
export function evaluateNumber(expr: Expr, env: EvalEnv): bigint {
  const r = evalExpr(expr, exprEnv(env));
  if (!r.ok) throw new ScenarioRuntimeError(errorFromFailure(env, r));
  return r.value;
}

/** A BigInt as a Number; addresses and lengths the model takes are below 2^53 (validate checks known ones). */
export function toNumber(env: EvalEnv, span: Span, v: bigint): number {
  const tooLarge = modelNumberFailure(v, span);
  if (tooLarge) throw new ScenarioRuntimeError(errorFromFailure(env, tooLarge));
  return Number(v);
}

/** A `print:` string with its `{expr}` holes filled: addresses like C's %p, other values decimal. */
export function interpolate(interp: Interp, env: EvalEnv): string {
  const r = formatInterp(interp, exprEnv(env), isAddressName(env));
  if (!r.ok) throw new ScenarioRuntimeError(errorFromFailure(env, r));
  return r.value;
}
