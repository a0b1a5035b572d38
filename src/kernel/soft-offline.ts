// Soft offline of hugetlb pages: move the data of a suspect hugepage elsewhere and retire the raw page,
// without signalling anyone. Entries: sysfs soft_offline_page and madvise(MADV_SOFT_OFFLINE) (madvise.ts).
// Linux: mm/memory-failure.c (soft_offline_page(), soft_offline_in_use_page(), page_handle_poison(),
// get_any_page()), mm/migrate.c (unmap_and_move_huge_page()), mm/hugetlb.c (alloc_hugetlb_folio_nodemask(),
// alloc_migrate_hugetlb_folio(), move_hugetlb_state(), dissolve_free_hugetlb_folio()),
// drivers/base/memory.c (soft_offline_page_store()); v6.1. Rules: kernel-semantics.md §1.13 and §10 (observed), the rest read from the source of each function cited.
// Left out: non-hugetlb pages except free buddy pages of dissolved folios, vm.enable_soft_offline (v6.11+),
// the hwpoison filter, NUMA placement of the target, migration entries left visible to other threads
// (the model migrates in one step: no fault can arrive in between).
import { lock, MF_MUTEX, unlock } from './bug.js';
import type { Folio } from './folio.js';
import { folio_mapped, put_folio, rmap_walk } from './rmap.js';
import { __page_handle_poison, MF_COUNT_INCREASED, type MfRet } from './memory-failure.js';
import { setSlot } from './pgtable.js';
import { hex } from './printk.js';
import type { KernelState } from './state.js';
import { retText, shiftText, trace, traced } from './trace.js';
import type { SysRet } from './types.js';
import { PAGE_SHIFT } from './uapi.js';
import { ERRNO_VALUE } from '../abi/index.js';

/** enum mf_flags MF_SOFT_OFFLINE (include/linux/mm.h). */
export const MF_SOFT_OFFLINE = 1 << 3;


/**
 * %pGp of a raw page's flags, reduced to what the model keeps: PG_head (bit 16) on a head page. The
 * node, zone and lastcpupid fields Linux appends are left out; scenarios match the text up to "type".
 */
function pGp(folio: Folio, pfn: number): string {
  return pfn === folio.pfn ? '0x10000(head)' : '0x0()';
}

/**
 * PageHWPoison() of a raw page: a raw page of a dissolved folio, or the head of a poisoned hugetlb folio
 * (6.1 keeps PG_hwpoison on the head; listed tail raw pages carry it only once dissolved).
 * Linux: include/linux/page-flags.h PageHWPoison(), mm/memory-failure.c hugetlb_set_page_hwpoison(), v6.1.
 */
function PageHWPoison(k: KernelState, pfn: number): boolean {
  if (k.rawPoisoned.has(pfn)) return true;
  const folio = k.folioOfPfn(pfn);
  return folio !== undefined && folio.hugetlb && folio.hwpoison && folio.pfn === pfn;
}

/** put_ref_page(): drop the caller's reference (GUP's, under MF_COUNT_INCREASED). Linux: mm/memory-failure.c, v6.1. */
function put_ref_page(k: KernelState, pfn: number, flags: number): void {
  if (!(flags & MF_COUNT_INCREASED)) return;
  const folio = k.folioOfPfn(pfn);
  if (folio !== undefined && folio.hugetlb) put_folio(folio);
}

type HwpoisonPage = 'in-use' | 'free' | 'EIO';

/**
 * get_any_page() for soft offline (get_hwpoison_page(p, flags | MF_SOFT_OFFLINE)): a hugetlb folio that
 * is free gives 0; a migratable one in use gives 1 with a reference taken (or the caller's, under
 * MF_COUNT_INCREASED); anything else is -EBUSY, retried, then -EIO "unhandlable page" (inferred from
 * the code: a poisoned folio is no longer HPageMigratable). A raw page of a dissolved
 * folio is a free buddy page.
 * Linux: mm/memory-failure.c:get_any_page() => __get_hwpoison_page() => get_hwpoison_huge_page(), v6.1.
 */
function get_any_page(k: KernelState, pfn: number, flags: number): HwpoisonPage {
  const folio = k.folioOfPfn(pfn);
  if (folio === undefined || !folio.hugetlb) return 'free';
  if (flags & MF_COUNT_INCREASED) return 'in-use';
  if (folio.freed) return 'free';
  if (folio.migratable && folio.refcount > 0) {
    folio.refcount++; // get_page_unless_zero()
    return 'in-use';
  }
  k.log.printk(k.wording.soft_offline.unhandlable(pfn));
  trace(k, () => `get_any_page: not migratable (refcount ${folio.refcount}${folio.hwpoison ? ', poisoned' : ''}): -EBUSY, retried, -EIO`);
  return 'EIO';
}

