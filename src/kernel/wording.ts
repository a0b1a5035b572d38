// dmesg wording per kernel version: the lines memory_failure(), its injectors and the MCE handler print,
// as tables keyed by version so a later kernel changes wording by data. A profile names its table
// (KernelSwitches.wording); the kernel resolves it once at boot (KernelState.wording).
// Linux: mm/memory-failure.c (action_page_types[], action_name[], pr_err/pr_info lines; pr_fmt "Memory
// failure: "), mm/madvise.c:madvise_inject_error(), mm/hwpoison-inject.c, arch/x86/mm/fault.c and
// arch/x86/kernel/cpu/mce/core.c; v6.1 wording (kernel-semantics.md §1.9, §10), RFC lines from its posted code.

import { hex } from './printk.js';

export type MfResult = 'MF_IGNORED' | 'MF_FAILED' | 'MF_DELAYED' | 'MF_RECOVERED';
export type MfMsg = 'MF_MSG_HUGE' | 'MF_MSG_FREE_HUGE' | 'MF_MSG_UNMAP_FAILED' | 'MF_MSG_UNKNOWN' | 'MF_MSG_BUDDY' | 'MF_MSG_ALREADY_POISONED';

/**
 * The dmesg texts of soft offline, per kernel version. 6.1 resets pr_fmt to "" before
 * the soft-offline code, so each call site spells its own prefix; 6.12 has pr_fmt "Soft offline: ".
 * `type` is the %pGp rendering of the page flags.
 */
export interface SoftOfflineTexts {
  /** mm/madvise.c:madvise_inject_error() (no pr_fmt, same in both). */
  readonly offlining: (pfn: number, va: number) => string;
  /** soft_offline_page() finds PG_hwpoison on the raw page. */
  readonly alreadyPoisoned: (pfn: number) => string;
  /** soft_offline_in_use_page() finds it (a race with another offline; kept for completeness). */
  readonly alreadyPoisonedInUse: (pfn: number) => string;
  readonly migrationFailed: (pfn: number, ret: number, type: string) => string;
  readonly isolationFailed: (pfn: number, count: number, type: string) => string;
  /** get_any_page(), above the pr_fmt reset: memory_failure's own prefix. */
  readonly unhandlable: (pfn: number) => string;
}

/** One kernel's wording. `pfn` and addresses arrive formatted (%#lx); `who` is `comm:pid`. */
export interface Wording {
  /** pr_fmt of mm/memory-failure.c. */
  readonly mf_prefix: string;
  readonly action_page_types: Readonly<Record<MfMsg, string>>;
  readonly action_name: Readonly<Record<MfResult, string>>;
  readonly recovery_action: (pfn: string, type: string, result: string) => string;
  readonly already_poisoned: (pfn: string) => string;
  readonly sending_sigbus: (pfn: string, who: string) => string;
  readonly forcibly_killing: (pfn: string, who: string) => string;
  readonly failed_to_unmap: (pfn: string, mapcount: number) => string;
  readonly still_referenced: (pfn: string, type: string, count: number) => string;
  readonly panic: (pfn: string) => string;
  /** RFC 2/7 and 4/7 lines (try_to_split_huge_mapping(), is_unmapping_successful()). */
  readonly rfc_enable_hgm_failed: (pfn: string, range: string) => string;
  readonly rfc_pt_walk_failed: (pfn: string, range: string) => string;
  readonly rfc_split_failed: (pfn: string, vaddr: string, range: string) => string;
  readonly rfc_unmaps_expected: (pfn: string, vmas: number, expected: number) => string;
  readonly rfc_failed_to_unmap: (pfn: string, mapcount: number) => string;
  /** MFR v3 1/3 filemap_offline_hwpoison_folio_hugetlb() (mf_prefix pr_fmt). */
  readonly mfr_dissolve_failed: (err: number) => string;
  /** mm/madvise.c:madvise_inject_error(). */
  readonly madvise_injecting: (pfn: string, addr: string) => string;
  /** mm/hwpoison-inject.c:hwpoison_inject(). */
  readonly debugfs_injecting: (pfn: string) => string;
  /** arch/x86/mm/fault.c:do_sigbus() under VM_FAULT_HWPOISON*. */
  readonly mce_killing: (who: string, addr: string) => string;
  /** arch/x86/kernel/cpu/mce/core.c:kill_me_maybe() / kill_me_now(). */
  readonly mce_user_access: (phys: string) => string;
  readonly mce_not_recovered: string;
  /** mm/memory-failure.c soft offline (and madvise's MADV_SOFT_OFFLINE line). */
  readonly soft_offline: SoftOfflineTexts;
}

