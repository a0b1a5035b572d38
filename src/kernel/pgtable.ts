// Page tables: a sparse multi-level tree per mm, x86_64 geometry (PUD 1 GiB, PMD 2 MiB, PTE 4 KiB).
// Linux: include/linux/pgtable.h, arch/x86/include/asm/pgtable_types.h, mm/hugetlb.c:huge_pte_offset()
// and huge_pte_alloc(). Unlike Linux, PGD and P4D are folded into one sparse map keyed by the
// PUD-table index, and a table stores only its non-none slots, so an untouched 1 GiB range costs nothing.
//
// Entry kinds use the kernel's words and are always switched on in the kernel's order: hwpoison,
// migration, marker, present, none (STYLE.md §8; compare mm/hugetlb.c:hugetlb_change_protection()).
import type { Folio } from './folio.js';
import type { EntryKindName, PageTableRun, PtLevel, PtRun } from './types.js';

export const PTE_SHIFT = 12;
export const PMD_SHIFT = 21;
export const PUD_SHIFT = 30;
const PTRS_PER_TABLE = 512;

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

export const sizeOfShift = (shift: number): number => 2 ** shift;
const indexAt = (addr: number, shift: number): number => Math.floor(addr / 2 ** shift) % PTRS_PER_TABLE;
/** The root is keyed by the PUD-table number (addr >> 39), so the index there is not taken modulo 512. */
const rootIndex = (addr: number): number => Math.floor(addr / 2 ** (PUD_SHIFT + 9));

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
    const indices = [...table.keys()].sort((a, b) => a - b);
    for (const i of indices) {
      const a = base + i * size;
      if (a + size <= start || a >= end) continue;
      const e = table.get(i)!;
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

  /** Drop every table that became empty (free_pgtables(), in effect). */
  prune(): void {
    const prune = (t: Map<number, Entry>): void => {
      for (const [i, e] of t) {
        if (e.kind !== 'table') continue;
        prune(e.slots);
        if (e.slots.size === 0) t.delete(i);
      }
    };
    for (const [k, t] of this.root) {
      prune(t);
      if (t.size === 0) this.root.delete(k);
    }
  }
}

export function entryKind(e: LeafEntry | undefined): EntryKindName {
  if (e === undefined) return 'none';
  switch (e.kind) {
    case 'hwpoison': return 'hwpoison';
    case 'migration': return 'migration';
    case 'marker': return 'marker';
    case 'present': return 'present';
    default: {
      const never: never = e;
      return never;
    }
  }
}

/**
 * Runs of equal consecutive entries over [start, end), what `dump` and the summary line print. A none
 * range counts in units of the table level it lies in, but never larger than `noneSize` (the VMA's
 * hugepage size): an untouched 2 MiB mapping is "none 2M", a hole in a split PMD is "none 4K".
 */
export function pageTableRuns(pt: PageTable, start: number, end: number, noneSize: number): PageTableRun[] {
  const runs: PageTableRun[] = [];
  const push = (a: number, b: number, size: number, kind: EntryKindName): void => {
    if (b <= a) return;
    const count = Math.round((b - a) / size);
    const last = runs[runs.length - 1];
    if (last !== undefined && last.end === a && last.kind === kind && last.size === size) {
      runs[runs.length - 1] = { ...last, end: b, count: last.count + count };
    } else {
      runs.push({ start: a, end: b, size, kind, count });
    }
  };
  const none = (a: number, b: number, levelSize: number): void => push(a, b, Math.min(levelSize, noneSize), 'none');
  const visit = (table: Map<number, Entry>, base: number, shift: number): void => {
    const size = sizeOfShift(shift);
    const lo = Math.max(base, start);
    const hi = Math.min(base + PTRS_PER_TABLE * size, end);
    let pos = lo;
    for (const i of [...table.keys()].sort((x, y) => x - y)) {
      const a = base + i * size;
      if (a + size <= lo || a >= hi) continue;
      none(pos, Math.max(pos, a), size);
      const e = table.get(i)!;
      if (e.kind === 'table') visit(e.slots, a, shift - 9);
      else push(Math.max(a, lo), Math.min(a + size, hi), size, entryKind(e));
      pos = Math.min(a + size, hi);
    }
    none(pos, hi, size);
  };
  let pos = start;
  for (const leaf of pt.pudTables(start, end)) {
    none(pos, Math.max(pos, leaf.base), sizeOfShift(PUD_SHIFT));
    visit(leaf.table, leaf.base, PUD_SHIFT);
    pos = Math.min(leaf.base + sizeOfShift(PUD_SHIFT + 9), end);
  }
  none(pos, end, sizeOfShift(PUD_SHIFT));
  return runs;
}

const LEVELS: Readonly<Record<number, PtLevel>> = { [PUD_SHIFT]: 'PUD', [PMD_SHIFT]: 'PMD', [PTE_SHIFT]: 'PTE' };

