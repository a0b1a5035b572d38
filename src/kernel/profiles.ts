// Kernel profiles: one named bundle of behaviour switches per modelled kernel (DESIGN.md, Kernel profiles).
// Model code reads switches; it never compares profile names. A new switch does not compile until every
// profile sets it. Provenance of each switch is in its comment (kernel-semantics.md section, commit).
import type { UffdFeature } from './uapi.js';

export interface Switches {
  /**
   * madvise(MADV_HWPOISON) passes MF_ACTION_REQUIRED, so the injecting thread gets BUS_MCEERR_AR during
   * the call. Linux: mm/madvise.c:madvise_inject_error(); v6.11 (Jane Chu, kernel-semantics.md §2.1).
   */
  readonly madvise_hwpoison_action_required: boolean;
  /**
   * action_result() increments num_poisoned_pages (HardwareCorrupted) for every event it logs.
   * Linux: mm/memory-failure.c:action_result(); v6.2+ (kernel-semantics.md §1.9, §1.10).
   */
  readonly action_result_counts_poisoned: boolean;
  /**
   * A new raw page recorded in an already-poisoned folio is counted inside folio_set_hugetlb_hwpoison()
   * (no action_result), and memory_failure logs "already hardware poisoned".
   * Linux: mm/memory-failure.c:folio_set_hugetlb_hwpoison(); v6.1..v6.18 (kernel-semantics.md §1.4, §1.10).
   */
  readonly count_new_raw_page_in_set_hwpoison: boolean;
  /**
   * After an anonymous 1 GiB folio is dissolved, taking the poisoned raw page off the buddy allocator
   * fails, so me_huge_page reports Failed (madvise: EBUSY) although the folio is gone.
   * Observed on 6.1.192 only (kernel-semantics.md §10); the cause is not confirmed (TODO confirm).
   */
  readonly gigantic_take_off_buddy_fails: boolean;
  /**
   * UFFD_FEATURE_* that UFFDIO_API offers (UFFD_API_FEATURES); requesting another one is -EINVAL.
   * Linux: fs/userfaultfd.c:userfaultfd_api(); 6.1 does not offer WP_UNPOPULATED (v6.4), observed (§10).
   */
  readonly uffd_features: readonly UffdFeature[];
  /**
   * /sys/devices/system/node/nodeN/memory_failure/ counters exist and action_result() updates them.
   * Linux: 18f41fa616ee "mm: fix memory_failure() ... per-node stats", v6.3/v6.4 (kernel-semantics.md §0.3).
   */
  readonly per_node_mf_stats: boolean;
  /**
   * CONFIG_HUGETLB_HIGH_GRANULARITY_MAPPING: MADV_SPLIT (26), hugetlb_pte walks, PAGE_SIZE-aligned
   * UFFDIO_CONTINUE, faults at the size of the entry the walk stops on, MADV_COLLAPSE for hugetlb,
   * split uffd-wp markers, per-subpage mapcounts. HGM v2 (James Houghton, Feb 2023; unmerged),
   * kernel-semantics.md §6.
   */
  readonly hgm: boolean;
  /**
   * Jiaqi Yan's RFC (Apr 2023, unmerged): memory_failure enables HGM on each eligible VMA, splits it so
   * the poisoned address is a 4 KiB entry, and unmaps only that entry; raw_hwp_list entries count the
   * expected and actual unmaps; hugetlb_no_page maps around poisoned raw pages. RFC 1/7-5/7,
   * kernel-semantics.md §7.
   */
  readonly rfc_pagesize_unmap: boolean;
  /**
   * Posted code (RFC 4/7): is_unmapping_successful() lacks the negation for non-HGM, anonymous and
   * non-hugetlb folios, so it reports them still mapped after a successful unmap. false = the intent
   * ("not mapped any more"). kernel-semantics.md §7.6, §8.9.
   */
  readonly rfc_posted_unmap_success_check: boolean;
  /**
   * Posted code (RFC 2/7): try_to_split_huge_mapping() walks from the hugepage's head address, so a second
   * poison in another 2 MiB region of an already-split 1 GiB page finds a split entry and "succeeds"
   * without splitting; the unmap count then fails. false = split the entry covering the poisoned address.
   * kernel-semantics.md §8.9.
   */
  readonly rfc_posted_split_walk_from_head: boolean;
}

/** Named fault-injection points (kernel.faults in a scenario): the next N attempts there fail. */
export type FaultPoint = 'raw_hwp_page_alloc' | 'hugetlb_enable_hgm_vma' | 'hugetlb_split_to_shift';
export const FAULT_POINTS: readonly FaultPoint[] = ['raw_hwp_page_alloc', 'hugetlb_enable_hgm_vma', 'hugetlb_split_to_shift'];

