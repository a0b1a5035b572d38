// Linux uapi constants the model accepts, with their names verbatim (include/uapi/linux/memfd.h,
// include/uapi/asm-generic/mman-common.h, include/uapi/asm-generic/hugetlb_encode.h, x86_64 values).
// Compare gVisor's pkg/abi/linux: the runner turns a scenario's flag names into these bits.

export const PAGE_SHIFT = 12;
export const PAGE_SIZE = 1 << PAGE_SHIFT;

// include/uapi/asm-generic/hugetlb_encode.h
const HUGETLB_FLAG_ENCODE_SHIFT = 26;
const encodeHugeShift = (shift: number): number => shift * 2 ** HUGETLB_FLAG_ENCODE_SHIFT;
/** The log2 page size encoded in MFD_HUGE_* / MAP_HUGE_* bits 26..31 (0 = default hstate). */
export const decodeHugeShift = (flags: number): number => Math.floor(flags / 2 ** HUGETLB_FLAG_ENCODE_SHIFT) & 0x3f;
/** flags with the encoded size bits removed (no 32-bit bitwise operators on values that may exceed 2^31). */
export const withoutHugeShift = (flags: number): number => flags % 2 ** HUGETLB_FLAG_ENCODE_SHIFT;

export const MFD = {
  MFD_CLOEXEC: 0x0001,
  MFD_ALLOW_SEALING: 0x0002,
  MFD_HUGETLB: 0x0004,
  /** The MFR policy series (v1..v3; unmerged): keep poisoned hugepages mapped (MemfdSwitches.keep_ue_mapped). */
  MFD_MF_KEEP_UE_MAPPED: 0x0020,
  MFD_HUGE_2MB: encodeHugeShift(21),
  MFD_HUGE_1GB: encodeHugeShift(30),
} as const;

export const PROT = { PROT_NONE: 0x0, PROT_READ: 0x1, PROT_WRITE: 0x2 } as const;

export const MAP = {
  MAP_SHARED: 0x01,
  MAP_PRIVATE: 0x02,
  MAP_FIXED: 0x10,
  MAP_ANONYMOUS: 0x20,
  MAP_NORESERVE: 0x4000,
  MAP_HUGETLB: 0x40000,
  MAP_HUGE_2MB: encodeHugeShift(21),
  MAP_HUGE_1GB: encodeHugeShift(30),
} as const;

export const MADV = {
  MADV_DONTNEED: 4,
  MADV_REMOVE: 9,
  MADV_COLLAPSE: 25,
  /** HGM v2 patch 13/46 (unmerged); EINVAL on every mainline kernel. */
  MADV_SPLIT: 26,
  MADV_HWPOISON: 100,
  MADV_SOFT_OFFLINE: 101,
} as const;

/** The set flags of `value` among `table`'s, by name, for traces. */
export function flagNames(table: Readonly<Record<string, number>>, value: number): string[] {
  return Object.entries(table)
    .filter(([, bit]) => bit !== 0 && bit < 2 ** 26 && Math.floor(value / bit) % 2 === 1)
    .map(([name]) => name);
}

// include/uapi/linux/falloc.h
export const FALLOC = { FALLOC_FL_KEEP_SIZE: 0x01, FALLOC_FL_PUNCH_HOLE: 0x02 } as const;

// include/uapi/linux/fs.h: lseek(2) whence
export const SEEK = { SEEK_SET: 0, SEEK_CUR: 1, SEEK_END: 2, SEEK_DATA: 3, SEEK_HOLE: 4 } as const;

// include/uapi/linux/prctl.h: prctl(PR_MCE_KILL, PR_MCE_KILL_SET, PR_MCE_KILL_EARLY | PR_MCE_KILL_LATE)
export const PR_MCE_KILL = 33;
export type McePolicy = 'early' | 'late' | 'clear';

// include/uapi/linux/userfaultfd.h (feature and mode names without their prefixes in scenarios)
export const UFFD_API = 0xaa;
// The feature and mode names are the project's vocabulary: src/abi (UFFD_FEATURES, UFFD_MODES).
