// memory_failure() for hugetlb folios, v6.1.
// Linux: mm/memory-failure.c (memory_failure(), try_memory_failure_hugetlb(),
// __get_huge_page_for_hwpoison(), hugetlb_set_page_hwpoison() (folio_set_hugetlb_hwpoison() later),
// hwpoison_user_mappings(), collect_procs_file()/collect_procs_anon(), kill_procs(), kill_proc(),
// identify_page_state(), me_huge_page(), action_result()); mm/rmap.c:try_to_unmap_one() (TTU_HWPOISON).
// Rules and wording: kernel-semantics.md §1.2–§1.11, with §10 (observed on 6.1.192) winning.
// Profiles differ through KernelSwitches.memory_failure: how a new raw page is recorded (NEW_RAW_PAGE)
// and how the folio is unmapped (UNMAP), each an implementation picked from a table; wording.ts words it.
// Left out: non-hugetlb pages (only the raw pages of dissolved hugetlb folios are modelled), the
// hwpoison filter, unpoison. Soft offline is in soft-offline.ts.
//
// A folio is poisoned once: the first raw page takes the whole in-use path (unmap everywhere, signal,
// me_huge_page); a later raw page of the same folio is only recorded ("already hardware poisoned").
import { folio_lock_name, i_mmap_lock, lock, MF_MUTEX, unlock } from './bug.js';
import type { Folio } from './folio.js';
import { noteFinding } from './findings.js';
import { hugetlb_split_to_shift } from './hgm.js';
import { folio_mapped, page_remove_rmap, put_folio, rmap_walk } from './rmap.js';
import { PAGE_SHIFT, PAGE_SIZE } from './uapi.js';
import type { Thread, Vma } from './mm.js';
import { alignDown, setSlot, slotEntry, type LeafEntry } from './pgtable.js';
import { hex, lx } from './printk.js';
import { force_sig_mceerr, send_sig_mceerr, send_sigkill } from './signal.js';
import { retText, shiftText, trace, traced } from './trace.js';
import type { KernelState } from './state.js';
import type { Errno } from './types.js';
import type { MfMsg, MfResult } from './wording.js';
import type { MemoryFailureSwitches, SignalSwitches } from './profiles.js';

type SignalAddr = SignalSwitches['signal_addr'];

/** memory_failure() flags (include/linux/mm.h, enum mf_flags). */
export const MF_COUNT_INCREASED = 1 << 0;
export const MF_ACTION_REQUIRED = 1 << 1;
export const MF_MUST_KILL = 1 << 2;
export const MF_SW_SIMULATED = 1 << 5;
export const MF_NO_RETRY = 1 << 6;

const MF_FLAG_NAMES: readonly (readonly [number, string])[] = [
  [MF_COUNT_INCREASED, 'MF_COUNT_INCREASED'], [MF_ACTION_REQUIRED, 'MF_ACTION_REQUIRED'], [MF_MUST_KILL, 'MF_MUST_KILL'],
  [MF_SW_SIMULATED, 'MF_SW_SIMULATED'], [MF_NO_RETRY, 'MF_NO_RETRY'],
];
/** enum mf_flags as names, for the trace. */
const mfFlags = (flags: number): string => MF_FLAG_NAMES.filter(([bit]) => flags & bit).map(([, n]) => n).join('|') || '0';

/** 0 or a negative errno, as memory_failure() returns it. */
export type MfRet = 0 | Errno;

/** A named fault-injection point: true when this attempt is to fail; counts the attempt. */
export function failFault(k: KernelState, name: string): boolean {
  const c = k.faults.get(name);
  if (c === undefined) return false;
  if (c.skip > 0) {
    c.skip--;
    return false;
  }
  if (c.fail <= 0) return false;
  c.fail--;
  return true;
}

/** panic(): the machine stops; every process is gone. */
function panic(k: KernelState): void {
  k.panicked = true;
  for (const p of k.processes.values()) {
    p.alive = false;
    for (const t of p.threads.values()) t.alive = false;
  }
}

/** pr_fmt of mm/memory-failure.c. */
const pr = (k: KernelState, msg: string | (() => string)): void => {
  const prefix = k.wording.mf_prefix;
  k.log.printk(typeof msg === 'string' ? `${prefix}${msg}` : () => `${prefix}${msg()}`);
};

/**
 * action_result(): log the outcome, count the raw page (v6.2+ rule; the 6.1 totals observed in §10 are
 * the same) and map it to 0 (Recovered, Delayed) or -EBUSY.
 */
function action_result(k: KernelState, pfn: number, type: MfMsg, result: MfResult): MfRet {
  const { action_result_counts_poisoned, per_node_mf_stats } = k.switches.memory_failure;
  // Kyle Meyer, "fix redundant updates for already poisoned pages": that type is logged, never counted.
  const counted = type !== 'MF_MSG_ALREADY_POISONED';
  if (action_result_counts_poisoned && counted) {
    k.num_poisoned_pages++;
    const folio = k.folioOfPfn(pfn);
    if (folio?.rawHwpUnreliable === true) folio.countedUnlisted++;
  }
  if (per_node_mf_stats && counted) {
    k.mfStats.total++;
    const bucket = ({ MF_IGNORED: 'ignored', MF_FAILED: 'failed', MF_DELAYED: 'delayed', MF_RECOVERED: 'recovered' } as const)[result];
    k.mfStats[bucket]++;
  }
  const w = k.wording;
  pr(k, () => w.recovery_action(hex(pfn), w.action_page_types[type], w.action_name[result])); // one per injection
  trace(k, () => `action_result: ${w.action_page_types[type]}: ${w.action_name[result]}`);
  return result === 'MF_RECOVERED' || result === 'MF_DELAYED' ? 0 : 'EBUSY';
}

/**
 * hugetlb_set_page_hwpoison(): set PG_hwpoison on the folio and record the raw page.
 * Returns 'already' (-EHWPOISON) when the folio flag was already set, 'new' otherwise, 'nomem' when
 * the raw_hwp_page allocation failed under the RFC. Linux: mm/memory-failure.c, v6.1 (§1.4); with
 * the RFC (3/7, §7.4) a new raw page of an already-poisoned folio returns 0, so the whole recovery runs
 * again, and an allocation failure returns -ENOMEM.
 */
