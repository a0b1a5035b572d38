// Scenario expressions: a small tokenizer, a recursive-descent parser and a BigInt evaluator of our
// own (nothing reaches eval or Function). Grammar, loosest first (C precedence):
//
//   range  := expr '..' expr                    (only where a `for:` range is expected)
//   expr   := rel (('==' | '!=') rel)*          (1 when it holds, else 0)
//   rel    := shift (('<' | '<=' | '>' | '>=') shift)*
//   shift  := add (('<<' | '>>') add)*
//   add    := mul (('+' | '-') mul)*
//   mul    := unary (('*' | '/' | '%') unary)*
//   unary  := '-' unary | primary
//   primary:= NUMBER | NAME | NAME '(' expr (',' expr)* ')' | '(' expr ')'
//   NUMBER := decimal | 0x hex, optionally followed directly by a unit K (2^10), M (2^20) or G (2^30)
//
// Every value, intermediate ones included, must lie in [0, 2^64): `2 - 3` is an OUT_OF_RANGE error
// even inside `2 - 3 + 4`, as is a negative literal, division or modulo by zero and log2(0).
// Spans are absolute offsets into the scenario file: `base` is the offset of the source's first
// character in the file text.

import type { ExprFailure } from './errors.js';
import { didYouMean } from './suggest.js';
import type { BinaryOp, Expr, FunctionName, ScenarioErrorCode, Span } from './types.js';

export const U64_LIMIT = 1n << 64n;
/** Functions and their argument counts (max undefined = any number ≥ min). */
const FUNCTIONS: Readonly<Record<FunctionName, { min: number; max?: number }>> = {
  log2: { min: 1, max: 1 },
  min: { min: 1 },
  max: { min: 1 },
  pfn: { min: 1, max: 1 },
  phys: { min: 1, max: 1 },
};
export const FUNCTION_NAMES = Object.keys(FUNCTIONS) as FunctionName[];
const UNITS: Readonly<Record<string, bigint>> = { K: 1n << 10n, M: 1n << 20n, G: 1n << 30n };
/** Limits that keep hostile input from exhausting the stack: tokens per expression, nesting depth. */
const MAX_TOKENS = 1000;
const MAX_DEPTH = 64;

type Token =
  | { readonly t: 'num'; readonly value: bigint; readonly span: Span }
  | { readonly t: 'name'; readonly name: string; readonly span: Span }
  | { readonly t: 'op'; readonly op: string; readonly span: Span }
  | { readonly t: 'end'; readonly span: Span };

const fail = (code: ScenarioErrorCode, message: string, span: Span): ExprFailure => ({ ok: false, code, message, span });
const isDigit = (c: string): boolean => c >= '0' && c <= '9';
const isNameStart = (c: string): boolean => /[A-Za-z_]/.test(c);
const isNameChar = (c: string): boolean => /[A-Za-z0-9_]/.test(c);
const OPERATORS = ['<<', '>>', '<=', '>=', '==', '!=', '<', '>', '..', '+', '-', '*', '/', '%', '(', ')', ','];