/**
 * The 6.1 1 GiB take-off-buddy quirk (switch gigantic_take_off_buddy_fails, kernel-semantics.md §10) needs a raw page
 * that carries PG_hwpoison when the gigantic folio is freed 4 KiB at a time; soft offline sets the flag
 * only after page_handle_poison(), so by that mechanism the quirk does not apply here. Inferred, not
 * observed on a 1 GiB soft offline. TODO confirm.
 */
function gigantic_quirk_note(k: KernelState, folio: Folio): void {
  if (folio.hstate.shift > 21 && k.switches.memory_failure.gigantic_take_off_buddy_fails) {
    trace(k, () => 'gigantic_take_off_buddy_fails: not applied (the raw page had no PG_hwpoison when the folio was freed; TODO confirm)');
  }
}

/**
 * page_handle_poison(page, hugepage_or_freepage=true, release=false): dissolve the free folio holding the
 * raw page (a folio already back in buddy needs nothing) and take the raw page off buddy; then
 * PG_hwpoison on it and num_poisoned_pages +1. No action_result: no "recovery action" line.
 * Linux: mm/memory-failure.c:page_handle_poison() => __page_handle_poison(), v6.1.
 */
function page_handle_poison(k: KernelState, pfn: number): boolean {
  const folio = k.folioOfPfn(pfn);
  if (folio !== undefined && folio.hugetlb) {
    if (!__page_handle_poison(k, folio)) return false; // dissolve_free_hugetlb_folio(): free - resv == 0
    gigantic_quirk_note(k, folio);
  }
  k.rawPoisoned.add(pfn);
  k.num_poisoned_pages++;
  trace(k, () => `page_handle_poison: raw page ${hex(pfn)} taken off buddy, PG_hwpoison, num_poisoned_pages ${k.num_poisoned_pages}`);
  return true;
}

/**
 * alloc_hugetlb_folio_nodemask() as alloc_migration_target() calls it: a pool folio while
 * free - resv > 0, else a temporary fresh one (2 MiB only).
 * Linux: mm/hugetlb.c:alloc_hugetlb_folio_nodemask() (alloc_huge_page_nodemask() in 6.1), v6.1.
 */
function alloc_hugetlb_folio_nodemask(k: KernelState, old: Folio): Folio | undefined {
  const h = old.hstate;
  const pooled = h.dequeue(false);
  if (pooled !== undefined) {
    trace(k, () => `alloc_hugetlb_folio_nodemask: pool folio ${hex(pooled.pfn)} (free - resv was > 0)`);
    return pooled;
  }
  const fresh = h.allocTemporary();
  trace(k, () => fresh === undefined
    ? `alloc_migrate_hugetlb_folio: none for a gigantic (${shiftText(h.shift)}) hstate`
    : `alloc_migrate_hugetlb_folio: temporary folio ${hex(fresh.pfn)} from buddy (pool has no unreserved free folio)`);
  return fresh;
}

/**
 * migrate_pages() => unmap_and_move_huge_page() for a folio mapped only at the hstate size: the target
 * takes the contents (hugetlbfs_migrate_folio(): copy, page-cache slot), every entry that mapped the old folio in every
 * process (try_to_migrate() then remove_migration_ptes(), done here in one pass) with its reference and
 * mapcount, the anon rmap, the dirty flag; then move_hugetlb_state() moves the temporary mark to the old
 * folio and the new one is HPageMigratable. Returns the number of folios not migrated (0 or 1), or ENOMEM.
 * Linux: mm/migrate.c:unmap_and_move_huge_page(), mm/hugetlb.c:move_hugetlb_state(), v6.1.
 */
function unmap_and_move_huge_page(k: KernelState, old: Folio): 0 | 1 | 'ENOMEM' {
  return traced(k, () => `unmap_and_move_huge_page(folio ${hex(old.pfn)}, MR_MEMORY_FAILURE)`, () => unmap_and_move_huge_page_untraced(k, old),
    (r) => (typeof r === 'string' ? `-${r}` : String(r)));
}

