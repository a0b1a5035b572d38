// defineExpectField: one assertion of the `expect:` step — its key, its schema and, when the generic
// walk (build-walk.ts) cannot build it, a build hook; readsMm says whether it reads the acting
// process's page tables or memory (then a dead process fails the step). Its comparison with the model
// is the runner's, keyed by the same name (src/runner/expect/).

import type * as z from 'zod';
import type { ExprBuilder } from '../build-exprs.js';
import type { Scope } from '../scope.js';
import type { Path, YamlSource } from '../yaml-source.js';
import type { Built } from '../steps/define.js';

export interface ExpectFieldInput<S extends z.ZodType> {
  readonly src: YamlSource;
  readonly x: ExprBuilder;
  readonly scope: Scope;
  /** The path of the field's value. */
  readonly path: Path;
  /** The value after schema validation. */
  readonly data: z.output<S>;
}

export interface ExpectFieldDef<N extends string, S extends z.ZodType, A> {
  readonly name: N;
  /** The field's schema (optional: every assertion of the step is). */
  readonly schema: S;
  /** The assertion reads the acting process's page tables or memory. */
  readonly readsMm: boolean;
  /** What the generic walk cannot build (units, deltas, process names checked); reports its own errors. */
  build?(input: ExpectFieldInput<S>): A;
}

/** What a field builds: its hook's result, else the schema's output with expressions parsed. */
export type ExpectArgsOf<D> = D extends { build?(input: never): infer A }
  ? unknown extends A ? GenericOf<D> : A
  : GenericOf<D>;
type GenericOf<D> = D extends { readonly schema: infer S extends z.ZodType } ? Built<NonNullable<z.output<S>>> : never;

/** A field definition with its types forgotten, for generic code (build is a method: bivariant). */
export type AnyExpectFieldDef = ExpectFieldDef<string, z.ZodType, unknown>;

export function defineExpectField<const N extends string, S extends z.ZodType, A = Built<NonNullable<z.output<S>>>>(
  def: ExpectFieldDef<N, S, A>,
): ExpectFieldDef<N, S, A> {
  return def;
}
