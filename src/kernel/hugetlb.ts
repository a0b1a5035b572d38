// The hugetlb fault path, allocation against reservations, COW and unmapping.
// Linux: mm/hugetlb.c (hugetlb_fault(), hugetlb_no_page(), hugetlb_wp(), alloc_hugetlb_folio(),
// vma_needs_reservation(), __unmap_hugepage_range(), hugetlb_add_to_page_cache()), v6.1; the hwpoison
// checks follow kernel-semantics.md §3.1–§3.2; a poisoned page-cache folio is met as
// FaultSwitches.poisoned_folio picks (POISONED_FOLIO). Rmap and references live in rmap.ts.
// Left out: PMD sharing, migration waits, unmap_ref_private() (HPAGE_RESV_UNMAPPED), surplus pages.
import type { Folio } from './folio.js';
import type { Inode } from './hugetlbfs.js';
import { hugetlb_add_rmap, page_remove_rmap } from './rmap.js';
import type { Mm, Vma } from './mm.js';
import { handle_userfault, userfaultfd_minor, userfaultfd_missing, userfaultfd_wp, type UffdCtx } from './userfaultfd.js';
import { alignDown, setSlot, slotEntry, type Entry, type Slot } from './pgtable.js';
import { PAGE_SHIFT, PAGE_SIZE } from './uapi.js';
import type { KernelState } from './state.js';
import type { FaultSwitches } from './profiles.js';
import { noteFinding } from './findings.js';
import { hugetlb_should_keep_hwpoison_mapped } from './memory-failure.js';
import { hex } from './printk.js';
import { shiftText, trace, traced } from './trace.js';

/** What a fault handler returns (include/linux/mm_types.h, enum vm_fault_reason); 0 = handled. */
export type VmFault =
  | { readonly code: 0 }
  | { readonly code: 'VM_FAULT_OOM' }
  | { readonly code: 'VM_FAULT_SIGBUS' }
  | { readonly code: 'VM_FAULT_HWPOISON' }
  /** VM_FAULT_HWPOISON_LARGE | VM_FAULT_SET_HINDEX(hindex). */
  | { readonly code: 'VM_FAULT_HWPOISON_LARGE'; readonly hindex: number }
  /** handle_userfault() put the thread to sleep until the monitor resolves the fault. */
  | { readonly code: 'VM_FAULT_RETRY'; readonly uffd: UffdCtx };

/** A fault result as the trace prints it. */
export function vmFaultText(f: VmFault): string {
  if (f.code === 0) return '0';
  if (f.code === 'VM_FAULT_HWPOISON_LARGE') return `VM_FAULT_HWPOISON_LARGE (hindex ${f.hindex})`;
  if (f.code === 'VM_FAULT_RETRY') return 'VM_FAULT_RETRY (handle_userfault: the thread waits for the monitor)';
  return f.code;
}

const HANDLED: VmFault = { code: 0 };
const SIGBUS: VmFault = { code: 'VM_FAULT_SIGBUS' };

type PresentEntry = Extract<Entry, { kind: 'present' }>;

/**
 * hugetlb_fault(): resolve a fault at address in a hugetlb VMA.
 * Linux: mm/hugetlb.c:hugetlb_fault(), v6.1: a hwpoison entry gives VM_FAULT_HWPOISON_LARGE with the
 * hstate index; none or a marker goes to hugetlb_no_page(). HGM v2 24/46: the walk descends through
 * existing tables (never allocating) and the fault is handled at the size of the entry it stopped on;
 * a 4 KiB hwpoison entry still reports the hstate index.
 */
export function hugetlb_fault(k: KernelState, mm: Mm, vma: Vma, address: number, write: boolean): VmFault {
  if (k.trace === null) return hugetlb_fault_untraced(k, mm, vma, address, write); // the hot path: no closures
  return traced(k, () => `hugetlb_fault(${hex(address)}, ${write ? 'write' : 'read'})`, () => hugetlb_fault_untraced(k, mm, vma, address, write), vmFaultText);
}

