// What an observer sees, without side effects or faults: procfs- and sysfs-like views (meminfo, smaps,
// pagemap, the pools, memory-failure stats, dmesg), the signals sent, and the page-table and folio
// views `hgmsim show` draws. Nothing here runs as a task or counts against a step's budget.
// Linux: fs/proc/meminfo.c, fs/proc/task_mmu.c (smaps, pagemap), mm/hugetlb.c's sysfs attributes,
// mm/memory-failure.c's per-node stats, kernel/printk; compare gVisor's pkg/sentry/mm/procfs.go.
import type { KernelFinding } from './findings.js';
import type { Folio } from './folio.js';
import { rmap_walk } from './rmap.js';
import { ANON_HUGEPAGE, HugetlbFile } from './hugetlbfs.js';
import { checkInvariants, type Violation } from './invariants.js';
import { hugetlb_should_keep_hwpoison_mapped } from './memory-failure.js';
import type { Mm, Process } from './mm.js';
import { PMD_SHIFT, PUD_SHIFT, sizeOfShift, slotEntry, type LeafEntry } from './pgtable.js';
import { pagemap, smaps } from './proc.js';
import { entryKind, pageTableRuns, pageTableTree, type PageTableRun, type PtRun } from './ptdump.js';
import type { KernelState } from './state.js';
import { find_task_by_vpid } from './task.js';
import type {
  BytesCheck, FolioInfo, MappingInfo, Meminfo, MfStats, PagemapEntry, PoolInfo, SignalEvent, SmapsInfo, TaskRef,
} from './types.js';
import { PAGE_SHIFT, PAGE_SIZE } from './uapi.js';

/**
 * Whether every byte of [start, start+length) holds value, run by run, reading folio contents (an
 * interval map, never bytes). `at` names what backs a position: its folio (undefined: a hole, read as
 * zeros), the position's offset in it and how many bytes from there it backs contiguously, or null where
 * nothing does (found -1). Positions are addresses or file offsets.
 */
function checkRange(start: number, length: number, value: number, at: (pos: number) => { folio: Folio | undefined; off: number; run: number } | null): BytesCheck {
  const end = start + length;
  for (let pos = start; pos < end;) {
    const backing = at(pos);
    if (backing === null) return { ok: false, addr: pos, found: -1 };
    const { folio, off, run } = backing;
    const n = Math.min(end - pos, run);
    const miss = folio === undefined ? (value === 0 ? -1 : off) : folio.contents.findMismatch(off, off + n, value);
    if (miss >= 0) return { ok: false, addr: pos - off + miss, found: folio?.contents.get(miss) ?? 0 };
    pos += n;
  }
  return { ok: true };
}

/** A hugetlb folio as `show` draws it: what FolioInfo says, plus HGM's and the RFC's counters and the pool flags. */
export interface FolioView extends FolioInfo {
  /** HGM: entries smaller than the hstate size that map part of the folio. */
  readonly subMapcount: number;
  /** RFC 3/7: per listed raw page, the unmap counters (empty without the RFC). */
  readonly rawHwpUnmaps: readonly { readonly raw: number; readonly nr_vmas_mapped: number; readonly nr_expected_unmaps: number; readonly nr_actual_unmaps: number }[];
  /** On the hstate's free list (HPageFreed). */
  readonly free: boolean;
  /** Dissolved into buddy pages. */
  readonly dissolved: boolean;
}

/** A VMA as `show` draws it (kernel side; the runner adds the test's names). */
export interface VmaView {
  readonly start: number;
  readonly end: number;
  /** VM_SHARED. */
  readonly shared: boolean;
  /** MAP_ANONYMOUS (the internal hugetlbfs inode) rather than a memfd/hugetlbfs file. */
  readonly anonymous: boolean;
  /** The file's name (memfd:NAME), empty for MAP_ANONYMOUS. */
  readonly file: string;
  /** vm_pgoff in bytes. */
  readonly pgoff: number;
  /** The VMA's hstate size (2 MiB or 1 GiB). */
  readonly hugepagesz: number;
  /** VM_HUGETLB_HGM. */
  readonly hgm: boolean;
  /** userfaultfd registration modes, sorted (e.g. ["MINOR", "MISSING", "WP"]); empty when not registered. */
  readonly uffd: readonly string[];
  /** PUD-level runs covering [start, end), tables expanded. */
  readonly tree: readonly PtRun[];
}

