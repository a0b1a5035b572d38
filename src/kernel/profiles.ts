// Kernel profiles: one named kernel per column, its behaviour kept as one switch record per subsystem
// (DESIGN.md, Kernel profiles). Where a code path differs between kernels the switch is an enum naming
// the implementation a subsystem's table holds, not a boolean tested mid-function; dmesg wording is a
// table keyed by version (wording.ts). Model code reads switches; it never compares profile names. A new
// switch does not compile until every profile sets it. Provenance of each switch is in its comment
// (kernel-semantics.md section, commit). A scenario's `kernel.switches` names (src/abi) map to places
// in these records through SWITCHES below.
import { PROFILE_NAMES, SWITCH_NAMES, UFFD_API_FEATURES } from '../abi/index.js';
import type { ProfileName, SwitchName, UffdFeature } from '../abi/index.js';
import type { WordingVersion } from './wording.js';

/** mm/memory-failure.c. */
export interface MemoryFailureSwitches {
  /**
   * The flags madvise(MADV_HWPOISON) passes: 'action_required' adds MF_ACTION_REQUIRED, so the injecting
   * thread gets BUS_MCEERR_AR during the call. Linux: mm/madvise.c:madvise_inject_error(); v6.11 (Jane
   * Chu, kernel-semantics.md §2.1).
   */
  readonly madvise_injection: 'action_optional' | 'action_required';
  /**
   * action_result() increments num_poisoned_pages (HardwareCorrupted) for every event it logs.
   * Linux: mm/memory-failure.c:action_result(); v6.2+ (kernel-semantics.md §1.9, §1.10).
   */
  readonly action_result_counts_poisoned: boolean;
  /**
   * /sys/devices/system/node/nodeN/memory_failure/ counters exist and action_result() updates them.
   * Linux: 18f41fa616ee "mm: fix memory_failure() ... per-node stats", v6.3/v6.4 (kernel-semantics.md §0.3).
   */
  readonly per_node_mf_stats: boolean;
  /**
   * How hugetlb_set_page_hwpoison() meets a new raw page of an already-poisoned folio (and a failed
   * raw_hwp_page allocation): 'already_poisoned' returns -EHWPOISON ("already hardware poisoned",
   * v6.1..v6.18, §1.4); 'recover_again' returns 0 so the whole recovery runs again, -ENOMEM on a failed
   * allocation (RFC 3/7, §7.4).
   */
  readonly new_raw_page: 'already_poisoned' | 'recover_again';
  /**
   * A new raw page recorded in an already-poisoned folio is counted inside folio_set_hugetlb_hwpoison()
   * (no action_result). Linux: mm/memory-failure.c:folio_set_hugetlb_hwpoison(); v6.1..v6.18 (§1.4, §1.10).
   */
  readonly count_new_raw_page_in_set_hwpoison: boolean;
  /**
   * How memory_failure reports a raw page of a folio that is already poisoned: 'log_only' prints
   * "already hardware poisoned" and calls no action_result (v6.1..v6.18); 'action_result' reports a new
   * raw page as "huge page: Failed" (counted there) and the same raw page again as "already poisoned page:
   * Failed" (not counted). Linux: mm/memory-failure.c:try_memory_failure_hugetlb(); Jane Chu, "fix missing
   * ->mf_stats count in hugetlb poison" and Kyle Meyer, "fix redundant updates for already poisoned
   * pages" (Jan 2026, in stable 6.12.117; kernel-semantics.md §10).
   */
  readonly already_poisoned: 'log_only' | 'action_result';
  /**
   * How hwpoison_user_mappings() unmaps a poisoned hugetlb folio: 'whole_hugepage' replaces every entry
   * mapping it (upstream; HGM v2 25/46 every hugetlb_pte); 'raw_page' splits each eligible VMA so the
   * poisoned address is a 4 KiB entry and unmaps only that entry (RFC 2/7, 4/7, kernel-semantics.md §7).
   */
  readonly unmap: 'whole_hugepage' | 'raw_page';
  /**
   * RFC 4/7 is_unmapping_successful() for non-HGM, anonymous and non-hugetlb folios: 'posted' lacks the
   * negation and reports them still mapped after a successful unmap; 'intent' is "not mapped any more".
   * kernel-semantics.md §7.6, §8.9. Only read under unmap 'raw_page'.
   */
  readonly rfc_unmap_success_check: 'posted' | 'intent';
  /**
   * RFC 2/7 try_to_split_huge_mapping(): 'from_head' walks from the hugepage's head address (posted code:
   * a second poison in another 2 MiB region of a split 1 GiB page finds a split entry and "succeeds"
   * without splitting); 'at_address' splits the entry covering the poisoned address. §8.9.
   */
  readonly rfc_split_walk: 'from_head' | 'at_address';
  /**
   * RFC 2/7 when enabling HGM or splitting fails on an eligible VMA: 'skip_vma' (posted code) logs it,
   * leaves that VMA mapped at its size and expects no unmap there, so the recovery can still succeed;
   * 'unmap_failed' is the cover letter's "Failure Handling": the recovery returns MF_IGNORED with
   * MF_MSG_UNMAP_FAILED. kernel-semantics.md §8.9.
   */
  readonly rfc_split_failure: 'skip_vma' | 'unmap_failed';
  /**
   * RFC 3/7 try_memory_failure_hugetlb() retries -ENOMEM (a failed raw_hwp_page allocation) like -EBUSY:
   * 'put_twice' (posted) keeps MF_COUNT_INCREASED on the retry, so __get_huge_page_for_hwpoison()'s
   * `out:` folio_put() drops the caller's (GUP's) reference a second time and the folio is left one
   * reference short; 'put_once' retries without it, the caller's reference dropped once.
   * Only reachable under new_raw_page 'recover_again'.
   */
  readonly rfc_nomem_retry: 'put_twice' | 'put_once';
  /**
   * After an anonymous 1 GiB folio is dissolved, taking the poisoned raw page off the buddy allocator
   * fails, so me_huge_page reports Failed (madvise: EBUSY) although the folio is gone.
   * Observed on 6.1.192 only (kernel-semantics.md §10); the cause is not confirmed (TODO confirm).
   */
  readonly gigantic_take_off_buddy_fails: boolean;
  /**
   * memory_failure() leaves an in-use hugepage it took HPageMigratable, so soft offline of another of its
   * raw pages isolates it and tries to migrate it, which fails (its extra reference): "hugepage
   * migration failed 1", -EBUSY (-ENOMEM at 1 GiB, where no target can be allocated). Without it, the
   * folio is not migratable and get_any_page() gives -EIO "unhandlable page".
   * Observed on Debian 6.1.0-57 (the recorded kernel TAP of scenarios/mainline/soft-offline.yaml);
   * 6.12.118 gives -EIO. Which 6.1 change keeps the flag is not established. TODO confirm.
   */
  readonly in_use_hugepage_stays_migratable: boolean;
}

