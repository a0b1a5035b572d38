// The words every text of hgmsim shares: numbers in hex, sizes, page-table levels, addresses relative
// to a named mapping, capped lists, signals. One definition each, for the TAP lines of a run
// (observations.ts), `show` (show-text.ts, show-svg.ts) and docs.

import { sizeName } from '../kernel/index.js';
import type { Address, Capped, SignalInfo } from '../runner/index.js';

/** 4K, 2M, 1G; bytes in hex for any other size (the kernel model's own spelling). */
export { sizeName };

export const hex = (n: number): string => `0x${n.toString(16)}`;

const KiB = 1024;

/** The page-table level whose leaf maps `size` bytes on x86_64 (PTE, PMD, PUD); else the size. */
export function levelName(size: number): string {
  if (size === 4 * KiB) return 'PTE';
  if (size === 2 * KiB ** 2) return 'PMD';
  if (size === KiB ** 3) return 'PUD';
  return sizeName(size);
}

/** An address as -v prints it: `P+0x1000` inside a named mapping, else `0x7f…`. */
export const addressText = (a: Address): string => (a.mapping ? `${a.mapping.name}+${hex(a.mapping.offset)}` : hex(a.addr));

/** An offset into a named mapping, zero-padded to the width of its length: `P+0x000000` for a 2M mapping. */
export const paddedOffset = (name: string, length: number, offset: number): string =>
  `${name}+0x${offset.toString(16).padStart(length.toString(16).length, '0')}`;

/** A list as `[0, 128]`, or `[0, 1, …, 15, … 3 more]` when it was capped. */
export const listText = <T>(xs: Capped<T>): string =>
  (xs.more > 0 ? `[${xs.first.join(', ')}, … ${xs.more} more]` : `[${xs.first.join(', ')}]`);

/** `si_addr=P+0x0 si_addr_lsb=21`: the lsb only where the signal carries one (BUS_MCEERR_*) or it is set. */
export function siAddrText(s: Pick<SignalInfo, 'si_code' | 'si_addr' | 'si_addr_lsb'>): string {
  const lsb = s.si_code === 'BUS_MCEERR_AR' || s.si_code === 'BUS_MCEERR_AO' || s.si_addr_lsb !== 0 ? ` si_addr_lsb=${s.si_addr_lsb}` : '';
  return `si_addr=${addressText(s.si_addr)}${lsb}`;
}

/** `SIGBUS BUS_MCEERR_AR si_addr=P+0x0 si_addr_lsb=21`. */
export const signalText = (s: SignalInfo): string => `${s.signo} ${s.si_code} ${siAddrText(s)}`;
