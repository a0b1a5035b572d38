// Step items → Step values. An item is a map whose one key names the step (`mmap: {...}`), or a `for`
// item with keys for / let / do. The key decides the step first; only then are its arguments checked
// against that step's schema, so one typo gives one error.

import * as z from 'zod';
import type { ExprBuilder } from './build-exprs.js';
import { dropUndefined } from './build-exprs.js';
import { parseRange } from './expr.js';
import { buildFields } from './build-walk.js';
import { MAIN } from './names.js';
import { makeForItemSchema } from './schema.js';
import { STEP_KEYS, STEPS } from './steps/index.js';
import { Scope, type BindingKind } from './scope.js';
import { PROFILE_NAMES } from '../abi/index.js';
import { didYouMean } from './suggest.js';
import { HUGEPAGE_SIZES, type CallStep, type Expr, type ForStep, type HugepageSize, type ProfileName, type Span, type StepWhen, type Step, type StepName, type TaskName } from './types.js';
import { checkFields, checkValue, describeValue } from './validate.js';
import type { Path, YamlSource } from './yaml-source.js';

const forItemShape = makeForItemSchema(z.unknown()).shape;
type Raw = Readonly<Record<string, unknown>>;
const isMap = (v: unknown): v is Raw => v !== null && typeof v === 'object' && !Array.isArray(v);

/** `when: {hugepagesz: [...], profile: [...]}`, validated by the common schema. */
export function whenOf(value: unknown): StepWhen | undefined {
  if (!isMap(value)) return undefined;
  const sizes = Array.isArray(value.hugepagesz) ? value.hugepagesz.filter((s): s is HugepageSize => HUGEPAGE_SIZES.includes(s as HugepageSize)) : undefined;
  const profiles = Array.isArray(value.profile) ? value.profile.filter((p): p is ProfileName => PROFILE_NAMES.includes(p as ProfileName)) : undefined;
  return dropUndefined({ hugepagesz: sizes, profile: profiles });
}

export class StepBuilder {
  private readonly src: YamlSource;
  /** How many `for` bodies enclose the steps being built (`on_error: break` needs one). */
  private loops = 0;
  constructor(private readonly x: ExprBuilder) {
    this.src = x.src;
  }

  steps(items: readonly unknown[], path: Path, scope: Scope): Step[] {
    const out: Step[] = [];
    items.forEach((item, i) => {
      const step = this.step(item, [...path, i], scope);
      if (step) out.push(step);
    });
    return out;
  }

  private common(path: Path, key: string): { line: number; col: number; span: Span } {
    const keySpan = this.src.keySpan([...path, key]);
    const { line, col } = this.src.linePos(keySpan.start);
    const item = this.src.nodeSpan(path);
    return { line, col, span: { start: keySpan.start, end: Math.max(keySpan.end, item.end) } };
  }

  private step(item: unknown, path: Path, scope: Scope): Step | undefined {
    const src = this.src;
    if (!isMap(item)) {
      src.report('BAD_TYPE', `a step is a map whose key names the step (e.g. "- mmap: {...}"), got ${describeValue(item)}`, src.nodeSpan(path));
      return undefined;
    }
    const keys = Object.keys(item);
    if ('for' in item) return this.forStep(item, path, scope);
    const [name, ...extra] = keys;
    if (name === undefined) {
      src.report('BAD_VALUE', 'empty step: write "- <step>: {...}"', src.nodeSpan(path));
      return undefined;
    }
    if (!STEP_KEYS.includes(name)) {
      src.report('UNKNOWN_STEP', `unknown step "${name}"${didYouMean(name, STEP_KEYS)}`, src.keySpan([...path, name]));
      return undefined;
    }
    for (const key of extra) {
      const why = key === 'expect' || key === 'on_error'
        ? `; move it inside the step's own map: "- ${name}: {…, ${key}: ${key === 'expect' ? '{ret: 0}' : 'skip'}}"` +
          (key === 'expect' ? ' (a standalone expect step is a list item of its own)' : '')
        : STEP_KEYS.includes(key)
          ? `; start a new list item ("- ${key}: ...") for another step`
          : '';
      src.report('UNKNOWN_FIELD', `a step has exactly one key, "${name}"; "${key}" is not part of it${why}`, src.keySpan([...path, key]));
    }
    const argPath = [...path, name];
    const args = item[name];
    if (name === 'let') {
      const before = src.errors.length;
      const bindings = this.x.lets(args, argPath, scope);
      if (src.errors.length > before) return undefined;
      return { kind: 'let', ...this.common(path, name), bindings };
    }
    if (name === 'set') {
      const before = src.errors.length;
      const bindings = this.x.sets(args, argPath, scope);
      if (src.errors.length > before) return undefined;
      return { kind: 'set', ...this.common(path, name), bindings };
    }
    const step = this.callStep(name as StepName, args, argPath, scope, this.common(path, name));
    return extra.length > 0 ? undefined : step;
  }