function tokenize(source: string, base: number): Token[] | ExprFailure {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const c = source[i] as string;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    if (tokens.length >= MAX_TOKENS) {
      return fail('BAD_EXPR', `expression longer than ${MAX_TOKENS} tokens`, { start: base, end: base + source.length });
    }
    const start = i;
    if (isDigit(c)) {
      const hex = c === '0' && (source[i + 1] === 'x' || source[i + 1] === 'X');
      if (hex) i += 2;
      const digitStart = i;
      while (i < source.length && (hex ? /[0-9a-fA-F]/ : /[0-9]/).test(source[i] as string)) i++;
      const digits = source.slice(digitStart, i);
      let unit = 1n;
      const u = source[i];
      if (u !== undefined && u in UNITS && !isNameChar(source[i + 1] ?? '')) {
        unit = UNITS[u] as bigint;
        i++;
      }
      while (i < source.length && isNameChar(source[i] as string)) i++;
      const span = { start: base + start, end: base + i };
      const text = source.slice(start, i);
      if (digits === '' || i !== digitStart + digits.length + (unit === 1n ? 0 : 1)) {
        return fail('BAD_EXPR', `bad number "${text}" (a number may end in a unit K, M or G; kB is not a unit here)`, span);
      }
      // 2^64 has 20 decimal or 17 hex digits: anything much longer is out of range without converting it.
      const stripped = digits.replace(/^0+/, '');
      const value = stripped.length > 24 ? U64_LIMIT : BigInt(hex ? `0x${digits}` : digits) * unit;
      if (value >= U64_LIMIT) return fail('OUT_OF_RANGE', `number "${text}" is outside [0, 2^64)`, span);
      tokens.push({ t: 'num', value, span });
      continue;
    }
    if (isNameStart(c)) {
      while (i < source.length && isNameChar(source[i] as string)) i++;
      tokens.push({ t: 'name', name: source.slice(start, i), span: { start: base + start, end: base + i } });
      continue;
    }
    const op = OPERATORS.find((o) => source.startsWith(o, i));
    if (op === undefined) {
      const ch = String.fromCodePoint(source.codePointAt(i) as number);
      return fail('BAD_EXPR', `unexpected character "${ch}" in expression`, { start: base + i, end: base + i + ch.length });
    }
    i += op.length;
    tokens.push({ t: 'op', op, span: { start: base + start, end: base + i } });
  }
  tokens.push({ t: 'end', span: { start: base + source.length, end: base + source.length } });
  return tokens;
}

const describeToken = (tok: Token): string =>
  tok.t === 'end' ? 'end of expression' : tok.t === 'num' ? 'a number' : tok.t === 'name' ? `"${tok.name}"` : `"${tok.op}"`;

/** Recursive descent over a token list ending in an 'end' token; throws ExprFailure values internally. */
class ExprParser {
  private pos = 0;
  private depth = 0;
  constructor(private readonly tokens: readonly Token[]) {}

  private peek(): Token {
    return this.tokens[this.pos] as Token;
  }
  private isOp(op: string): boolean {
    const tok = this.peek();
    return tok.t === 'op' && tok.op === op;
  }
  private error(message: string, span = this.peek().span): never {
    throw fail('BAD_EXPR', message, span);
  }

  parseAll(): Expr {
    const e = this.parseEquality();
    const tok = this.peek();
    if (tok.t !== 'end') this.error(`unexpected ${describeToken(tok)} after a complete expression`);
    return e;
  }

  private binaryLevel(ops: readonly BinaryOp[], next: () => Expr): Expr {
    let left = next();
    for (;;) {
      const tok = this.peek();
      if (tok.t !== 'op' || !(ops as readonly string[]).includes(tok.op)) return left;
      this.pos++;
      const right = next();
      left = { kind: 'binary', op: tok.op as BinaryOp, left, right, span: { start: left.span.start, end: right.span.end } };
    }
  }
  private parseEquality(): Expr {
    return this.binaryLevel(['==', '!='], () => this.parseRelational());
  }
  private parseRelational(): Expr {
    return this.binaryLevel(['<', '<=', '>', '>='], () => this.parseShift());
  }
  private parseShift(): Expr {
    return this.binaryLevel(['<<', '>>'], () => this.parseAdd());
  }
  private parseAdd(): Expr {
    return this.binaryLevel(['+', '-'], () => this.parseMul());
  }
  private parseMul(): Expr {
    return this.binaryLevel(['*', '/', '%'], () => this.parseUnary());
  }

  private nested<T>(span: Span, f: () => T): T {
    if (++this.depth > MAX_DEPTH) this.error(`expression nested deeper than ${MAX_DEPTH} levels`, span);
    try {
      return f();
    } finally {
      this.depth--;
    }
  }

  private parseUnary(): Expr {
    const tok = this.peek();
    if (tok.t === 'op' && tok.op === '-') {
      this.pos++;
      const arg = this.nested(tok.span, () => this.parseUnary());
      return { kind: 'neg', arg, span: { start: tok.span.start, end: arg.span.end } };
    }
    return this.parsePrimary();
  }

