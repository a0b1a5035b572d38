// hstates and their pools: free list, reservations, surplus.
// Linux: mm/hugetlb.c (struct hstate, enqueue_hugetlb_folio(), dequeue_hugetlb_folio_node_exact(),
// free_huge_folio(), dissolve_free_hugetlb_folio(), gather_surplus_pages(), hugetlb_acct_memory()), v6.1.
// Left out: NUMA nodes (one node), surplus and overcommit (nr_overcommit_hugepages = 0; soft offline's
// temporary migration targets are modelled: allocTemporary), cgroups, HVO.
//
// Invariants: free <= total; resv <= free; a folio is on `freeList` iff its `freed` flag is set.
import { Folio } from './folio.js';
import { PAGE_SHIFT } from './uapi.js';

export class Hstate {
  readonly nrPages: number;
  /** nr_huge_pages. */
  total = 0;
  /** resv_huge_pages. */
  resv = 0;
  /** surplus_huge_pages (always 0: overcommit is not modelled). */
  surplus = 0;
  /**
   * hugepage_freelists[0], stored tail first: the list's head is the array's last element, so enqueue
   * (at the head) and dequeue (from the head) are O(1) pushes and pops (LIFO).
   */
  private freeList: Folio[] = [];
  private nextPfn: number;
  /** Every folio this hstate ever allocated, by head pfn (pfn_to_page for the model). */
  private readonly byHead = new Map<number, Folio>();

  constructor(
    readonly shift: number,
    /** hstate index, as VM_FAULT_SET_HINDEX encodes it. */
    readonly index: number,
    /** First pfn of this hstate's boot-time region: fixed, so every run hands out the same pfns. */
    private readonly firstPfn: number,
  ) {
    this.nrPages = 2 ** (shift - PAGE_SHIFT);
    this.size = 2 ** shift;
    this.nextPfn = firstPfn;
  }

  /** huge_page_size(): bytes per hugepage (read on every walk, so kept, not computed). */
  readonly size: number;

  /** free_huge_pages. */
  get free(): number {
    return this.freeList.length;
  }

  /** The name Linux uses for the hstate directory: hugepages-2048kB. */
  get kB(): number {
    return this.size / 1024;
  }

  /** alloc_pool_huge_folio() + prep_new_hugetlb_folio(): grow the pool by one folio (boot or nr_hugepages). */
  grow(): Folio {
    const folio = new Folio(this, this.nextPfn);
    this.byHead.set(folio.pfn, folio);
    this.nextPfn += this.nrPages;
    this.total++;
    this.enqueue(folio);
    return folio;
  }

  /**
   * alloc_migrate_hugetlb_folio() (alloc_migrate_huge_page() in 6.1): a fresh folio from the buddy
   * allocator for a migration target when the pool has no unreserved free folio. Counted in
   * nr_huge_pages (prep_new_hugetlb_folio()) and marked temporary, not surplus; none for gigantic
   * hstates (hstate_is_gigantic()). Linux: mm/hugetlb.c, v6.1.
   */
  allocTemporary(): Folio | undefined {
    if (this.shift > 21) return undefined;
    const folio = new Folio(this, this.nextPfn);
    this.byHead.set(folio.pfn, folio);
    this.nextPfn += this.nrPages;
    this.total++;
    folio.temporary = true;
    folio.refcount = 1;
    return folio;
  }

  /**
   * free_huge_folio() of a temporary folio: remove_hugetlb_folio() + update_and_free_hugetlb_folio(),
   * straight back to the buddy allocator (nr_huge_pages -1), never onto the free list.
   */
  freeTemporary(folio: Folio): void {
    folio.refcount = 0;
    folio.mapcount = 0;
    folio.temporary = false;
    folio.dissolved = true;
    this.total--;
  }

  /** Every folio allocated so far, in pfn order. */
  folios(): Folio[] {
    return [...this.byHead.values()];
  }

  /** The folio containing raw pfn, if this hstate allocated it (dissolved folios included). */
  folioOf(pfn: number): Folio | undefined {
    if (pfn < this.firstPfn) return undefined;
    return this.byHead.get(pfn - ((pfn - this.firstPfn) % this.nrPages));
  }

  /**
   * set_max_huge_pages(): grow the pool, or shrink it by freeing free folios that are not reserved
   * (nr_hugepages never drops below what reservations and folios in use need).
   */
  setMax(count: number): void {
    while (this.total < count) this.grow();
    const minCount = this.resv + this.total - this.free;
    const target = Math.max(count, minCount);
    while (this.total > target) {
      const folio = this.freeList.pop();
      if (folio === undefined) break;
      folio.freed = false;
      folio.dissolved = true; // update_and_free_hugetlb_folio(): back to the buddy allocator
      this.total--;
    }
  }

  /** The n-th folio on the free list (head first). */
  freeFolio(n: number): Folio | undefined {
    return this.freeList[this.freeList.length - 1 - n];
  }

  /** enqueue_hugetlb_folio(): onto the head of the free list. */
  enqueue(folio: Folio): void {
    folio.freed = true;
    folio.refcount = 0;
    folio.mapcount = 0;
    this.freeList.push(folio);
  }

  /**
   * dequeue_hugetlb_folio_vma(): take a free folio, consuming a reservation when `useReserve`.
   * Without a reservation a folio is handed out only while free - resv > 0. Poisoned free folios are
   * skipped (dequeue_hugetlb_folio_node_exact() skips PageHWPoison).
   */
  dequeue(useReserve: boolean): Folio | undefined {
    if (!useReserve && this.free - this.resv <= 0) return undefined;
    const i = this.freeList.findLastIndex((f) => !f.hwpoison);
    if (i < 0) return undefined;
    const [folio] = this.freeList.splice(i, 1);
    if (useReserve) this.resv--;
    folio!.freed = false;
    folio!.refcount = 1;
    folio!.migratable = false;
    folio!.dirty = false;
    folio!.contents.clear(); // clear_huge_page() happens in the caller in Linux; no folio is handed out dirty here
    return folio;
  }

  /**
   * hugetlb_acct_memory() => gather_surplus_pages(): take `delta` reservations, or fail (-ENOMEM)
   * when free - resv is short (no overcommit). A negative delta returns reservations.
   */
  acct(delta: number): boolean {
    if (delta > 0 && this.resv + delta > this.free) return false;
    this.resv += delta;
    return true;
  }

  /**
   * dissolve_free_hugetlb_folio(): turn a free folio back into buddy pages. Fails (-EBUSY) when every
   * free folio is reserved (free - resv == 0), as Linux refuses to dissolve then.
   */
  dissolve(folio: Folio): boolean {
    const i = this.freeList.indexOf(folio);
    if (i < 0) return false;
    if (this.free - this.resv <= 0) return false;
    this.freeList.splice(i, 1);
    folio.freed = false;
    folio.dissolved = true;
    this.total--;
    return true;
  }
}
