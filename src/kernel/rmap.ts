// Reverse mapping and references of hugetlb folios: the mapcounts an entry adds and removes, the
// reference each mapping holds, the last put that frees a folio to its pool, and the rmap walk.
// Linux: mm/rmap.c (page_dup_file_rmap(), page_remove_rmap(), rmap_walk_file()/rmap_walk_anon()),
// mm/swap.c:folio_put() => mm/hugetlb.c:free_huge_folio(), v6.1; HGM v2 32/46 for sub-hugepage mapcounts.
// Left out: the anon_vma tree (an anonymous folio lists its VMAs), locking.
import type { Folio } from './folio.js';
import type { Vma } from './mm.js';

/**
 * hugetlb_add_file_rmap() / page_dup_file_rmap(): an entry of size 1 << shift now maps folio. At the
 * hstate size it counts in the entire mapcount; below it (HGM v2 32/46) in the subpage mapcounts.
 * The caller holds the entry's folio reference.
 */
export function hugetlb_add_rmap(folio: Folio, shift: number): void {
  if (shift >= folio.hstate.shift) folio.mapcount++;
  else folio.subMapcount++;
}

/** folio_mapped(): an entry of any size still maps the folio. */
export const folio_mapped = (folio: Folio): boolean => folio.mapcount + folio.subMapcount > 0;

/** hugetlb_remove_rmap() (HGM v2): the mapcount of one entry of `shift`, without its reference. */
export function hugetlb_remove_rmap(folio: Folio, shift: number): void {
  if (shift >= folio.hstate.shift) folio.mapcount--;
  else folio.subMapcount--;
}

/** page_remove_rmap() (hugetlb_remove_rmap() under HGM) + put_page() for one mapped entry of folio in vma. */
export function page_remove_rmap(folio: Folio, vma: Vma, shift: number): void {
  hugetlb_remove_rmap(folio, shift);
  const i = folio.anonVmas.indexOf(vma);
  if (i >= 0) folio.anonVmas.splice(i, 1);
  put_folio(folio);
}

/**
 * folio_put(): drop a reference; the last one frees the folio to its hstate (free_huge_folio()). A folio
 * the RFC's -ENOMEM retry left a reference short (RFC-F4, refsPutTwice) reaches 0 while the page cache
 * or a mapping still holds it: the kernel frees it in use; the model stops there, keeps the folio and
 * stops counting the missing reference.
 */
export function put_folio(folio: Folio): void {
  if (folio.refcount === 1 && folio.refsPutTwice > 0 && (folio.mapping !== null || folio_mapped(folio))) {
    folio.refsPutTwice--;
    return;
  }
  folio.refcount--;
  if (folio.refcount > 0) return;
  folio.anon = false;
  folio.anonVmas.length = 0;
  // A temporary folio (soft offline's migration source or target from buddy) goes back to buddy.
  if (folio.temporary) folio.hstate.freeTemporary(folio);
  else folio.hstate.enqueue(folio);
}

/** The VMAs (and addresses) through which an rmap walk reaches folio: i_mmap order for page-cache folios. */
export function* rmap_walk(folio: Folio): Generator<{ vma: Vma; address: number }> {
  const vmas = folio.mapping !== null ? folio.mapping.i_mmap : folio.anonVmas;
  for (const vma of [...vmas]) {
    const address = vma.addressOf(folio.index);
    if (address !== undefined) yield { vma, address };
  }
}
