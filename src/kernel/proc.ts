// /proc views of an mm: smaps hugetlb fields and pagemap bits.
// Linux: fs/proc/task_mmu.c (smaps_hugetlb_range(), pagemap_hugetlb_range()), v6.1;
// Documentation/admin-guide/mm/pagemap.rst. A mapped hugetlb entry counts as Shared_Hugetlb when the
// folio's mapcount is 2 or more, else Private_Hugetlb — even in a MAP_SHARED mapping. A hwpoison entry
// counts too, by the mapcount of the folio it names: after a poison Private_Hugetlb stays at the mapped
// hugepages (observed on 6.1.192; answers kernel-semantics.md §9 open question 4 for 6.1). The HGM
// per-level fields count present entries only.
import type { Folio } from './folio.js';
import { rmap_walk } from './rmap.js';
import type { Mm } from './mm.js';
import { alignDown, sizeOfShift, slotEntry } from './pgtable.js';
import type { PagemapEntry, SmapsInfo } from './types.js';
import type { ProcSwitches } from './profiles.js';
import { PAGE_SIZE } from './uapi.js';

/**
 * The mapcount of one raw page: the folio's entire mapcount plus, under HGM, every smaller entry that
 * covers it in any VMA (the per-subpage mapcount of HGM v2 32/46).
 */
function subpageMapcount(folio: Folio, raw: number): number {
  let n = folio.mapcount;
  if (folio.subMapcount === 0) return n;
  for (const { vma, address } of rmap_walk(folio)) {
    const at = address + raw * PAGE_SIZE;
    const slot = vma.mm.pt.walk(at);
    const e = slot === undefined ? undefined : slotEntry(slot);
    if (slot !== undefined && e?.kind === 'present' && e.folio === folio && slot.shift < folio.hstate.shift) n++;
  }
  return n;
}

/** smaps_hugetlb_range() summed over the VMA at addr; folioOfPfn names the folio a hwpoison entry holds. */
/**
 * Whether smaps_hugetlb_range() counts a non-present entry holding a folio (hwpoison) as shared, by
 * ProcSwitches.smaps_nonpresent: by the raw page's mapcount (v6.1) or always (v6.11+).
 */
const NONPRESENT_SHARED: { readonly [M in ProcSwitches['smaps_nonpresent']]: (folio: Folio | undefined, raw: number) => boolean } = {
  by_mapcount: (folio, raw) => folio !== undefined && subpageMapcount(folio, raw) >= 2,
  shared: () => true,
};

export function smaps(mm: Mm, addr: number, hgm: boolean, sw: ProcSwitches, folioOfPfn: (pfn: number) => Folio | undefined): SmapsInfo | null {
  const vma = mm.findVma(addr);
  if (vma === undefined) return null;
  let shared = 0;
  let priv = 0;
  const perLevel = new Map<number, number>([[30, 0], [21, 0], [12, 0]]);
  for (const leaf of mm.pt.leaves(vma.start, vma.end)) {
    const e = leaf.entry;
    const size = sizeOfShift(leaf.shift);
    if (e.kind === 'hwpoison') {
      const folio = folioOfPfn(e.pfn);
      const raw = folio === undefined ? 0 : (leaf.start - alignDown(leaf.start, folio.size)) / PAGE_SIZE;
      if (NONPRESENT_SHARED[sw.smaps_nonpresent](folio, raw)) shared += size;
      else priv += size;
      continue;
    }
    if (e.kind !== 'present') continue;
    if (subpageMapcount(e.folio, e.subpage) >= 2) shared += size;
    else priv += size;
    perLevel.set(leaf.shift, (perLevel.get(leaf.shift) ?? 0) + size);
  }
  const base = {
    Size: (vma.end - vma.start) / 1024,
    KernelPageSize: vma.hstate.size / 1024,
    MMUPageSize: vma.hstate.size / 1024,
    Rss: 0,
    Pss: 0,
    Shared_Hugetlb: shared / 1024,
    Private_Hugetlb: priv / 1024,
    Swap: 0,
    Locked: 0,
  };
  if (!hgm) return base;
  return {
    ...base,
    HugetlbPudMapped: (perLevel.get(30) ?? 0) / 1024,
    HugetlbPmdMapped: (perLevel.get(21) ?? 0) / 1024,
    HugetlbPteMapped: (perLevel.get(12) ?? 0) / 1024,
  };
}

export function pagemap(mm: Mm, addr: number): PagemapEntry {
  const none: PagemapEntry = { present: false, swapped: false, file_shared: false, exclusive: false, uffd_wp: false, pfn: 0 };
  const slot = mm.pt.walk(addr);
  const e = slot === undefined ? undefined : slotEntry(slot);
  if (slot === undefined || e === undefined || e.kind === 'table') return none;
  if (e.kind === 'present') {
    return {
      present: true,
      swapped: false,
      file_shared: !e.folio.anon,
      exclusive: subpageMapcount(e.folio, e.subpage + Math.floor((addr - slot.start) / PAGE_SIZE)) === 1,
      uffd_wp: e.uffdWp,
      pfn: e.folio.pfn + e.subpage + Math.floor((addr - slot.start) / PAGE_SIZE),
    };
  }
  // Non-present hugetlb entries report only the uffd-wp bit (pte_swp_uffd_wp_any()).
  return { ...none, uffd_wp: e.kind === 'marker' && e.uffdWp };
}