  private forStep(item: Raw, path: Path, outer: Scope): ForStep | undefined {
    const src = this.src;
    const checked = checkFields(src, forItemShape, item, path, 'a "for" item');
    const d = checked?.data;
    const vars = Object.entries(d?.for ?? {});
    const forPath = [...path, 'for'];
    const scope = new Scope(outer);
    let variable = '';
    let from: Expr | undefined;
    let to: Expr | undefined;
    if (d?.for !== undefined && vars.length !== 1) {
      src.report('BAD_VALUE', `"for" takes exactly one loop variable, e.g. "for: {k: 1 .. 4}", got ${vars.length}`, src.nodeSpan(forPath));
    }
    const first = vars[0];
    if (first && vars.length === 1) {
      const [name, range] = first;
      const { base } = src.contentStart([...forPath, name], range);
      const r = parseRange(range, base);
      if (r.ok) {
        from = r.from;
        to = r.to;
        // Names of both bounds are checked against the scope outside the loop.
        for (const e of [r.from, r.to]) this.checkNames(e, outer);
      } else {
        src.report(r.code, r.message, r.span);
      }
      variable = name;
      scope.define(src, name, 'loop', src.keySpan([...forPath, name]));
    }
    const lets = this.x.lets(item.let, [...path, 'let'], scope);
    // `while:` sees the variable and the iteration's let.
    const cond = item.while === undefined ? undefined : this.x.expr(item.while, [...path, 'while'], scope);
    this.loops++;
    const body = this.steps(Array.isArray(d?.do) ? d.do : [], [...path, 'do'], scope);
    this.loops--;
    if (!checked?.ok || !from || !to) return undefined;
    return dropUndefined({ kind: 'for' as const, ...this.common(path, 'for'), var: variable, from, to, let: lets, while: cond, body });
  }

  private checkNames(e: Expr, scope: Scope): void {
    switch (e.kind) {
      case 'lit': return;
      case 'name': scope.check(this.src, e.name, e.span); return;
      case 'neg': this.checkNames(e.arg, scope); return;
      case 'binary': this.checkNames(e.left, scope); this.checkNames(e.right, scope); return;
      case 'call': for (const a of e.args) this.checkNames(a, scope); return;
    }
  }

