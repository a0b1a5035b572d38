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

/** An expression's value as a Number the model takes (below 2^53); throws as evaluate() and toNumber() do. */
export function evaluateNumber(expr: Expr, env: EvalEnv): number {
  const fast = exactNumber(expr, env);
  if (fast !== undefined) return fast; // a safe integer: within what the model takes
  const r = evalExpr(expr, exprEnv(env));
  if (!r.ok) throw new ScenarioRuntimeError(errorFromFailure(env, r));
  return toNumber(env, expr.span, r.value);
}

const SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * The expression in double arithmetic where that is exact: names bound in the scope, literals and
 * +, -, *, % and comparisons whose operands and results are safe integers in the evaluator's range
 * [0, 2^64). Anything else (a model name, a call, division or shifts, a negative or inexact
 * intermediate, an error) is undefined, and the BigInt evaluator, the reference, decides. A probe loop
 * evaluates `P + i * PAGE_SIZE` per step: BigInt arithmetic allocates, doubles do not.
 */
function exactNumber(e: Expr, env: EvalEnv): number | undefined {
  switch (e.kind) {
    case 'lit':
      return e.value <= SAFE ? Number(e.value) : undefined;
    case 'name': {
      const v = env.lookup(e.name)?.value;
      return v !== undefined && v >= 0n && v <= SAFE ? Number(v) : undefined;
    }
    case 'binary': {
      const a = exactNumber(e.left, env);
      if (a === undefined) return undefined;
      const b = exactNumber(e.right, env);
      if (b === undefined) return undefined;
      let r: number;
      switch (e.op) {
        case '+': r = a + b; break;
        case '-': r = a - b; break;
        case '*': r = a * b; break;
        case '%': if (b === 0) return undefined; r = a % b; break;
        case '==': r = a === b ? 1 : 0; break;
        case '!=': r = a !== b ? 1 : 0; break;
        case '<': r = a < b ? 1 : 0; break;
        case '<=': r = a <= b ? 1 : 0; break;
        case '>': r = a > b ? 1 : 0; break;
        case '>=': r = a >= b ? 1 : 0; break;
        default: return undefined;
      }
      return r >= 0 && Number.isSafeInteger(r) ? r : undefined;
    }
    default:
      return undefined;
  }
}

/** A BigInt as a Number; addresses and lengths the model takes are below 2^53 (validate checks known ones). */
function toNumber(env: EvalEnv, span: Span, v: bigint): number {
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