/** unmap_and_move_huge_page()'s work; unmap_and_move_huge_page() records it as one traced call. */
function unmap_and_move_huge_page_untraced(k: KernelState, old: Folio): 0 | 1 | 'ENOMEM' {
  // HGM: an entry smaller than the hstate size maps the folio. HGM v2 gives such mappings no migration
  // path the model follows, so the folio is one migrate_pages() could not migrate (count 1, -EBUSY for
  // the caller) rather than a guess at how the RFC would re-point split tables. Not in any posted code's
  // tests: modelled, not derived.
  if (old.subMapcount > 0) {
    trace(k, () => `folio mapped by ${old.subMapcount} entries smaller than ${shiftText(old.hstate.shift)} (HGM): not migrated`);
    return 1;
  }
  const target = alloc_hugetlb_folio_nodemask(k, old);
  if (target === undefined) return 'ENOMEM';
  // migrate_huge_page_move_mapping(): the folio must hold only the page cache's, the isolation's and
  // the mappings' references; memory_failure's makes it -EAGAIN, retried, then counted as failed (the
  // target goes back to where it came from).
  if (old.mfRefs > 0) {
    trace(k, () => `folio ${hex(old.pfn)} holds memory_failure's reference: -EAGAIN, retried, not migrated`);
    put_folio(target);
    return 1;
  }
  target.contents.copyFrom(old.contents, 0, 0, old.size);
  target.dirty = old.dirty;
  target.index = old.index;
  const walk = [...rmap_walk(old)]; // through the old folio's i_mmap or anon_vma, before either moves
  if (old.anon) {
    target.anon = true;
    target.anonVmas.push(...old.anonVmas);
  }
  // Page cache: replace the slot (the cache's reference moves with it).
  const inode = old.mapping;
  if (inode !== null) {
    inode.pageCache.set(old.index, target);
    target.mapping = inode;
    old.mapping = null;
    target.refcount++;
    old.refcount--;
  }
  const repointed: string[] = [];
  for (const { vma, address } of walk) {
    const pt = vma.mm.pt;
    for (const leaf of [...pt.leaves(address, address + old.size)]) {
      const e = leaf.entry;
      if (e.kind !== 'present' || e.folio !== old) continue;
      const slot = pt.offset(leaf.start, leaf.shift);
      if (slot === undefined) continue;
      setSlot(slot, { kind: 'present', folio: target, subpage: e.subpage, write: e.write, dirty: e.dirty, uffdWp: e.uffdWp });
      target.mapcount++;
      target.refcount++;
      old.mapcount--;
      old.refcount--;
      if (k.trace !== null) repointed.push(`${hex(leaf.start)} (pid ${[...k.processes.values()].find((p) => p.mm === vma.mm)?.pid ?? '?'})`);
    }
  }
  old.contents.clear();
  // move_hugetlb_state(): a temporary target stays in the pool; the old folio leaves it when freed.
  if (target.temporary) {
    target.temporary = false;
    old.temporary = true;
  }
  target.migratable = true;
  put_folio(target); // putback_active_hugepage(): the allocation's reference
  trace(k, () => `folio ${hex(old.pfn)} -> ${hex(target.pfn)}: contents copied, ${inode !== null ? 'page-cache slot replaced, ' : ''}${repointed.length === 0 ? 'no entry mapped it' : `entries re-pointed at ${repointed.join(', ')}`}`);
  return 0;
}

/**
 * soft_offline_in_use_page() for hugetlb: isolate the folio, migrate it, then drop the last reference
 * (the old folio goes to the free list, or to buddy when temporary) and poison the raw page through
 * page_handle_poison(). The caller holds one reference, which isolate_hugetlb()'s replaces.
 * Linux: mm/memory-failure.c:soft_offline_in_use_page(), v6.1.
 */
function soft_offline_in_use_page(k: KernelState, folio: Folio, pfn: number): MfRet {
  return traced(k, () => `soft_offline_in_use_page(${hex(pfn)})`, () => soft_offline_in_use_page_untraced(k, folio, pfn), retText);
}

/** soft_offline_in_use_page()'s work; soft_offline_in_use_page() records it as one traced call. */
function soft_offline_in_use_page_untraced(k: KernelState, folio: Folio, pfn: number): MfRet {
  const texts = k.wording.soft_offline;
  if (PageHWPoison(k, pfn)) {
    k.log.printk(texts.alreadyPoisonedInUse(pfn));
    put_folio(folio);
    return 0;
  }
  // isolate_hugetlb(): only an HPageMigratable folio; clears the flag while isolated.
  if (!folio.migratable) {
    k.log.printk(texts.isolationFailed(pfn, folio.refcount, pGp(folio, pfn)));
    put_folio(folio);
    return 'EBUSY';
  }
  folio.migratable = false;
  const ret = unmap_and_move_huge_page(k, folio);
  if (ret !== 0) {
    const value = ret === 'ENOMEM' ? -ERRNO_VALUE.ENOMEM : ret;
    k.log.printk(texts.migrationFailed(pfn, value, pGp(folio, pfn)));
    folio.migratable = true; // putback_movable_pages()
    put_folio(folio);
    return ret === 'ENOMEM' ? 'ENOMEM' : 'EBUSY';
  }
  put_folio(folio); // the isolation reference was the last: to the free list, or buddy when temporary
  trace(k, () => `put_folio: old folio ${folio.dissolved ? 'freed to buddy (temporary)' : folio.freed ? 'freed to the pool' : `still referenced (${folio.refcount})`}`);
  if (folio_mapped(folio)) return 'EBUSY'; // cannot happen: every entry was re-pointed
  return page_handle_poison(k, pfn) ? 0 : 'EBUSY';
}