/** The boolean switches a scenario may override (kernel.switches). */
export type BooleanSwitch = { [K in keyof Switches]: Switches[K] extends boolean ? K : never }[keyof Switches];

export type ProfileName = 'v6.1' | 'hgm-v2' | 'hgm-rfc';

export interface Profile {
  readonly name: ProfileName;
  readonly summary: string;
  readonly switches: Switches;
}

export const PROFILES: { readonly [K in ProfileName]: Profile } = {
  'v6.1': {
    name: 'v6.1',
    summary: "Debian 12's 6.1 kernel: no HGM, whole-hugepage unmap on poison (kernel-semantics.md §10)",
    switches: {
      madvise_hwpoison_action_required: false,
      action_result_counts_poisoned: true,
      count_new_raw_page_in_set_hwpoison: true,
      gigantic_take_off_buddy_fails: true,
      uffd_features: [
        'EVENT_FORK', 'MISSING_HUGETLBFS', 'MISSING_SHMEM', 'SIGBUS', 'THREAD_ID', 'MINOR_HUGETLBFS',
        'EXACT_ADDRESS', 'WP_HUGETLBFS_SHMEM', 'PAGEFAULT_FLAG_WP',
      ],
      per_node_mf_stats: false,
      hgm: false,
      rfc_pagesize_unmap: false,
      rfc_posted_unmap_success_check: false,
      rfc_posted_split_walk_from_head: false,
    },
  },
  'hgm-v2': {
    name: 'hgm-v2',
    summary: 'HGM v2 on its mm-unstable base (ccd6a73daba9, between v6.2 and v6.3): high-granularity mapping; poison still unmaps the whole hugepage',
    switches: {
      madvise_hwpoison_action_required: false, // MF_ACTION_REQUIRED from madvise came in v6.11
      action_result_counts_poisoned: true, // v6.2+
      count_new_raw_page_in_set_hwpoison: true,
      gigantic_take_off_buddy_fails: false, // a 6.1.192 observation; nothing shows it on this base
      uffd_features: [
        'EVENT_FORK', 'MISSING_HUGETLBFS', 'MISSING_SHMEM', 'SIGBUS', 'THREAD_ID', 'MINOR_HUGETLBFS',
        'EXACT_ADDRESS', 'WP_HUGETLBFS_SHMEM', 'PAGEFAULT_FLAG_WP',
      ],
      per_node_mf_stats: true, // 18f41fa616ee was in mm-stable before the HGM v2 base. TODO confirm
      hgm: true,
      rfc_pagesize_unmap: false,
      rfc_posted_unmap_success_check: false,
      rfc_posted_split_walk_from_head: false,
    },
  },
  'hgm-rfc': {
    name: 'hgm-rfc',
    summary: "HGM v2 + Jiaqi Yan's RFC: split to the poisoned 4 KiB page and unmap only it (posted code by default)",
    switches: {
      madvise_hwpoison_action_required: false,
      action_result_counts_poisoned: true,
      count_new_raw_page_in_set_hwpoison: false, // RFC 3/7: a new raw page returns 0; action_result counts it
      gigantic_take_off_buddy_fails: false,
      uffd_features: [
        'EVENT_FORK', 'MISSING_HUGETLBFS', 'MISSING_SHMEM', 'SIGBUS', 'THREAD_ID', 'MINOR_HUGETLBFS',
        'EXACT_ADDRESS', 'WP_HUGETLBFS_SHMEM', 'PAGEFAULT_FLAG_WP',
      ],
      per_node_mf_stats: true,
      hgm: true,
      rfc_pagesize_unmap: true,
      rfc_posted_unmap_success_check: true,
      rfc_posted_split_walk_from_head: true,
    },
  },
};

export const PROFILE_NAMES = Object.keys(PROFILES) as ProfileName[];

/** A profile with single switches overridden (a scenario's kernel.switches). */
export function withSwitches(profile: Profile, overrides: Readonly<Partial<Record<BooleanSwitch, boolean>>>): Profile {
  return { ...profile, switches: { ...profile.switches, ...overrides } };
}

/** The switches of `profile` whose value differs from the named profile's defaults, as `name=value`. */
export function changedSwitches(profile: Profile): string[] {
  const base = PROFILES[profile.name].switches;
  return (Object.keys(base) as (keyof Switches)[])
    .filter((k) => JSON.stringify(base[k]) !== JSON.stringify(profile.switches[k]))
    .map((k) => `${k}=${JSON.stringify(profile.switches[k])}`);
}

export function isProfileName(name: string): name is ProfileName {
  return Object.hasOwn(PROFILES, name);
}