function hugetlb_set_page_hwpoison(k: KernelState, folio: Folio, raw: number): SetHwpoison {
  if (k.trace === null) return hugetlb_set_page_hwpoison_untraced(k, folio, raw);
  const wasUnreliable = folio.rawHwpUnreliable;
  const wasListed = folio.rawHwpUnmaps.has(raw);
  const r = hugetlb_set_page_hwpoison_untraced(k, folio, raw);
  trace(k, () => {
    const l = folio.raw_hwp_list;
    const list = folio.rawHwpUnreliable ? 'unreliable (HPageRawHwpUnreliable)' : `[${l.slice(0, 16).join(', ')}${l.length > 16 ? `, … ${l.length - 16} more` : ''}]`;
    const what = wasUnreliable ? 'raw_hwp_list is unreliable: not recorded'
      : folio.rawHwpUnreliable ? 'raw_hwp_page allocation failed: raw_hwp_list dropped'
        : wasListed ? 'raw page already listed' : 'raw page recorded';
    const ret = r === 'nomem' ? ': -ENOMEM' : r !== 'new' ? ': the folio was already poisoned, -EHWPOISON' : '';
    return `hugetlb_set_page_hwpoison(raw page ${raw}): ${what}${ret}; raw_hwp_list ${list}`;
  });
  return r;
}

/**
 * What recording the raw page found: the folio was not poisoned ('new'), it was and this raw page is new
 * ('already-folio', MF_HUGETLB_FOLIO_PRE_POISONED), this raw page was listed already ('already-page',
 * MF_HUGETLB_PAGE_PRE_POISONED), or the raw_hwp_page allocation failed under the RFC ('nomem').
 */
type SetHwpoison = 'already-folio' | 'already-page' | 'new' | 'nomem';

/**
 * What hugetlb_set_page_hwpoison() returns once the raw page is recorded (or the allocation failed),
 * by MemoryFailureSwitches.new_raw_page: v6.1 (§1.4) reports the folio's earlier state; RFC 3/7 (§7.4)
 * lets every new raw page run the recovery and a failed allocation return -ENOMEM.
 */
const NEW_RAW_PAGE: { readonly [M in MemoryFailureSwitches['new_raw_page']]: (already: boolean, allocFailed: boolean) => SetHwpoison } = {
  already_poisoned: (already) => (already ? 'already-folio' : 'new'),
  recover_again: (_already, allocFailed) => (allocFailed ? 'nomem' : 'new'),
};

/** hugetlb_set_page_hwpoison()'s work; hugetlb_set_page_hwpoison() records it as one traced call. */
function hugetlb_set_page_hwpoison_untraced(k: KernelState, folio: Folio, raw: number): SetHwpoison {
  const { new_raw_page, count_new_raw_page_in_set_hwpoison } = k.switches.memory_failure;
  const already = folio.hwpoison;
  folio.hwpoison = true;
  folio.errorRaws.add(raw); // the model's record of the error, kept if the list is thrown away
  if (folio.rawHwpUnreliable) return 'already-folio';
  if (folio.rawHwpUnmaps.has(raw)) return 'already-page'; // rawHwpUnmaps keys are raw_hwp_list's entries
  if (failFault(k, 'raw_hwp_page_alloc')) {
    // kmalloc(GFP_ATOMIC) failed: the list is thrown away, each entry uncounted (__free_raw_hwp_pages()).
    folio.rawHwpUnreliable = true;
    k.num_poisoned_pages -= folio.raw_hwp_list.length;
    folio.raw_hwp_list.length = 0;
    folio.rawHwpUnmaps.clear();
    folio.pendingUnmaps.clear();
    return NEW_RAW_PAGE[new_raw_page](already, true);
  }
  folio.raw_hwp_list.push(raw);
  folio.rawHwpUnmaps.set(raw, { nr_vmas_mapped: 0, nr_expected_unmaps: 0, nr_actual_unmaps: 0 });
  // MFR v3 1/3: a new raw page of a folio kept mapped returns 0 (the recovery runs again and
  // action_result() counts it), whatever new_raw_page says for other folios.
  if (hugetlb_should_keep_hwpoison_mapped(folio)) return 'new';
  if (already && count_new_raw_page_in_set_hwpoison) k.num_poisoned_pages++;
  return NEW_RAW_PAGE[new_raw_page](already, false);
}

/** 'nomem': RFC 3/7, the raw_hwp_page allocation failed (-ENOMEM), retried like 'busy'. */
type Classification = 'in-use' | 'free' | 'busy' | 'nomem' | 'already-folio' | 'already-page';

/**
 * __get_huge_page_for_hwpoison(): classify the folio (in use, free, busy) and record the raw page.
 * With MF_COUNT_INCREASED the caller's reference (GUP's) becomes memory_failure's; `callerRefPut`: an
 * earlier pass of this memory_failure() already put it (the RFC's -ENOMEM retry).
 * Linux: mm/hugetlb.c:get_huge_page_for_hwpoison() => mm/memory-failure.c, v6.1 (§1.3).
 */
function __get_huge_page_for_hwpoison(k: KernelState, folio: Folio, raw: number, flags: number, callerRefPut = false): Classification {
  let ret: Classification;
  let countIncreased = false;
  if (flags & MF_COUNT_INCREASED) {
    ret = 'in-use';
    countIncreased = true;
  } else if (folio.freed) {
    ret = 'free';
  } else if (folio.migratable && folio.refcount > 0) {
    folio.refcount++; // get_page_unless_zero()
    ret = 'in-use';
    countIncreased = true;
  } else {
    ret = 'busy';
    if (!(flags & MF_NO_RETRY)) {
      trace(k, () => `__get_huge_page_for_hwpoison: busy (not migratable, refcount ${folio.refcount}): -EBUSY`);
      return ret;
    }
  }
  trace(k, () => `__get_huge_page_for_hwpoison: ${ret === 'in-use' ? 'in use' : ret}${countIncreased ? `, reference held (refcount ${folio.refcount})` : ''}`);
  const recorded = hugetlb_set_page_hwpoison(k, folio, raw);
  if (recorded !== 'new') {
    // out: folio_put() of the reference this pass holds.
    if (countIncreased && callerRefPut && flags & MF_COUNT_INCREASED) folio_put_caller_ref_again(k, folio, raw);
    else if (countIncreased) folio.refcount--;
    // RFC: try_memory_failure_hugetlb() treats -ENOMEM like -EBUSY (retry, then "unknown page").
    return recorded;
  }
  // Clearing HPageMigratable keeps memory hotremove (and soft offline) from migrating the folio; the
  // 6.1 kernel observed keeps it (switch in_use_hugepage_stays_migratable).
  if (countIncreased && folio.migratable && !k.switches.memory_failure.in_use_hugepage_stays_migratable) folio.migratable = false;
  if (countIncreased) folio.mfRefs++;
  // A busy folio stays busy even when the raw page was recorded on the retry ("unknown page: Ignored").
  return ret;
}