/**
 * soft_offline_page(): retire raw page pfn. Already PG_hwpoison: 0. A free hugepage (or buddy page) is
 * dissolved and poisoned (retried once, then -EBUSY); an in-use migratable folio is migrated first.
 * Linux: mm/memory-failure.c:soft_offline_page(), v6.1.
 */
export function soft_offline_page(k: KernelState, pfn: number, flags: number): MfRet {
  return traced(k, () => `soft_offline_page(pfn=${hex(pfn)}${flags & MF_COUNT_INCREASED ? ', MF_COUNT_INCREASED' : ''})`,
    () => soft_offline_page_untraced(k, pfn, flags), retText);
}

/** soft_offline_page()'s work; soft_offline_page() records it as one traced call. */
function soft_offline_page_untraced(k: KernelState, pfn: number, flags: number): MfRet {
  if (k.folioOfPfn(pfn) === undefined) return 'ENXIO'; // !pfn_valid(): only the hugetlb memory is modelled
  lock(k, MF_MUTEX);
  const r = soft_offline_page_locked(k, pfn, flags);
  unlock(k, MF_MUTEX);
  return r;
}

/** soft_offline_page() under mf_mutex. */
function soft_offline_page_locked(k: KernelState, pfn: number, flags: number): MfRet {
  if (PageHWPoison(k, pfn)) {
    k.log.printk(k.wording.soft_offline.alreadyPoisoned(pfn));
    put_ref_page(k, pfn, flags);
    return 0;
  }
  for (let tryAgain = true; ;) {
    const got = get_any_page(k, pfn, flags | MF_SOFT_OFFLINE);
    if (got === 'EIO') return 'EIO';
    const folio = k.folioOfPfn(pfn)!;
    if (got === 'in-use') return soft_offline_in_use_page(k, folio, pfn);
    if (page_handle_poison(k, pfn)) return 0;
    if (!tryAgain) return 'EBUSY';
    tryAgain = false;
    flags &= ~MF_COUNT_INCREASED;
    trace(k, () => 'page_handle_poison failed: retry once');
  }
}

/**
 * echo PHYS > /sys/devices/system/memory/soft_offline_page: kstrtoull(buf, 0), pfn = phys >> PAGE_SHIFT,
 * soft_offline_page(pfn, 0); the byte count written on success, else the error.
 * Linux: drivers/base/memory.c:soft_offline_page_store(), v6.1.
 */
export function soft_offline_page_store(k: KernelState, buf: string): SysRet {
  return traced(k, () => `soft_offline_page_store(${JSON.stringify(buf)})`, () => soft_offline_page_store_untraced(k, buf),
    (r) => (r.ok ? String(r.value) : `-${r.errno}`));
}

/** soft_offline_page_store()'s work; soft_offline_page_store() records it as one traced call. */
function soft_offline_page_store_untraced(k: KernelState, buf: string): SysRet {
  const phys = kstrtoull(buf);
  if (phys === undefined) return { ok: false, errno: 'EINVAL' };
  const ret = soft_offline_page(k, Math.floor(phys / 2 ** PAGE_SHIFT), 0);
  return ret === 0 ? { ok: true, value: buf.length } : { ok: false, errno: ret };
}

/** kstrtoull(s, 0): hex (0x), octal (0) or decimal, one trailing newline allowed. Linux: lib/kstrtox.c. */
function kstrtoull(s: string): number | undefined {
  const m = /^(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)\n?$/.exec(s);
  if (m === null) return undefined;
  const t = m[1]!;
  const v = /^0[xX]/.test(t) ? parseInt(t.slice(2), 16) : t.length > 1 && t.startsWith('0') ? parseInt(t.slice(1), 8) : t === '0' ? 0 : parseInt(t, 10);
  return Number.isSafeInteger(v) ? v : undefined;
}
