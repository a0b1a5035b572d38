// HugeTLB high-granularity mapping (HGM v2, James Houghton, Feb 2023; unmerged): enabling it on a VMA
// and collapsing split mappings back. Linux (HGM v2 tree): mm/hugetlb.c (hugetlb_enable_hgm_vma(),
// hugetlb_collapse()), mm/madvise.c (MADV_SPLIT 26, MADV_COLLAPSE for hugetlb); kernel-semantics.md
// §6.2, §6.7. The walks live in pgtable.ts (descend, allocSplit) and the fault path in hugetlb.ts.
// Unlike Linux, MADV_SPLIT does not split a VMA: a range must cover whole VMAs or start and end on
// hugepage boundaries, and the whole VMA is enabled.
import { hugetlb_add_rmap, page_remove_rmap } from './hugetlb.js';
import type { Vma } from './mm.js';
import { setSlot, slotEntry } from './pgtable.js';
import type { SysRet } from './types.js';

const OK: SysRet = { ok: true, value: 0 };

/** for_each_hgm_shift(): the VMA's hstate shift, then each smaller x86_64 level down to PAGE_SHIFT. */
export function hgmShifts(vma: Vma): number[] {
  return [30, 21, 12].filter((s) => s <= vma.hstate.shift);
}

/**
 * MADV_SPLIT => hugetlb_enable_hgm_vma(): only shared hugetlb VMAs are eligible (VM_MAYSHARE); sets
 * VM_HUGETLB_HGM and changes no mapping.
 */
export function hugetlb_enable_hgm_vma(vma: Vma, start: number, end: number): SysRet {
  if (!vma.shared) return { ok: false, errno: 'EINVAL' };
  const size = vma.hstate.size;
  const whole = start === vma.start && end === vma.end;
  if (!whole && (start % size !== 0 || end % size !== 0)) return { ok: false, errno: 'EINVAL' };
  vma.hgm = true;
  return OK;
}

/**
 * MADV_COLLAPSE for hugetlb (HGM v2 34/46): for each hugepage whose entry is a table, zap everything
 * below (uffd-wp markers and write protection go too) and map the page-cache folio with one entry of
 * the hstate size; a poisoned folio's hugepage is skipped and stays split. Shared VMAs only; a VMA
 * without HGM is left alone.
 */
export function hugetlb_collapse(vma: Vma, start: number, end: number): SysRet {
  if (!vma.shared) return { ok: false, errno: 'EINVAL' };
  if (!vma.hgm) return OK;
  const h = vma.hstate;
  const pt = vma.mm.pt;
  for (let addr = start - (start % h.size); addr < end; addr += h.size) {
    if (addr < vma.start || addr + h.size > vma.end) continue;
    const slot = pt.offset(addr, h.shift);
    if (slot === undefined || slot.shift !== h.shift || slotEntry(slot)?.kind !== 'table') continue;
    const folio = vma.inode.pageCache.get(vma.indexOf(addr));
    if (folio?.hwpoison === true) continue;
    if (folio !== undefined && !folio.migratable) return { ok: false, errno: 'EBUSY' };
    for (const leaf of [...pt.leaves(addr, addr + h.size)]) {
      if (leaf.entry.kind === 'present') page_remove_rmap(leaf.entry.folio, vma, leaf.shift);
    }
    setSlot(slot, undefined);
    if (folio !== undefined) {
      folio.refcount++;
      hugetlb_add_rmap(folio, h.shift);
      const writable = vma.prot.write;
      setSlot(slot, { kind: 'present', folio, subpage: 0, write: writable, dirty: writable, uffdWp: false });
    }
  }
  pt.prune();
  return OK;
}