/**
 * RFC 3/7 __get_huge_page_for_hwpoison()'s `out:` folio_put() on the -ENOMEM retry that kept
 * MF_COUNT_INCREASED: the caller's reference, put on the first pass, is put again (RFC-F4). Where that
 * put would drop the last reference of a folio still mapped or cached, the kernel frees a hugepage in
 * use (free_huge_folio(): VM_BUG_ON_FOLIO on a mapcount under CONFIG_DEBUG_VM, a used page on the free
 * list otherwise); the model does not follow it there: it keeps that last reference and notes the
 * finding with refcount 0.
 */
function folio_put_caller_ref_again(k: KernelState, folio: Folio, raw: number): void {
  const after = folio.refcount - 1;
  if (after > 0) {
    folio.refcount = after;
    folio.refsPutTwice++;
  }
  trace(k, () => `folio_put: the caller's reference again (MF_COUNT_INCREASED kept on the -ENOMEM retry): refcount ${after}${after > 0 ? '' : ' (the model keeps the last reference)'}`);
  noteFinding(k, { id: 'RFC-F4', pid: k.current?.process.pid ?? 0, pfn: folio.pfn + raw, raw, count: after });
}

/**
 * The flags of try_memory_failure_hugetlb()'s retry after -EBUSY or, under the RFC, -ENOMEM, by
 * MemoryFailureSwitches.rfc_nomem_retry. RFC 3/7 only adds MF_NO_RETRY (posted: a -ENOMEM first pass
 * already put the caller's reference, and the retry puts it again); 'put_once' also drops
 * MF_COUNT_INCREASED after -ENOMEM. -EBUSY never comes with MF_COUNT_INCREASED (that is "in use").
 */
const NOMEM_RETRY: { readonly [M in MemoryFailureSwitches['rfc_nomem_retry']]: (flags: number, nomem: boolean) => number } = {
  put_twice: (flags) => flags | MF_NO_RETRY,
  put_once: (flags, nomem) => (flags | MF_NO_RETRY) & (nomem ? ~MF_COUNT_INCREASED : ~0),
};

/**
 * The address a to_kill carries, by SignalSwitches.signal_addr: the hugepage start in that VMA
 * (page_address_in_vma(head), v6.1; v6.7+ gives the raw page). Linux: mm/memory-failure.c:add_to_kill().
 */
const SIGNAL_ADDR: { readonly [M in SignalAddr]: (hugepageStart: number, raw: number) => number } = {
  hugepage_start: (start) => start,
  raw_page: (start, raw) => start + raw * PAGE_SIZE,
};

interface ToKill {
  readonly thread: Thread;
  readonly addr: number;
  readonly sizeShift: number;
}

/**
 * task_early_kill(): the thread of a process that gets the early SIGBUS — current when force_early and
 * it shares current's mm, else the first thread with PF_MCE_PROCESS|PF_MCE_EARLY, or (without
 * PF_MCE_PROCESS) any thread when vm.memory_failure_early_kill is set.
 */
function task_early_kill(k: KernelState, threads: Iterable<Thread>, forceEarly: boolean): Thread | undefined {
  const list = [...threads].filter((t) => t.alive);
  const first = list[0];
  if (first === undefined) return undefined;
  if (forceEarly && k.current !== null && k.current.process === first.process) return k.current;
  for (const t of list) {
    if (t.mceProcess) {
      if (t.mceEarly) return t;
    } else if (k.memory_failure_early_kill) {
      return t;
    }
  }
  return undefined;
}

/**
 * collect_procs(): one to_kill per VMA of the folio, per process with an early-kill thread.
 * Files: every VMA covering the offset, mapped or not (i_mmap order). Anonymous: VMAs that map it.
 * si_addr by SignalSwitches.signal_addr (SIGNAL_ADDR).
 */
function collect_procs(k: KernelState, folio: Folio, raw: number, forceEarly: boolean): ToKill[] {
  const tokill: ToKill[] = [];
  const addrOf = SIGNAL_ADDR[k.switches.signals.signal_addr];
  const vmas: Vma[] = folio.mapping !== null ? folio.mapping.i_mmap : folio.anonVmas;
  for (const proc of k.processes.values()) {
    if (!proc.alive) continue;
    const t = task_early_kill(k, proc.threads.values(), forceEarly);
    if (t === undefined) continue;
    for (const vma of vmas) {
      if (vma.mm !== proc.mm) continue;
      const start = vma.addressOf(folio.index);
      if (start === undefined) continue;
      const addr = addrOf(start, raw);
      // __add_to_kill(): MFR (v1..v3) tells a process whose file keeps UEs mapped the raw page's radius.
      tokill.push({ thread: t, addr, sizeShift: hugetlb_should_keep_hwpoison_mapped(folio) ? PAGE_SHIFT : folio.hstate.shift });
    }
  }
  trace(k, () => tokill.length === 0 ? 'collect_procs: to_kill [] (no process maps it with an early-kill thread)' : `collect_procs: to_kill [${tokill.map((tk) => `${tk.thread.process.comm}:${tk.thread.tid} addr=${hex(tk.addr)} lsb=${tk.sizeShift}`).join(', ')}]`);
  return tokill;
}

/**
 * kill_procs(): signal the collected threads when forcekill; SIGKILL them when unmapping failed (v6.1).
 */