/** hugetlb_fault()'s work; hugetlb_fault() records it as one traced call. */
function hugetlb_fault_untraced(k: KernelState, mm: Mm, vma: Vma, address: number, write: boolean): VmFault {
  const h = vma.hstate;
  const haddr = alignDown(address, h.size);
  const slot = mm.pt.descend(mm.pt.alloc(haddr, h.shift), address);
  const entry = slotEntry(slot);
  trace(k, () => `hugetlb_full_walk: ${entry === undefined ? 'none' : entry.kind === 'marker' ? `marker${entry.uffdWp ? ' uffd-wp' : ''}${entry.poisoned ? ' poisoned' : ''}` : entry.kind} entry, ${shiftText(slot.shift)} at ${hex(slot.start)}`);
  if (entry?.kind === 'hwpoison') return { code: 'VM_FAULT_HWPOISON_LARGE', hindex: h.index };
  // v6.6+ (8a13897fb0da): a UFFDIO_POISON marker faults as a poisoned hugepage, nothing is mapped.
  if (entry?.kind === 'marker' && entry.poisoned) return { code: 'VM_FAULT_HWPOISON_LARGE', hindex: h.index };
  if (entry?.kind === 'migration') return HANDLED; // migration_entry_wait(): not reachable without migration
  if (entry === undefined || entry.kind === 'marker') {
    return hugetlb_no_page(k, vma, vma.indexOf(haddr), address, slot, write);
  }
  if (entry.kind !== 'present') return HANDLED;
  if (write && !entry.write && userfaultfd_wp(vma) && entry.uffdWp) return handle_userfault(vma, address, 'WP', write);
  if (write && !entry.write) {
    trace(k, () => 'hugetlb_wp: copy on write');
    return hugetlb_wp(vma, haddr, slot, entry);
  }
  if (write) entry.dirty = true;
  return HANDLED;
}

/**
 * hugetlb_no_page(): instantiate the page-cache or anonymous folio behind a none (or marker) entry.
 * Linux: mm/hugetlb.c:hugetlb_no_page(), v6.1. A folio found in the page cache with PG_hwpoison gives
 * VM_FAULT_HWPOISON_LARGE (the check covers mappings that never faulted the page before the error).
 */
/**
 * hugetlb_no_page_hwpoison(): a poisoned page-cache folio met by a fault that has no entry yet.
 * Upstream (and HGM v2): VM_FAULT_HWPOISON_LARGE for the whole hugepage. RFC 5/7: enable HGM on an
 * eligible VMA and descend one level at a time toward the address until the entry's range holds no
 * listed raw page (map that entry) or it is a 4 KiB entry over a poisoned raw page (VM_FAULT_HWPOISON,
 * lsb 12). Markers split into tables of markers on the way. Which subpage hugetlb_no_page() then maps
 * into the final entry is FaultSwitches.rfc_no_page_subpage (NO_PAGE_SUBPAGE); whether an unreliable
 * folio counts as poisoned everywhere is FaultSwitches.rfc_unreliable_fault (UNRELIABLE_FAULT).
 */
function hugetlb_no_page_hwpoison(k: KernelState, vma: Vma, folio: Folio, address: number, slot: Slot): Slot | VmFault {
  // MFR v3 1/3: a file that keeps UEs mapped lets a not-yet-faulted address map the poisoned folio.
  if (hugetlb_should_keep_hwpoison_mapped(folio)) {
    trace(k, () => `hugetlb_no_page: page-cache folio ${hex(folio.pfn)} is poisoned, mapped anyway (MFD_MF_KEEP_UE_MAPPED)`);
    return slot;
  }
  return POISONED_FOLIO[k.switches.fault.poisoned_folio](k, vma, folio, address, slot);
}

type PoisonedFolioFault = (k: KernelState, vma: Vma, folio: Folio, address: number, slot: Slot) => Slot | VmFault;