  private parsePrimary(): Expr {
    const tok = this.peek();
    if (tok.t === 'num') {
      this.pos++;
      return { kind: 'lit', value: tok.value, span: tok.span };
    }
    if (tok.t === 'name') {
      this.pos++;
      if (!this.isOp('(')) return { kind: 'name', name: tok.name, span: tok.span };
      return this.parseCall(tok.name, tok.span);
    }
    if (tok.t === 'op' && tok.op === '(') {
      this.pos++;
      const inner = this.nested(tok.span, () => this.parseEquality());
      const close = this.peek();
      if (!this.isOp(')')) this.error(`expected ")" to close the "(" here, found ${describeToken(close)}`, tok.span);
      this.pos++;
      return { ...inner, span: { start: tok.span.start, end: close.span.end } };
    }
    return this.error(`expected a number, a name or "(", found ${describeToken(tok)}`);
  }

  private parseCall(name: string, nameSpan: Span): Expr {
    if (!(name in FUNCTIONS)) {
      this.error(`unknown function "${name}"${didYouMean(name, FUNCTION_NAMES)}; functions are ${FUNCTION_NAMES.join(', ')}`, nameSpan);
    }
    const fn = name as FunctionName;
    this.pos++; // '('
    const args: Expr[] = [];
    if (!this.isOp(')')) {
      for (;;) {
        args.push(this.nested(nameSpan, () => this.parseEquality()));
        if (!this.isOp(',')) break;
        this.pos++;
      }
    }
    const close = this.peek();
    if (!this.isOp(')')) this.error(`expected "," or ")" in the call of ${fn}, found ${describeToken(close)}`);
    this.pos++;
    const span = { start: nameSpan.start, end: close.span.end };
    const { min, max } = FUNCTIONS[fn];
    if (args.length < min || (max !== undefined && args.length > max)) {
      const want = max === min ? `exactly ${min}` : `at least ${min}`;
      this.error(`${fn}() takes ${want} argument${min === 1 ? '' : 's'}, got ${args.length}`, span);
    }
    return { kind: 'call', fn, args, span };
  }
}

function isFailure(x: unknown): x is ExprFailure {
  return typeof x === 'object' && x !== null && (x as { ok?: unknown }).ok === false;
}

function parseTokens(tokens: Token[]): { ok: true; expr: Expr } | ExprFailure {
  try {
    return { ok: true, expr: new ExprParser(tokens).parseAll() };
  } catch (e) {
    if (isFailure(e)) return e;
    throw e;
  }
}

/** Parse `source`, whose first character sits at offset `base` of the file text. */
export function parseExpr(source: string, base: number): { ok: true; expr: Expr } | ExprFailure {
  const tokens = tokenize(source, base);
  if (isFailure(tokens)) return tokens;
  const first = tokens[0] as Token;
  if (first.t === 'end') return fail('BAD_EXPR', 'empty expression', { start: base, end: base + source.length });
  return parseTokens(tokens);
}

/** Parse an inclusive range `A .. B` (a `for:` loop), split at its only top-level `..`. */
export function parseRange(source: string, base: number): { ok: true; from: Expr; to: Expr } | ExprFailure {
  const tokens = tokenize(source, base);
  if (isFailure(tokens)) return tokens;
  let depth = 0;
  const splits: number[] = [];
  tokens.forEach((tok, i) => {
    if (tok.t !== 'op') return;
    if (tok.op === '(') depth++;
    else if (tok.op === ')') depth--;
    else if (tok.op === '..' && depth === 0) splits.push(i);
  });
  const whole = { start: base, end: base + source.length };
  if (splits.length !== 1) {
    const second = splits[1] === undefined ? whole : (tokens[splits[1]] as Token).span;
    return fail('BAD_EXPR', `expected a range "FIRST .. LAST", found ${splits.length === 0 ? 'no ".."' : 'more than one ".."'}`, second);
  }
  const at = splits[0] as number;
  const dots = tokens[at] as Token;
  const endAt = (span: Span): Token => ({ t: 'end', span: { start: span.start, end: span.start } });
  if (at === 0) return fail('BAD_EXPR', 'missing the first value before ".."', dots.span);
  if ((tokens[at + 1] as Token).t === 'end') return fail('BAD_EXPR', 'missing the last value after ".."', dots.span);
  const from = parseTokens([...tokens.slice(0, at), endAt(dots.span)]);
  if (!from.ok) return from;
  const to = parseTokens(tokens.slice(at + 1));
  if (!to.ok) return to;
  return { ok: true, from: from.expr, to: to.expr };
}

