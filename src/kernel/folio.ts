// struct folio for hugetlb: what the model keeps of a hugepage.
// Linux: include/linux/mm_types.h (struct folio), include/linux/hugetlb.h (HPageFreed, HPageMigratable,
// HPageRawHwpUnreliable), mm/memory-failure.c (raw_hwp_list, v6.1: llist on the folio).
//
// Invariants (checked by checkInvariants in tests):
// - raw_hwp_list holds each raw index once, and only while `hwpoison` is set;
// - a folio on its hstate's free list has refcount 0, mapcount 0 and `freed` set;
// - refcount = (in a page cache ? 1 : 0) + one per mapped entry + references memory_failure keeps
//   - references the RFC's -ENOMEM retry put twice (RFC-F4).
import { ByteMap } from './contents.js';
import type { Inode } from './hugetlbfs.js';
import type { Hstate } from './hstate.js';
import type { Vma } from './mm.js';

export class Folio {
  refcount = 0;
  /** Entire mapcount: entries of the hstate size that map the folio. */
  mapcount = 0;
  /**
   * HGM: entries smaller than the hstate size that map part of the folio. Linux keeps a mapcount per
   * subpage (HGM v2 32/46); the model keeps the entries and derives subpage counts from them.
   */
  subMapcount = 0;
  /** PG_hwpoison on the head page. */
  hwpoison = false;
  /** HPageRawHwpUnreliable: raw_hwp_list was lost; every raw page counts as poisoned. */
  rawHwpUnreliable = false;
  /** HPageMigratable: set when the folio is in use, cleared by memory_failure. */
  migratable = false;
  /** HPageFreed: on the hstate's free list. */
  freed = false;
  dirty = false;
  /** Raw page indices (0 .. pages-1) recorded by memory_failure, in insertion order. */
  readonly raw_hwp_list: number[] = [];
  /** The page cache this folio is in (hugetlbfs inode), or null: anonymous or not yet added. */
  mapping: Inode | null = null;
  /** Index in the page cache (hugepage units). */
  index = 0;
  /** Anonymous (private) folio: the VMAs whose anon_vma may map it (rmap for anon folios). */
  anon = false;
  readonly anonVmas: Vma[] = [];
  /**
   * RFC 3/7: struct raw_hwp_page's counters, per listed raw index (VMAs that mapped the folio when it was
   * poisoned, unmaps expected after the splits, unmaps done by try_to_unmap).
   */
  readonly rawHwpUnmaps = new Map<number, { nr_vmas_mapped: number; nr_expected_unmaps: number; nr_actual_unmaps: number }>();
  /** The raw pages of rawHwpUnmaps still owed an unmap (nr_actual_unmaps < nr_expected_unmaps): try_to_unmap walks only these. */
  readonly pendingUnmaps = new Set<number>();
  /**
   * Raw pages memory_failure() recorded or tried to record, kept when raw_hwp_list is thrown away. The
   * kernel keeps no such record (only the head page's PG_hwpoison); the model keeps it to name the raw
   * pages a finding concerns (RFC-F5).
   */
  readonly errorRaws = new Set<number>();
  /**
   * References dropped a second time by the RFC's -ENOMEM retry (RFC-F4): the refcount is this much
   * below the references the rules hand out (for the invariant).
   */
  refsPutTwice = 0;
  /** Raw pages counted in HardwareCorrupted after raw_hwp_list was lost (for the invariant). */
  countedUnlisted = 0;
  /** References memory_failure() took and never dropped (the page-cache branch of me_huge_page). */
  mfRefs = 0;
  /** Dissolved into buddy pages: no longer a hugetlb folio. */
  dissolved = false;
  /**
   * HPageTemporary: a fresh hugepage allocated for migration outside the pool's accounting; its last
   * reference frees it to the buddy allocator instead of the free list (soft offline moves the mark to
   * the old folio, move_hugetlb_state()).
   */
  temporary = false;
  readonly contents = new ByteMap();

  constructor(
    readonly hstate: Hstate,
    /** Head pfn. */
    readonly pfn: number,
  ) {}

  get size(): number {
    return this.hstate.size;
  }

  get nrPages(): number {
    return this.hstate.nrPages;
  }

  /** folio_test_hugetlb(): still a hugetlb folio (not dissolved into buddy pages). */
  get hugetlb(): boolean {
    return !this.dissolved;
  }
}