/** Whether leaf b continues a run ending in leaf a (b maps the next `size` bytes the same way). */
function continuesRun(a: LeafEntry, b: LeafEntry, size: number): boolean {
  switch (a.kind) {
    case 'hwpoison':
    case 'migration':
      return b.kind === a.kind && b.pfn === a.pfn;
    case 'marker':
      return b.kind === 'marker' && b.uffdWp === a.uffdWp && b.poisoned === a.poisoned;
    case 'present':
      return b.kind === 'present' && b.folio === a.folio && b.write === a.write && b.dirty === a.dirty &&
        b.uffdWp === a.uffdWp && b.subpage === a.subpage + size / 2 ** PTE_SHIFT;
    default: {
      const never: never = a;
      return never;
    }
  }
}

function leafRun(level: PtLevel, start: number, end: number, size: number, e: LeafEntry, subpage: number): PtRun {
  const base = { level, start, end, size, count: 1 };
  switch (e.kind) {
    case 'hwpoison':
    case 'migration':
      return { ...base, kind: e.kind, pfn: e.pfn };
    case 'marker':
      return { ...base, kind: 'marker', uffdWp: e.uffdWp, poisoned: e.poisoned };
    case 'present':
      return { ...base, kind: 'present', pfn: e.folio.pfn, subpage, write: e.write, dirty: e.dirty, uffdWp: e.uffdWp };
    default: {
      const never: never = e;
      return never;
    }
  }
}

/**
 * The page table over [start, end) as a tree of runs, for `show`: PUD-level runs at the top, each table
 * expanded into its lower level's runs, runs of equal entries folded (see PtRun). Cost: the entries and
 * tables that exist, never the bytes covered.
 */
export function pageTableTree(pt: PageTable, start: number, end: number): PtRun[] {
  const entriesIn = (a: number, b: number, size: number): number => Math.ceil(b / size) - Math.floor(a / size);
  const visit = (table: Map<number, Entry> | undefined, base: number, shift: number, lo: number, hi: number): PtRun[] => {
    const runs: PtRun[] = [];
    const level = LEVELS[shift];
    if (level === undefined) throw new Error(`no page-table level of shift ${shift}`);
    const size = sizeOfShift(shift);
    let last: LeafEntry | undefined;
    const none = (a: number, b: number): void => {
      if (b <= a) return;
      const prev = runs[runs.length - 1];
      if (prev?.kind === 'none' && prev.end === a) runs[runs.length - 1] = { ...prev, end: b, count: entriesIn(prev.start, b, size) };
      else runs.push({ level, start: a, end: b, size, count: entriesIn(a, b, size), kind: 'none' });
      last = undefined;
    };
    let pos = lo;
    const entries = table === undefined ? [] : [...table].sort((x, y) => x[0] - y[0]);
    for (const [i, e] of entries) {
      const a = base + i * size;
      if (a + size <= lo || a >= hi) continue;
      none(pos, Math.max(pos, a));
      const from = Math.max(a, lo);
      const to = Math.min(a + size, hi);
      if (e.kind === 'table') {
        runs.push({ level, start: from, end: to, size, count: 1, kind: 'table', children: visit(e.slots, a, shift - 9, from, to) });
        last = undefined;
      } else {
        const prev = runs[runs.length - 1];
        if (last !== undefined && prev !== undefined && prev.end === from && continuesRun(last, e, size)) {
          runs[runs.length - 1] = { ...prev, end: to, count: prev.count + 1 };
        } else {
          const subpage = e.kind === 'present' ? e.subpage + (from - a) / 2 ** PTE_SHIFT : 0;
          runs.push(leafRun(level, from, to, size, e, subpage));
        }
        last = e;
      }
      pos = to;
    }
    none(pos, hi);
    return runs;
  };
  const out: PtRun[] = [];
  // PUD runs of consecutive PUD tables (and the holes between them) continue one another.
  const append = (runs: readonly PtRun[]): void => {
    for (const r of runs) {
      const prev = out[out.length - 1];
      if (prev?.kind === 'none' && r.kind === 'none' && prev.end === r.start) {
        out[out.length - 1] = { ...prev, end: r.end, count: entriesIn(prev.start, r.end, prev.size) };
      } else {
        out.push(r);
      }
    }
  };
  let pos = start;
  for (const { base, table } of pt.pudTables(start, end)) {
    const lo = Math.max(base, start);
    if (lo > pos) append(visit(undefined, alignDown(pos, sizeOfShift(PUD_SHIFT)), PUD_SHIFT, pos, lo));
    const hi = Math.min(base + sizeOfShift(PUD_SHIFT + 9), end);
    append(visit(table, base, PUD_SHIFT, lo, hi));
    pos = hi;
  }
  if (pos < end) append(visit(undefined, alignDown(pos, sizeOfShift(PUD_SHIFT)), PUD_SHIFT, pos, end));
  return out;
}