/**
 * A value known only during a run (a mapping address, an fd, a model value, pfn()): what a static
 * evaluation (precheck.ts) gets for such a name. The evaluator then skips what depends on it instead of
 * guessing, and still reports what fails whatever it is (`x / 0`).
 */
export const RUN_TIME: unique symbol = Symbol('known only during a run');
export type RunTime = typeof RUN_TIME;

/** What an evaluation may read: names, and the model's address translations (a string = error message). */
export interface ExprEnv {
  lookup(name: string): bigint | RunTime | undefined;
  pfn(addr: bigint): bigint | string | RunTime;
  phys(addr: bigint): bigint | string | RunTime;
}

export type EvalResult = { ok: true; value: bigint } | ExprFailure;
/** An evaluation that may meet run-time values: a value, a failure, or RUN_TIME. */
export type PartialResult = EvalResult | RunTime;

const inRange = (v: bigint): boolean => v >= 0n && v < U64_LIMIT;
const outOfRange = (what: string, v: bigint, span: Span): ExprFailure =>
  fail('OUT_OF_RANGE', `${what} = ${v} is outside [0, 2^64)`, span);

/**
 * The largest value a step argument may take: the model handles addresses, lengths and counts as
 * numbers (DESIGN.md: addresses are below 2^53), so a step's arguments and expected values are below
 * 2^53, while expressions, `let` values and print holes may use all of [0, 2^64).
 */
export const MODEL_NUMBER_MAX = BigInt(Number.MAX_SAFE_INTEGER);

/** The failure for a step argument above MODEL_NUMBER_MAX, or undefined when it fits. */
export function modelNumberFailure(v: bigint, span: Span): ExprFailure | undefined {
  return v > MODEL_NUMBER_MAX ? fail('OUT_OF_RANGE', `${v} is too large for the model (at most 2^53 - 1)`, span) : undefined;
}

function applyBinary(op: BinaryOp, a: bigint, b: bigint, span: Span, rightSpan: Span): EvalResult {
  let v: bigint;
  switch (op) {
    case '+': v = a + b; break;
    case '-': v = a - b; break;
    case '*': v = a * b; break;
    case '/':
    case '%':
      if (b === 0n) return fail('OUT_OF_RANGE', `division by zero (${a} ${op} 0)`, rightSpan);
      v = op === '/' ? a / b : a % b;
      break;
    case '<<':
      if (a !== 0n && b >= 64n) return fail('OUT_OF_RANGE', `${a} << ${b} is outside [0, 2^64)`, span);
      v = a << b;
      break;
    case '>>':
      v = b >= 64n ? 0n : a >> b;
      break;
    case '==': v = a === b ? 1n : 0n; break;
    case '!=': v = a !== b ? 1n : 0n; break;
    case '<': v = a < b ? 1n : 0n; break;
    case '<=': v = a <= b ? 1n : 0n; break;
    case '>': v = a > b ? 1n : 0n; break;
    case '>=': v = a >= b ? 1n : 0n; break;
  }
  return inRange(v) ? { ok: true, value: v } : outOfRange(`${a} ${op} ${b}`, v, span);
}

/** Evaluate in BigInt; names are read through env at the time of the call. */
export function evalExpr(expr: Expr, env: ExprEnv): EvalResult {
  const r = evalPartial(expr, env);
  return r === RUN_TIME ? fail('UNDEFINED_NAME', 'a value known only during a run was read before it', expr.span) : r;
}