/** mm/hugetlb.c fault path, mm/madvise.c for hugetlb VMAs. */
export interface FaultSwitches {
  /**
   * 'hgm': CONFIG_HUGETLB_HIGH_GRANULARITY_MAPPING — MADV_SPLIT (26), hugetlb_pte walks, PAGE_SIZE-aligned
   * UFFDIO_CONTINUE, MADV_COLLAPSE for hugetlb, split uffd-wp markers, per-subpage mapcounts and smaps
   * HugetlbP*Mapped. HGM v2 (James Houghton, Feb 2023; unmerged), kernel-semantics.md §6.
   */
  readonly granularity: 'hugepage' | 'hgm';
  /**
   * hugetlb_no_page() on a poisoned page-cache folio: 'hwpoison_large' is VM_FAULT_HWPOISON_LARGE for
   * the whole hugepage (upstream, HGM v2); 'map_around' maps the healthy part around listed raw pages in
   * an HGM-eligible VMA (RFC 5/7, kernel-semantics.md §7).
   */
  readonly poisoned_folio: 'hwpoison_large' | 'map_around';
  /**
   * RFC 5/7 hugetlb_no_page() after hugetlb_no_page_hwpoison() split the entry: 'pre_split' (posted)
   * maps the subpage of haddr_hgm, computed from the entry the walk stopped on before the split (HGM v2
   * hugetlb_no_page()), so a never-faulted mapping maps raw page 0 wherever it faulted; 'final_entry'
   * maps the subpage at the start of the final entry's range. kernel-semantics.md §8.9. Only read under
   * poisoned_folio 'map_around'.
   */
  readonly rfc_no_page_subpage: 'pre_split' | 'final_entry';
  /**
   * RFC 5/7 hugetlb_no_page_hwpoison() on a folio whose raw_hwp_list was thrown away (raw_hwp_unreliable):
   * 'list_only' (posted) looks only at the emptied list, finds nothing and maps the whole entry, poisoned
   * raw pages included; 'all_poisoned' treats every raw page as poisoned, as hugetlbfs read does (§1.4).
   * Only read under poisoned_folio 'map_around'.
   */
  readonly rfc_unreliable_fault: 'list_only' | 'all_poisoned';
}

