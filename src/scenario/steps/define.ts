// defineStep: the scenario side of one step, in the manner of typescript-eslint's createRule — its
// name, its argument schema, one line of meaning, one YAML example and its traits. Everything else
// about a step's shape is derived from this: the argument type (Built over the schema's output), the
// zod schema the loader checks, the builder (build-steps.ts walks the schema) and docs/scenarios.md.
// The runner's side (what the step does) is keyed by the same name in runner/steps/ (README.md).

import type * as z from 'zod';
import type { ExprBuilder } from '../build-exprs.js';
import type { CommonKey } from '../fields.js';
import type { Scope, BindingKind } from '../scope.js';
import type { Expr } from '../types.js';
import type { Path, YamlSource } from '../yaml-source.js';

/** A schema's output with every expression field (fields.ts expr()) parsed into an Expr. */
export type Built<T> = T extends z.core.$brand<'expr'>
  ? Expr
  : T extends readonly (infer U)[]
    ? readonly Built<U>[]
    : T extends ReadonlyMap<unknown, unknown>
      ? T
      : T extends object
        ? { readonly [K in keyof T]: Built<T[K]> }
        : T;

/** The arguments a step gets when the generic walk builds them: its own fields, parsed. */
export type GenericArgs<S extends z.ZodType> = Omit<Built<z.output<S>>, CommonKey>;

/** A map schema's validated fields (each may be missing after a reported error), or a scalar's value. */
export type DataOf<S extends z.ZodType> = z.output<S> extends Readonly<Record<string, unknown>>
  ? { readonly [K in keyof z.output<S>]?: z.output<S>[K] }
  : z.output<S>;

/** What a step's `build` hook may use: the validated fields, the raw YAML value and the builders. */
export interface BuildInput<S extends z.ZodType> {
  readonly src: YamlSource;
  readonly x: ExprBuilder;
  readonly scope: Scope;
  /** The path of the step's argument value. */
  readonly path: Path;
  /** The value after schema validation (defaults applied); a map's fields that failed it are left out. */
  readonly data: DataOf<S>;
  /** Whether the YAML map wrote `key` (valid or not). */
  given(key: string): boolean;
  /** The arguments as the generic walk builds them (expressions parsed, undefined fields dropped). */
  generic(): Readonly<Record<string, unknown>>;
}

/** What the loader and the runner know about a step without naming it. */
export interface StepTraits<A> {
  /** A call into the kernel: it takes `expect:`, `on_error:` and `when:`, and an errno it returns is judged. */
  readonly syscall: boolean;
  /** The step loads or stores user memory: a SIGBUS during it is its outcome, judged by `expect: {sigbus}`. */
  readonly touchesMemory?: boolean;
  /** The step leaves the innermost loop (the loader allows it only inside a `for`). */
  readonly breaksLoop?: boolean;
  /** The return value is an address: -v prints it and `expect: {ret}` compares it in hex. */
  readonly returnsAddress?: boolean;
  /** The kind of name `as:` binds (default 'fd'); a 'thread' belongs to the process the step acted in. */
  readonly binds?: BindingKind;
  /**
   * A step that is no syscall still needs the acting process's mm (page tables, memory) with these
   * arguments; without it, it runs in a dead process too (an observer).
   */
  readsMm?(args: A): boolean;
}

export interface StepDef<N extends string, S extends z.ZodType, A> {
  readonly name: N;
  /** The YAML value's schema: a map (its own fields plus fields.ts syscallCommon) or a scalar. */
  readonly schema: S;
  /** One line for docs and --help. */
  readonly describe: string;
  /** One line of YAML; read in registry order the examples form one valid test (docs/scenarios.md). */
  readonly example: string;
  readonly traits: StepTraits<A>;
  /** Arguments the generic walk cannot build (a scalar value, exclusive fields); reports its own errors. */
  build?(input: BuildInput<S>): A;
}

/** The arguments a definition builds: its build hook's, else the generic walk's. */
export type ArgsOf<D> = D extends { build?(input: never): infer A } ? (unknown extends A ? GenericOf<D> : A) : GenericOf<D>;
type GenericOf<D> = D extends { readonly schema: infer S extends z.ZodType } ? GenericArgs<S> : never;

/**
 * A definition with its name, schema and argument types forgotten: what generic code (the builder,
 * docs, the interpreter) walks. Every StepDef is one (build and readsMm are methods: bivariant).
 */
export type AnyStepDef = StepDef<string, z.ZodType, unknown>;

/** Identity with inference: the arguments are the generic walk's unless a `build` hook says otherwise. */
export function defineStep<const N extends string, S extends z.ZodType, A = GenericArgs<S>>(def: StepDef<N, S, A>): StepDef<N, S, A> {
  return def;
}