/**
 * The evaluator, for runs and for static checks alike: RUN_TIME where the value depends on something
 * env only knows during a run. Operands are evaluated left to right; the first failure wins.
 */
export function evalPartial(expr: Expr, env: ExprEnv): PartialResult {
  switch (expr.kind) {
    case 'lit':
      return inRange(expr.value) ? { ok: true, value: expr.value } : outOfRange('number', expr.value, expr.span);
    case 'name': {
      const v = env.lookup(expr.name);
      if (v === RUN_TIME) return RUN_TIME;
      if (v === undefined) return fail('UNDEFINED_NAME', `undefined name "${expr.name}"`, expr.span);
      return inRange(v) ? { ok: true, value: v } : outOfRange(expr.name, v, expr.span);
    }
    case 'neg': {
      const a = evalPartial(expr.arg, env);
      if (a === RUN_TIME || !a.ok || a.value === 0n) return a;
      return outOfRange(`-${a.value}`, -a.value, expr.span);
    }
    case 'binary': {
      const a = evalPartial(expr.left, env);
      if (a !== RUN_TIME && !a.ok) return a;
      const b = evalPartial(expr.right, env);
      if (b !== RUN_TIME && !b.ok) return b;
      if (a === RUN_TIME || b === RUN_TIME) {
        // Whatever the left operand is, dividing by a known zero fails.
        const byZero = b !== RUN_TIME && b.value === 0n && (expr.op === '/' || expr.op === '%');
        return byZero ? fail('OUT_OF_RANGE', `division by zero (… ${expr.op} 0)`, expr.right.span) : RUN_TIME;
      }
      return applyBinary(expr.op, a.value, b.value, expr.span, expr.right.span);
    }
    case 'call': {
      const values: bigint[] = [];
      let runTime = false;
      for (const arg of expr.args) {
        const r = evalPartial(arg, env);
        if (r === RUN_TIME) runTime = true;
        else if (!r.ok) return r;
        else values.push(r.value);
      }
      return runTime ? RUN_TIME : applyCall(expr.fn, values, expr.span, env);
    }
  }
}

function applyCall(fn: FunctionName, values: readonly bigint[], span: Span, env: ExprEnv): PartialResult {
  const first = values[0] ?? 0n;
  switch (fn) {
    case 'log2':
      if (first === 0n) return fail('OUT_OF_RANGE', 'log2(0) is undefined', span);
      return { ok: true, value: BigInt(first.toString(2).length - 1) };
    case 'min':
      return { ok: true, value: values.reduce((m, v) => (v < m ? v : m), first) };
    case 'max':
      return { ok: true, value: values.reduce((m, v) => (v > m ? v : m), first) };
    case 'pfn':
    case 'phys': {
      const r = fn === 'pfn' ? env.pfn(first) : env.phys(first);
      if (r === RUN_TIME) return RUN_TIME;
      if (typeof r === 'string') return fail('NOT_ADDRESS', r, span);
      return inRange(r) ? { ok: true, value: r } : outOfRange(`${fn}(0x${first.toString(16)})`, r, span);
    }
  }
}

/** Every name an expression reads, in source order. */
export function exprNames(expr: Expr): { name: string; span: Span }[] {
  const out: { name: string; span: Span }[] = [];
  const walk = (e: Expr): void => {
    switch (e.kind) {
      case 'lit': return;
      case 'name': out.push({ name: e.name, span: e.span }); return;
      case 'neg': walk(e.arg); return;
      case 'binary': walk(e.left); walk(e.right); return;
      case 'call': e.args.forEach(walk); return;
    }
  };
  walk(expr);
  return out;
}

/**
 * Whether the expression's value is an address, for print's `{expr}`: a name the callback calls an
 * address (one bound by mmap), or `+` / `-` whose left operand is an address expression.
 */
export function isAddressExpr(expr: Expr, isAddressName: (name: string) => boolean): boolean {
  if (expr.kind === 'name') return isAddressName(expr.name);
  if (expr.kind === 'binary' && (expr.op === '+' || expr.op === '-')) return isAddressExpr(expr.left, isAddressName);
  return false;
}
