// hugetlbfs inodes, memfd, the page cache and shared reservations.
// Linux: fs/hugetlbfs/inode.c (hugetlbfs_file_mmap(), hugetlb_vmtruncate(), remove_inode_hugepages()),
// hugetlbfs_read_iter(), hugetlbfs_fallocate(), hugetlbfs_punch_hole()), mm/memfd.c (memfd_create() with
// MFD_HUGETLB), mm/hugetlb.c (hugetlb_reserve_pages(), hugetlb_unreserve_pages()), v6.1; a read meets
// a poisoned hugepage as HugetlbfsSwitches.read_poisoned picks.
// Left out: subpools (no size= mount option), seals, write_iter, fallocate's preallocation failures.
//
// Invariants: a folio in `pageCache` has mapping === this inode and holds one page-cache reference;
// `resvRegion` covers every index that holds a reservation or an instantiated page (Linux's resv_map
// for shared mappings); reservations outstanding = |resvRegion \ pageCache|.
import type { Folio } from './folio.js';
import type { Hstate } from './hstate.js';
import type { Vma } from './mm.js';
import { hugetlb_add_to_page_cache, unmap_hugepage_range } from './hugetlb.js';
import { put_folio } from './rmap.js';
import type { Errno } from './types.js';
import { PAGE_SIZE } from './uapi.js';
import type { HugetlbfsSwitches } from './profiles.js';
import { filemap_offline_hwpoison_folio } from './memory-failure.js';
import type { KernelState } from './state.js';

/** The name of the internal hugetlbfs inode behind a MAP_ANONYMOUS|MAP_HUGETLB mapping. */
export const ANON_HUGEPAGE = 'anon_hugepage';

export class Inode {
  /** i_size in bytes. */
  size = 0;
  readonly pageCache = new Map<number, Folio>();
  /** Shared resv_map: indices reserved or instantiated. */
  readonly resvRegion = new Set<number>();
  /** i_mmap: every VMA mapping this file, in insertion order (the interval tree's order for equal ranges). */
  readonly i_mmap: Vma[] = [];
  /** Open files plus mappings; the inode is evicted when this reaches 0. */
  users = 0;
  /**
   * AS_MF_KEEP_UE_MAPPED: memory failure keeps this file's poisoned hugepages mapped until they leave
   * the file (the MFR series, mm/memfd.c:alloc_file(); MemfdSwitches.keep_ue_mapped).
   */
  mfKeepUeMapped = false;

  constructor(
    readonly ino: number,
    readonly hstate: Hstate,
    readonly name: string,
  ) {}
}

/** struct file for a hugetlbfs inode. */
export class HugetlbFile {
  /** f_pos, for read(2). */
  pos = 0;

  constructor(readonly inode: Inode) {}
}

/**
 * hugetlb_reserve_pages(), shared case: reserve every index of [from, to) not yet in the region.
 * Returns false (-ENOMEM) when the pool cannot back them.
 */
export function hugetlb_reserve_pages_shared(inode: Inode, from: number, to: number): boolean {
  let chg = 0;
  for (let i = from; i < to; i++) if (!inode.resvRegion.has(i)) chg++;
  if (!inode.hstate.acct(chg)) return false;
  for (let i = from; i < to; i++) inode.resvRegion.add(i);
  return true;
}

/**
 * remove_inode_hugepages() + hugetlb_unreserve_pages(): drop the page cache and reservations of
 * indices [from, to) — unmapping them from every VMA first (hugetlb_vmdelete_list()).
 * A poisoned folio leaves the page cache but is not freed: memory_failure keeps its reference
 * (kernel-semantics.md §1.12, observed on 6.1).
 */
export function remove_inode_hugepages(k: KernelState, inode: Inode, from: number, to = Infinity): void {
  const size = inode.hstate.size;
  for (const vma of [...inode.i_mmap]) {
    const start = Math.max(vma.start, vma.start + from * size - vma.pgoffBytes);
    const end = Math.min(vma.end, vma.start + to * size - vma.pgoffBytes);
    if (start < end) unmap_hugepage_range(vma, start, end);
  }
  let chg = 0;
  let freed = 0;
  for (const idx of [...inode.resvRegion].sort((a, b) => a - b)) {
    if (idx < from || idx >= to) continue;
    inode.resvRegion.delete(idx);
    chg++;
  }
  for (const [idx, folio] of [...inode.pageCache].sort((a, b) => a[0] - b[0])) {
    if (idx < from || idx >= to) continue;
    inode.pageCache.delete(idx);
    folio.mapping = null;
    freed++;
    put_folio(folio);
    // MFD_MF_KEEP_UE_MAPPED: the memory failure recovery deferred while the folio was in the file.
    if (inode.mfKeepUeMapped) filemap_offline_hwpoison_folio(k, folio);
  }
  inode.hstate.acct(-(chg - freed));
}

/**
 * hugetlbfs_zero_partial_page(): zero [start, end) inside the page-cache hugepage that holds start
 * (end = its end when the range reaches the next hugepage); nothing when no folio is cached there.
 * Linux: fs/hugetlbfs/inode.c:hugetlbfs_zero_partial_page() (68d32527d340, v6.0; observed on 6.1.192).
 */
function hugetlbfs_zero_partial_page(inode: Inode, start: number, end: number): void {
  const size = inode.hstate.size;
  const folio = inode.pageCache.get(Math.floor(start / size));
  if (folio === undefined) return;
  const from = start % size;
  const to = end % size === 0 ? size : end % size;
  folio.contents.fill(from, to, 0);
}

