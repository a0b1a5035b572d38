// Small pieces the step handlers share: flag bits, the C spelling of flag lists, a success return.

import type { SysRet } from '../../kernel/index.js';

/** The bits of a list of flag names, summed without 32-bit bitwise operators (MAP_HUGE_1GB > 2^31). */
export function bits<N extends string>(table: Readonly<Record<N, number>>, names: readonly N[]): number {
  return [...new Set(names)].reduce((acc, n) => acc + table[n], 0);
}

export const flagsText = (names: readonly string[]): string => (names.length ? names.join('|') : '0');

export const OK: SysRet = { ok: true, value: 0 };
