// HugeTLB high-granularity mapping (HGM v2, James Houghton, Feb 2023; unmerged): enabling it on a VMA
// and collapsing split mappings back. Linux (HGM v2 tree): mm/hugetlb.c (hugetlb_enable_hgm_vma(),
// hugetlb_collapse()), mm/madvise.c (MADV_SPLIT 26, MADV_COLLAPSE for hugetlb); kernel-semantics.md
// §6.2, §6.7. The walks live in pgtable.ts (descend, allocSplit) and the fault path in hugetlb.ts.
// Unlike Linux, MADV_SPLIT does not split a VMA: a range must cover whole VMAs or start and end on
// hugepage boundaries, and the whole VMA is enabled.
import { hugetlb_add_rmap, page_remove_rmap } from './rmap.js';
import type { Vma } from './mm.js';
import { setSlot, slotEntry, type Slot } from './pgtable.js';
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

/** What hugetlb_split_to_shift() returns: 0, or why the entry was left as it was. */
export type SplitResult = 0 | 'EAGAIN' | 'EBUSY' | 'EHWPOISON' | 'ENOMEM';

/**
 * hugetlb_split_to_shift() (RFC 1/7): replace the present leaf at `slot` by the optimal mix of smaller
 * entries — walking its range in address order, the largest size of for_each_hgm_shift() that is
 * aligned and fits, and no larger than `desiredShift` where it would contain `addr` — copying the
 * write, dirty and uffd-wp bits; one folio reference and mapcount per new entry. A slot already at the
 * desired size succeeds at once. none / marker / a table -> -EAGAIN, migration -> -EBUSY, hwpoison ->
 * -EHWPOISON; the entry is left as it was. `fail` models an allocation failure (-ENOMEM; the RFC then
 * restores the original entry, so nothing changes).
 */
export function hugetlb_split_to_shift(vma: Vma, slot: Slot, addr: number, desiredShift: number, fail: boolean): SplitResult {
  if (slot.shift === desiredShift) return 0;
  const e = slotEntry(slot);
  if (e === undefined || e.kind === 'marker' || e.kind === 'table') return 'EAGAIN';
  if (e.kind === 'migration') return 'EBUSY';
  if (e.kind === 'hwpoison') return 'EHWPOISON';
  if (fail) return 'ENOMEM';
  const { folio } = e;
  const start = slot.start;
  const end = start + 2 ** slot.shift;
  const pt = vma.mm.pt;
  setSlot(slot, undefined);
  for (let a = start; a < end;) {
    const shift = hgmShifts(vma).find((s) => {
      const size = 2 ** s;
      if (a % size !== 0 || a + size > end) return false;
      return !(addr >= a && addr < a + size) || s <= desiredShift;
    })!;
    const target = pt.allocSplit(a, shift, vma.hstate.shift);
    if (target === 'EEXIST') throw new Error('split: a fresh range cannot hold a hwpoison entry');
    folio.refcount++;
    hugetlb_add_rmap(folio, shift);
    setSlot(target, {
      kind: 'present', folio, subpage: e.subpage + (a - start) / 4096, write: e.write, dirty: e.dirty, uffdWp: e.uffdWp,
    });
    a += 2 ** shift;
  }
  // Finally the old entry's rmap and reference go (the new entries hold the folio meanwhile).
  page_remove_rmap(folio, vma, slot.shift);
  return 0;
}
