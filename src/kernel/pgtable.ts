// Page tables: a sparse multi-level tree per mm, x86_64 geometry (PUD 1 GiB, PMD 2 MiB, PTE 4 KiB).
// Linux: include/linux/pgtable.h, arch/x86/include/asm/pgtable_types.h, mm/hugetlb.c:huge_pte_offset()
// and huge_pte_alloc(). Unlike Linux, PGD and P4D are folded into one sparse map keyed by the
// PUD-table index, and a table stores only its non-none slots, so an untouched 1 GiB range costs nothing.
//
// Entry kinds use the kernel's words and are always switched on in the kernel's order: hwpoison,
// migration, marker, present, none (STYLE.md §8; compare mm/hugetlb.c:hugetlb_change_protection()).
import type { Folio } from './folio.js';

export const PTE_SHIFT = 12;
export const PMD_SHIFT = 21;
export const PUD_SHIFT = 30;
export const PTRS_PER_TABLE = 512;

export type Entry =
  /** A present leaf mapping `size` bytes of `folio` starting at raw page `subpage`. */
  | { readonly kind: 'present'; readonly folio: Folio; readonly subpage: number; write: boolean; dirty: boolean; uffdWp: boolean }
  /** A hwpoison swap entry (make_hwpoison_entry): holds the head pfn of the poisoned folio. */
  | { readonly kind: 'hwpoison'; readonly pfn: number }
  | { readonly kind: 'migration'; readonly pfn: number }
  /** A PTE marker (uffd-wp or poisoned) on an otherwise none entry. */
  | { readonly kind: 'marker'; readonly uffdWp: boolean; readonly poisoned: boolean }
  /** A lower-level table. */
  | { readonly kind: 'table'; readonly slots: Map<number, Entry> };

export type LeafEntry = Exclude<Entry, { kind: 'table' }>;

/** The slot of one entry: where a walk stopped. `entry` is undefined for none. */
export interface Slot {
  readonly table: Map<number, Entry>;
  readonly index: number;
  readonly shift: number;
  /** Start address of the slot's range. */
  readonly start: number;
}

export function slotEntry(slot: Slot): Entry | undefined {
  return slot.table.get(slot.index);
}

/** Entries installed so far, in every page table of this process (the step budget reads differences). */
export let installedEntries = 0;

/** set_huge_pte_at() / huge_pte_clear(): install an entry, or clear it with undefined. */
export function setSlot(slot: Slot, entry: LeafEntry | undefined): void {
  if (entry === undefined) {
    slot.table.delete(slot.index);
  } else {
    installedEntries++;
    slot.table.set(slot.index, entry);
  }
}

/** 2^shift for every shift a walk uses, computed once (a walk asks for them per level, per access). */
const POW2: readonly number[] = Array.from({ length: 64 }, (_, shift) => 2 ** shift);
export const sizeOfShift = (shift: number): number => POW2[shift] ?? 2 ** shift;
const indexAt = (addr: number, shift: number): number => Math.floor(addr / sizeOfShift(shift)) % PTRS_PER_TABLE;
/** Bytes one PUD table covers: the root is keyed by addr >> 39. */
const PUD_TABLE_SPAN = 2 ** (PUD_SHIFT + 9);
/** The root is keyed by the PUD-table number (addr >> 39), so the index there is not taken modulo 512. */
const rootIndex = (addr: number): number => Math.floor(addr / PUD_TABLE_SPAN);

export function alignDown(addr: number, size: number): number {
  return addr - (addr % size);
}

export class PageTable {
  /** PUD tables by addr >> 39 (the folded PGD/P4D level). */
  private readonly root = new Map<number, Map<number, Entry>>();
  /**
   * Model operations for the runner's step budget: tables created (entries installed are counted in
   * `installedEntries`). Walks are not counted: a step visits at most the entries that exist, and every
   * one of them was counted when it was created, so steps and creations bound a test's work.
   */
  ops = 0;