/**
 * hugetlbfs_punch_hole() (fallocate PUNCH_HOLE, MADV_REMOVE): whole hugepages in [offset, offset+len)
 * are removed; the partial hugepages at either end keep their folio and have the punched range zeroed.
 * Linux: fs/hugetlbfs/inode.c:hugetlbfs_punch_hole(), v6.1.
 */
export function hugetlbfs_punch_hole(k: KernelState, inode: Inode, offset: number, len: number): void {
  const size = inode.hstate.size;
  const end = offset + len;
  const holeStart = Math.ceil(offset / size) * size;
  const holeEnd = Math.floor(end / size) * size;
  if (offset < holeStart) hugetlbfs_zero_partial_page(inode, offset, Math.min(end, holeStart));
  if (holeStart < holeEnd) remove_inode_hugepages(k, inode, holeStart / size, holeEnd / size);
  if (end > holeEnd && end > holeStart) hugetlbfs_zero_partial_page(inode, holeEnd, end);
}

/** hugetlb_vmtruncate() via ftruncate(): shrinking drops pages beyond the new size. */
export function hugetlb_vmtruncate(k: KernelState, inode: Inode, size: number): void {
  const from = Math.ceil(size / inode.hstate.size);
  inode.size = size;
  remove_inode_hugepages(k, inode, from);
}

/** The last user went away: evict the inode (hugetlbfs_evict_inode() => remove_inode_hugepages(0)). */
export function evict_inode(k: KernelState, inode: Inode): void {
  remove_inode_hugepages(k, inode, 0);
}

/**
 * How many bytes hugetlbfs_read_iter() may copy from `offset` in a folio with PG_hwpoison, by
 * HugetlbfsSwitches.read_poisoned ('EIO': the read fails, discarding what earlier hugepages copied).
 */
const READ_POISONED: { readonly [M in HugetlbfsSwitches['read_poisoned']]: (folio: Folio, offset: number) => number | 'EIO' } = {
  // v6.1: any poisoned hugepage fails the whole call.
  eio: () => 'EIO',
  // v6.6+ (38c1ddbde6c6) adjust_range_hwpoison(): up to the first poisoned raw page at or after offset
  // (is_raw_hwpoison_page_in_hugepage(): every page, once raw_hwp_list is unreliable); none copied: -EIO.
  up_to_raw_page: (folio, offset) => {
    const first = Math.floor(offset / PAGE_SIZE);
    const next = folio.rawHwpUnreliable ? first : folio.raw_hwp_list.reduce((m, r) => (r >= first && r < m ? r : m), Infinity);
    const want = next === Infinity ? Infinity : next * PAGE_SIZE - offset;
    return want <= 0 ? 'EIO' : want;
  },
};

/**
 * hugetlbfs_read_iter(): copy hugepage by hugepage up to i_size; holes read as zeros; a poisoned folio
 * yields what READ_POISONED allows: a copy that stops short of the hugepage's end while the buffer has
 * room ends the read there (a short read). Returns the byte count.
 */
export function hugetlbfs_read_iter(sw: HugetlbfsSwitches, inode: Inode, pos: number, count: number): number | 'EIO' {
  const size = inode.hstate.size;
  let done = 0;
  while (done < count && pos + done < inode.size) {
    const at = pos + done;
    const folio = inode.pageCache.get(Math.floor(at / size));
    const nr = Math.min(size - (at % size), inode.size - at);
    const want = folio?.hwpoison === true ? READ_POISONED[sw.read_poisoned](folio, at % size) : nr;
    if (want === 'EIO') return 'EIO';
    const copied = Math.min(want, nr, count - done);
    done += copied;
    if (copied < nr && done < count) break;
  }
  return done;
}

/**
 * hugetlbfs_fallocate(): PUNCH_HOLE (with KEEP_SIZE, as vfs_fallocate() requires) removes whole
 * hugepages; mode 0 / KEEP_SIZE allocates the range into the page cache, growing i_size without KEEP_SIZE.
 */
export function hugetlbfs_fallocate(k: KernelState, inode: Inode, mode: number, offset: number, len: number): 0 | Errno {
  const KEEP_SIZE = 0x01;
  const PUNCH_HOLE = 0x02;
  if (mode & ~(KEEP_SIZE | PUNCH_HOLE)) return 'EOPNOTSUPP';
  if (offset < 0 || len <= 0) return 'EINVAL';
  if (mode & PUNCH_HOLE) {
    if (!(mode & KEEP_SIZE)) return 'EOPNOTSUPP';
    hugetlbfs_punch_hole(k, inode, offset, len);
    return 0;
  }
  const h = inode.hstate;
  const first = Math.floor(offset / h.size);
  const last = Math.ceil((offset + len) / h.size);
  for (let idx = first; idx < last; idx++) {
    if (inode.pageCache.has(idx)) continue;
    // alloc_hugetlb_folio() with a pseudo VMA: the index's reservation if the region holds one.
    const reserved = inode.resvRegion.has(idx);
    const folio = h.dequeue(reserved);
    if (folio === undefined) return 'ENOSPC';
    inode.resvRegion.add(idx);
    folio.migratable = true;
    hugetlb_add_to_page_cache(inode, folio, idx);
  }
  if (!(mode & KEEP_SIZE) && offset + len > inode.size) inode.size = offset + len;
  return 0;
}