function kill_procs(k: KernelState, tokill: readonly ToKill[], forcekill: boolean, fail: boolean, pfn: number, flags: number): void {
  trace(k, () => `kill_procs: forcekill=${forcekill} fail=${fail}, ${tokill.length} to kill`);
  if (!forcekill) return;
  for (const tk of tokill) {
    const t = tk.thread;
    if (fail) {
      pr(k, k.wording.forcibly_killing(hex(pfn), `${t.process.comm}:${t.tid}`));
      send_sigkill(k, t);
      continue;
    }
    kill_proc(k, tk, pfn, flags);
  }
}

/** kill_proc(): BUS_MCEERR_AR (forced) to current under MF_ACTION_REQUIRED, else BUS_MCEERR_AO (queued). */
function kill_proc(k: KernelState, tk: ToKill, pfn: number, flags: number): void {
  const t = tk.thread;
  pr(k, k.wording.sending_sigbus(hex(pfn), `${t.process.comm}:${t.tid}`));
  if (flags & MF_ACTION_REQUIRED && t === k.current) force_sig_mceerr(k, t, 'BUS_MCEERR_AR', tk.addr, tk.sizeShift);
  else send_sig_mceerr(k, t, 'BUS_MCEERR_AO', tk.addr, tk.sizeShift);
}

/**
 * try_to_unmap(folio, TTU_HWPOISON) for hugetlb: in every VMA that maps the folio, replace every entry
 * that maps it with a hwpoison entry holding the head pfn (try_to_unmap_one()). Without HGM that is
 * the one hstate-level entry; under HGM v2 every hugetlb_pte of the hugepage, at its own size
 * (HGM v2 25/46); none entries stay none.
 */
function try_to_unmap(k: KernelState, folio: Folio, policy: UnmapPolicy): void {
  // make_hwpoison_entry(): the same swap entry (the head pfn) wherever the folio is unmapped; entries
  // are never changed in place, so one object serves every slot.
  const poisonEntry = { kind: 'hwpoison', pfn: folio.pfn } as const;
  for (const { vma, address } of rmap_walk(folio)) {
    const pt = vma.mm.pt;
    // RFC 4/7: in an HGM-eligible VMA only 4 KiB entries of listed raw pages are unmapped, each as
    // often as the splits said (nr_actual_unmaps up to nr_expected_unmaps); the rest stays mapped.
    const selective = policy.selective(vma, folio);
    const unmapped: string[] = [];
    const unmapLeaf = (start: number, shift: number, e: LeafEntry): void => {
      if (e.kind !== 'present' || e.folio !== folio) return;
      if (selective) {
        if (shift > PAGE_SHIFT) return;
        const counts = folio.rawHwpUnmaps.get(e.subpage);
        if (counts === undefined || counts.nr_actual_unmaps === counts.nr_expected_unmaps) return;
        counts.nr_actual_unmaps++;
        if (counts.nr_actual_unmaps === counts.nr_expected_unmaps) folio.pendingUnmaps.delete(e.subpage);
      }
      if (k.trace !== null) unmapped.push(`${hex(start)}/${shiftText(shift)}`);
      const slot = pt.offset(start, shift);
      if (slot === undefined) return;
      if (e.dirty) folio.dirty = true;
      setSlot(slot, poisonEntry);
      page_remove_rmap(folio, vma, shift);
    };
    if (selective) {
      // Only 4 KiB entries of listed raw pages can qualify: walk to each one instead of the whole range
      // (a copy: unmapping one may take it off the pending set).
      for (const raw of [...folio.pendingUnmaps]) {
        const slot = pt.walk(address + raw * PAGE_SIZE);
        const e = slot === undefined ? undefined : slotEntry(slot);
        if (slot !== undefined && e !== undefined && e.kind !== 'table') unmapLeaf(slot.start, slot.shift, e);
      }
    } else {
      for (const leaf of [...pt.leaves(address, address + folio.size)]) unmapLeaf(leaf.start, leaf.shift, leaf.entry);
    }
    trace(k, () => `try_to_unmap_one: VMA=[${hex(vma.start)}, ${hex(vma.end)})${selective ? ' (RFC: listed raw pages only)' : ''}: ${unmapped.length === 0 ? 'nothing unmapped' : `hwpoison entry at ${unmapped.join(', ')}`}`);
  }
}

/**
 * try_to_split_huge_mapping() (RFC 2/7), under the i_mmap lock, before try_to_unmap: for each VMA of
 * the file that covers the folio, count it; for an eligible (shared) one, enable HGM, walk and split
 * so the poisoned address is a 4 KiB entry, and expect one unmap there. Failures are logged and the
 * VMA is skipped (it keeps its mapping and is not expected to unmap).
 */