  private pudTable(addr: number, alloc: boolean): Map<number, Entry> | undefined {
    const key = rootIndex(addr);
    let t = this.root.get(key);
    if (t === undefined && alloc) {
      t = new Map();
      this.root.set(key, t);
    }
    return t;
  }

  /**
   * huge_pte_offset(): the slot at level `shift` for addr, without allocating; undefined when a
   * table on the way is missing. A leaf found above `shift` is returned as that higher slot.
   */
  offset(addr: number, shift: number): Slot | undefined {
    let table = this.pudTable(addr, false);
    for (let s = PUD_SHIFT; table !== undefined; s -= 9) {
      const index = indexAt(addr, s);
      const e = table.get(index);
      if (s === shift || e === undefined || e.kind !== 'table') {
        if (s !== shift && e === undefined) return undefined;
        return { table, index, shift: s, start: alignDown(addr, sizeOfShift(s)) };
      }
      table = e.slots;
    }
    return undefined;
  }

  /** huge_pte_alloc(): the slot at level `shift` for addr, allocating the tables above it. */
  alloc(addr: number, shift: number): Slot {
    let table = this.pudTable(addr, true)!;
    for (let s = PUD_SHIFT; ; s -= 9) {
      const index = indexAt(addr, s);
      if (s === shift) return { table, index, shift: s, start: alignDown(addr, sizeOfShift(s)) };
      let e = table.get(index);
      if (e === undefined) {
        this.ops++;
        e = { kind: 'table', slots: new Map() };
        table.set(index, e);
      } else if (e.kind !== 'table') {
        return { table, index, shift: s, start: alignDown(addr, sizeOfShift(s)) };
      }
      table = e.slots;
    }
  }

  /**
   * hugetlb_full_walk() from a slot: descend through tables (never allocating) to the leaf or none slot
   * that covers addr. Without HGM no table exists below the hstate level, so this returns `from`.
   */
  descend(from: Slot, addr: number): Slot {
    let slot = from;
    for (;;) {
      const e = slotEntry(slot);
      if (e?.kind !== 'table' || slot.shift === PTE_SHIFT) return slot;
      const shift = slot.shift - 9;
      slot = { table: e.slots, index: indexAt(addr, shift), shift, start: alignDown(addr, sizeOfShift(shift)) };
    }
  }

  /**
   * hugetlb_full_walk_alloc() (HGM v2 patch 11): from the hstate-level slot, descend until the entry
   * size is at most `targetShift`, allocating a table where the entry is none, and splitting a uffd-wp
   * marker into a table with the same marker in every slot. Stops early at a present leaf (returned as
   * is); a hwpoison or migration entry cannot be split (-EEXIST).
   */
  allocSplit(addr: number, targetShift: number, topShift: number): Slot | 'EEXIST' {
    let slot = this.alloc(addr, topShift);
    for (;;) {
      const e = slotEntry(slot);
      if (slot.shift <= targetShift) return slot;
      if (e?.kind === 'present') return slot;
      if (e?.kind === 'hwpoison' || e?.kind === 'migration') return 'EEXIST';
      if (e === undefined || e.kind === 'marker') {
        const slots = new Map<number, Entry>();
        if (e !== undefined) for (let i = 0; i < PTRS_PER_TABLE; i++) slots.set(i, { ...e });
        this.ops += e === undefined ? 1 : PTRS_PER_TABLE;
        slot.table.set(slot.index, { kind: 'table', slots });
      }
      slot = this.descend(slot, addr);
    }
  }

  /** A full walk: the leaf slot that maps addr, or the none slot where the walk stopped. */
  walk(addr: number): Slot | undefined {
    return this.offset(addr, PTE_SHIFT) ?? this.noneSlot(addr);
  }

