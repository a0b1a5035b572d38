// Page-table dumps: what an observer reads of a page table, folded into runs of equal entries, for the
// summary line and `dump` (pageTableRuns) and for `hgmsim show` (pageTableTree). Pure walks over the
// existing tables: they cost the entries and tables that exist, never the bytes covered.
// Linux: mm/ptdump.c and arch/x86/mm/dump_pagetables.c (walk, fold equal consecutive entries into one
// line per run); unlike Linux, runs are returned as data and hwpoison/migration/marker entries are named.
import {
  alignDown, PMD_SHIFT, PTE_SHIFT, PTRS_PER_TABLE, PUD_SHIFT, sizeOfShift, type Entry, type LeafEntry, type PageTable,
} from './pgtable.js';
import type { EntryKindName } from './types.js';

/** Runs of equal consecutive entries over a range, for `dump` and the summary line. */
export interface PageTableRun {
  readonly start: number;
  readonly end: number;
  readonly size: number;
  readonly kind: EntryKindName;
  readonly count: number;
}

/** A page-table level of x86_64 as `show` names it. */
export type PtLevel = 'PUD' | 'PMD' | 'PTE';

/**
 * A run of `count` equal consecutive entries of one page table over [start, end) (clipped to the VMA):
 * none, the same entry kind and flags, and for present entries consecutive pages of one folio.
 * A `table` run is always one entry, with the lower level's runs in `children`.
 */
export interface PtRun {
  readonly level: PtLevel;
  readonly start: number;
  readonly end: number;
  /** Bytes one entry of this level maps: 1 GiB (PUD), 2 MiB (PMD), 4 KiB (PTE). */
  readonly size: number;
  readonly count: number;
  readonly kind: EntryKindName | 'table';
  /** present: the folio's head pfn; hwpoison and migration: the pfn the swap entry holds. */
  readonly pfn?: number;
  /** present: the raw page index in the folio of the run's first byte. */
  readonly subpage?: number;
  /** present: writable / dirty; present and marker: uffd-wp; marker: PTE_MARKER_POISONED. */
  readonly write?: boolean;
  readonly dirty?: boolean;
  readonly uffdWp?: boolean;
  readonly poisoned?: boolean;
  readonly children?: readonly PtRun[];
}

/** The kind of a leaf entry as observers name it; an empty slot is none. */
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