/** fs/hugetlbfs/inode.c. */
export interface HugetlbfsSwitches {
  /**
   * hugetlbfs_read_iter() on a folio with PG_hwpoison: 'eio' fails the whole call with -EIO, discarding
   * what earlier hugepages copied (v6.1; v6.6 reads up to the first poisoned raw page).
   */
  readonly read_poisoned: 'eio' | 'up_to_raw_page';
}

/**
 * mm/memfd.c: Jiaqi Yan's "Userspace MFR Policy via memfd" (RFC v1 Jan 2025, v2 Nov 2025, v3 Feb 2026;
 * unmerged). Notes with sources: src/kernel/README.md, "The MFR policy".
 */
export interface MemfdSwitches {
  /**
   * MFD_MF_KEEP_UE_MAPPED (0x0020): 'unknown_flag' is mainline (not in MFD_ALL_FLAGS: EINVAL);
   * 'flag_only' is v3 (alloc_file() marks AS_MF_KEEP_UE_MAPPED only when the flag is given; EINVAL
   * without MFD_HUGETLB); 'every_hugetlb_memfd' is v1/v2, whose alloc_file() tested
   * MFD_HUGETLB | MFD_MF_KEEP_UE_MAPPED and so marked every hugetlb memfd (William Roche on v2 1/3,
   * 2025-11-25; fixed in v3).
   */
  readonly keep_ue_mapped: 'unknown_flag' | 'flag_only' | 'every_hugetlb_memfd';
}

/** fs/proc/task_mmu.c. */
export interface ProcSwitches {
  /**
   * smaps_hugetlb_range() on a non-present entry that holds a page (hwpoison, migration): 'by_mapcount'
   * counts it Shared_Hugetlb when the folio's mapcount is 2 or more, else Private (v6.1, observed);
   * 'shared' counts it Shared ("maybe shared, but no idea how often", David Hildenbrand, v6.11).
   */
  readonly smaps_nonpresent: 'by_mapcount' | 'shared';
}

/** fs/userfaultfd.c. */
export interface UserfaultfdSwitches {
  /** UFFD_API_FEATURES: what UFFDIO_API offers (src/abi UFFD_API_FEATURES of the profile). */
  readonly api_features: readonly UffdFeature[];
}