/** Upstream (and HGM v2): the whole hugepage is VM_FAULT_HWPOISON_LARGE. */
function hwpoison_large(k: KernelState, vma: Vma, folio: Folio, _address: number, _slot: Slot, why = ''): VmFault {
  trace(k, () => `hugetlb_no_page: page-cache folio ${hex(folio.pfn)} is poisoned${why}`);
  return { code: 'VM_FAULT_HWPOISON_LARGE', hindex: vma.hstate.index };
}

/** RFC 5/7 hugetlb_no_page_hwpoison(): map around the listed raw pages in an HGM-eligible VMA. */
function map_around(k: KernelState, vma: Vma, folio: Folio, address: number, slot: Slot): Slot | VmFault {
  if (!vma.shared) return hwpoison_large(k, vma, folio, address, slot, ' (private VMA: not HGM-eligible)');
  const h = vma.hstate;
  const large: VmFault = { code: 'VM_FAULT_HWPOISON_LARGE', hindex: h.index };
  vma.hgm = true; // hugetlb_enable_hgm_vma()
  const haddr = alignDown(address, h.size);
  const unreliableAll = folio.rawHwpUnreliable && UNRELIABLE_FAULT[k.switches.fault.rfc_unreliable_fault];
  const poisoned = (start: number, size: number): boolean => {
    if (unreliableAll) return true;
    const first = (start - haddr) / PAGE_SIZE;
    const last = first + size / PAGE_SIZE;
    return folio.raw_hwp_list.some((r) => r >= first && r < last);
  };
  let cur = slot;
  for (;;) {
    if (!poisoned(cur.start, 2 ** cur.shift)) {
      trace(k, () => `hugetlb_no_page_hwpoison: ${shiftText(cur.shift)} at ${hex(cur.start)} holds no listed raw page: map it`);
      return cur;
    }
    if (cur.shift === PAGE_SHIFT) {
      trace(k, () => `hugetlb_no_page_hwpoison: 4K at ${hex(cur.start)} is a listed raw page`);
      return { code: 'VM_FAULT_HWPOISON' };
    }
    const next = vma.mm.pt.allocSplit(address, cur.shift - 9, h.shift);
    if (next === 'EEXIST' || next.shift >= cur.shift) {
      trace(k, () => `hugetlb_no_page_hwpoison: cannot split the ${shiftText(cur.shift)} entry at ${hex(cur.start)}`);
      return large;
    }
    cur = next;
  }
}

export function hugetlb_no_page(
  k: KernelState, vma: Vma, idx: number, address: number, slot: Slot, write: boolean,
): VmFault {
  const h = vma.hstate;
  const haddr = alignDown(address, h.size);
  // HGM v2: haddr_hgm, the start of the entry the walk stopped on, taken before RFC 5/7 may split it.
  const haddrHgm = slot.start;
  const inode = vma.inode;
  let folio = inode.pageCache.get(idx);
  let aroundPoison = false;
  if (folio === undefined) {
    if (idx >= Math.floor(inode.size / h.size)) {
      trace(k, () => 'hugetlb_no_page: index past i_size');
      return SIGBUS;
    }
    if (userfaultfd_missing(vma)) return handle_userfault(vma, address, 'MISSING', write);
    folio = alloc_hugetlb_folio(vma, haddr);
    if (folio === undefined) {
      trace(k, () => 'alloc_hugetlb_folio: -ENOSPC (no free hugepage or reservation)');
      return SIGBUS; // -ENOSPC => VM_FAULT_SIGBUS
    }
    const allocated = folio;
    trace(k, () => `alloc_hugetlb_folio: folio ${hex(allocated.pfn)}`);
    if (vma.shared) {
      hugetlb_add_to_page_cache(inode, folio, idx);
    } else {
      hugepage_add_new_anon_rmap(folio, vma, idx);
    }
    folio.migratable = true;
  } else {
    const cached = folio;
    trace(k, () => `hugetlb_no_page: page-cache folio ${hex(cached.pfn)} at index ${idx}`);
    if (folio.hwpoison) {
      const r = hugetlb_no_page_hwpoison(k, vma, folio, address, slot);
      if ('code' in r) return r;
      slot = r; // map the healthy part the RFC found, at that entry's size
      aroundPoison = k.switches.fault.poisoned_folio === 'map_around';
    }
    if (idx >= Math.floor(inode.size / h.size)) return SIGBUS;
    if (userfaultfd_minor(vma)) return handle_userfault(vma, address, 'MINOR', write);
    folio.refcount++; // filemap_lock_folio()'s reference becomes the mapping's
  }
  const old = slotEntry(slot);
  // A uffd-wp marker makes the new entry write-protected with the uffd-wp bit.
  const wpMarker = userfaultfd_wp(vma) && old?.kind === 'marker' && old.uffdWp;
  const writable = vma.shared && vma.prot.write && !wpMarker;
  // HGM: the entry maps the part of the folio its slot covers (its size may be below the hstate's).
  const subpage = aroundPoison ? no_page_subpage(k, folio, haddr, haddrHgm, slot) : (slot.start - haddr) / PAGE_SIZE;
  hugetlb_add_rmap(folio, slot.shift);
  setSlot(slot, { kind: 'present', folio, subpage, write: writable, dirty: writable, uffdWp: wpMarker });
  if (write && !vma.shared) {
    const entry = slotEntry(slot) as PresentEntry;
    return hugetlb_wp(vma, haddr, slot, entry);
  }
  return HANDLED;
}

