// madvise(2) on hugetlb VMAs, v6.1 (MADV_SOFT_OFFLINE through soft-offline.ts).
// Linux: mm/madvise.c (do_madvise(), madvise_behavior_valid(), madvise_inject_error(),
// madvise_dontneed_free()), kernel-semantics.md §2.1. MADV_SPLIT (26) is HGM's (unmerged): v6.1 does
// not know it and returns -EINVAL, as observed (§10). MADV_COLLAPSE exists in 6.1 but refuses hugetlb.
import { unmap_hugepage_range } from './hugetlb.js';
import { hugetlbfs_punch_hole } from './hugetlbfs.js';
import { hugetlb_collapse, hugetlb_enable_hgm_vma } from './hgm.js';
import { get_user_pages_fast } from './fault.js';
import { memory_failure, MF_ACTION_REQUIRED, MF_COUNT_INCREASED, MF_SW_SIMULATED } from './memory-failure.js';
import type { Thread, Vma } from './mm.js';
import { soft_offline_page } from './soft-offline.js';
import { hex } from './printk.js';
import type { KernelState } from './state.js';
import type { FaultSwitches, MemoryFailureSwitches } from './profiles.js';
import type { SysRet } from './types.js';
import { MADV, PAGE_SIZE } from './uapi.js';
import { sysText, trace, traced } from './trace.js';

const OK: SysRet = { ok: true, value: 0 };

/** The descriptor under which the thread's process holds a userfaultfd context (-1 if none). */
export function fdOf(t: Thread, ctx: object): number {
  for (const [fd, f] of t.process.fds) if (f === ctx) return fd;
  return -1;
}
const fail = (errno: Extract<SysRet, { ok: false }>['errno']): SysRet => ({ ok: false, errno });

/** MADV_* by number, for the trace. */
const adviceName = (advice: number): string =>
  Object.entries(MADV).find(([, v]) => v === advice)?.[0] ?? String(advice);

/** do_madvise(): argument checks, then the advice. */
export function do_madvise(k: KernelState, t: Thread, start: number, lenIn: number, advice: number): SysRet {
  return traced(k, () => `do_madvise(${hex(start)}, ${hex(lenIn)}, ${adviceName(advice)})`, () => do_madvise_untraced(k, t, start, lenIn, advice), sysText);
}

/** do_madvise()'s work; do_madvise() records it as one traced call. */
function do_madvise_untraced(k: KernelState, t: Thread, start: number, lenIn: number, advice: number): SysRet {
  const ops = MADVISE_HUGETLB[k.switches.fault.granularity];
  if (!ops.valid.has(advice)) return fail('EINVAL'); // madvise_behavior_valid()
  if (start % PAGE_SIZE !== 0) return fail('EINVAL');
  const len = Math.ceil(lenIn / PAGE_SIZE) * PAGE_SIZE;
  if (lenIn !== 0 && len === 0) return fail('EINVAL');
  const end = start + len;
  if (end === start) return OK;
  if (advice === MADV.MADV_HWPOISON || advice === MADV.MADV_SOFT_OFFLINE) return madvise_inject_error(k, t, advice, start, start + lenIn);
  const mm = t.process.mm;
  // madvise_walk_vmas(): the whole range must be mapped (-ENOMEM for holes).
  let pos = start;
  for (const vma of mm.vmas) {
    if (vma.end <= pos || vma.start >= end) continue;
    if (vma.start > pos) return fail('ENOMEM');
    const a = Math.max(pos, vma.start);
    const b = Math.min(end, vma.end);
    const r = madvise_vma(k, ops, vma, a, b, advice);
    trace(k, () => `madvise_vma: VMA=[${hex(vma.start)}, ${hex(vma.end)}) [${hex(a)}, ${hex(b)}): ${sysText(r)}`);
    if (!r.ok) return r;
    pos = b;
  }
  return pos < end ? fail('ENOMEM') : OK;
}

/** What madvise(2) offers on hugetlb VMAs at one mapping granularity (FaultSwitches.granularity). */
interface HugetlbAdvice {
  /** madvise_behavior_valid(): the advices this kernel knows. */
  readonly valid: ReadonlySet<number>;
  /** MADV_COLLAPSE on a hugetlb range. */
  readonly collapse: (vma: Vma, start: number, end: number) => SysRet;
}

