// Turning validated YAML values into typed AST pieces with spans: expressions (integers or strings),
// print interpolations, `let` bindings, a step's own `expect:`, and the pieces `expect:` fields use
// (kB amounts, counts, process names; the fields themselves are built by expect/).
// Names are checked against the scope as they are met. A piece that fails reports its error and
// becomes a placeholder: the loader returns a Scenario only when no error was reported.

import { exprNames, parseExpr, U64_LIMIT } from './expr.js';
import { parseInterp } from './interp.js';
import { KB_AMOUNT_PATTERN, KB_EXPR_PATTERN, letMap as letStepSchema } from './fields.js';
import { checkValue } from './validate.js';
import type { Scope } from './scope.js';
import { didYouMean } from './suggest.js';
import type { CountExpect, Expr, Interp, KbAmount, LetBinding, Span, StepExpect } from './types.js';
import type { Path, YamlSource } from './yaml-source.js';

/**
 * Stands in for a piece that failed; never reaches a returned Scenario. A name no scope binds, so that
 * the static check (precheck.ts) reads it as unknown rather than as a value it could misjudge.
 */
const placeholder = (path: Path, src: YamlSource): Expr => ({ kind: 'name', name: '', span: src.nodeSpan(path) });

type Raw = Readonly<Record<string, unknown>>;

export class ExprBuilder {
  constructor(readonly src: YamlSource) {}

  /** An expression field: a YAML integer or a string expression, names checked against `scope`. */
  expr(value: unknown, path: Path, scope: Scope): Expr {
    const src = this.src;
    if (typeof value === 'bigint') {
      const span = src.nodeSpan(path);
      if (value < 0n || value >= U64_LIMIT) src.report('OUT_OF_RANGE', `${value} is outside [0, 2^64)`, span);
      return { kind: 'lit', value, span };
    }
    if (typeof value !== 'string') return placeholder(path, src);
    const { base } = src.contentStart(path, value);
    const r = parseExpr(value, base);
    if (!r.ok) {
      src.report(r.code, r.message, r.span);
      return placeholder(path, src);
    }
    for (const n of exprNames(r.expr)) scope.check(src, n.name, n.span);
    return r.expr;
  }

  /** An optional expression field of `raw`. */
  optExpr(raw: Raw, key: string, path: Path, scope: Scope): Expr | undefined {
    return raw[key] === undefined ? undefined : this.expr(raw[key], [...path, key], scope);
  }

  /** A required expression field of `raw` (absent only after a reported error). */
  reqExpr(raw: Raw, key: string, path: Path, scope: Scope): Expr {
    return this.expr(raw[key], [...path, key], scope);
  }

  interp(value: string, path: Path, scope: Scope): Interp {
    const { base, span } = this.src.contentStart(path, value);
    const r = parseInterp(value, base, span);
    if (!r.ok) {
      this.src.report(r.code, r.message, r.span);
      return { parts: [], span };
    }
    for (const part of r.interp.parts) {
      if (typeof part !== 'string') for (const n of exprNames(part.expr)) scope.check(this.src, n.name, n.span);
    }
    return r.interp;
  }

  /**
   * `let` bindings in order; each may use the ones before it, each binds in `scope`. Each binding is
   * checked on its own: a bad one is reported and still binds its name (no "undefined name" later).
   */
  lets(raw: unknown, path: Path, scope: Scope): LetBinding[] {
    if (raw === undefined) return [];
    return this.bindings(raw, path, scope, (name, span) => {
      scope.define(this.src, name, 'let', span);
      return true;
    });
  }

  /** `set: {total: total + n}`: each name must be a let of this test bound before (scope.ts). */
  sets(raw: unknown, path: Path, scope: Scope): LetBinding[] {
    return this.bindings(raw, path, scope, (name, span) => scope.checkAssignable(this.src, name, span));
  }