function try_to_split_huge_mapping(k: KernelState, folio: Folio, raw: number, pfn: number): boolean {
  const counts = folio.rawHwpUnmaps.get(raw);
  if (counts === undefined || folio.mapping === null) return true;
  let allSplit = true;
  const h = folio.hstate;
  for (const { vma, address } of rmap_walk(folio)) {
    counts.nr_vmas_mapped++;
    // Written only when a line or the trace uses it (once per VMA per injection otherwise).
    const range = (): string => `VMA=[${hex(vma.start)}, ${hex(vma.end)})`;
    if (!vma.shared) { // !hugetlb_hgm_eligible()
      trace(k, () => `try_to_split_huge_mapping: ${range()}: not HGM-eligible (private), no unmap expected`);
      continue;
    }
    if (!vma.hgm) {
      if (failFault(k, 'hugetlb_enable_hgm_vma')) {
        pr(k, k.wording.rfc_enable_hgm_failed(hex(pfn), range()));
        trace(k, () => `try_to_split_huge_mapping: ${range()}: hugetlb_enable_hgm_vma failed`);
        allSplit = false;
        continue;
      }
      vma.hgm = true;
    }
    const poisonedAddr = address + raw * PAGE_SIZE;
    const top = vma.mm.pt.offset(address, h.shift);
    if (top === undefined) {
      pr(k, k.wording.rfc_pt_walk_failed(hex(pfn), range()));
      trace(k, () => `try_to_split_huge_mapping: ${range()}: no page table to walk`);
      continue;
    }
    // RFC 2/7 as posted walks from the hugepage's head address (hugetlb_full_walk(head_addr)) and
    // hands that entry to the split of the poisoned address (kernel-semantics.md §8.9; RFC-F1, RFC-F2).
    const fromHead = k.switches.memory_failure.rfc_split_walk === 'from_head';
    const slot = vma.mm.pt.descend(top, fromHead ? address : poisonedAddr);
    const covers = poisonedAddr >= slot.start && poisonedAddr < slot.start + 2 ** slot.shift;
    if (!covers) trace(k, () => `try_to_split_huge_mapping: ${range()}: the walk from the head stopped at the ${shiftText(slot.shift)} entry at ${hex(slot.start)}, which does not cover ${hex(poisonedAddr)}; hugetlb_split_to_shift() gets that entry`);
    const r = hugetlb_split_to_shift(k, vma, slot, poisonedAddr, PAGE_SHIFT, failFault(k, 'hugetlb_split_to_shift'));
    if (r !== 0) {
      pr(k, k.wording.rfc_split_failed(hex(pfn), hex(poisonedAddr), range()));
      trace(k, () => `try_to_split_huge_mapping: ${range()}: hugetlb_split_to_shift(${shiftText(slot.shift)} ${hex(slot.start)}, ${hex(poisonedAddr)}, 4K) = -${r}`);
      allSplit = false;
      continue;
    }
    counts.nr_expected_unmaps++;
    folio.pendingUnmaps.add(raw);
    trace(k, () => covers
      ? `try_to_split_huge_mapping: ${range()}: split to 4K at ${hex(poisonedAddr)}, nr_expected_unmaps ${counts.nr_expected_unmaps}`
      : `try_to_split_huge_mapping: ${range()}: hugetlb_split_to_shift() returned 0; nr_expected_unmaps ${counts.nr_expected_unmaps}`);
   }
  return allSplit;
}

/**
 * is_unmapping_successful() (RFC 4/7). Without the RFC: the folio is no longer mapped. With it, for a
 * page-cache hugetlb folio: every expected unmap happened. For anonymous and other folios the posted
 * code lacks the negation and reports them still mapped (MemoryFailureSwitches.rfc_unmap_success_check).
 */
function is_unmapping_successful(k: KernelState, folio: Folio, raw: number, pfn: number, policy: UnmapPolicy, allSplit: boolean): boolean {
  return traced(k, () => 'is_unmapping_successful', () => policy.success(k, folio, raw, pfn, allSplit), String);
}

/** The folio is no longer mapped (page_mapped(), v6.1); `posted`: RFC 4/7's check without the negation. */
function folio_unmapped_check(k: KernelState, folio: Folio, pfn: number, posted: boolean): boolean {
  const notMapped = !folio_mapped(folio);
  const ok = posted ? !notMapped : notMapped;
  trace(k, () => `folio_mapped: ${!notMapped} (mapcount ${folio.mapcount}, sub-hugepage entries ${folio.subMapcount})${posted ? '; the posted check lacks the negation' : ''}`);
  // RFC 4/7: `unmap_success = folio_mapped(folio)` reports the opposite of the unmap's outcome.
  if (posted) noteFinding(k, { id: 'RFC-F6', pid: k.current?.process.pid ?? 0, pfn, raw: pfn - folio.pfn, count: folio.mapcount + folio.subMapcount });
  if (!ok) pr(k, k.wording.failed_to_unmap(hex(pfn), folio.mapcount));
  return ok;
}

/** RFC 4/7 is_unmapping_successful(): for a page-cache folio, every expected unmap of the raw page happened. */
function rfc_unmapping_successful(k: KernelState, folio: Folio, raw: number, pfn: number, allSplit: boolean): boolean {
  // The cover letter's "Failure Handling": an eligible VMA that could not be split fails the recovery.
  if (!allSplit && k.switches.memory_failure.rfc_split_failure === 'unmap_failed') {
    trace(k, () => 'an eligible VMA was not split: unmapping failed (cover letter, MF_MSG_UNMAP_FAILED)');
    return false;
  }
  if (folio.mapping === null) return folio_unmapped_check(k, folio, pfn, k.switches.memory_failure.rfc_unmap_success_check === 'posted');
  const notMapped = !folio_mapped(folio);
  const counts = folio.rawHwpUnmaps.get(raw);
  if (counts === undefined) {
    trace(k, () => `raw page ${raw} has no raw_hwp_page (list unreliable): folio_mapped ${!notMapped}`);
    return notMapped;
  }
  if (counts.nr_vmas_mapped !== counts.nr_expected_unmaps) {
    pr(k, k.wording.rfc_unmaps_expected(hex(pfn), counts.nr_vmas_mapped, counts.nr_expected_unmaps));
  }
  const ok = counts.nr_expected_unmaps === counts.nr_actual_unmaps;
  trace(k, () => `raw page ${raw}: nr_vmas_mapped ${counts.nr_vmas_mapped}, nr_expected_unmaps ${counts.nr_expected_unmaps}, nr_actual_unmaps ${counts.nr_actual_unmaps}`);
  if (!ok) pr(k, k.wording.rfc_failed_to_unmap(hex(pfn), folio.mapcount + folio.subMapcount));
  return ok;
}

/** How hwpoison_user_mappings() unmaps a poisoned folio: the steps one MemoryFailureSwitches.unmap value takes. */
interface UnmapPolicy {
  /**
   * Before try_to_unmap(), under the i_mmap lock (RFC: try_to_split_huge_mapping()); false when an
   * eligible VMA could not be split.
   */
  readonly prepare: (k: KernelState, folio: Folio, raw: number, pfn: number) => boolean;
  /** try_to_unmap() unmaps only listed raw pages' 4 KiB entries in this VMA. */
  readonly selective: (vma: Vma, folio: Folio) => boolean;
  /** is_unmapping_successful()'s rule, told whether prepare split every eligible VMA. */
  readonly success: (k: KernelState, folio: Folio, raw: number, pfn: number, allSplit: boolean) => boolean;
}

