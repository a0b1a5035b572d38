// hgmsim's vocabulary: the names the scenario language, the runner and the kernel model all spell the
// same way — kernel profiles, the public switch names, fault points, userfaultfd feature and mode names,
// errno names. One leaf module, as gVisor's pkg/abi/linux serves its sentry: it imports nothing of the
// project, and no other file keeps a copy of these lists (test/meta.test.ts checks both).
// Linux: include/uapi/asm-generic/errno-base.h, errno.h; include/uapi/linux/userfaultfd.h.

/** The modelled kernels, in the order reports and `hgmsim profiles` list them (src/kernel/profiles.ts). */
export const PROFILE_NAMES = ['v6.1', 'v6.12', 'hgm-v2', 'hgm-rfc', 'mfr'] as const;
export type ProfileName = (typeof PROFILE_NAMES)[number];
export const isProfileName = (name: string): name is ProfileName => (PROFILE_NAMES as readonly string[]).includes(name);

/** Hugepage sizes the x86_64 model knows (hstates). */
export type HugepageSize = '2M' | '1G';
export const HUGEPAGE_SIZES: readonly HugepageSize[] = ['2M', '1G'];

/** `run --format` names, in the order help lists them; src/report/index.ts maps each to its reporter. */
export const FORMAT_NAMES = ['tap', 'ktap', 'junit', 'json'] as const;
export type FormatName = (typeof FORMAT_NAMES)[number];

/**
 * `kernel.switches`: the boolean switches a scenario may override, in the order the TAP header prints
 * them. Each names one place (or, for rfc_pagesize_unmap, several) in the kernel profile's per-subsystem
 * records; src/kernel/profiles.ts maps it there.
 */
export const SWITCH_NAMES = [
  'madvise_hwpoison_action_required', 'action_result_counts_poisoned', 'count_new_raw_page_in_set_hwpoison',
  'gigantic_take_off_buddy_fails', 'in_use_hugepage_stays_migratable', 'per_node_mf_stats', 'hgm', 'rfc_pagesize_unmap',
  'rfc_posted_unmap_success_check', 'rfc_posted_split_walk_from_head', 'rfc_posted_split_failure_skips_vma',
  'rfc_posted_no_page_pre_split_subpage', 'rfc_posted_nomem_retry_put_twice', 'rfc_posted_unreliable_fault_list_only',
  'mfr_keep_ue_mapped', 'mfr_v2_every_hugetlb_memfd',
] as const;
export type SwitchName = (typeof SWITCH_NAMES)[number];
export const isSwitchName = (name: string): name is SwitchName => (SWITCH_NAMES as readonly string[]).includes(name);

/** The subsystems a kernel profile keeps one switch record for. */
export const SUBSYSTEMS = ['memory_failure', 'fault', 'hugetlbfs', 'memfd', 'userfaultfd', 'signals', 'proc', 'wording'] as const;
export type Subsystem = (typeof SUBSYSTEMS)[number];

/** `kernel.faults`: named fault-injection points; the next N attempts there fail. */
export const FAULT_POINTS = ['raw_hwp_page_alloc', 'hugetlb_enable_hgm_vma', 'hugetlb_split_to_shift'] as const;
export type FaultPoint = (typeof FAULT_POINTS)[number];

export const isFaultPoint = (name: string): name is FaultPoint => (FAULT_POINTS as readonly string[]).includes(name);

/**
 * Stable ids of the defects the model reproduces when it runs the code that has them (docs/findings.md):
 * RFC-F1…F6 are lines of the RFC as posted; MAPPED is the invariant "no poisoned raw page stays mapped".
 */
export const FINDING_IDS = ['MAPPED', 'RFC-F1', 'RFC-F2', 'RFC-F3', 'RFC-F4', 'RFC-F5', 'RFC-F6'] as const;
export type FindingId = (typeof FINDING_IDS)[number];

/** UFFD_FEATURE_* without the prefix (include/uapi/linux/userfaultfd.h). */
export const UFFD_FEATURES = [
  'SIGBUS', 'EXACT_ADDRESS', 'EVENT_FORK', 'MISSING_HUGETLBFS', 'MINOR_HUGETLBFS', 'WP_HUGETLBFS_SHMEM',
  'PAGEFAULT_FLAG_WP', 'WP_UNPOPULATED', 'THREAD_ID', 'MISSING_SHMEM', 'POISON', 'WP_ASYNC', 'MOVE',
] as const;
export type UffdFeature = (typeof UFFD_FEATURES)[number];