/** What an observer sees of a folio (folioAt; folioView adds to it). */
function folioInfo(f: Folio): FolioInfo {
  return {
    pfn: f.pfn,
    size: f.size,
    refcount: f.refcount,
    mapcount: f.mapcount,
    hwpoison: f.hwpoison,
    rawHwpUnreliable: f.rawHwpUnreliable,
    raw_hwp_list: [...f.raw_hwp_list],
    anon: f.anon,
    inPageCache: f.mapping !== null,
  };
}

export class Views {
  constructor(private readonly k: KernelState) {}

  /** A task's mm; a dead process's is empty (reaped), not an error. */
  private mm(task: TaskRef): Mm {
    return find_task_by_vpid(this.k, task).process.mm;
  }

  /**
   * Whether every byte of [addr, addr+length) holds value, read through the backing folios without
   * faulting: the mapped folio, else the page-cache folio behind a file offset, else zero (a hole).
   * Poisoned pages read normally: software injection corrupts no data.
   */
  checkBytes(task: TaskRef, addr: number, length: number, value: number): BytesCheck {
    const mm = this.mm(task);
    return checkRange(addr, length, value, (pos) => {
      const vma = mm.findVma(pos);
      if (vma === undefined) return null;
      const size = vma.hstate.size;
      const hugeEnd = pos - (pos % size) + size;
      // A present entry reads its own subpages: under HGM an entry may map another part of its folio
      // than the address's offset (RFC 5/7 after the split, finding RFC-F3). Elsewhere, the hugepage's.
      const slot = mm.pt.walk(pos);
      const e = slot === undefined ? undefined : slotEntry(slot);
      const slotEnd = slot === undefined ? hugeEnd : Math.min(hugeEnd, slot.start + sizeOfShift(slot.shift));
      if (slot !== undefined && e?.kind === 'present') return { folio: e.folio, off: e.subpage * PAGE_SIZE + (pos - slot.start), run: slotEnd - pos };
      return { folio: this.backingFolio(mm, pos), off: pos % size, run: slotEnd - pos };
    });
  }

  /**
   * Whether every byte of [offset, offset+length) of the file open as fd holds value, as read(2) copies
   * it from the page cache (a hole reads as zeros). `addr` in the answer is the file offset. For the
   * bytes a read returned; hugetlbfs_read_iter() copies from these folios.
   */
  checkFileBytes(task: TaskRef, fd: number, offset: number, length: number, value: number): BytesCheck {
    const f = find_task_by_vpid(this.k, task).process.fds.get(fd);
    if (!(f instanceof HugetlbFile)) return { ok: false, addr: offset, found: -1 };
    const size = f.inode.hstate.size;
    return checkRange(offset, length, value, (pos) => ({ folio: f.inode.pageCache.get(Math.floor(pos / size)), off: pos % size, run: size - (pos % size) }));
  }

  /** f_pos of the file open as fd (lseek(fd, 0, SEEK_CUR) without the syscall); undefined for other fds. */
  filePosition(task: TaskRef, fd: number): number | undefined {
    const f = find_task_by_vpid(this.k, task).process.fds.get(fd);
    return f instanceof HugetlbFile ? f.pos : undefined;
  }

  private backingFolio(mm: Mm, addr: number): Folio | undefined {
    const vma = mm.findVma(addr);
    if (vma === undefined) return undefined;
    const slot = mm.pt.walk(addr);
    const e = slot === undefined ? undefined : slotEntry(slot);
    if (e?.kind === 'present') return e.folio;
    if (e?.kind === 'hwpoison') return this.k.folioOfPfn(e.pfn);
    return vma.inode.pageCache.get(vma.indexOf(addr));
  }

  /** The entry a page-table walk finds for addr; null when no VMA covers addr. */
  mappingAt(task: TaskRef, addr: number): MappingInfo | null {
    const mm = this.mm(task);
    const vma = mm.findVma(addr);
    if (vma === undefined) return null;
    const slot = mm.pt.walk(addr);
    const e = slot === undefined ? undefined : slotEntry(slot);
    if (slot === undefined || e === undefined || e.kind === 'table') {
      // A none slot inside a split hugepage's table has that table's entry size.
      const size = slot === undefined ? vma.hstate.size : Math.min(sizeOfShift(slot.shift), vma.hstate.size);
      return { size, kind: 'none', write: false, dirty: false, uffdWp: false, start: addr - (addr % size) };
    }
    const size = sizeOfShift(slot.shift);
    return {
      size,
      kind: entryKind(e),
      write: e.kind === 'present' && e.write,
      dirty: e.kind === 'present' && e.dirty,
      uffdWp: (e.kind === 'present' || e.kind === 'marker') && e.uffdWp,
      start: slot.start,
    };
  }