const UNMAP: { readonly [M in MemoryFailureSwitches['unmap']]: UnmapPolicy } = {
  // Upstream and HGM v2: every entry mapping the folio; success when nothing maps it.
  whole_hugepage: {
    prepare: () => true,
    selective: () => false,
    success: (k, folio, _raw, pfn) => folio_unmapped_check(k, folio, pfn, false),
  },
  // RFC 2/7, 4/7: split each eligible VMA to the raw page, unmap that entry, count the unmaps.
  raw_page: {
    prepare: try_to_split_huge_mapping,
    selective: (vma, folio) => vma.shared && folio.mapping !== null,
    success: rfc_unmapping_successful,
  },
};

/**
 * hwpoison_user_mappings(): collect the processes to signal, unmap the folio everywhere, signal.
 * Returns whether the folio ended up unmapped. hugetlbfs folios are always dirty, so forcekill holds.
 */
function hwpoison_user_mappings(k: KernelState, folio: Folio, pfn: number, flags: number): boolean {
  return traced(k, () => 'hwpoison_user_mappings', () => hwpoison_user_mappings_untraced(k, folio, pfn, flags), String);
}

/** hwpoison_user_mappings()'s work; hwpoison_user_mappings() records it as one traced call. */
function hwpoison_user_mappings_untraced(k: KernelState, folio: Folio, pfn: number, flags: number): boolean {
  if (!folio_mapped(folio)) {
    trace(k, () => 'folio not mapped: nothing to collect or unmap');
    return true; // !page_mapped(): nobody is collected or signalled
  }
  const raw = pfn - folio.pfn;
  const tokill = collect_procs(k, folio, raw, (flags & MF_ACTION_REQUIRED) !== 0);
  if (hugetlb_should_keep_hwpoison_mapped(folio)) {
    // MFR v3 1/3: no unmap, no "failed to unmap" line; the folio is still mapped, so forcekill holds,
    // and the collected threads get SIGBUS. v3's base has no `fail` argument (SIGKILL only for an
    // address it could not compute); on 6.12 the intent is kill_procs(..., fail=false).
    trace(k, () => 'MFD_MF_KEEP_UE_MAPPED: the folio stays mapped');
    kill_procs(k, tokill, true, false, pfn, flags);
    return true;
  }
  const policy = UNMAP[k.switches.memory_failure.unmap];
  // hugetlb_page_mapping_lock_write(): a file folio is split and unmapped under its i_mmap_rwsem.
  const imap = folio.mapping === null ? null : i_mmap_lock(folio.mapping);
  if (imap !== null) lock(k, imap);
  const allSplit = policy.prepare(k, folio, raw, pfn);
  try_to_unmap(k, folio, policy);
  if (imap !== null) unlock(k, imap);
  const unmapSuccess = is_unmapping_successful(k, folio, raw, pfn, policy, allSplit);
  const forcekill = folio.dirty || (flags & MF_MUST_KILL) !== 0 || !unmapSuccess;
  kill_procs(k, tokill, forcekill, !unmapSuccess, pfn, flags);
  return unmapSuccess;
}

/**
 * __page_handle_poison(): dissolve the (now free) folio and take the raw page off the buddy allocator.
 * v6.1.192 carries the v6.10 rule (both steps must work; stable backport of 8cf360b9d6a8).
 */
export function __page_handle_poison(k: KernelState, folio: Folio): boolean {
  if (!folio.freed || !folio.hstate.dissolve(folio)) {
    trace(k, () => `__page_handle_poison: folio ${folio.freed ? 'could not be dissolved' : 'is not free'}`);
    return false;
  }
  trace(k, () => '__page_handle_poison: folio dissolved, raw page taken off the buddy allocator');
  for (const r of folio.raw_hwp_list) k.rawPoisoned.add(folio.pfn + r); // folio_clear_hugetlb_hwpoison(): move the flags
  return true; // take_page_off_buddy() of the raw page succeeds in the model
}

/**
 * me_huge_page(): page-cache folios stay in the cache, poisoned, and keep memory_failure's reference;
 * folios without a mapping (anonymous, COWed copies) drop it, are freed and dissolved. Then the
 * refcount check (has_extra_refcount()).
 */
function me_huge_page(k: KernelState, folio: Folio, pfn: number): MfResult {
  return traced(k, () => 'me_huge_page', () => me_huge_page_untraced(k, folio, pfn), (r) => k.wording.action_name[r]);
}

/** me_huge_page()'s work; me_huge_page() records it as one traced call. */
function me_huge_page_untraced(k: KernelState, folio: Folio, pfn: number): MfResult {
  let res: MfResult;
  let extraPins = false;
  if (folio.mapping !== null) {
    res = 'MF_RECOVERED'; // truncate_error_page(): hugetlbfs error_remove_page keeps the folio (v6.1+)
    extraPins = true; // the page cache keeps its reference
    trace(k, () => 'truncate_error_page: the folio stays in the page cache, poisoned');
  } else {
    folio.mfRefs--;
    put_folio(folio); // the last reference frees the folio to the pool
    trace(k, () => `put_folio: refcount ${folio.refcount}${folio.freed ? ', freed to the pool' : ''}`);
    // Observed on 6.1.192: an anonymous 1 GiB folio is dissolved, yet the result is Failed (§10).
    const gigantic = folio.hstate.shift > 21;
    const handled = __page_handle_poison(k, folio);
    const quirk = handled && gigantic && k.switches.memory_failure.gigantic_take_off_buddy_fails;
    if (quirk) trace(k, () => 'gigantic_take_off_buddy_fails: the 1 GiB folio was dissolved, yet the result is Failed (observed on 6.1.192)');
    res = handled && !quirk ? 'MF_RECOVERED' : 'MF_FAILED';
  }
  // MFR v3 1/3: memory_failure keeps its references for filemap_offline_hwpoison_folio(): no check.
  if (hugetlb_should_keep_hwpoison_mapped(folio)) {
    trace(k, () => 'has_extra_refcount: skipped (MFD_MF_KEEP_UE_MAPPED: references held until the folio leaves the file)');
    return res;
  }
  // RFC 4/7: no refcount check while split entries hold references (nr_expected_unmaps != 0).
  const expected = folio.rawHwpUnmaps.get(pfn - folio.pfn)?.nr_expected_unmaps ?? 0;
  if (expected !== 0) {
    trace(k, () => `has_extra_refcount: skipped (RFC: nr_expected_unmaps ${expected})`);
    return res;
  }
  if (has_extra_refcount(k, folio, pfn, extraPins)) res = 'MF_FAILED';
  return res;
}