/**
 * alloc_hugetlb_folio(): dequeue a free folio for vma at addr, consuming the reservation that covers
 * the index if there is one (vma_needs_reservation() / vma_commit_reservation()).
 */
export function alloc_hugetlb_folio(vma: Vma, addr: number): Folio | undefined {
  const idx = vma.indexOf(addr);
  const hasReserve = vma.shared
    ? vma.inode.resvRegion.has(idx) && !vma.inode.pageCache.has(idx)
    : vma.resv !== null && !vma.resv.consumed.has(idx);
  const folio = vma.hstate.dequeue(hasReserve);
  if (folio === undefined) return undefined;
  if (vma.shared) vma.inode.resvRegion.add(idx);
  else vma.resv?.consumed.add(idx);
  return folio;
}

/** hugepage_add_new_anon_rmap(): a new anonymous folio, reachable through vma's anon_vma. */
function hugepage_add_new_anon_rmap(folio: Folio, vma: Vma, idx: number): void {
  folio.anon = true;
  folio.index = idx;
  folio.anonVmas.push(vma);
  vma.anonVma = true;
}

/**
 * hugetlb_wp(): a write fault on a present, write-protected entry. Shared: make it writable.
 * Private: reuse an anonymous folio mapped once, else copy into a new anonymous folio (COW).
 * Linux: mm/hugetlb.c:hugetlb_wp() (hugetlb_cow() before v6.2), v6.1. Left out: the owner's
 * outside-reserve path that unmaps children (unmap_ref_private(); see fork.ts).
 */
export function hugetlb_wp(vma: Vma, haddr: number, slot: Slot, entry: PresentEntry): VmFault {
  const old = entry.folio;
  if (vma.shared || (old.anon && old.mapcount === 1)) {
    entry.write = true;
    entry.dirty = true;
    return HANDLED;
  }
  const copy = alloc_hugetlb_folio(vma, haddr);
  if (copy === undefined) return SIGBUS;
  copy.contents.copyFrom(old.contents, 0, 0, old.size);
  hugepage_add_new_anon_rmap(copy, vma, vma.indexOf(haddr));
  copy.migratable = true;
  hugetlb_add_rmap(copy, slot.shift);
  setSlot(slot, { kind: 'present', folio: copy, subpage: 0, write: true, dirty: true, uffdWp: entry.uffdWp });
  page_remove_rmap(old, vma, slot.shift);
  return HANDLED;
}

/**
 * __unmap_hugepage_range(): clear every entry of vma in [start, end): present entries drop their
 * mapping, hwpoison entries and markers are simply cleared.
 */