/** UFFDIO_REGISTER_MODE_* without the prefix. */
export const UFFD_MODES = ['MISSING', 'WP', 'MINOR'] as const;
export type UffdRegisterMode = (typeof UFFD_MODES)[number];

/** The range ioctls UFFDIO_REGISTER reports in uffdio_register.ioctls, without the UFFDIO_ prefix. */
export const UFFD_RANGE_IOCTLS = ['WAKE', 'COPY', 'ZEROPAGE', 'MOVE', 'WRITEPROTECT', 'CONTINUE', 'POISON'] as const;
export type UffdRangeIoctl = (typeof UFFD_RANGE_IOCTLS)[number];

/**
 * UFFD_API_FEATURES of each modelled kernel: what UFFDIO_API offers (requesting another feature is
 * -EINVAL). Linux: fs/userfaultfd.c:userfaultfd_api(); 6.1 does not offer WP_UNPOPULATED (v6.4), observed
 * (kernel-semantics.md §10); the HGM base offers what 6.1 does.
 */
const UFFD_API_FEATURES_6_1: readonly UffdFeature[] = [
  'EVENT_FORK', 'MISSING_HUGETLBFS', 'MISSING_SHMEM', 'SIGBUS', 'THREAD_ID', 'MINOR_HUGETLBFS',
  'EXACT_ADDRESS', 'WP_HUGETLBFS_SHMEM', 'PAGEFAULT_FLAG_WP',
];
/**
 * 6.12 offers every feature bit 0-16 (UFFD_API_FEATURES = 0x1ffff): WP_UNPOPULATED (v6.4), POISON (v6.6,
 * with UFFDIO_POISON), WP_ASYNC (v6.7), MOVE (v6.8) beyond 6.1's; observed (kernel-semantics.md §10).
 */
const UFFD_API_FEATURES_6_12: readonly UffdFeature[] = [...UFFD_API_FEATURES_6_1, 'WP_UNPOPULATED', 'POISON', 'WP_ASYNC', 'MOVE'];
export const UFFD_API_FEATURES: { readonly [P in ProfileName]: readonly UffdFeature[] } = {
  'v6.1': UFFD_API_FEATURES_6_1,
  'v6.12': UFFD_API_FEATURES_6_12,
  'hgm-v2': UFFD_API_FEATURES_6_1,
  'hgm-rfc': UFFD_API_FEATURES_6_1,
  mfr: UFFD_API_FEATURES_6_12, // the series changes no userfaultfd feature
};

/** The profiles whose UFFDIO_API offers `feature`, in profile order. */
export const profilesOffering = (feature: UffdFeature): ProfileName[] =>
  PROFILE_NAMES.filter((p) => UFFD_API_FEATURES[p].includes(feature));

/** The errno names the model returns and a scenario may expect, verbatim. */
export const ERRNO_NAMES = [
  'EPERM', 'ENOENT', 'EINTR', 'EIO', 'ENXIO', 'EBADF', 'EAGAIN', 'ENOMEM', 'EACCES', 'EFAULT', 'EBUSY', 'EEXIST',
  'ENODEV', 'EINVAL', 'ENOSPC', 'ESPIPE', 'ENOSYS', 'EOPNOTSUPP', 'EHWPOISON',
] as const;
export type ErrnoName = (typeof ERRNO_NAMES)[number];

/** The errno numbers (include/uapi/asm-generic/errno-base.h, errno.h), for values a call writes as -errno. */
export const ERRNO_VALUE: { readonly [E in ErrnoName]: number } = {
  EPERM: 1, ENOENT: 2, EINTR: 4, EIO: 5, ENXIO: 6, EBADF: 9, EAGAIN: 11, ENOMEM: 12, EACCES: 13, EFAULT: 14,
  EBUSY: 16, EEXIST: 17, ENODEV: 19, EINVAL: 22, ENOSPC: 28, ESPIPE: 29, ENOSYS: 38, EOPNOTSUPP: 95, EHWPOISON: 133,
};