/** has_extra_refcount(): references beyond memory_failure's own (and the page cache's, with extraPins). */
function has_extra_refcount(k: KernelState, folio: Folio, pfn: number, extraPins: boolean): boolean {
  const count = folio.refcount - 1 - (extraPins ? 1 : 0);
  trace(k, () => `has_extra_refcount: refcount ${folio.refcount} - 1 (memory_failure)${extraPins ? ' - 1 (page cache)' : ''} = ${count}`);
  if (count <= 0) return false;
  pr(k, k.wording.still_referenced(hex(pfn), k.wording.action_page_types.MF_MSG_HUGE, count));
  return true;
}

/**
 * identify_page_state(): the page-state table, matched in order; the catch-all row is last.
 * Only the hugetlb row has a handler in this model.
 */
const error_states: readonly { readonly match: (f: Folio) => boolean; readonly type: MfMsg; readonly action: typeof me_huge_page | null }[] = [
  { match: (f) => f.hugetlb, type: 'MF_MSG_HUGE', action: me_huge_page },
  { match: () => true, type: 'MF_MSG_UNKNOWN', action: null },
];

function identify_page_state(k: KernelState, folio: Folio, pfn: number): MfRet {
  const row = error_states.find((r) => r.match(folio))!;
  const result = row.action === null ? 'MF_IGNORED' : row.action(k, folio, pfn);
  return action_result(k, pfn, row.type, result);
}

/**
 * kill_accessing_process(): an already-poisoned page consumed under MF_ACTION_REQUIRED: find current's
 * entry for the folio (present or hwpoison, matched by head pfn) and send BUS_MCEERR_AR with the
 * address SignalSwitches.signal_addr picks (v6.1: the hugepage start; 6.12.117: the raw page). Returns -EHWPOISON if it signalled, -EFAULT otherwise.
 */
function kill_accessing_process(k: KernelState, folio: Folio, pfn: number, flags: number): MfRet {
  return traced(k, () => 'kill_accessing_process', () => kill_accessing_process_untraced(k, folio, pfn, flags), retText);
}

/** kill_accessing_process()'s work; kill_accessing_process() records it as one traced call. */
function kill_accessing_process_untraced(k: KernelState, folio: Folio, pfn: number, flags: number): MfRet {
  const t = k.current;
  if (t === null) return 'EFAULT';
  for (const vma of t.process.mm.vmas) {
    for (const leaf of vma.mm.pt.leaves(vma.start, vma.end)) {
      const e = leaf.entry;
      const hit = (e.kind === 'hwpoison' && e.pfn === folio.pfn) || (e.kind === 'present' && e.folio === folio);
      if (!hit) continue;
      const addr = SIGNAL_ADDR[k.switches.signals.signal_addr](alignDown(leaf.start, folio.size), pfn - folio.pfn);
      // MFR v3 1/3 (not v1/v2): PAGE_SHIFT for a folio whose file keeps UEs mapped.
      const pageLsb = hugetlb_should_keep_hwpoison_mapped(folio) && k.switches.signals.keep_ue_accessing_lsb === 'page';
      kill_proc(k, { thread: t, addr, sizeShift: pageLsb ? PAGE_SHIFT : folio.hstate.shift }, pfn, flags);
      return 'EHWPOISON';
    }
  }
  return 'EFAULT';
}

/**
 * A raw page of a folio that is already poisoned, by MemoryFailureSwitches.already_poisoned (`samePage`:
 * this raw page was listed before). Under MF_ACTION_REQUIRED the consumer is signalled
 * (kill_accessing_process()); otherwise -EHWPOISON.
 */
const ALREADY_POISONED: {
  readonly [M in MemoryFailureSwitches['already_poisoned']]: (k: KernelState, pfn: number, samePage: boolean, flags: number, killAccessing: () => MfRet) => MfRet
} = {
  // v6.1..v6.18: one pr_err, no action_result (a new raw page was counted when it was recorded).
  log_only: (k, pfn, _samePage, flags, killAccessing) => {
    pr(k, k.wording.already_poisoned(hex(pfn)));
    trace(k, () => `already hardware poisoned${flags & MF_ACTION_REQUIRED ? '' : ': -EHWPOISON'}`);
    return flags & MF_ACTION_REQUIRED ? killAccessing() : 'EHWPOISON';
  },
  // 6.12.117 (Jan-2026 hotfixes): a new raw page is a failed recovery of the huge page, counted; the same
  // raw page again is "already poisoned page", not counted (action_result() skips that type).
  action_result: (k, pfn, samePage, flags, killAccessing) => {
    const res = flags & MF_ACTION_REQUIRED ? killAccessing() : 'EHWPOISON';
    action_result(k, pfn, samePage ? 'MF_MSG_ALREADY_POISONED' : 'MF_MSG_HUGE', 'MF_FAILED');
    return res;
  },
};

/**
 * hugetlb_should_keep_hwpoison_mapped(): a hugetlb folio of a file marked AS_MF_KEEP_UE_MAPPED
 * (Inode.mfKeepUeMapped). MFR v3 1/3 tests folio->mapping; the model's mapping is the page-cache
 * inode, so a COWed private copy (no mapping) is not kept: folio_mapping()'s reading, which William
 * Roche asked for on v3 (2026-02-04), not the posted pointer test.
 */
export function hugetlb_should_keep_hwpoison_mapped(folio: Folio): boolean {
  return folio.hugetlb && folio.mapping?.mfKeepUeMapped === true;
}

/**
 * filemap_offline_hwpoison_folio(): a poisoned folio has left a file that keeps UEs mapped (truncate,
 * hole punch, eviction: remove_inode_hugepages()); the recovery deferred until now runs. MFR v3 1/3
 * filemap_offline_hwpoison_folio_hugetlb(): one folio_put() per raw_hwp_list entry (the references
 * memory_failure held), each raw page keeps PG_hwpoison (free_has_hwpoisoned keeps it out of buddy),
 * then dissolve_free_hugetlb_folio(). A raw page recorded without a reference (a pfn injector's second
 * raw page takes the busy path) makes that put one too many (Miaohe Lin on v3, 2026-02-09): the model
 * traces it and does not put a free folio.
 */
