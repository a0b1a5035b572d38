// Step items → Step values. An item is a map whose one key names the step (`mmap: {...}`), or a `for`
// item with keys for / let / do. The key decides the step first; only then are its arguments checked
// against that step's schema, so one typo gives one error.

import * as z from 'zod';
import type { ExprBuilder } from './build-exprs.js';
import { dropUndefined } from './build-exprs.js';
import { parseRange } from './expr.js';
import { MAIN, NON_SYSCALL_STEPS, profilesOffering, STEP_KEYS } from './names.js';
import { makeForItemSchema, stepArgSchemas } from './schema.js';
import { Scope, type BindingKind } from './scope.js';
import { didYouMean } from './suggest.js';
import { PROFILE_NAMES, type CallStep, type Expr, type ForStep, type Span, type Step, type StepArgs, type StepName, type TaskName } from './types.js';
import { checkFields, checkValue, describeValue } from './validate.js';
import type { Path, YamlSource } from './yaml-source.js';

const forItemShape = makeForItemSchema(z.unknown()).shape;
type Raw = Readonly<Record<string, unknown>>;
const isMap = (v: unknown): v is Raw => v !== null && typeof v === 'object' && !Array.isArray(v);

/** The kind of name each step's `as:` binds (memfd_create, userfaultfd, uffd_read: an fd-like value). */
const AS_KINDS: Partial<Record<StepName, BindingKind>> = {
  mmap: 'address', fork: 'process', spawn: 'process', thread: 'thread', pfn_of: 'number',
};