  private callStep(
    op: StepName,
    args: unknown,
    path: Path,
    scope: Scope,
    common: { line: number; col: number; span: Span },
  ): CallStep | undefined {
    const src = this.src;
    const x = this.x;
    const def = STEPS[op];
    const shape = def.schema instanceof z.ZodObject ? (def.schema.shape as Readonly<Record<string, z.ZodType>>) : undefined;
    let data: Raw = {};
    let ok = true;
    let value: unknown;
    if (shape) {
      const checked = checkFields(src, shape, args, path, `"${op}"`);
      if (!checked) return undefined;
      ({ ok, data } = checked);
      value = data;
    } else {
      value = checkValue(src, def.schema, args, path);
      if (value === undefined) return undefined;
    }
    const given = (key: string): boolean => isMap(args) && args[key] !== undefined;
    const built = def.build
      ? def.build({ src, x, scope, path, data: value, given, generic: () => buildFields(x, shape ?? {}, data, path, scope) })
      : buildFields(x, shape ?? {}, data, path, scope);
    const { syscall, binds = 'fd', breaksLoop } = def.traits;
    // A map-valued step's `when:` (print takes a string or a map).
    const whenRaw = shape ? data.when : isMap(value) ? value.when : undefined;
    const when = whenOf(whenRaw);
    const holds = isMap(whenRaw) && whenRaw.holds !== undefined ? x.expr(whenRaw.holds, [...path, 'when', 'holds'], scope) : undefined;
    const expectRaw = syscall && isMap(data.expect) ? data.expect : undefined;
    const expect = expectRaw && x.stepExpect(expectRaw, [...path, 'expect'], scope);
    const acting = typeof data.in === 'string' ? this.taskName(data.in, [...path, 'in'], scope) : undefined;
    // `as:` binds from this step on: after the step's own expressions were checked. A thread belongs to
    // the process the step that made it acted in.
    if (typeof data.as === 'string') {
      const owner = binds === 'thread' ? acting?.process ?? MAIN : undefined;
      // A step selected by size or profile alone may bind a name another such step binds for other streams.
      const alternative = when !== undefined && holds === undefined && (when.profile !== undefined || when.hugepagesz !== undefined) ? when : undefined;
      scope.define(src, data.as, binds, src.nodeSpan([...path, 'as']), owner, alternative);
    }
    if (breaksLoop === true && this.loops === 0) {
      src.report('BAD_VALUE', `"${op}" leaves the innermost loop, and this step is in no "for"`, common.span);
      return undefined;
    }
    if (syscall && data.on_error === 'break' && this.loops === 0) {
      src.report('BAD_VALUE', 'on_error: break ends the innermost loop, and this step is in no "for"; use on_error: skip to end the test', src.nodeSpan([...path, 'on_error']));
      return undefined;
    }
    if (!ok) return undefined;
    const step = dropUndefined({
      kind: 'call', op, args: built, expect,
      on_error: syscall && (data.on_error === 'skip' || data.on_error === 'break') ? data.on_error : undefined,
      when: when === undefined ? undefined : dropUndefined({ ...when, holds }),
      in: acting, ...common,
    });
    // The registry erases each step's argument type; the definition named `op` built these arguments.
    return step as CallStep;
  }

  /**
   * `in: C` (a process: its main thread), `in: T` (a thread, in the process that made it) or `in: C.T`
   * (T must belong to C; `C.main` is C's main thread).
   */
  private taskName(value: string, path: Path, scope: Scope): TaskName | undefined {
    const src = this.src;
    const span = src.nodeSpan(path);
    const [first = '', second] = value.split('.');
    const want = (name: string, kinds: readonly BindingKind[], what: string): boolean => {
      const kind = scope.lookup(name);
      if (kind === undefined) {
        src.report('UNDEFINED_NAME', `undefined ${what} "${name}"${didYouMean(name, scope.visibleOf(kinds))}`, span);
        return false;
      }
      if (!kinds.includes(kind)) {
        src.report('BAD_VALUE', `"${name}" is ${kind === 'address' ? 'an address' : `a ${kind} name`}, not a ${what}`, span);
        return false;
      }
      return true;
    };
    if (second === undefined) {
      if (!want(first, ['process', 'thread'], 'process or thread')) return undefined;
      const b = scope.binding(first);
      return b?.kind === 'thread' ? { process: b.owner ?? MAIN, thread: first, span } : { process: first, span };
    }
    if (!want(first, ['process'], 'process')) return undefined;
    if (second === MAIN) return { process: first, span };
    if (!want(second, ['thread'], 'thread')) return undefined;
    const owner = scope.binding(second)?.owner ?? MAIN;
    if (owner !== first) {
      src.report('BAD_VALUE', `thread "${second}" belongs to process "${owner}", not "${first}"`, span);
      return undefined;
    }
    return { process: first, thread: second, span };
  }
}