/** mm/memory-failure.c kill_proc() / collect_procs() as seen by the signalled task. */
export interface SignalSwitches {
  /**
   * si_addr of memory_failure's signals (AO to early-kill processes, AR to the injecting thread, AR from
   * kill_accessing_process()): 'hugepage_start' is page_address_in_vma() of the head page (v6.1);
   * 'raw_page' is the poisoned 4 KiB page in that VMA (376907f3a0b3, v6.7; kill_accessing_process() by
   * Jane Chu's Jan-2026 fix, in 6.12.117). Linux: mm/memory-failure.c:add_to_kill(), kill_accessing_process().
   */
  readonly signal_addr: 'hugepage_start' | 'raw_page';
  /**
   * si_addr_lsb of kill_accessing_process()'s SIGBUS for a folio whose file keeps UEs mapped: 'folio'
   * (the folio's shift, mainline and MFR v1/v2) or 'page' (PAGE_SHIFT, MFR v3 1/3, after William
   * Roche's report). collect_procs() uses PAGE_SHIFT for such folios in every version (__add_to_kill()).
   */
  readonly keep_ue_accessing_lsb: 'folio' | 'page';
}

export interface KernelSwitches {
  readonly memory_failure: MemoryFailureSwitches;
  readonly fault: FaultSwitches;
  readonly hugetlbfs: HugetlbfsSwitches;
  readonly proc: ProcSwitches;
  readonly userfaultfd: UserfaultfdSwitches;
  readonly signals: SignalSwitches;
  readonly memfd: MemfdSwitches;
  /** The dmesg wording table (wording.ts) of this kernel. */
  readonly wording: WordingVersion;
}

export interface Profile {
  readonly name: ProfileName;
  readonly summary: string;
  readonly switches: KernelSwitches;
}

/** The 6.1 base every profile starts from (kernel-semantics.md §10, then §1–§5). */
const V6_1: KernelSwitches = {
  memory_failure: {
    madvise_injection: 'action_optional',
    action_result_counts_poisoned: true,
    per_node_mf_stats: false,
    new_raw_page: 'already_poisoned',
    count_new_raw_page_in_set_hwpoison: true,
    already_poisoned: 'log_only',
    unmap: 'whole_hugepage',
    rfc_unmap_success_check: 'intent',
    rfc_split_walk: 'at_address',
    rfc_split_failure: 'unmap_failed',
    rfc_nomem_retry: 'put_once',
    gigantic_take_off_buddy_fails: true,
    in_use_hugepage_stays_migratable: true,
  },
  fault: { granularity: 'hugepage', poisoned_folio: 'hwpoison_large', rfc_no_page_subpage: 'final_entry', rfc_unreliable_fault: 'all_poisoned' },
  hugetlbfs: { read_poisoned: 'eio' },
  proc: { smaps_nonpresent: 'by_mapcount' },
  userfaultfd: { api_features: UFFD_API_FEATURES['v6.1'] },
  signals: { signal_addr: 'hugepage_start', keep_ue_accessing_lsb: 'folio' },
  memfd: { keep_ue_mapped: 'unknown_flag' },
  wording: 'v6.1',
};

/**
 * Debian 13's 6.12 (6.12.117, the Jan-2026 memory-failure hotfixes included), observed under QEMU
 * (kernel-semantics.md §10), sources in the comments of each switch.
 */
const V6_12: KernelSwitches = {
  memory_failure: {
    ...V6_1.memory_failure,
    madvise_injection: 'action_required', // v6.11
    per_node_mf_stats: true, // v6.4
    count_new_raw_page_in_set_hwpoison: false, // counted by action_result instead
    already_poisoned: 'action_result',
    gigantic_take_off_buddy_fails: false, // cf54f310d0d3 (v6.12) frees gigantic folios as one compound folio
    in_use_hugepage_stays_migratable: false, // observed on 6.12.118: "unhandlable page", -EIO
  },
  fault: V6_1.fault,
  hugetlbfs: { read_poisoned: 'up_to_raw_page' }, // 38c1ddbde6c6, v6.6
  proc: { smaps_nonpresent: 'shared' }, // v6.11
  userfaultfd: { api_features: UFFD_API_FEATURES['v6.12'] },
  signals: { ...V6_1.signals, signal_addr: 'raw_page' },
  memfd: V6_1.memfd,
  wording: 'v6.12',
};