export class StepBuilder {
  private readonly src: YamlSource;
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
    const body = this.steps(Array.isArray(d?.do) ? d.do : [], [...path, 'do'], scope);
    if (!checked?.ok || !from || !to) return undefined;
    return { kind: 'for', ...this.common(path, 'for'), var: variable, from, to, let: lets, body };
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
    if (op === 'print') {
      const text = checkValue(src, stepArgSchemas.print, args, path);
      if (text === undefined) return undefined;
      return { kind: 'call', op, args: { text: x.interp(text, path, scope) }, ...common };
    }
    const schema = stepArgSchemas[op];
    const checked = checkFields(src, schema.shape, args, path, `"${op}"`);
    if (!checked) return undefined;
    const d = checked.data as Raw;
    const req = (key: string): Expr => x.reqExpr(d, key, path, scope);
    const opt = (key: string): Expr | undefined => x.optExpr(d, key, path, scope);
    let built: StepArgs[StepName];
    switch (op) {
      case 'memfd_create':
        built = dropUndefined({ as: d.as as string, name: d.name as string | undefined, flags: d.flags as StepArgs['memfd_create']['flags'] });
        break;
      case 'ftruncate':
        built = { fd: req('fd'), length: req('length') };
        break;
      case 'mmap':
        built = dropUndefined({
          as: d.as as string,
          addr: opt('addr'),
          length: req('length'),
          prot: d.prot as StepArgs['mmap']['prot'],
          flags: (d.flags ?? []) as StepArgs['mmap']['flags'],
          fd: opt('fd'),
          offset: opt('offset'),
        });
        break;
      case 'munmap':
        built = { addr: req('addr'), length: req('length') };
        break;
      case 'close':
        built = { fd: req('fd') };
        break;
      case 'access':
        built = dropUndefined({
          addr: req('addr'),
          op: d.op as StepArgs['access']['op'],
          value: opt('value'),
          in_thread: d.in_thread as StepArgs['access']['in_thread'],
        });
        break;
      case 'memset':
        built = { addr: req('addr'), length: req('length'), value: req('value') };
        break;
      case 'madvise':
        built = { addr: req('addr'), length: req('length'), advice: d.advice as StepArgs['madvise']['advice'] };
        break;
      case 'dump':
        built = dropUndefined({
          mapping: opt('mapping'),
          raw_hwp_list: opt('raw_hwp_list'),
          length: opt('length'),
          meminfo: d.meminfo as boolean | undefined,
          dmesg: d.dmesg as boolean | undefined,
        });
        break;
      case 'expect':
        built = x.stateExpect(d, path, scope);
        break;
      case 'fork':
        built = dropUndefined({ as: d.as as string, reader: opt('reader') });
        break;
      case 'spawn':
      case 'thread':
        built = { as: d.as as string };
        break;
      case 'sigaction':
        built = { SIGBUS: d.SIGBUS as StepArgs['sigaction']['SIGBUS'] };
        break;
      case 'sigprocmask': {
        const given = (['block', 'unblock'] as const).filter((k) => (args as Raw)[k] !== undefined);
        if (given.length !== 1) {
          src.report('BAD_VALUE', `"sigprocmask" takes exactly one of block, unblock (got ${given.length === 0 ? 'neither' : 'both'})`, src.nodeSpan(path));
        }
        const how = given[0] ?? 'block';
        built = { how, signals: (d[how] ?? []) as StepArgs['sigprocmask']['signals'] };
        break;
      }
      case 'prctl':
        built = { PR_MCE_KILL: d.PR_MCE_KILL as StepArgs['prctl']['PR_MCE_KILL'] };
        break;
      case 'sysctl':
        built = { name: d.name as StepArgs['sysctl']['name'], value: req('value') };
        break;
      case 'nr_hugepages':
        built = dropUndefined({ count: req('count'), size: d.size as StepArgs['nr_hugepages']['size'] });
        break;
      case 'corrupt_pfn':
        built = { pfn: req('pfn') };
        break;
      case 'hard_offline_page':
        built = { phys: req('phys') };
        break;
      case 'pfn_of':
        built = this.pfnOf(d, args as Raw, path, scope);
        break;
      case 'mce':
        built = { addr: req('addr') };
        break;
      case 'pread':
      case 'pwrite':
        built = { fd: req('fd'), length: req('length'), offset: req('offset') };
        break;
      case 'read':
        built = { fd: req('fd'), length: req('length') };
        break;
      case 'fallocate':
        built = { fd: req('fd'), mode: (d.mode ?? []) as StepArgs['fallocate']['mode'], offset: req('offset'), length: req('length') };
        break;
      case 'userfaultfd':
        built = { as: d.as as string, features: this.uffdFeatures(d.features, [...path, 'features']) };
        break;
      case 'uffdio_register':
        built = { uffd: req('uffd'), addr: req('addr'), length: req('length'), mode: (d.mode ?? []) as StepArgs['uffdio_register']['mode'] };
        break;
      case 'uffdio_unregister':
      case 'uffdio_continue':
        built = { uffd: req('uffd'), addr: req('addr'), length: req('length') };
        break;
      case 'uffdio_writeprotect':
        built = { uffd: req('uffd'), addr: req('addr'), length: req('length'), wp: d.wp as boolean };
        break;
      case 'uffd_read':
        built = dropUndefined({ uffd: req('uffd'), as: d.as as string | undefined });
        break;
    }
    const syscall = !NON_SYSCALL_STEPS.includes(op);
    const expectRaw = syscall ? (d.expect as Raw | undefined) : undefined;
    const expect = expectRaw && x.stepExpect(expectRaw, [...path, 'expect'], scope);
    const acting = typeof d.in === 'string' ? this.taskName(d.in, [...path, 'in'], scope) : undefined;
    // `as:` binds from this step on: after the step's own expressions were checked. A thread belongs to
    // the process the `thread` step acted in.
    if (typeof d.as === 'string') {
      const owner = op === 'thread' ? acting?.process ?? MAIN : undefined;
      scope.define(src, d.as, AS_KINDS[op] ?? 'fd', src.nodeSpan([...path, 'as']), owner);
    }
    if (!checked.ok) return undefined;
    const when = syscall ? (d.when as CallStep['when']) : undefined;
    const step = dropUndefined({
      kind: 'call', op, args: built, expect, on_error: syscall ? (d.on_error as 'skip' | undefined) : undefined, when, in: acting, ...common,
    });
    return step as CallStep;
  }

  /**
   * UFFDIO_API features: one that no profile offers is a construct no modelled kernel has (it would
   * be EINVAL everywhere); one that only some profiles offer stays a modelled EINVAL on the others.
   */
  private uffdFeatures(raw: unknown, path: Path): StepArgs['userfaultfd']['features'] {
    const features = (raw ?? []) as StepArgs['userfaultfd']['features'];
    features.forEach((f, i) => {
      if (profilesOffering(f).length > 0) return;
      this.src.report('UNSUPPORTED', `UFFD_FEATURE_${f} is offered by no modelled kernel (profiles ${PROFILE_NAMES.join(', ')}); ` +
        'UFFDIO_API would fail with EINVAL under every profile', this.src.nodeSpan([...path, i]));
    });
    return features;
  }

  /** `pfn_of`: exactly one of {fd, offset} and free_hugepage. */
  private pfnOf(d: Raw, raw: Raw, path: Path, scope: Scope): StepArgs['pfn_of'] {
    const x = this.x;
    const as = d.as as string;
    const file = raw.fd !== undefined || raw.offset !== undefined;
    if (file === (raw.free_hugepage !== undefined)) {
      this.src.report('BAD_VALUE', '"pfn_of" takes either fd and offset, or free_hugepage', this.src.nodeSpan(path));
    }
    if (!file && d.free_hugepage !== undefined) return { as, free_hugepage: x.reqExpr(d, 'free_hugepage', path, scope) };
    for (const key of ['fd', 'offset']) {
      if (file && raw[key] === undefined) this.src.report('MISSING_FIELD', `missing field "${key}" (pfn_of with a file takes fd and offset)`, this.src.nodeSpan(path));
    }
    return { as, fd: x.reqExpr(d, 'fd', path, scope), offset: x.reqExpr(d, 'offset', path, scope) };
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