  private noneSlot(addr: number): Slot | undefined {
    // The deepest existing table on the way decides the none slot's level.
    let table: Map<number, Entry> | undefined = this.pudTable(addr, false);
    if (table === undefined) return undefined;
    for (let s = PUD_SHIFT; ; s -= 9) {
      const index = indexAt(addr, s);
      const e: Entry | undefined = table.get(index);
      if (e === undefined || e.kind !== 'table' || s === PTE_SHIFT) {
        return { table, index, shift: s, start: alignDown(addr, sizeOfShift(s)) };
      }
      table = e.slots;
    }
  }

  /**
   * Visit every leaf (non-table) entry in [start, end), in address order. Cost: the entries and
   * tables that exist, never the bytes covered.
   */
  *leaves(start: number, end: number): Generator<{ start: number; shift: number; entry: LeafEntry }> {
    const keys = [...this.root.keys()].sort((a, b) => a - b);
    for (const k of keys) {
      const base = k * 2 ** (PUD_SHIFT + 9);
      if (base >= end || base + 2 ** (PUD_SHIFT + 9) <= start) continue;
      yield* this.leavesIn(this.root.get(k)!, base, PUD_SHIFT, start, end);
    }
  }

  private *leavesIn(
    table: Map<number, Entry>, base: number, shift: number, start: number, end: number,
  ): Generator<{ start: number; shift: number; entry: LeafEntry }> {
    const size = sizeOfShift(shift);
    for (const i of indicesIn(table, base, size, start, end)) {
      const e = table.get(i);
      if (e === undefined) continue;
      const a = base + i * size;
      if (e.kind === 'table') yield* this.leavesIn(e.slots, a, shift - 9, start, end);
      else yield { start: a, shift, entry: e };
    }
  }

  /** The PUD tables that cover part of [start, end), in address order, with their base address. */
  *pudTables(start: number, end: number): Generator<{ base: number; table: Map<number, Entry> }> {
    for (const k of [...this.root.keys()].sort((a, b) => a - b)) {
      const base = k * 2 ** (PUD_SHIFT + 9);
      if (base >= end || base + 2 ** (PUD_SHIFT + 9) <= start) continue;
      yield { base, table: this.root.get(k)! };
    }
  }

  /**
   * Drop the tables that became empty under [start, end) (free_pgtables(), in effect): only the tables
   * covering the range are visited, so unmapping one VMA of a thousand costs that VMA's tables.
   */
  prune(start = 0, end = Number.MAX_SAFE_INTEGER): void {
    const pruneIn = (t: Map<number, Entry>, base: number, shift: number): void => {
      const size = sizeOfShift(shift);
      for (const i of indicesIn(t, base, size, start, end)) {
        const e = t.get(i);
        if (e?.kind !== 'table') continue;
        pruneIn(e.slots, base + i * size, shift - 9);
        if (e.slots.size === 0) t.delete(i);
      }
    };
    for (const { base, table } of this.pudTables(start, end)) {
      pruneIn(table, base, PUD_SHIFT);
      if (table.size === 0) this.root.delete(rootIndex(base));
    }
  }
}

/**
 * The indices of `table` (entries of `size` bytes from `base`) whose range meets [start, end), in
 * increasing order: counted through when the range is narrower than the table holds, else its keys
 * sorted. Either way the cost is the smaller of the two.
 */
function indicesIn(table: Map<number, Entry>, base: number, size: number, start: number, end: number): Iterable<number> {
  const lo = Math.max(0, Math.floor((start - base) / size));
  const hi = Math.min(PTRS_PER_TABLE - 1, Math.ceil((end - base) / size) - 1);
  if (hi < lo) return [];
  if (hi - lo + 1 <= table.size) return range(lo, hi);
  return [...table.keys()].filter((i) => i >= lo && i <= hi).sort((a, b) => a - b);
}

function* range(lo: number, hi: number): Generator<number> {
  for (let i = lo; i <= hi; i++) yield i;
}
