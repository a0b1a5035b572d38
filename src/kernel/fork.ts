// fork(): a child process with a copy of the parent's mm.
// Linux: kernel/fork.c (copy_process(), dup_mmap()), mm/memory.c:vma_needs_copy(),
// mm/hugetlb.c:copy_hugetlb_page_range() and reset_vma_resv_huge_pages(), fs/userfaultfd.c:dup_userfaultfd(); v6.1.
// Hugetlb page tables are copied only when the child VMA stays uffd-wp armed or the parent VMA has an
// anon_vma; otherwise the child re-faults from the page cache. A private child VMA has no reservations,
// so its COW can SIGBUS when the pool is short.
// Left out: unmap_ref_private() (the owner's COW failing and taking the page from its children).
import { hugetlb_add_rmap } from './rmap.js';
import { HugetlbFile } from './hugetlbfs.js';
import { Mm, Process, Thread, Vma } from './mm.js';
import { setSlot } from './pgtable.js';
import type { KernelState } from './state.js';
import { dup_userfaultfd, userfaultfd_wp, UffdCtx } from './userfaultfd.js';

/** vma_needs_copy(): copy page tables at fork for uffd-wp armed children and VMAs with anon pages. */
function vma_needs_copy(dst: Vma, src: Vma): boolean {
  return userfaultfd_wp(dst) || src.anonVma;
}

/**
 * copy_hugetlb_page_range(): hwpoison entries are copied; markers only into uffd-wp armed children;
 * present entries share the folio, write-protected on both sides for private (COW) mappings; the
 * uffd-wp bit survives only where the child stays armed.
 */
function copy_hugetlb_page_range(dst: Vma, src: Vma): void {
  const cow = !src.shared && src.prot.write;
  const keepWp = userfaultfd_wp(dst);
  for (const leaf of [...src.mm.pt.leaves(src.start, src.end)]) {
    const e = leaf.entry;
    if (e.kind === 'marker' && !keepWp) continue;
    const slot = dst.mm.pt.alloc(leaf.start, leaf.shift);
    if (e.kind === 'present') {
      e.folio.refcount++;
      hugetlb_add_rmap(e.folio, leaf.shift);
      if (e.folio.anon) e.folio.anonVmas.push(dst);
      if (cow) e.write = false;
      setSlot(slot, { kind: 'present', folio: e.folio, subpage: e.subpage, write: e.write, dirty: e.dirty, uffdWp: keepWp && e.uffdWp });
    } else {
      setSlot(slot, { ...e });
    }
  }
}

/** copy_process() + dup_mmap(): the child gets the calling thread only, the fds, the dispositions. */
export function copy_process(k: KernelState, parentThread: Thread, pid: number): Process {
  const parent = parentThread.process;
  const child = new Process(pid, parent.comm, new Mm());
  child.sigbus = parent.sigbus;
  const t = new Thread(child, pid);
  // PF_MCE_PROCESS / PF_MCE_EARLY are inherited (prctl(2), PR_MCE_KILL).
  t.mceProcess = parentThread.mceProcess;
  t.mceEarly = parentThread.mceEarly;
  child.threads.set(pid, t);
  const forked = new Map<UffdCtx, UffdCtx>();
  for (const [fd, f] of parent.fds) {
    if (f instanceof HugetlbFile) {
      f.inode.users++;
      child.fds.set(fd, f);
    } else {
      child.fds.set(fd, f); // the same userfaultfd context, shared like any open file
    }
  }
  for (const src of parent.mm.vmas) {
    // reset_vma_resv_huge_pages(): a private child VMA owns no reservations.
    const dst = new Vma(child.mm, src.start, src.end, src.shared, src.prot, src.inode, src.pgoffBytes, src.noreserve, null);
    dst.anonVma = src.anonVma;
    dst.hgm = src.hgm;
    dup_userfaultfd(src, dst, child.mm, forked);
    child.mm.insert(dst);
    // vma_interval_tree_insert_after(): the child's VMA follows the parent's in i_mmap.
    const i_mmap = src.inode.i_mmap;
    i_mmap.splice(i_mmap.indexOf(src) + 1, 0, dst);
    src.inode.users++;
    if (vma_needs_copy(dst, src)) copy_hugetlb_page_range(dst, src);
  }
  k.processes.set(pid, child);
  return child;
}