  /**
   * A map of name → expression, in order, as `let` and `set` take it: each value is checked and parsed
   * on its own (a bad one becomes a placeholder); `bind` then binds or checks the name and says whether
   * the binding is kept.
   */
  private bindings(raw: unknown, path: Path, scope: Scope, bind: (name: string, span: Span) => boolean): LetBinding[] {
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
      checkValue(this.src, letStepSchema, raw, path);
      return [];
    }
    const out: LetBinding[] = [];
    for (const [name, value] of Object.entries(raw)) {
      const ok = checkValue(this.src, letStepSchema, { [name]: value }, path) !== undefined;
      const expr = ok ? this.expr(value, [...path, name], scope) : placeholder([...path, name], this.src);
      if (bind(name, this.src.keySpan([...path, name]))) out.push({ name, expr });
    }
    return out;
  }

  stepExpect(raw: Raw, path: Path, scope: Scope): StepExpect {
    const e = (key: string): Expr | undefined => this.optExpr(raw, key, path, scope);
    return dropUndefined({
      ret: e('ret'),
      errno: raw.errno as StepExpect['errno'],
      sigbus: raw.sigbus as StepExpect['sigbus'],
      si_addr: e('si_addr'),
      si_addr_lsb: e('si_addr_lsb'),
      value: e('value'),
      blocked: raw.blocked as boolean | undefined,
      bug: raw.bug as string | undefined,
      event: raw.event as StepExpect['event'],
      address: e('address'),
      bytes: e('bytes'),
      ioctls: raw.ioctls as StepExpect['ioctls'],
      updated: e('updated'),
      updated_errno: raw.updated_errno as StepExpect['updated_errno'],
    });
  }

  /** `3` (absolute) or `"+3"` / `"+ N - 1"` (change since the test started). */
  countExpect(value: unknown, path: Path, scope: Scope): CountExpect {
    if (typeof value === 'string') {
      const m = /^(\s*\+)/.exec(value);
      if (m) {
        const { base } = this.src.contentStart(path, value);
        const rest = value.slice(m[0].length);
        const r = parseExpr(rest, base + m[0].length);
        if (!r.ok) {
          this.src.report(r.code, r.message, r.span);
          return { delta: true, value: placeholder(path, this.src) };
        }
        for (const n of exprNames(r.expr)) scope.check(this.src, n.name, n.span);
        return { delta: true, value: r.expr };
      }
    }
    return { delta: false, value: this.expr(value, path, scope) };
  }

  /** `2048 kB` or `{H / 1024} kB`: the expression before "kB" (braces optional), in kB. */
  kbExpr(value: string, path: Path, scope: Scope): Expr {
    const m = KB_EXPR_PATTERN.exec(value);
    const head = m?.[2] ?? '';
    const braced = head.startsWith('{');
    const body = braced ? head.slice(1, -1) : head;
    const { base } = this.src.contentStart(path, value);
    const r = parseExpr(body, base + (m?.[1]?.length ?? 0) + (braced ? 1 : 0));
    if (!r.ok) {
      this.src.report(r.code, r.message, r.span);
      return placeholder(path, this.src);
    }
    for (const n of exprNames(r.expr)) scope.check(this.src, n.name, n.span);
    return r.expr;
  }

  /** Process names (signals keys, alive, dead): defined, and processes. */
  processName(name: string, span: { start: number; end: number }, scope: Scope): void {
    const kind = scope.lookup(name);
    if (kind === undefined) {
      this.src.report('UNDEFINED_NAME', `undefined process "${name}"${didYouMean(name, scope.visibleOf(['process']))}`, span);
    } else if (kind !== 'process') {
      this.src.report('BAD_VALUE', `"${name}" is ${kind === 'address' ? 'an address' : `a ${kind} name`}, not a process`, span);
    }
  }

  kbAmount(value: string, path: Path): KbAmount {
    const span = this.src.nodeSpan(path);
    const m = KB_AMOUNT_PATTERN.exec(value);
    const kB = BigInt(m?.[2] ?? '0');
    if (kB >= U64_LIMIT) this.src.report('OUT_OF_RANGE', `${kB} kB is outside [0, 2^64)`, span);
    return { delta: m?.[1] === '+', kB, span };
  }
}

/** The object without its undefined-valued keys (so that `'x' in obj` means x was given). */
export function dropUndefined<T extends object>(obj: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) if (v !== undefined) out[k] = v;
  return out as T;
}