export function unmap_hugepage_range(vma: Vma, start: number, end: number): void {
  const pt = vma.mm.pt;
  for (const leaf of [...pt.leaves(start, end)]) {
    const slot = pt.offset(leaf.start, leaf.shift);
    if (slot === undefined) continue;
    const e = slotEntry(slot);
    setSlot(slot, undefined);
    if (e?.kind === 'present') page_remove_rmap(e.folio, vma, leaf.shift);
  }
  pt.prune(start, end);
}

/** hugetlb_add_to_page_cache() (mm/hugetlb.c): insert a new folio at idx; the cache holds one reference, the folio is dirty. */
export function hugetlb_add_to_page_cache(inode: Inode, folio: Folio, idx: number): void {
  inode.pageCache.set(idx, folio);
  folio.mapping = inode;
  folio.index = idx;
  folio.refcount++;
  folio.dirty = true;
}

/**
 * hugetlb_no_page() => hugetlb_find_subpage() after RFC 5/7 mapped around poison: the subpage the final
 * entry maps, by FaultSwitches.rfc_no_page_subpage. Posted: from haddr_hgm, taken before the split.
 */
const NO_PAGE_SUBPAGE: { readonly [M in FaultSwitches['rfc_no_page_subpage']]: (preSplitStart: number, finalStart: number) => number } = {
  pre_split: (preSplitStart) => preSplitStart,
  final_entry: (_preSplitStart, finalStart) => finalStart,
};

/** RFC 5/7 hugetlb_no_page_hwpoison() on an unreliable folio: does every raw page count as poisoned? */
const UNRELIABLE_FAULT: { readonly [M in FaultSwitches['rfc_unreliable_fault']]: boolean } = {
  list_only: false, // posted: the llist walk of the emptied raw_hwp_list finds nothing
  all_poisoned: true,
};

/**
 * The subpage hugetlb_no_page() maps at `slot` after hugetlb_no_page_hwpoison() (RFC 5/7), with the
 * findings of the posted code: RFC-F3 when it is not the subpage at the entry's start, RFC-F5 when the
 * entry maps a raw page memory_failure() was called for whose raw_hwp_list entry was thrown away.
 */
function no_page_subpage(k: KernelState, folio: Folio, haddr: number, haddrHgm: number, slot: Slot): number {
  const belongs = (slot.start - haddr) / PAGE_SIZE;
  const subpage = (NO_PAGE_SUBPAGE[k.switches.fault.rfc_no_page_subpage](haddrHgm, slot.start) - haddr) / PAGE_SIZE;
  const pid = k.current?.process.pid ?? 0;
  if (subpage !== belongs) {
    trace(k, () => `hugetlb_no_page: haddr_hgm ${hex(haddrHgm)} was taken before the split: the ${shiftText(slot.shift)} entry at ${hex(slot.start)} maps subpage ${subpage}, not ${belongs}`);
    noteFinding(k, { id: 'RFC-F3', pid, pfn: folio.pfn + subpage, raw: subpage, addr: slot.start, other: belongs });
  }
  if (folio.rawHwpUnreliable) {
    const pages = 2 ** slot.shift / PAGE_SIZE;
    for (const raw of folio.errorRaws) {
      if (raw < subpage || raw >= subpage + pages) continue;
      trace(k, () => `hugetlb_no_page: raw_hwp_list is unreliable and empty: raw page ${raw}, poisoned, is mapped`);
      noteFinding(k, { id: 'RFC-F5', pid, pfn: folio.pfn + raw, raw, addr: slot.start + (raw - subpage) * PAGE_SIZE });
    }
  }
  return subpage;
}

/** How hugetlb_no_page() meets a poisoned page-cache folio, by FaultSwitches.poisoned_folio. */
const POISONED_FOLIO: { readonly [M in FaultSwitches['poisoned_folio']]: PoisonedFolioFault } = {
  hwpoison_large,
  map_around,
};