  /** Runs of equal entries over [start, end); none ranges count in the VMA's hugepage size. */
  pageTableRuns(task: TaskRef, start: number, end: number): PageTableRun[] {
    const mm = this.mm(task);
    const noneSize = mm.findVma(start)?.hstate.size ?? this.k.defaultHstate.size;
    return pageTableRuns(mm.pt, start, end, noneSize);
  }

  /** The thread's VMAs in address order, each with its page table as a tree of folded runs (for `show`). */
  vmaViews(task: TaskRef): VmaView[] {
    const mm = this.mm(task);
    return mm.vmas.map((v) => ({
      start: v.start,
      end: v.end,
      shared: v.shared,
      anonymous: v.inode.name === ANON_HUGEPAGE,
      file: v.inode.name === ANON_HUGEPAGE ? '' : v.inode.name,
      pgoff: v.pgoffBytes,
      hugepagesz: v.hstate.size,
      hgm: v.hgm,
      uffd: v.uffd === null ? [] : [...v.uffd.modes].sort(),
      tree: pageTableTree(mm.pt, v.start, v.end),
    }));
  }

  /** The hugetlb folio whose head pfn is `pfn` (also free or dissolved ones), for `show`; null if none. */
  folioView(pfn: number): FolioView | null {
    const f = this.k.folioOfPfn(pfn);
    if (f === undefined || f.pfn !== pfn) return null;
    return {
      ...folioInfo(f),
      subMapcount: f.subMapcount,
      // struct raw_hwp_page carries the counters only with the RFC (3/7).
      rawHwpUnmaps: this.k.switches.memory_failure.unmap === 'raw_page' ? [...f.rawHwpUnmaps].map(([raw, c]) => ({ raw, ...c })) : [],
      free: f.freed,
      dissolved: f.dissolved,
    };
  }

  /** The folio mapped at addr (present or hwpoison entry), else the page-cache folio behind addr; null if none. */
  folioAt(task: TaskRef, addr: number): FolioInfo | null {
    const f = this.backingFolio(this.mm(task), addr);
    return f === undefined ? null : folioInfo(f);
  }

  /** What folioAt finds, without copying its lists: the runner asks it after every injection. */
  folioHeadAt(task: TaskRef, addr: number): { readonly pfn: number; readonly size: number; readonly hwpoison: boolean } | null {
    const f = this.backingFolio(this.mm(task), addr);
    return f === undefined ? null : { pfn: f.pfn, size: f.size, hwpoison: f.hwpoison };
  }

  /** The raw pfn mapped at addr through a present entry; null otherwise. */
  pfnOf(task: TaskRef, addr: number): number | null {
    const slot = this.mm(task).pt.walk(addr);
    const e = slot === undefined ? undefined : slotEntry(slot);
    if (slot === undefined || e?.kind !== 'present') return null;
    return e.folio.pfn + e.subpage + Math.floor((addr - slot.start) / 2 ** PAGE_SHIFT);
  }

  /** The pfn of the page-cache page at a file offset (for pfn injectors on pages nobody maps); null if none. */
  pfnOfFile(task: TaskRef, fd: number, offset: number): number | null {
    const f = find_task_by_vpid(this.k, task).process.fds.get(fd);
    if (!(f instanceof HugetlbFile)) return null;
    const size = f.inode.hstate.size;
    const folio = f.inode.pageCache.get(Math.floor(offset / size));
    return folio === undefined ? null : folio.pfn + Math.floor((offset % size) / PAGE_SIZE);
  }

  /** Head pfn of the n-th free hugepage of an hstate (free-list order); null if there are fewer. */
  pfnOfFreeHugepage(size: number, n: number): number | null {
    return this.k.hstates.find((h) => h.size === size)?.freeFolio(n)?.pfn ?? null;
  }

  /** /proc/meminfo: HardwareCorrupted and the default hstate's HugePages_* lines (fs/proc/meminfo.c). */
  meminfo(): Meminfo {
    const h = this.k.defaultHstate;
    return {
      HardwareCorrupted: this.k.num_poisoned_pages * (PAGE_SIZE / 1024),
      HugePages_Total: h.total,
      HugePages_Free: h.free,
      HugePages_Rsvd: h.resv,
      HugePages_Surp: h.surplus,
      Hugepagesize: h.kB,
      Hugetlb: this.k.hstates.reduce((sum, hs) => sum + hs.total * hs.kB, 0),
    };
  }