const V6_1: Wording = {
  mf_prefix: 'Memory failure: ',
  action_page_types: {
    MF_MSG_HUGE: 'huge page',
    MF_MSG_FREE_HUGE: 'free huge page',
    MF_MSG_UNMAP_FAILED: 'unmapping failed page',
    MF_MSG_UNKNOWN: 'unknown page',
    MF_MSG_BUDDY: 'free buddy page',
    MF_MSG_ALREADY_POISONED: 'already poisoned', // not logged by 6.1 (already_poisoned 'log_only')
  },
  action_name: { MF_IGNORED: 'Ignored', MF_FAILED: 'Failed', MF_DELAYED: 'Delayed', MF_RECOVERED: 'Recovered' },
  recovery_action: (pfn, type, result) => `${pfn}: recovery action for ${type}: ${result}`,
  already_poisoned: (pfn) => `${pfn}: already hardware poisoned`,
  sending_sigbus: (pfn, who) => `${pfn}: Sending SIGBUS to ${who} due to hardware memory corruption`,
  forcibly_killing: (pfn, who) => `${pfn}: forcibly killing ${who} because of failure to unmap corrupted page`,
  failed_to_unmap: (pfn, mapcount) => `${pfn}: failed to unmap page (mapcount=${mapcount})`,
  still_referenced: (pfn, type, count) => `${pfn}: ${type} still referenced by ${count} users`,
  panic: (pfn) => `Kernel panic - not syncing: Memory failure on page ${pfn}`,
  rfc_enable_hgm_failed: (pfn, range) => `${pfn}: failed to enable HGM on eligible ${range}`,
  rfc_pt_walk_failed: (pfn, range) => `${pfn}: failed to PT-walk with HGM on eligible ${range}`,
  rfc_split_failed: (pfn, vaddr, range) => `${pfn}: Failed to split huge mapping: vaddr=${vaddr} in ${range}`,
  rfc_unmaps_expected: (pfn, vmas, expected) => `${pfn}: mapped by ${vmas} VMAs but ${expected} unmappings are expected`,
  rfc_failed_to_unmap: (pfn, mapcount) => `${pfn}: failed to unmap page (folio_mapcount=${mapcount})`,
  mfr_dissolve_failed: (err) => `failed to dissolve hugetlb folio: ${err}`,
  madvise_injecting: (pfn, addr) => `Injecting memory failure for pfn ${pfn} at process virtual address ${addr}`,
  debugfs_injecting: (pfn) => `Injecting memory failure at pfn ${pfn}`,
  mce_killing: (who, addr) => `MCE: Killing ${who} due to hardware memory corruption fault at ${addr}`,
  mce_user_access: (phys) => `mce: Uncorrected hardware memory error in user-access at ${phys}`,
  mce_not_recovered: 'mce: Memory error not recovered',
  soft_offline: {
    offlining: (pfn, va) => `Soft offlining pfn ${hex(pfn)} at process virtual address ${hex(va)}`,
    alreadyPoisoned: (pfn) => `soft_offline_page: ${hex(pfn)} page already poisoned`,
    alreadyPoisonedInUse: (pfn) => `soft offline: ${hex(pfn)} page already poisoned`,
    migrationFailed: (pfn, ret, type) => `soft offline: ${hex(pfn)}: hugepage migration failed ${ret}, type ${type}`,
    isolationFailed: (pfn, count, type) => `soft offline: ${hex(pfn)}: hugepage isolation failed, page count ${count}, type ${type}`,
    unhandlable: (pfn) => `Memory failure: ${hex(pfn)}: unhandlable page.`,
  },
};

/**
 * 6.12.117: action_page_types[] renamed the busy case "get hwpoison page" (v6.11, b8b9488d50b7) and the
 * already-poisoned case "already poisoned page" (Kyle Meyer, 2026); the other lines read as in 6.1.
 */
const V6_12: Wording = {
  ...V6_1,
  action_page_types: {
    ...V6_1.action_page_types,
    MF_MSG_UNKNOWN: 'get hwpoison page',
    MF_MSG_ALREADY_POISONED: 'already poisoned page',
  },
  // pr_fmt "Soft offline: " (6.1 reset pr_fmt to "" and spelt prefixes per call site).
  soft_offline: {
    ...V6_1.soft_offline,
    alreadyPoisoned: (pfn) => `Soft offline: ${hex(pfn)}: page already poisoned`,
    alreadyPoisonedInUse: (pfn) => `Soft offline: ${hex(pfn)}: page already poisoned`,
    migrationFailed: (pfn, ret, type) => `Soft offline: ${hex(pfn)}: hugepage migration failed ${ret}, type ${type}`,
    isolationFailed: (pfn, count, type) => `Soft offline: ${hex(pfn)}: hugepage isolation failed, page count ${count}, type ${type}`,
  },
};

/** The wording tables by version; the hgm profiles' bases print what 6.1 prints (their RFC lines included). */
export const WORDING = { 'v6.1': V6_1, 'v6.12': V6_12 } as const satisfies Readonly<Record<string, Wording>>;
export type WordingVersion = keyof typeof WORDING;
