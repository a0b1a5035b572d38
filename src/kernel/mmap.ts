// The file and mapping syscalls on hugetlbfs: memfd_create, ftruncate, mmap, munmap, close.
// Linux: mm/memfd.c:memfd_create(), fs/open.c:do_sys_ftruncate() => hugetlbfs_setattr(),
// mm/mmap.c:ksys_mmap_pgoff()/do_mmap()/mmap_region() => fs/hugetlbfs/inode.c:hugetlbfs_file_mmap(),
// mm/mmap.c:do_vmi_munmap() => hugetlb_vm_op_close(), fs/file.c:close_fd(); v6.1.
// Only hugetlb memory exists in the model: MAP_ANONYMOUS without MAP_HUGETLB, or a non-hugetlb memfd,
// returns -EINVAL here (unlike Linux, which would hand out ordinary memory).
import { i_mmap_lock, lock, unlock } from './bug.js';
import type { Hstate } from './hstate.js';
import { unmap_hugepage_range } from './hugetlb.js';
import { ANON_HUGEPAGE, evict_inode, HugetlbFile, hugetlb_reserve_pages_shared, hugetlb_vmtruncate, Inode } from './hugetlbfs.js';
import { ResvMap, Vma, type Process } from './mm.js';
import type { KernelState } from './state.js';
import type { Errno, SysRet } from './types.js';
import { decodeHugeShift, MAP, MFD, PAGE_SIZE, PROT, withoutHugeShift } from './uapi.js';

const fail = (errno: Errno): SysRet => ({ ok: false, errno });
const ok = (value: number): SysRet => ({ ok: true, value });
const has = (flags: number, bit: number): boolean => Math.floor(flags / bit) % 2 === 1;

/** hstate_sizelog(): the hstate a MFD_HUGE_* / MAP_HUGE_* encoding names, or the default one. */
function hstateFor(k: KernelState, flags: number): Hstate | undefined {
  const shift = decodeHugeShift(flags);
  if (shift === 0) return k.defaultHstate;
  return k.hstates.find((h) => h.shift === shift);
}

/** memfd_create(name, flags): a hugetlbfs file when MFD_HUGETLB is set. */
export function memfd_create(k: KernelState, p: Process, name: string, flags: number): SysRet {
  const keep = k.switches.memfd.keep_ue_mapped;
  // MFD_ALL_FLAGS: the MFR series adds MFD_MF_KEEP_UE_MAPPED; sanitize_flags() refuses it without
  // MFD_HUGETLB (v1..v3), which the model refuses anyway (only hugetlbfs memory is modelled).
  const known = [MFD.MFD_CLOEXEC, MFD.MFD_ALLOW_SEALING, MFD.MFD_HUGETLB, ...(keep === 'unknown_flag' ? [] : [MFD.MFD_MF_KEEP_UE_MAPPED])];
  let unknown = withoutHugeShift(flags);
  for (const bit of known) if (has(unknown, bit)) unknown -= bit;
  if (unknown !== 0) return fail('EINVAL');
  if (!has(flags, MFD.MFD_HUGETLB)) return fail('EINVAL');
  const h = hstateFor(k, flags);
  if (h === undefined) return fail('EINVAL');
  const inode = new Inode(k.nextIno++, h, `memfd:${name}`);
  // alloc_file(): v3 marks the mapping only for the flag; v1/v2 for every hugetlb memfd.
  inode.mfKeepUeMapped = keep === 'every_hugetlb_memfd' || (keep === 'flag_only' && has(flags, MFD.MFD_MF_KEEP_UE_MAPPED));
  inode.users++;
  const fd = p.allocFd();
  p.fds.set(fd, new HugetlbFile(inode));
  return ok(fd);
}

/** ftruncate(fd, length) => hugetlbfs_setattr(): the size must be hugepage aligned. */
export function ftruncate(k: KernelState, p: Process, fd: number, length: number): SysRet {
  const file = p.fds.get(fd);
  if (file === undefined) return fail('EBADF');
  if (!(file instanceof HugetlbFile) || length < 0) return fail('EINVAL');
  const inode = file.inode;
  if (length % inode.hstate.size !== 0) return fail('EINVAL');
  if (length < inode.size) hugetlb_vmtruncate(k, inode, length);
  else inode.size = length;
  return ok(0);
}

/**
 * mmap(addr, length, prot, flags, fd, offset) for hugetlb files and MAP_HUGETLB anonymous memory.
 * Placement is top-down below a fixed base, aligned to the hugepage size. Shared mappings reserve the
 * file's pages, private ones their own (-ENOMEM when the pool is short), unless MAP_NORESERVE.
 */