  /** /sys/kernel/mm/hugepages/hugepages-<size>kB/: one hstate's pool counters. */
  pool(size: number): PoolInfo {
    const h = this.k.hstates.find((hs) => hs.size === size);
    if (h === undefined) return { size, total: 0, free: 0, resv: 0, surplus: 0 };
    return { size, total: h.total, free: h.free, resv: h.resv, surplus: h.surplus };
  }

  /** /proc/PID/smaps of the VMA containing addr; null when none. */
  smaps(task: TaskRef, addr: number): SmapsInfo | null {
    return smaps(this.mm(task), addr, this.k.switches.fault.granularity === 'hgm', this.k.switches.proc, this.k.folioOfPfn);
  }

  /** /proc/PID/pagemap for the 4 KiB page at addr. */
  pagemap(task: TaskRef, addr: number): PagemapEntry {
    return pagemap(this.mm(task), addr);
  }

  /** Per-node memory-failure stats; null on kernels without them (the sysfs files do not exist). */
  mfStats(): MfStats | null {
    return this.k.switches.memory_failure.per_node_mf_stats ? { ...this.k.mfStats } : null;
  }

  /**
   * vma_shareable(): a 2 MiB shared mapping that covers a PUD-aligned 1 GiB range would share PMD tables
   * (huge_pmd_share), which the model does not do yet; the runner refuses such mappings.
   */
  pmdShareable(task: TaskRef, addr: number): boolean {
    const vma = this.mm(task).findVma(addr);
    if (vma === undefined || !vma.shared || vma.hstate.shift !== PMD_SHIFT) return false;
    const base = Math.ceil(vma.start / 2 ** PUD_SHIFT) * 2 ** PUD_SHIFT;
    return base + 2 ** PUD_SHIFT <= vma.end;
  }

  /**
   * Of the raw pages `pfns` (those memory_failure() was called for in a step), the ones raw_hwp_list
   * records and some present entry still maps, with the process and address. "No poisoned raw page
   * stays mapped" holds upstream; under the RFC a failure path or the posted code can break it, which a
   * run reports as a finding. One walk per raw page and VMA: the cost is the step's, not the list's.
   */
  poisonedStillMapped(pfns: Iterable<number>): { pfn: number; raw: number; pid: number; addr: number }[] {
    const out: { pfn: number; raw: number; pid: number; addr: number }[] = [];
    for (const pfn of pfns) {
      const folio = this.k.folioOfPfn(pfn);
      // A file that keeps UEs mapped (MFD_MF_KEEP_UE_MAPPED) maps its poisoned raw pages by design.
      if (folio === undefined || !folio.rawHwpUnmaps.has(pfn - folio.pfn) || hugetlb_should_keep_hwpoison_mapped(folio)) continue;
      const raw = pfn - folio.pfn;
      for (const where of rmap_walk(folio)) {
        const mm: Mm = where.vma.mm;
        const p = this.processOf(mm);
        if (p === undefined || !p.alive) continue;
        const addr = where.address + raw * PAGE_SIZE;
        const slot = mm.pt.walk(addr);
        const e: LeafEntry | undefined = slot === undefined ? undefined : (slotEntry(slot) as LeafEntry | undefined);
        if (e?.kind === 'present' && e.folio === folio) out.push({ pfn, raw, pid: p.pid, addr });
      }
    }
    return out;
  }

  /** The raw pfns memory_failure() was called for since the previous call, in order. */
  takePoisonCalls(): number[] {
    return this.k.mfCalls.splice(0, this.k.mfCalls.length);
  }

  private processOf(mm: Mm): Process | undefined {
    for (const p of this.k.processes.values()) if (p.mm === mm) return p;
    return undefined;
  }

  /** The model's named invariants that do not hold now (checkInvariants after every step in tests). */
  checkInvariants(): Violation[] {
    // Checking walks every table; it must not count against a test's step budget.
    const ops = [...this.k.processes.values()].map((p) => [p.mm.pt, p.mm.pt.ops] as const);
    const violations = checkInvariants(this.k);
    for (const [pt, n] of ops) pt.ops = n;
    return violations;
  }

  /** Signals the kernel sent since the previous call, in order. */
  takeSignals(): SignalEvent[] {
    return this.k.signals.splice(0, this.k.signals.length);
  }

  /** Findings the kernel noted since the previous call, in order. */
  takeFindings(): KernelFinding[] {
    return this.k.findings.splice(0, this.k.findings.length);
  }

  /** The kernel log, oldest first, without timestamps (dmesg). */
  dmesg(): readonly string[] {
    return this.k.log.lines;
  }
}
