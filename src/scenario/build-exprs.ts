// Turning validated YAML values into typed AST pieces with spans: expressions (integers or strings),
// print interpolations, `let` bindings, a step's own `expect:` and the `expect:` step's assertions.
// Names are checked against the scope as they are met. A piece that fails reports its error and
// becomes a placeholder: the loader returns a Scenario only when no error was reported.

import { exprNames, parseExpr, U64_LIMIT } from './expr.js';
import { parseInterp } from './interp.js';
import { KB_AMOUNT_PATTERN } from './schema.js';
import type { Scope } from './scope.js';
import type { Expr, Interp, KbAmount, LetBinding, StateExpect, StepExpect } from './types.js';
import type { Path, YamlSource } from './yaml-source.js';

/** Stands in for a piece that failed; never reaches a returned Scenario. */
const placeholder = (path: Path, src: YamlSource): Expr => ({ kind: 'lit', value: 0n, span: src.nodeSpan(path) });

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

  /** `let` bindings in order; each may use the ones before it, each binds in `scope`. */
  lets(raw: Raw | undefined, path: Path, scope: Scope): LetBinding[] {
    const out: LetBinding[] = [];
    for (const [name, value] of Object.entries(raw ?? {})) {
      const expr = this.expr(value, [...path, name], scope);
      scope.define(this.src, name, 'let', this.src.keySpan([...path, name]));
      out.push({ name, expr });
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
    });
  }

  kbAmount(value: string, path: Path): KbAmount {
    const span = this.src.nodeSpan(path);
    const m = KB_AMOUNT_PATTERN.exec(value);
    const kB = BigInt(m?.[2] ?? '0');
    if (kB >= U64_LIMIT) this.src.report('OUT_OF_RANGE', `${kB} kB is outside [0, 2^64)`, span);
    return { delta: m?.[1] === '+', kB, span };
  }

  stateExpect(raw: Raw, path: Path, scope: Scope): StateExpect {
    const sub = (key: string): Raw | undefined => raw[key] as Raw | undefined;
    const at = (key: string): Path => [...path, key];
    const req = (obj: Raw, key: string, p: Path): Expr => this.reqExpr(obj, key, p, scope);
    const opt = (obj: Raw, key: string, p: Path): Expr | undefined => this.optExpr(obj, key, p, scope);
    const hwp = sub('raw_hwp_list');
    const mapping = sub('mapping');
    const bytes = sub('bytes');
    const pool = sub('pool');
    const refcount = sub('refcount');
    const mapcount = sub('mapcount');
    const hc = raw.HardwareCorrupted;
    return dropUndefined({
      raw_hwp_list: hwp && {
        of: req(hwp, 'of', at('raw_hwp_list')),
        is: ((hwp.is as unknown[] | undefined) ?? []).map((v, i) => this.expr(v, [...at('raw_hwp_list'), 'is', i], scope)),
      },
      mapping: mapping && dropUndefined({
        at: req(mapping, 'at', at('mapping')),
        size: opt(mapping, 'size', at('mapping')),
        kind: mapping.kind as NonNullable<StateExpect['mapping']>['kind'],
      }),
      HardwareCorrupted: typeof hc === 'string' ? this.kbAmount(hc, at('HardwareCorrupted')) : undefined,
      bytes: bytes && {
        addr: req(bytes, 'addr', at('bytes')),
        length: req(bytes, 'length', at('bytes')),
        value: req(bytes, 'value', at('bytes')),
      },
      pool: pool && dropUndefined({
        total: opt(pool, 'total', at('pool')),
        free: opt(pool, 'free', at('pool')),
        resv: opt(pool, 'resv', at('pool')),
        surplus: opt(pool, 'surplus', at('pool')),
      }),
      refcount: refcount && { of: req(refcount, 'of', at('refcount')), is: req(refcount, 'is', at('refcount')) },
      mapcount: mapcount && { of: req(mapcount, 'of', at('mapcount')), is: req(mapcount, 'is', at('mapcount')) },
      dmesg: raw.dmesg as string[] | undefined,
    });
  }
}

/** The object without its undefined-valued keys (so that `'x' in obj` means x was given). */
export function dropUndefined<T extends object>(obj: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) if (v !== undefined) out[k] = v;
  return out as T;
}
