// Name scopes of a scenario, checked in program order: built-in and model names at the root, the
// file's `let` below them, one scope per test, and one per `for` body (its variable, its `let` and
// whatever its steps bind). A name is visible from its binding on, in its scope and the ones below.

import { didYouMean } from './suggest.js';
import { BUILTIN_NAMES, MODEL_NAMES, type Span } from './types.js';
import type { YamlSource } from './yaml-source.js';

export type BindingKind = 'builtin' | 'model' | 'let' | 'fd' | 'address' | 'loop';

export class Scope {
  private readonly names = new Map<string, { kind: BindingKind; span?: Span }>();
  constructor(readonly parent?: Scope) {}

  lookup(name: string): BindingKind | undefined {
    return this.names.get(name)?.kind ?? this.parent?.lookup(name);
  }

  /** Every visible name (for suggestions). */
  visible(): string[] {
    return [...this.names.keys(), ...(this.parent?.visible() ?? [])];
  }

  /** Bind `name`; DUPLICATE_NAME when it is built in or already bound in this same scope. */
  define(src: YamlSource, name: string, kind: BindingKind, span: Span): void {
    if ((BUILTIN_NAMES as readonly string[]).includes(name) || (MODEL_NAMES as readonly string[]).includes(name)) {
      src.report('DUPLICATE_NAME', `"${name}" is a built-in name and cannot be redefined`, span);
      return;
    }
    const prior = this.names.get(name);
    if (prior) {
      const where = prior.span ? ` (first bound at line ${src.linePos(prior.span.start).line})` : '';
      src.report('DUPLICATE_NAME', `"${name}" is already defined in this scope${where}`, span);
      return;
    }
    this.names.set(name, { kind, span });
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