/**
 * The newest mainline profile (6.12) + the MFR policy series v3 (2026-02-03): a memfd created with
 * MFD_MF_KEEP_UE_MAPPED keeps its poisoned hugepages mapped until they leave the file. v3 is based on
 * a 2026 mm tree and does not apply to 6.12 as posted: each hunk is modelled by its intent on 6.12
 * (src/kernel/README.md, "The MFR policy"). Assumes "free_has_hwpoisoned" (Feb 2026), which v3 needs.
 */
const MFR: KernelSwitches = {
  ...V6_12,
  signals: { ...V6_12.signals, keep_ue_accessing_lsb: 'page' },
  memfd: { keep_ue_mapped: 'flag_only' },
};

/** HGM v2's mm-unstable base (ccd6a73daba9, between v6.2 and v6.3) with HGM on. */
const HGM_V2: KernelSwitches = {
  ...V6_1,
  memory_failure: {
    ...V6_1.memory_failure,
    // MF_ACTION_REQUIRED from madvise came in v6.11; action_result counts from v6.2.
    per_node_mf_stats: true, // 18f41fa616ee was in mm-stable before the HGM v2 base. TODO confirm
    gigantic_take_off_buddy_fails: false, // a 6.1.192 observation; nothing shows it on this base
    in_use_hugepage_stays_migratable: false, // a 6.1.0-57 observation; the model's HGM runs keep the cleared flag
  },
  fault: { ...V6_1.fault, granularity: 'hgm' },
  userfaultfd: { api_features: UFFD_API_FEATURES['hgm-v2'] },
};

/** HGM v2 + the RFC, posted code by default (DESIGN.md; kernel-semantics.md §8.9 for the intent). */
const HGM_RFC: KernelSwitches = {
  ...HGM_V2,
  memory_failure: {
    ...HGM_V2.memory_failure,
    new_raw_page: 'recover_again',
    count_new_raw_page_in_set_hwpoison: false, // RFC 3/7: a new raw page returns 0; action_result counts it
    unmap: 'raw_page',
    rfc_unmap_success_check: 'posted',
    rfc_split_walk: 'from_head',
    rfc_split_failure: 'skip_vma',
    rfc_nomem_retry: 'put_twice',
  },
  fault: { granularity: 'hgm', poisoned_folio: 'map_around', rfc_no_page_subpage: 'pre_split', rfc_unreliable_fault: 'list_only' },
  userfaultfd: { api_features: UFFD_API_FEATURES['hgm-rfc'] },
};

export const PROFILES: { readonly [K in ProfileName]: Profile } = {
  'v6.1': {
    name: 'v6.1',
    summary: "Debian 12's 6.1 kernel: no HGM, whole-hugepage unmap on poison (kernel-semantics.md §10)",
    switches: V6_1,
  },
  'v6.12': {
    name: 'v6.12',
    summary: "Debian 13's 6.12 kernel: AR during MADV_HWPOISON, raw-page si_addr, reads up to the poisoned raw page, UFFDIO_POISON (kernel-semantics.md §10)",
    switches: V6_12,
  },
  mfr: {
    name: 'mfr',
    summary: "v6.12 + Jiaqi Yan's MFR policy v3 (2026): a memfd with MFD_MF_KEEP_UE_MAPPED keeps a poisoned hugepage mapped, SIGBUS lsb = PAGE_SHIFT, dissolved when it leaves the file",
    switches: MFR,
  },
  'hgm-v2': {
    name: 'hgm-v2',
    summary: 'HGM v2 on its mm-unstable base (ccd6a73daba9, between v6.2 and v6.3): high-granularity mapping; poison still unmaps the whole hugepage',
    switches: HGM_V2,
  },
  'hgm-rfc': {
    name: 'hgm-rfc',
    summary: "HGM v2 + Jiaqi Yan's RFC: split to the poisoned 4 KiB page and unmap only it (posted code by default)",
    switches: HGM_RFC,
  },
};