const ADVICE_6_1 = [MADV.MADV_DONTNEED, MADV.MADV_REMOVE, MADV.MADV_COLLAPSE, MADV.MADV_HWPOISON, MADV.MADV_SOFT_OFFLINE];
const MADVISE_HUGETLB: { readonly [G in FaultSwitches['granularity']]: HugetlbAdvice } = {
  // Without HGM, hugepage_vma_check() refuses hugetlb VMAs (MADV_COLLAPSE: -EINVAL); MADV_SPLIT is unknown.
  hugepage: { valid: new Set(ADVICE_6_1), collapse: () => fail('EINVAL') },
  // HGM v2 13/46 adds MADV_SPLIT; 34/46 collapses hugetlb ranges.
  hgm: { valid: new Set([...ADVICE_6_1, MADV.MADV_SPLIT]), collapse: hugetlb_collapse },
};

function madvise_vma(k: KernelState, ops: HugetlbAdvice, vma: Vma, start: number, end: number, advice: number): SysRet {
  switch (advice) {
    case MADV.MADV_DONTNEED: {
      // madvise_dontneed_free_valid_vma(): hugetlb ranges must be hugepage aligned.
      const size = vma.hstate.size;
      if (start % size !== 0 || end % size !== 0) return fail('EINVAL');
      unmap_hugepage_range(vma, start, end);
      return OK;
    }
    case MADV.MADV_COLLAPSE:
      return ops.collapse(vma, start, end);
    case MADV.MADV_SPLIT:
      return hugetlb_enable_hgm_vma(vma, start, end);
    case MADV.MADV_REMOVE:
      // madvise_remove() => vfs_fallocate(PUNCH_HOLE): shared mappings only; a range inside one
      // hugepage removes no folio but zeroes that range (observed on 6.1.192).
      if (!vma.shared) return fail('EACCES');
      hugetlbfs_punch_hole(k, vma.inode, start - vma.start + vma.pgoffBytes, end - start);
      return OK;
    default:
      return fail('EINVAL');
  }
}

/** The flags madvise_inject_error() passes to memory_failure(), by MemoryFailureSwitches.madvise_injection. */
const MADV_HWPOISON_FLAGS: { readonly [M in MemoryFailureSwitches['madvise_injection']]: number } = {
  action_optional: MF_COUNT_INCREASED | MF_SW_SIMULATED,
  action_required: MF_COUNT_INCREASED | MF_SW_SIMULATED | MF_ACTION_REQUIRED, // v6.11+
};

/**
 * madvise_inject_error(): for each step, GUP the page (a read fault first), then memory_failure() on
 * the exact raw pfn; the loop advances by the folio size, so one call poisons at most one raw page per
 * hugepage. Flags: MF_COUNT_INCREASED | MF_SW_SIMULATED (+ MF_ACTION_REQUIRED from v6.11).
 * MADV_SOFT_OFFLINE: soft_offline_page(pfn, MF_COUNT_INCREASED) instead, any error returned as is.
 */
function madvise_inject_error(k: KernelState, t: Thread, advice: number, start: number, end: number): SysRet {
  return traced(k, () => 'madvise_inject_error', () => madvise_inject_error_untraced(k, t, advice, start, end), sysText);
}

/** madvise_inject_error()'s work; madvise_inject_error() records it as one traced call. */
function madvise_inject_error_untraced(k: KernelState, t: Thread, advice: number, start: number, end: number): SysRet {
  const soft = advice === MADV.MADV_SOFT_OFFLINE;
  const flags = MADV_HWPOISON_FLAGS[k.switches.memory_failure.madvise_injection];
  for (let addr = start; addr < end;) {
    const page = get_user_pages_fast(k, t, addr);
    trace(k, () => `get_user_pages_fast(${hex(addr)}): ${typeof page === 'string' ? `-${page}` : 'blocked' in page ? 'blocked in handle_userfault' : `folio ${hex(page.entry.folio.pfn)}, refcount ${page.entry.folio.refcount}`}`);
    if (typeof page === 'string') return fail(page);
    if ('blocked' in page) return { ok: false, errno: 'EINTR', blocked: { uffd: fdOf(t, page.blocked) } };
    const folio = page.entry.folio;
    const pfn = folio.pfn + Math.floor(page.offset / PAGE_SIZE);
    if (soft) {
      k.log.printk(k.wording.soft_offline.offlining(pfn, addr));
      const ret = soft_offline_page(k, pfn, MF_COUNT_INCREASED);
      if (ret !== 0) return fail(ret);
      addr += folio.size;
      continue;
    }
    const w = k.wording;
    const at = addr; // the value now: addr moves on
    k.log.printk(() => w.madvise_injecting(hex(pfn), hex(at)));
    const ret = memory_failure(k, pfn, flags);
    if (ret !== 0 && ret !== 'EOPNOTSUPP') return fail(ret);
    addr += folio.size;
  }
  return OK;
}
