// HugeTLB high-granularity mapping (HGM v2, James Houghton, Feb 2023; unmerged): enabling it on a VMA
// and collapsing split mappings back. Linux (HGM v2 tree): mm/hugetlb.c (hugetlb_enable_hgm_vma(),
// hugetlb_collapse()), mm/madvise.c (MADV_SPLIT 26, MADV_COLLAPSE for hugetlb); kernel-semantics.md
// §6.2, §6.7. The walks live in pgtable.ts (descend, allocSplit) and the fault path in hugetlb.ts.
// Unlike Linux, MADV_SPLIT does not split a VMA: a range must cover whole VMAs or start and end on
// hugepage boundaries, and the whole VMA is enabled.
import { BUG, type BugSite } from './bug.js';
import { noteFinding, pidOfMm } from './findings.js';
import { hugetlb_add_rmap, hugetlb_remove_rmap, page_remove_rmap, put_folio } from './rmap.js';
import type { Vma } from './mm.js';
import { alignDown, setSlot, slotEntry, type Slot } from './pgtable.js';
import type { KernelState } from './state.js';
import type { SysRet } from './types.js';
import { PAGE_SHIFT, PAGE_SIZE } from './uapi.js';

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
  pt.prune(start, end);
  return OK;
}

/** What hugetlb_split_to_shift() returns: 0, or why the entry was left as it was. */
export type SplitResult = 0 | 'EAGAIN' | 'EBUSY' | 'EEXIST' | 'EHWPOISON' | 'ENOMEM';

/**
 * The BUG_ON(hugetlb_pte_size(&new_hpte) > sz) of hugetlb_split_to_shift_present_leaf(): RFC 1/7's
 * hunk (@@ +8203) puts it at line 8293 of mm/hugetlb.c, and 2/7 adds 27 lines above it.
 */
const SPLIT_TOO_LARGE: BugSite = { file: 'mm/hugetlb.c', line: 8320, func: 'hugetlb_split_to_shift_present_leaf' };

/**
 * hugetlb_find_shift() (RFC 1/7): the largest shift of for_each_hgm_shift() aligned at `curr` that fits
 * before `end`, and no larger than `desiredShift` where it would contain `addr`.
 */
function hugetlb_find_shift(vma: Vma, curr: number, end: number, addr: number, desiredShift: number): number {
  const shift = hgmShifts(vma).find((s) => {
    const size = 2 ** s;
    if (curr % size !== 0 || curr + size > end) return false;
    return !(addr >= curr && addr < curr + size) || s <= desiredShift;
  });
  // PAGE_SHIFT always fits a 4 KiB-aligned range, and desiredShift is never below it.
  return shift ?? PAGE_SHIFT;
}

/**
 * hugetlb_split_to_shift() (RFC 1/7), as posted: the range it splits is `addr` aligned down to the size
 * of the entry `hpte` it was handed — whichever entry that is. A slot already at the desired size
 * succeeds at once. none / marker / a table -> -EAGAIN, migration -> -EBUSY, hwpoison -> -EHWPOISON:
 * the entry is left as it was. Otherwise hpte's entry is cleared and its mapcount dropped, and the range
 * is walked in address order (hugetlb_split_to_shift_present_leaf()): at each address
 * hugetlb_full_walk_alloc() to the size hugetlb_find_shift() picks, then a new entry for the raw page at
 * that address in the folio (hugetlb_find_subpage()), with the old write, dirty and uffd-wp bits, one
 * mapcount and one reference each; set_huge_pte_at() overwrites whatever the walk found there. The old
 * entry's reference goes last. A walk that stops at a leaf larger than asked is BUG_ON. `fail` models an
 * allocation failure (-ENOMEM; the RFC restores the original entry, so nothing changes).
 * When hpte covers addr (the intent, and every first split) this is the optimal split of hpte's entry;
 * when it does not (try_to_split_huge_mapping() walking from the head), it clears an entry that maps
 * other memory and remaps the range around addr over what is there: RFC-F2, or RFC-F1's BUG.
 */
export function hugetlb_split_to_shift(k: KernelState, vma: Vma, hpte: Slot, addr: number, desiredShift: number, fail: boolean): SplitResult {
  const start = alignDown(addr, 2 ** hpte.shift);
  const end = start + 2 ** hpte.shift;
  if (hpte.shift === desiredShift) return 0;
  const e = slotEntry(hpte);
  if (e === undefined || e.kind === 'marker' || e.kind === 'table') return 'EAGAIN';
  if (e.kind === 'migration') return 'EBUSY';
  if (e.kind === 'hwpoison') return 'EHWPOISON';
  if (fail) return 'ENOMEM';
  const { folio } = e;
  const h = vma.hstate;
  const pt = vma.mm.pt;
  setSlot(hpte, undefined); // huge_ptep_get_and_clear()
  hugetlb_remove_rmap(folio, hpte.shift);
  const made: Slot[] = [];
  for (let curr = start; curr < end;) {
    const shift = hugetlb_find_shift(vma, curr, end, addr, desiredShift);
    const target = pt.allocSplit(curr, shift, h.shift);
    if (target === 'EEXIST') {
      // WARN_ON(ret) => abort: the entries made so far go, the old entry and its mapcount come back.
      for (const s of made) page_remove_rmap(folio, vma, s.shift);
      for (const s of made) setSlot(s, undefined);
      hugetlb_add_rmap(folio, hpte.shift);
      setSlot(hpte, e);
      return 'EEXIST';
    }
    const raw = (curr % h.size) / PAGE_SIZE; // hugetlb_find_subpage()
    if (target.shift > shift) {
      noteFinding(k, { id: 'RFC-F1', pid: pidOfMm(k, vma.mm), pfn: folio.pfn + (addr % h.size) / PAGE_SIZE, raw: (addr % h.size) / PAGE_SIZE, addr });
      BUG(k, SPLIT_TOO_LARGE);
    }
    const old = slotEntry(target);
    if (old?.kind === 'hwpoison' && old.pfn === folio.pfn) {
      noteFinding(k, { id: 'RFC-F2', pid: pidOfMm(k, vma.mm), pfn: folio.pfn + raw, raw, addr: curr });
    }
    folio.refcount++;
    hugetlb_add_rmap(folio, target.shift);
    setSlot(target, { kind: 'present', folio, subpage: raw, write: e.write, dirty: e.dirty, uffdWp: e.uffdWp });
    made.push(target);
    curr += 2 ** target.shift;
  }
  put_folio(folio); // the old entry's reference, now that the split is done
  return 0;
}
