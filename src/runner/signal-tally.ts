// The signals of one test, counted as they arrive: per receiver and code, how many came, how many were
// dropped, and the distinct (si_addr, si_addr_lsb) pairs in order of arrival. A probe loop delivers a
// SIGBUS per page (524,288 at 1 GiB), so no record is kept per signal: a group holds a count and one
// number per distinct raw pair. Addresses are resolved against the named mappings only at the end of the
// test (the summary names them as they stand then), and only as many as the summary lists, unless two
// named mappings share a name (then two raw addresses may name the same mapping offset, and every pair
// is resolved to count the distinct ones).

import type { SignalEvent } from '../kernel/index.js';
import type { Address, Capped, SignalGroup } from './results.js';

type Receiver = SignalGroup['receiver'];
type Pair = SignalGroup['distinct']['first'][number];

/** Bits a pair key keeps for si_addr_lsb (an lsb is a page shift, below 64). */
const LSB_BITS = 64;
/** User addresses are below 2^47, so addr * 64 + lsb stays an exact double; others are keyed as text. */
const EXACT_ADDR_LIMIT = 2 ** 47;

const pairKey = (addr: number, lsb: number): number | string =>
  addr >= 0 && addr < EXACT_ADDR_LIMIT && Number.isInteger(addr) && lsb >= 0 && lsb < LSB_BITS ? addr * LSB_BITS + lsb : `${addr}/${lsb}`;

interface Group {
  /** Where the receiver stands among the test's processes (main first), for the summary's order. */
  readonly order: number;
  readonly signo: string;
  readonly si_code: string;
  readonly receiver: Receiver;
  count: number;
  dropped: number;
  /** Distinct raw pairs among those not dropped, in order of arrival: keys and the pairs as numbers. */
  readonly keys: (number | string)[];
  readonly addrs: number[];
  readonly lsbs: number[];
  /**
   * The keys as a set, built once a key arrives out of order; until then `keys` is strictly increasing
   * (a probe loop walks upwards) and a new key is new when it is above the last one.
   */
  seen: Set<number | string> | null;
}

export class SignalTally {
  private readonly groups = new Map<string, Group>();
  /** The group the last signal went to (signals come in runs: one receiver, one code). */
  private last: { readonly receiver: Receiver; readonly group: Group } | null = null;

  /**
   * Counts one signal; `receiver` and `order` are its process as the test knows it now (the same
   * receiver object for every signal of one process, which lets a run of signals skip the lookup).
   */
  add(ev: SignalEvent, receiver: Receiver, order: number): void {
    const { signo, si_code } = ev.info;
    let g = this.last !== null && this.last.receiver === receiver && this.last.group.signo === signo && this.last.group.si_code === si_code
      ? this.last.group : undefined;
    if (g === undefined) {
      const who = receiver.kind === 'pid' ? receiver.pid : receiver.kind === 'process' ? receiver.name : '';
      const key = `${signo}|${who}|${receiver.kind}|${si_code}`;
      g = this.groups.get(key);
      if (g === undefined) {
        g = { order, signo, si_code, receiver, count: 0, dropped: 0, keys: [], addrs: [], lsbs: [], seen: null };
        this.groups.set(key, g);
      }
      this.last = { receiver, group: g };
    }
    if (ev.outcome === 'dropped') {
      g.dropped++;
      return;
    }
    g.count++;
    addPair(g, ev.info.si_addr, ev.info.si_addr_lsb);
  }

  /**
   * The groups by receiver (in `order`, a stable sort keeping first arrival), each with its distinct
   * pairs resolved by `address` and capped at `max` (max - 1 listed when more are left out).
   */
  summary(address: (addr: number) => Address, namesUnique: boolean, max: number): SignalGroup[] {
    return [...this.groups.values()].sort((a, b) => a.order - b.order).map((g): SignalGroup => {
      const distinct = namesUnique ? resolveFirst(g, address, max) : resolveAll(g, address, max);
      return { signo: g.signo, si_code: g.si_code, receiver: g.receiver, count: g.count, dropped: g.dropped, distinct };
    });
  }
}

/** Notes a raw pair in its group unless the group has it. */
function addPair(g: Group, addr: number, lsb: number): void {
  const k = pairKey(addr, lsb);
  const top = g.keys[g.keys.length - 1];
  if (g.seen === null) {
    if (top === k) return;
    if (top !== undefined && !(typeof k === 'number' && typeof top === 'number' && k > top)) {
      g.seen = new Set(g.keys);
      if (g.seen.has(k)) return;
    }
  } else {
    if (g.seen.has(k)) return;
  }
  g.seen?.add(k);
  g.keys.push(k);
  g.addrs.push(addr);
  g.lsbs.push(lsb);
}

/** With every name unique, distinct raw pairs resolve to distinct named pairs: resolve only those listed. */
function resolveFirst(g: Group, address: (addr: number) => Address, max: number): Capped<Pair> {
  const n = g.addrs.length;
  const keep = n > max ? max - 1 : n;
  const first: Pair[] = [];
  for (let i = 0; i < keep; i++) first.push({ si_addr: address(g.addrs[i] ?? 0), si_addr_lsb: g.lsbs[i] ?? 0 });
  return { first, more: n - keep };
}

/** Two mappings share a name: a named pair is `name+offset/lsb`, and two raw pairs may give the same one. */
function resolveAll(g: Group, address: (addr: number) => Address, max: number): Capped<Pair> {
  const seen = new Set<string>();
  const all: Pair[] = [];
  for (let i = 0; i < g.addrs.length; i++) {
    const si_addr = address(g.addrs[i] ?? 0);
    const lsb = g.lsbs[i] ?? 0;
    const where = si_addr.mapping ? `${si_addr.mapping.name}+${si_addr.mapping.offset}` : `${si_addr.addr}`;
    const pair = `${where}/${lsb}`;
    if (seen.has(pair)) continue;
    seen.add(pair);
    all.push({ si_addr, si_addr_lsb: lsb });
  }
  const keep = all.length > max ? max - 1 : all.length;
  return { first: all.slice(0, keep), more: all.length - keep };
}
