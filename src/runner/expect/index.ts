// The runner's `expect:` table: each field's comparison, keyed by the names of the expect-field
// registry (scenario/expect/); the type makes a field without a comparison a compile error.

import { EXPECT_FIELD_NAMES } from '../../scenario/index.js';
import type { ExpectFieldName, StateExpect } from '../../scenario/index.js';
import type { StepContext } from '../context.js';
import type { Mismatch } from '../results.js';
import type { ExpectCheck } from './check.js';
import { HardwareCorrupted, dmesg, mf_stats, pool, value } from './counters.js';
import { bytes, folio, mapcount, mapping, raw_hwp_list, refcount } from './memory.js';
import { pagemap, smaps } from './proc.js';
import { alive, dead, signals, wait_status } from './processes.js';

export const CHECKS: { readonly [K in ExpectFieldName]: ExpectCheck<K> } = {
  raw_hwp_list, mapping, HardwareCorrupted, bytes, pool, refcount, mapcount, folio, dmesg, signals, alive, dead, wait_status, smaps, pagemap, mf_stats, value,
};

/** Every assertion given, in registry order; one record per mismatch (empty: all held). */
export function checkState(ctx: StepContext, e: StateExpect): Mismatch[] {
  return EXPECT_FIELD_NAMES.flatMap((name) => {
    const want = e[name];
    // CHECKS[name] compares the field of the same name; TypeScript cannot correlate the two unions.
    return want === undefined ? [] : (CHECKS[name] as ExpectCheck<ExpectFieldName>)(ctx, want as NonNullable<StateExpect[ExpectFieldName]>);
  });
}