export function mmap(
  k: KernelState, p: Process, addr: number, length: number, prot: number, flags: number, fd: number, offset: number,
): SysRet {
  const shared = has(flags, MAP.MAP_SHARED);
  const priv = has(flags, MAP.MAP_PRIVATE);
  if (shared === priv) return fail('EINVAL');
  if (length === 0) return fail('EINVAL');
  if (offset % PAGE_SIZE !== 0) return fail('EINVAL');
  const anonymous = has(flags, MAP.MAP_ANONYMOUS);
  let inode: Inode;
  if (anonymous) {
    // ksys_mmap_pgoff(): MAP_HUGETLB anonymous memory is a file on the internal hugetlbfs mount,
    // and its length is rounded up to the hugepage size.
    if (!has(flags, MAP.MAP_HUGETLB)) return fail('EINVAL');
    const h = hstateFor(k, flags);
    if (h === undefined) return fail('EINVAL');
    length = Math.ceil(length / h.size) * h.size;
    inode = new Inode(k.nextIno++, h, ANON_HUGEPAGE);
    offset = 0;
  } else {
    const file = p.fds.get(fd);
    if (file === undefined) return fail('EBADF');
    if (!(file instanceof HugetlbFile)) return fail('ENODEV'); // no mmap file operation
    inode = file.inode;
  }
  const h = inode.hstate;
  // hugetlb_get_unmapped_area() and hugetlbfs_file_mmap(): length and offset must be hugepage aligned.
  if (length % h.size !== 0 || offset % h.size !== 0) return fail('EINVAL');
  const mm = p.mm;
  let start: number;
  if (has(flags, MAP.MAP_FIXED)) {
    if (addr % h.size !== 0) return fail('EINVAL');
    start = addr;
    for (const v of [...mm.vmas]) if (v.start < start + length && start < v.end) do_munmap(k, p, start, length);
  } else {
    const hint = addr !== 0 && addr % h.size === 0 && !mm.overlaps(addr, addr + length) ? addr : undefined;
    const found = hint ?? mm.getUnmappedArea(length, h.size);
    if (found === undefined) return fail('ENOMEM');
    start = found;
  }
  const noreserve = has(flags, MAP.MAP_NORESERVE);
  const from = offset / h.size;
  const to = from + length / h.size;
  let resv: ResvMap | null = null;
  if (!noreserve) {
    if (shared) {
      if (!hugetlb_reserve_pages_shared(inode, from, to)) return fail('ENOMEM');
    } else {
      if (!h.acct(to - from)) return fail('ENOMEM');
      resv = new ResvMap();
    }
  }
  const vma = new Vma(
    mm, start, start + length, shared,
    { read: has(prot, PROT.PROT_READ), write: has(prot, PROT.PROT_WRITE) },
    inode, offset, noreserve, resv,
  );
  // vma_link(): the file's i_mmap_rwsem for write.
  lock(k, i_mmap_lock(inode));
  mm.insert(vma);
  inode.i_mmap.push(vma);
  unlock(k, i_mmap_lock(inode));
  inode.users++;
  // hugetlbfs_file_mmap(): a writable mapping past EOF extends i_size.
  if (vma.prot.write && inode.size < offset + length) inode.size = offset + length;
  return ok(start);
}

/** munmap(addr, length) => do_vmi_munmap(): hugetlb VMAs are split only at hugepage boundaries. */
export function do_munmap(k: KernelState, p: Process, addr: number, length: number): SysRet {
  if (addr % PAGE_SIZE !== 0 || length === 0) return fail('EINVAL');
  const end = addr + Math.ceil(length / PAGE_SIZE) * PAGE_SIZE;
  const mm = p.mm;
  for (const vma of [...mm.vmas]) {
    if (vma.end <= addr || vma.start >= end) continue;
    const size = vma.hstate.size;
    // hugetlb_vm_op_split(): a split point must be hugepage aligned.
    if ((addr > vma.start && addr % size !== 0) || (end < vma.end && end % size !== 0)) return fail('EINVAL');
  }
  for (const vma of [...mm.vmas]) {
    if (vma.end <= addr || vma.start >= end) continue;
    const a = Math.max(addr, vma.start);
    const b = Math.min(end, vma.end);
    // unmap_single_vma() of a hugetlb VMA and vma removal take the file's i_mmap_rwsem for write.
    const imap = i_mmap_lock(vma.inode);
    lock(k, imap);
    unmap_hugepage_range(vma, a, b);
    hugetlb_vm_op_close(vma, a, b);
    if (a > vma.start && b < vma.end) {
      const tail = new Vma(mm, b, vma.end, vma.shared, vma.prot, vma.inode, vma.pgoffBytes + (b - vma.start), vma.noreserve, vma.resv);
      tail.anonVma = vma.anonVma;
      tail.hgm = vma.hgm;
      vma.end = a;
      mm.insert(tail);
      vma.inode.i_mmap.push(tail);
      vma.inode.users++;
    } else if (a > vma.start) {
      vma.end = a;
    } else if (b < vma.end) {
      vma.pgoffBytes += b - vma.start;
      vma.start = b;
    } else {
      mm.remove(vma);
      const i = vma.inode.i_mmap.indexOf(vma);
      vma.inode.i_mmap.splice(i, 1);
      iput(k, vma.inode);
    }
    unlock(k, imap);
  }
  return ok(0);
}

/** hugetlb_vm_op_close(): a private owner returns the reservations it did not consume in [a, b). */
function hugetlb_vm_op_close(vma: Vma, a: number, b: number): void {
  if (vma.resv === null) return;
  const first = vma.indexOf(a);
  const last = vma.indexOf(b - 1);
  let unused = 0;
  for (let i = first; i <= last; i++) if (!vma.resv.consumed.has(i)) unused++;
  vma.hstate.acct(-unused);
}

/** close(fd). */
export function close(k: KernelState, p: Process, fd: number): SysRet {
  const file = p.fds.get(fd);
  if (file === undefined) return fail('EBADF');
  p.fds.delete(fd);
  if (file instanceof HugetlbFile) {
    iput(k, file.inode);
  } else {
    // userfaultfd_release(): the VMAs registered with this context are unregistered.
    for (const vma of p.mm.vmas) if (vma.uffd?.ctx === file) vma.uffd = null;
  }
  return ok(0);
}

/** iput(): the last user of an inode evicts it (its page cache and reservations go). */
function iput(k: KernelState, inode: Inode): void {
  inode.users--;
  if (inode.users === 0) evict_inode(k, inode);
}
