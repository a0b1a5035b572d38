// Name scopes of a scenario, checked in program order: built-in and model names at the root, the
// file's `let` below them, one scope per test, and one per `for` body (its variable, its `let` and
// whatever its steps bind). A name is visible from its binding on, in its scope and the ones below.

import { didYouMean } from './suggest.js';
import { BUILTIN_NAMES, MODEL_NAMES, type Span, type StepWhen } from './types.js';
import type { YamlSource } from './yaml-source.js';

/**
 * What a name stands for. `process` / `thread` names (fork/spawn/thread `as:`, and `main`) are what
 * `in:` takes; in expressions they read as the pid / tid. `number` is a plain value (pfn_of).
 */
export type BindingKind = 'builtin' | 'model' | 'let' | 'fd' | 'address' | 'loop' | 'number' | 'process' | 'thread';

interface Binding {
  readonly kind: BindingKind;
  readonly span?: Span;
  /** A thread's process name. */
  readonly owner?: string;
  /**
   * The `when:` of each step that bound the name, when every one of them selects streams by size or
   * profile alone: alternatives (a memfd_create with a flag only one kernel knows, and one without).
   */
  readonly alternatives?: readonly StepWhen[];
}

/** Whether no stream runs both steps: their profiles, or their hugepage sizes, have nothing in common. */
const disjoint = (a: StepWhen, b: StepWhen): boolean =>
  (a.profile !== undefined && b.profile !== undefined && !a.profile.some((p) => b.profile?.includes(p))) ||
  (a.hugepagesz !== undefined && b.hugepagesz !== undefined && !a.hugepagesz.some((z) => b.hugepagesz?.includes(z)));

export class Scope {
  private readonly names = new Map<string, Binding>();
  /** A test's own scope: `set:` rebinds names bound here or below, never the file's. */
  private test = false;
  constructor(readonly parent?: Scope) {}

  lookup(name: string): BindingKind | undefined {
    return this.binding(name)?.kind;
  }

  /** The visible binding of `name`, with its owner for a thread. */
  binding(name: string): Binding | undefined {
    return this.names.get(name) ?? this.parent?.binding(name);
  }

  /** Visible names of one kind (for suggestions). */
  visibleOf(kinds: readonly BindingKind[]): string[] {
    return this.visible().filter((n) => kinds.includes(this.lookup(n) ?? 'builtin'));
  }

  /** A test's scope: `main`, the process and thread the test starts in, is bound without a span. */
  static forTest(parent: Scope, main: string): Scope {
    const s = new Scope(parent);
    s.test = true;
    s.names.set(main, { kind: 'process' });
    return s;
  }

  /** Every visible name (for suggestions). */
  visible(): string[] {
    return [...this.names.keys(), ...(this.parent?.visible() ?? [])];
  }

  /**
   * Bind `name`; DUPLICATE_NAME when it is built in or already bound in this same scope, unless every
   * step that bound it and this one (`when`: this step's, without `holds`) select disjoint streams: then
   * each stream runs one of them and the name has one binding in each.
   */
  define(src: YamlSource, name: string, kind: BindingKind, span: Span, owner?: string, when?: StepWhen): void {
    if ((BUILTIN_NAMES as readonly string[]).includes(name) || (MODEL_NAMES as readonly string[]).includes(name)) {
      src.report('DUPLICATE_NAME', `"${name}" is a built-in name and cannot be redefined`, span);
      return;
    }
    const prior = this.names.get(name);
    if (prior && when !== undefined && prior.alternatives !== undefined && prior.kind === kind && prior.owner === owner &&
      prior.alternatives.every((w) => disjoint(w, when))) {
      this.names.set(name, { ...prior, alternatives: [...prior.alternatives, when] });
      return;
    }
    if (prior) {
      const where = prior.span ? ` (first bound at line ${src.linePos(prior.span.start).line})` : ' (the process every test starts in)';
      src.report('DUPLICATE_NAME', `"${name}" is already defined in this scope${where}`, span);
      return;
    }
    this.names.set(name, { kind, span, ...(owner !== undefined ? { owner } : {}), ...(when !== undefined ? { alternatives: [when] } : {}) });
  }

  /**
   * Whether `set:` may rebind `name`: a `let` of this test (or of an enclosing loop of it) bound before.
   * Reports why not (undefined, not a let, the file's let) and returns false.
   */
  checkAssignable(src: YamlSource, name: string, span: Span): boolean {
    for (let s: Scope | undefined = this; s !== undefined; s = s.parent) {
      const b = s.names.get(name);
      if (b !== undefined) {
        if (b.kind === 'let') return true;
        const what = b.kind === 'loop' ? 'a loop variable' : b.kind === 'address' ? 'an address' : `a ${b.kind} name`;
        src.report('BAD_VALUE', `set: "${name}" is ${what}; set rebinds only a name a let of this test bound`, span);
        return false;
      }
      if (s.test) break;
    }
    if (this.lookup(name) === 'let') {
      src.report('BAD_VALUE', `set: "${name}" is bound by the file's let, shared by every test; bind it with a let in the test`, span);
      return false;
    }
    if (this.lookup(name) !== undefined) {
      src.report('BAD_VALUE', `set: "${name}" is a built-in or model name; set rebinds only a name a let of this test bound`, span);
      return false;
    }
    src.report('UNDEFINED_NAME', `set: undefined name "${name}"${didYouMean(name, this.visibleOf(['let']))}; bind it with a let first`, span);
    return false;
  }

  /** Report an undefined name with a suggestion; true when the name is visible. */
  check(src: YamlSource, name: string, span: Span): boolean {
    if (this.lookup(name) !== undefined) return true;
    src.report('UNDEFINED_NAME', `undefined name "${name}"${didYouMean(name, this.visible())}`, span);
    return false;
  }

  /** The root scope: built-in names and model names. */
  static root(): Scope {
    const s = new Scope();
    for (const n of BUILTIN_NAMES) s.names.set(n, { kind: 'builtin' });
    for (const n of MODEL_NAMES) s.names.set(n, { kind: 'model' });
    return s;
  }
}