/** Where a public switch lives in the records: what it reads as, and the records with it set. */
interface SwitchPlace {
  /** The record fields it stands for, `subsystem.field`. */
  readonly fields: readonly string[];
  get(s: KernelSwitches): boolean;
  set(s: KernelSwitches, on: boolean): KernelSwitches;
}

const mf = (s: KernelSwitches, m: Partial<MemoryFailureSwitches>): KernelSwitches => ({ ...s, memory_failure: { ...s.memory_failure, ...m } });
const fault = (s: KernelSwitches, f: Partial<FaultSwitches>): KernelSwitches => ({ ...s, fault: { ...s.fault, ...f } });

/** A boolean field of memory_failure, one to one. */
const mfFlag = (field: 'action_result_counts_poisoned' | 'per_node_mf_stats' | 'count_new_raw_page_in_set_hwpoison' | 'gigantic_take_off_buddy_fails' | 'in_use_hugepage_stays_migratable'): SwitchPlace => ({
  fields: [`memory_failure.${field}`],
  get: (s) => s.memory_failure[field],
  set: (s, on) => mf(s, { [field]: on }),
});

/**
 * The scenario language's switch names (src/abi SWITCH_NAMES) and their places in the records. A
 * name is part of the scenario language (DESIGN.md), so it stays when the records change shape.
 */
