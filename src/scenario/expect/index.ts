// The `expect:` field registry: each assertion of the `expect:` step defined once, in the order the
// runner checks them and docs list them. The step's schema, its argument type (StateExpect) and its
// builder follow from this list; the comparisons are src/runner/expect/, keyed by the same names.

import * as z from 'zod';
import type { ExprBuilder } from '../build-exprs.js';
import { buildValue } from '../build-walk.js';
import { inTask, whenField } from '../fields.js';
import type { Scope } from '../scope.js';
import type { Path, YamlSource } from '../yaml-source.js';
import { HardwareCorrupted, dmesg, mf_stats, pool, value } from './counters.js';
import type { AnyExpectFieldDef, ExpectArgsOf } from './define.js';
import { bytes, folio, mapcount, mapping, raw_hwp_list, refcount } from './memory.js';
import { pagemap, smaps } from './proc.js';
import { alive, dead, signals, wait_status } from './processes.js';

export { signalEntrySchema } from './processes.js';

export const EXPECT_FIELDS = {
  raw_hwp_list, mapping, HardwareCorrupted, bytes, pool, refcount, mapcount, folio, dmesg, signals, alive, dead, wait_status, smaps, pagemap, mf_stats, value,
} as const;
// Compile-time: each key is its definition's own name.
void (EXPECT_FIELDS satisfies { readonly [K in keyof typeof EXPECT_FIELDS]: { readonly name: K } });

export type ExpectFieldName = keyof typeof EXPECT_FIELDS;
/** A standalone `expect:` step: assertions on model state the C tests cannot see, each optional. */
export type StateExpect = { readonly [K in ExpectFieldName]?: ExpectArgsOf<(typeof EXPECT_FIELDS)[K]> };

/** Field names in registry order (the order mismatches are reported in). */
export const EXPECT_FIELD_NAMES = Object.keys(EXPECT_FIELDS) as ExpectFieldName[];
/** Every definition by name, as generic code sees it. */
export const EXPECT_FIELD_DEFS: { readonly [K in ExpectFieldName]: AnyExpectFieldDef } = EXPECT_FIELDS;

/** The `expect:` step's schema: every field, plus `in:`. */
export const stateExpectSchema = z
  .strictObject({
    ...(Object.fromEntries(EXPECT_FIELD_NAMES.map((k) => [k, EXPECT_FIELDS[k].schema])) as { [K in ExpectFieldName]: (typeof EXPECT_FIELDS)[K]['schema'] }),
    when: whenField,
    in: inTask,
  })
  .describe('Assertions on model state');

/** Whether any assertion given reads the acting process's mm. */
export function expectReadsMm(e: StateExpect): boolean {
  return EXPECT_FIELD_NAMES.some((k) => e[k] !== undefined && EXPECT_FIELDS[k].readsMm);
}

/** Builds each field given, by its hook or the generic walk, in registry order. */
export function buildStateExpect(src: YamlSource, x: ExprBuilder, data: Readonly<Record<string, unknown>>, path: Path, scope: Scope): StateExpect {
  const out: Record<string, unknown> = {};
  for (const name of EXPECT_FIELD_NAMES) {
    const value = data[name];
    if (value === undefined) continue;
    const def = EXPECT_FIELD_DEFS[name];
    const at = [...path, name];
    out[name] = def.build ? def.build({ src, x, scope, path: at, data: value }) : buildValue(x, def.schema, value, at, scope);
  }
  // Each field was built by the definition of the same name: the registry's types erased by the loop.
  return out as StateExpect;
}
