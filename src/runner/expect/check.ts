// The runner's side of an `expect:` field: how it is compared with the model. One text per mismatch,
// expected and actual side by side; an empty list means the assertion held.

import type { ExpectFieldName, StateExpect } from '../../scenario/types.js';
import type { StepContext } from '../context.js';

export type ExpectCheck<K extends ExpectFieldName> = (ctx: StepContext, want: NonNullable<StateExpect[K]>) => string[];

export const got = (what: string, expected: string, actual: string): string => `${what}: expected ${expected}, got ${actual}`;