export const SWITCHES: { readonly [N in SwitchName]: SwitchPlace } = {
  madvise_hwpoison_action_required: {
    fields: ['memory_failure.madvise_injection'],
    get: (s) => s.memory_failure.madvise_injection === 'action_required',
    set: (s, on) => mf(s, { madvise_injection: on ? 'action_required' : 'action_optional' }),
  },
  action_result_counts_poisoned: mfFlag('action_result_counts_poisoned'),
  count_new_raw_page_in_set_hwpoison: mfFlag('count_new_raw_page_in_set_hwpoison'),
  gigantic_take_off_buddy_fails: mfFlag('gigantic_take_off_buddy_fails'),
  in_use_hugepage_stays_migratable: mfFlag('in_use_hugepage_stays_migratable'),
  per_node_mf_stats: mfFlag('per_node_mf_stats'),
  hgm: {
    fields: ['fault.granularity'],
    get: (s) => s.fault.granularity === 'hgm',
    set: (s, on) => fault(s, { granularity: on ? 'hgm' : 'hugepage' }),
  },
  // The RFC's page-size unmap is one patch set: recording, unmapping and the fault path move together.
  rfc_pagesize_unmap: {
    fields: ['memory_failure.unmap', 'memory_failure.new_raw_page', 'fault.poisoned_folio'],
    get: (s) => s.memory_failure.unmap === 'raw_page',
    set: (s, on) => fault(
      mf(s, { unmap: on ? 'raw_page' : 'whole_hugepage', new_raw_page: on ? 'recover_again' : 'already_poisoned' }),
      { poisoned_folio: on ? 'map_around' : 'hwpoison_large' }),
  },
  rfc_posted_unmap_success_check: {
    fields: ['memory_failure.rfc_unmap_success_check'],
    get: (s) => s.memory_failure.rfc_unmap_success_check === 'posted',
    set: (s, on) => mf(s, { rfc_unmap_success_check: on ? 'posted' : 'intent' }),
  },
  rfc_posted_split_walk_from_head: {
    fields: ['memory_failure.rfc_split_walk'],
    get: (s) => s.memory_failure.rfc_split_walk === 'from_head',
    set: (s, on) => mf(s, { rfc_split_walk: on ? 'from_head' : 'at_address' }),
  },
  rfc_posted_split_failure_skips_vma: {
    fields: ['memory_failure.rfc_split_failure'],
    get: (s) => s.memory_failure.rfc_split_failure === 'skip_vma',
    set: (s, on) => mf(s, { rfc_split_failure: on ? 'skip_vma' : 'unmap_failed' }),
  },
  rfc_posted_no_page_pre_split_subpage: {
    fields: ['fault.rfc_no_page_subpage'],
    get: (s) => s.fault.rfc_no_page_subpage === 'pre_split',
    set: (s, on) => fault(s, { rfc_no_page_subpage: on ? 'pre_split' : 'final_entry' }),
  },
  rfc_posted_nomem_retry_put_twice: {
    fields: ['memory_failure.rfc_nomem_retry'],
    get: (s) => s.memory_failure.rfc_nomem_retry === 'put_twice',
    set: (s, on) => mf(s, { rfc_nomem_retry: on ? 'put_twice' : 'put_once' }),
  },
  // The series is one patch set: the memfd flag, memory_failure's deferral and the lsb move together.
  mfr_keep_ue_mapped: {
    fields: ['memfd.keep_ue_mapped', 'signals.keep_ue_accessing_lsb'],
    get: (s) => s.memfd.keep_ue_mapped !== 'unknown_flag',
    set: (s, on) => ({ ...s, memfd: { keep_ue_mapped: on ? 'flag_only' : 'unknown_flag' }, signals: { ...s.signals, keep_ue_accessing_lsb: on ? 'page' : 'folio' } }),
  },
  mfr_v2_every_hugetlb_memfd: {
    fields: ['memfd.keep_ue_mapped', 'signals.keep_ue_accessing_lsb'],
    get: (s) => s.memfd.keep_ue_mapped === 'every_hugetlb_memfd',
    set: (s, on) => (on
      ? { ...s, memfd: { keep_ue_mapped: 'every_hugetlb_memfd' }, signals: { ...s.signals, keep_ue_accessing_lsb: 'folio' } }
      : s.memfd.keep_ue_mapped === 'every_hugetlb_memfd' ? { ...s, memfd: { keep_ue_mapped: 'flag_only' }, signals: { ...s.signals, keep_ue_accessing_lsb: 'page' } } : s),
  },
  rfc_posted_unreliable_fault_list_only: {
    fields: ['fault.rfc_unreliable_fault'],
    get: (s) => s.fault.rfc_unreliable_fault === 'list_only',
    set: (s, on) => fault(s, { rfc_unreliable_fault: on ? 'list_only' : 'all_poisoned' }),
  },
};

/** A profile with single switches overridden (a scenario's kernel.switches), applied in SWITCH_NAMES order. */
export function withSwitches(profile: Profile, overrides: ReadonlyMap<SwitchName, boolean>): Profile {
  let switches = profile.switches;
  for (const name of SWITCH_NAMES) {
    const on = overrides.get(name);
    if (on !== undefined) switches = SWITCHES[name].set(switches, on);
  }
  return { ...profile, switches };
}

/** A switch whose value differs from the named profile's default. */
export interface SwitchChange {
  readonly name: SwitchName;
  readonly value: boolean;
}

/** The switches of `profile` that differ from the named profile's defaults, in SWITCH_NAMES order. */
export function changedSwitches(profile: Profile): SwitchChange[] {
  const base = PROFILES[profile.name].switches;
  return SWITCH_NAMES
    .filter((n) => SWITCHES[n].get(base) !== SWITCHES[n].get(profile.switches))
    .map((name) => ({ name, value: SWITCHES[name].get(profile.switches) }));
}

/** Every profile, for tables that list them in order. */
export const profilesInOrder = (): Profile[] => PROFILE_NAMES.map((n) => PROFILES[n]);