export function filemap_offline_hwpoison_folio(k: KernelState, folio: Folio): void {
  if (!folio.hwpoison || !folio.hugetlb) return;
  traced(k, () => `filemap_offline_hwpoison_folio: folio ${hex(folio.pfn)}, raw_hwp_list [${folio.raw_hwp_list.join(', ')}]`, () => {
    for (const raw of folio.raw_hwp_list) {
      k.rawPoisoned.add(folio.pfn + raw); // SetPageHWPoison() on the raw page
      if (folio.refcount === 0) {
        trace(k, () => `folio_put for raw page ${raw}: the folio is already free (a reference memory_failure never took)`);
        continue;
      }
      if (folio.mfRefs > 0) folio.mfRefs--;
      put_folio(folio);
    }
    folio.rawHwpUnmaps.clear();
    folio.pendingUnmaps.clear();
    const dissolved = folio.freed && folio.hstate.dissolve(folio);
    trace(k, () => (dissolved ? 'dissolve_free_hugetlb_folio: dissolved (nr_hugepages -1)' : `dissolve_free_hugetlb_folio: ${folio.freed ? 'no unreserved free page' : `refcount ${folio.refcount}`}: -EBUSY`));
    // llist_del_all() took the list; a dissolved folio keeps it in the model as the record of its raw
    // pages (as __page_handle_poison() leaves it), one that stays is left without.
    if (!dissolved) {
      folio.raw_hwp_list.length = 0;
      pr(k, k.wording.mfr_dissolve_failed(-16));
    }
  });
}

/**
 * try_memory_failure_hugetlb(): the hugetlb branch of memory_failure(), v6.1 (§1.5).
 * Returns undefined when the pfn is not (any more) in a hugetlb folio.
 */
function try_memory_failure_hugetlb(k: KernelState, pfn: number, flags: number): MfRet | undefined {
  const folio = k.folioOfPfn(pfn);
  if (folio === undefined || !folio.hugetlb) return undefined;
  return traced(k, () => `try_memory_failure_hugetlb: folio ${hex(folio.pfn)} (${shiftText(folio.hstate.shift)}), raw page ${pfn - folio.pfn}`,
    () => try_memory_failure_hugetlb_untraced(k, folio, pfn, flags), retText);
}

/** try_memory_failure_hugetlb()'s work; try_memory_failure_hugetlb() records it as one traced call. */
function try_memory_failure_hugetlb_untraced(k: KernelState, folio: Folio, pfn: number, flags: number): MfRet {
  const raw = pfn - folio.pfn;
  let callerRefPut = false;
  for (;;) {
    const res = __get_huge_page_for_hwpoison(k, folio, raw, flags, callerRefPut);
    if (res === 'already-folio' || res === 'already-page') {
      return ALREADY_POISONED[k.switches.memory_failure.already_poisoned](k, pfn, res === 'already-page', flags, () => kill_accessing_process(k, folio, pfn, flags));
    }
    if (res === 'busy' || res === 'nomem') {
      if (!(flags & MF_NO_RETRY)) {
        // RFC 3/7: -ENOMEM is retried like -EBUSY; the first pass put the caller's reference.
        if (res === 'nomem' && flags & MF_COUNT_INCREASED) callerRefPut = true;
        flags = NOMEM_RETRY[k.switches.memory_failure.rfc_nomem_retry](flags, res === 'nomem');
        trace(k, () => `retry with ${mfFlags(flags)}`);
        continue;
      }
      return action_result(k, pfn, 'MF_MSG_UNKNOWN', 'MF_IGNORED');
    }
    if (res === 'free') {
      const ok = __page_handle_poison(k, folio);
      return action_result(k, pfn, 'MF_MSG_FREE_HUGE', ok ? 'MF_RECOVERED' : 'MF_FAILED');
    }
    // folio_lock() until me_huge_page() is done with it.
    const locked = folio_lock_name(folio);
    lock(k, locked);
    const unmapped = hwpoison_user_mappings(k, folio, pfn, flags);
    const r = unmapped ? identify_page_state(k, folio, pfn) : action_result(k, pfn, 'MF_MSG_UNMAP_FAILED', 'MF_IGNORED');
    unlock(k, locked);
    return r;
  }
}

/**
 * memory_failure(): handle a hardware error on raw pfn. The non-hugetlb part models only raw pages of
 * dissolved hugetlb folios: poisoned already (-EHWPOISON) or free buddy pages taken off (Recovered).
 */
export function memory_failure(k: KernelState, pfn: number, flags: number): MfRet {
  return traced(k, () => `memory_failure(pfn=${hex(pfn)}, ${mfFlags(flags)})`, () => memory_failure_untraced(k, pfn, flags), retText);
}

/** memory_failure()'s work; memory_failure() records it as one traced call. */
function memory_failure_untraced(k: KernelState, pfn: number, flags: number): MfRet {
  k.mfCalls.push(pfn);
  if (!k.memory_failure_recovery) {
    trace(k, () => 'vm.memory_failure_recovery=0: panic');
    k.log.printk(k.wording.panic(lx(pfn)));
    panic(k);
    return 'EIO';
  }
  if (!(flags & MF_SW_SIMULATED)) k.hw_memory_failure = true;
  lock(k, MF_MUTEX);
  const r = memory_failure_locked(k, pfn, flags);
  unlock(k, MF_MUTEX);
  return r;
}

/** memory_failure() under mf_mutex. */
function memory_failure_locked(k: KernelState, pfn: number, flags: number): MfRet {
  const hugetlb = try_memory_failure_hugetlb(k, pfn, flags);
  if (hugetlb !== undefined) return hugetlb;
  if (k.rawPoisoned.has(pfn)) {
    trace(k, () => 'raw page of a dissolved folio: PG_hwpoison already set');
    return ALREADY_POISONED[k.switches.memory_failure.already_poisoned](k, pfn, true, flags & ~MF_ACTION_REQUIRED, () => 'EHWPOISON');
  }
  k.rawPoisoned.add(pfn);
  return action_result(k, pfn, 'MF_MSG_BUDDY', 'MF_RECOVERED');
}
