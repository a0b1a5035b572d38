// The runner's side of an `expect:` field: how it is compared with the model. One record per mismatch:
// what was compared, expected and actual side by side (each the comparison's own spelling, as the
// scenario writes the value); an empty list means the assertion held.

import type { ExpectFieldName, StateExpect } from '../../scenario/index.js';
import type { StepContext } from '../context.js';
import type { Mismatch } from '../results.js';

export type ExpectCheck<K extends ExpectFieldName> = (ctx: StepContext, want: NonNullable<StateExpect[K]>) => Mismatch[];

export const got = (what: string, expected: string, actual: string): Mismatch => ({ what, expected, actual });

/** A list as a raw_hwp_list assertion compares it: `[0, 128]`. */
export const listText = (xs: readonly number[]): string => `[${xs.join(', ')}]`;
