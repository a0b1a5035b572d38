// userfaultfd on hugetlb VMAs, v6.1.
// Linux: fs/userfaultfd.c (userfaultfd_api(), userfaultfd_register(), handle_userfault(),
// dup_userfaultfd(), userfaultfd_read()), mm/userfaultfd.c (mcopy_continue() => __mcopy_atomic_hugetlb(),
// mwriteprotect_range()), mm/hugetlb.c (hugetlb_mcopy_atomic_pte(), hugetlb_change_protection());
// kernel-semantics.md §5 and the 6.1 observations of §10 (markers on never-populated ranges, EIO from
// CONTINUE on a poisoned folio, WP_UNPOPULATED not offered).
// UFFDIO_API offers what UserfaultfdSwitches.api_features lists (src/abi UFFD_API_FEATURES); a fork
// that waits for an unread FORK event is reported blocked by the syscall layer (syscalls.ts fork()).
// Left out: UFFDIO_COPY/ZEROPAGE/POISON, EVENT_REMAP/REMOVE/UNMAP, THREAD_ID values.
import type { VmFault } from './hugetlb.js';
import { hugetlb_add_rmap } from './rmap.js';
import type { Mm, Process, Vma } from './mm.js';
import { hgmShifts } from './hgm.js';
import { setSlot, slotEntry, type Entry, type Slot } from './pgtable.js';
import type { KernelState } from './state.js';
import type { Errno, SysRet, UffdEvent } from './types.js';
import { ERRNO_VALUE, type UffdRangeIoctl } from '../abi/index.js';
import { PAGE_SIZE, UFFD_API } from './uapi.js';
import type { UffdFeature, UffdRegisterMode } from '../abi/index.js';

/** struct userfaultfd_ctx. */
export class UffdCtx {
  /** UFFD_STATE_WAIT_API until UFFDIO_API succeeds. */
  apiDone = false;
  readonly features = new Set<UffdFeature>();
  /** Messages not yet read, oldest first. */
  readonly events: UffdEvent[] = [];
  /** FORK messages carry the child's context; read() installs it as a new fd in the reader. */
  readonly forkChildren = new Map<UffdEvent, UffdCtx>();

  constructor(readonly mm: Mm) {}
}

/** A VMA's registration (vm_userfaultfd_ctx + VM_UFFD_* flags). */
export interface UffdRegistration {
  readonly ctx: UffdCtx;
  readonly modes: ReadonlySet<UffdRegisterMode>;
}

const fail = (errno: Errno): SysRet => ({ ok: false, errno });
const OK: SysRet = { ok: true, value: 0 };

/** userfaultfd(flags): a new context, as an fd of the calling process. */
export function sys_userfaultfd(p: Process): SysRet {
  const fd = p.allocFd();
  p.fds.set(fd, new UffdCtx(p.mm));
  return { ok: true, value: fd };
}

function ctxOf(p: Process, fd: number): UffdCtx | Errno {
  const f = p.fds.get(fd);
  if (f === undefined) return 'EBADF';
  return f instanceof UffdCtx ? f : 'EINVAL';
}

/**
 * Whether this kernel offers a UFFD_FEATURE_* (UserfaultfdSwitches.api_features). An ioctl that came with
 * its feature (UFFDIO_POISON with POISON, v6.6) exists exactly where the feature is offered.
 */
const offers = (k: KernelState, feature: UffdFeature): boolean => k.switches.userfaultfd.api_features.includes(feature);

/** UFFDIO_API: once per context; every requested feature must be one this kernel offers. */
export function userfaultfd_api(k: KernelState, p: Process, fd: number, features: readonly UffdFeature[]): SysRet {
  const ctx = ctxOf(p, fd);
  if (typeof ctx === 'string') return fail(ctx);
  if (ctx.apiDone) return fail('EINVAL');
  if (features.some((f) => !offers(k, f))) return fail('EINVAL');
  ctx.apiDone = true;
  for (const f of features) ctx.features.add(f);
  return { ok: true, value: UFFD_API };
}

/** validate_range(): page aligned, non-empty. */
const validRange = (start: number, len: number): boolean => start % PAGE_SIZE === 0 && len % PAGE_SIZE === 0 && len > 0;

/** The VMAs covering [start, end) without holes, or undefined. */
function vmasCovering(mm: Mm, start: number, end: number): Vma[] | undefined {
  const vmas = mm.vmas.filter((v) => v.start < end && start < v.end);
  let pos = start;
  for (const v of vmas) {
    if (v.start > pos) return undefined;
    pos = v.end;
  }
  return pos >= end ? vmas : undefined;
}

/**
 * UFFDIO_REGISTER: hugetlb ranges must start and end on hugepage boundaries. uffdio_register.ioctls:
 * UFFD_API_RANGE_IOCTLS_BASIC for hugetlb (WAKE, COPY, WRITEPROTECT, CONTINUE, and POISON where the kernel
 * has it), WRITEPROTECT only with MODE_WP and CONTINUE only with MODE_MINOR (fs/userfaultfd.c
 * userfaultfd_register(); include/uapi/linux/userfaultfd.h). POISON came with UFFD_FEATURE_POISON (v6.6).
 */
export function userfaultfd_register(k: KernelState, p: Process, fd: number, start: number, len: number, modes: readonly UffdRegisterMode[]): SysRet {
  const ctx = ctxOf(p, fd);
  if (typeof ctx === 'string') return fail(ctx);
  if (!ctx.apiDone || modes.length === 0 || !validRange(start, len)) return fail('EINVAL');
  const end = start + len;
  const vmas = vmasCovering(p.mm, start, end);
  if (vmas === undefined) return fail('EINVAL');
  for (const v of vmas) {
    const size = v.hstate.size;
    if (start % size !== 0 || end % size !== 0) return fail('EINVAL');
    if (v.uffd !== null && v.uffd.ctx !== ctx) return fail('EBUSY');
  }
  // Unlike Linux, a VMA is not split at the range's ends: the registration applies to the whole VMA
  // when the range covers only part of it (scenarios register whole mappings).
  for (const v of vmas) v.uffd = { ctx, modes: new Set(modes) };
  const ioctls: UffdRangeIoctl[] = ['WAKE', 'COPY'];
  if (modes.includes('WP')) ioctls.push('WRITEPROTECT');
  if (modes.includes('MINOR')) ioctls.push('CONTINUE');
  if (offers(k, 'POISON')) ioctls.push('POISON');
  return { ok: true, value: 0, out: { ioctls } };
}

export function userfaultfd_unregister(p: Process, fd: number, start: number, len: number): SysRet {
  const ctx = ctxOf(p, fd);
  if (typeof ctx === 'string') return fail(ctx);
  if (!validRange(start, len)) return fail('EINVAL');
  const vmas = vmasCovering(p.mm, start, start + len);
  if (vmas === undefined) return fail('EINVAL');
  for (const v of vmas) {
    // Leaving WP mode drops the markers it installed (userfaultfd_clear_vma() => uffd_wp_range()).
    if (v.uffd?.modes.has('WP')) {
      for (const leaf of [...v.mm.pt.leaves(v.start, v.end)]) {
        const slot = v.mm.pt.offset(leaf.start, leaf.shift);
        const e = slot === undefined ? undefined : slotEntry(slot);
        if (slot !== undefined && e?.kind === 'marker') setSlot(slot, undefined);
        if (e?.kind === 'present') e.uffdWp = false;
      }
    }
    v.uffd = null;
  }
  return OK;
}

/** What UFFDIO_POISON returns, and what it wrote to uffdio_poison.updated (0 when it wrote nothing). */
export interface UffdioPoisonRet {
  readonly ret: SysRet;
  readonly updated: number;
}

/**
 * UFFDIO_POISON (fs/userfaultfd.c:userfaultfd_poison() => mm/userfaultfd.c:mfill_atomic_poison() =>
 * mm/hugetlb.c:hugetlb_mfill_atomic_pte(), v6.6+, 8a13897fb0da): install a PTE_MARKER_POISONED in each
 * hugepage-sized none entry of a registered range. The ioctl came with UFFD_FEATURE_POISON, so a kernel
 * that does not offer the feature does not know the ioctl (-EINVAL). validate_range() fails before
 * `updated` is written; every later outcome is written there: bytes poisoned, or the -errno. A
 * hugetlb range must be hugepage aligned; any entry already there (present, hwpoison, even a marker)
 * is -EEXIST; a partial success returns -EAGAIN with the bytes done. No folio, counter or log changes.
 */
export function mfill_atomic_poison(k: KernelState, p: Process, fd: number, start: number, len: number): UffdioPoisonRet {
  const unwritten = (errno: Errno): UffdioPoisonRet => ({ ret: fail(errno), updated: 0 });
  const written = (errno: Errno): UffdioPoisonRet => ({ ret: fail(errno), updated: -ERRNO_VALUE[errno] });
  if (!offers(k, 'POISON')) return unwritten('EINVAL');
  const ctx = ctxOf(p, fd);
  if (typeof ctx === 'string') return unwritten(ctx);
  if (!validRange(start, len)) return unwritten('EINVAL');
  const vma = p.mm.findVma(start);
  // mfill_atomic() => find_dst_vma(): the range must lie in one VMA registered with this context.
  if (vma === undefined || start + len > vma.end || vma.uffd?.ctx !== ctx) return written('ENOENT');
  const h = vma.hstate;
  if (start % h.size !== 0 || len % h.size !== 0) return written('EINVAL');
  let done = 0;
  for (let addr = start; addr < start + len; addr += h.size) {
    const slot = p.mm.pt.alloc(addr, h.shift);
    if (slot.shift !== h.shift || slotEntry(slot) !== undefined) {
      // Don't overwrite any existing entry, even a marker.
      return done === 0 ? written('EEXIST') : { ret: fail('EAGAIN'), updated: done };
    }
    setSlot(slot, { kind: 'marker', uffdWp: false, poisoned: true });
    done += h.size;
  }
  return { ret: OK, updated: done };
}

/**
 * handle_userfault(): with UFFD_FEATURE_SIGBUS the fault is VM_FAULT_SIGBUS; otherwise the thread
 * sleeps until the monitor resolves the fault (reported as blocked), after queueing a PAGEFAULT message.
 */
export function handle_userfault(vma: Vma, address: number, reason: UffdRegisterMode, write: boolean): VmFault {
  const ctx = vma.uffd!.ctx;
  if (ctx.features.has('SIGBUS')) return { code: 'VM_FAULT_SIGBUS' };
  const flags: ('WRITE' | 'WP' | 'MINOR')[] = [];
  if (write) flags.push('WRITE');
  if (reason === 'WP') flags.push('WP');
  if (reason === 'MINOR') flags.push('MINOR');
  // hugetlb_handle_userfault(): the message carries the hugepage address, or with HGM the 4 KiB page
  // (HGM v2 22/46); UFFD_FEATURE_EXACT_ADDRESS gives the exact one.
  const unit = vma.hgm ? PAGE_SIZE : vma.hstate.size;
  const reported = ctx.features.has('EXACT_ADDRESS') ? address : address - (address % unit);
  ctx.events.push({ event: 'PAGEFAULT', address: reported, flags });
  return { code: 'VM_FAULT_RETRY', uffd: ctx };
}

/**
 * UFFDIO_CONTINUE => __mcopy_atomic_hugetlb(MCOPY_ATOMIC_CONTINUE): map existing page-cache pages.
 * Without HGM one hugepage at a time (EINVAL unless hugepage aligned); with HGM (VM_HUGETLB_HGM, HGM v2
 * 22/46) PAGE_SIZE-aligned ranges, each step the largest size of for_each_hgm_shift() aligned at the
 * address that fits before the end (hugetlb_alloc_largest_pte()), splitting markers on the way.
 * EIO on a poisoned folio (observed, §10); EEXIST when an entry (or a larger leaf) is already there;
 * EFAULT when the page cache has no page; ENOENT outside a registered VMA.
 */
export function mcopy_continue(p: Process, fd: number, start: number, len: number): SysRet {
  const ctx = ctxOf(p, fd);
  if (typeof ctx === 'string') return fail(ctx);
  if (!validRange(start, len)) return fail('EINVAL');
  const vma = p.mm.findVma(start);
  if (vma === undefined || start + len > vma.end) return fail('ENOENT');
  // find_dst_vma(): the VMA must be registered (any mode: the MINOR check is only in the fault path).
  if (vma.uffd?.ctx !== ctx) return fail('ENOENT');
  const h = vma.hstate;
  const end = start + len;
  if (!vma.hgm && (start % h.size !== 0 || len % h.size !== 0)) return fail('EINVAL');
  for (let addr = start; addr < end;) {
    const shift = vma.hgm
      ? hgmShifts(vma).find((s) => addr % 2 ** s === 0 && addr + 2 ** s <= end)!
      : h.shift;
    const folio = vma.inode.pageCache.get(vma.indexOf(addr));
    if (folio === undefined) return fail('EFAULT');
    if (folio.hwpoison) return fail('EIO');
    const slot = p.mm.pt.allocSplit(addr, shift, h.shift);
    if (slot === 'EEXIST') return fail('EEXIST');
    const old = slotEntry(slot);
    if (slot.shift !== shift || (old !== undefined && old.kind !== 'marker')) return fail('EEXIST');
    // hugetlb_mcopy_atomic_pte(): the new entry is writable; a uffd-wp marker it replaces is not kept
    // (only UFFDIO_CONTINUE_MODE_WP, not modelled, would write-protect it).
    const writable = vma.prot.write && vma.shared;
    folio.refcount++;
    hugetlb_add_rmap(folio, shift);
    const subpage = (addr % h.size) / PAGE_SIZE;
    setSlot(slot, { kind: 'present', folio, subpage, write: writable, dirty: false, uffdWp: false });
    addr += 2 ** shift;
  }
  return OK;
}

/** Apply UFFDIO_WRITEPROTECT to one slot: the kernel's entry order (hwpoison, migration, marker, present, none). */
function writeprotectSlot(slot: Slot, wp: boolean): void {
  const e = slotEntry(slot);
  if (e === undefined) {
    if (wp) setSlot(slot, { kind: 'marker', uffdWp: true, poisoned: false });
    return;
  }
  switch (e.kind) {
    case 'hwpoison':
    case 'migration':
    case 'table':
      return;
    case 'marker':
      if (!wp && e.uffdWp && !e.poisoned) setSlot(slot, undefined);
      return;
    case 'present':
      e.uffdWp = wp;
      if (wp) e.write = false;
      return;
    default: {
      const never: never = e;
      return never;
    }
  }
}

/** Every slot of a split hugepage's tables, leaves and nones alike (512 per table). */
function* slotsBelow(table: Map<number, Entry>, base: number, shift: number): Generator<Slot> {
  const size = 2 ** shift;
  for (let i = 0; i < 512; i++) {
    const e = table.get(i);
    if (e?.kind === 'table') yield* slotsBelow(e.slots, base + i * size, shift - 9);
    else yield { table, index: i, shift, start: base + i * size };
  }
}

/**
 * UFFDIO_WRITEPROTECT => mwriteprotect_range() => hugetlb_change_protection(): set or clear the uffd-wp
 * bit on present entries; with wp, install markers on none entries; without, drop markers. Hwpoison
 * entries are skipped. Under HGM every entry of a split hugepage, at its own size.
 */
export function mwriteprotect_range(p: Process, fd: number, start: number, len: number, wp: boolean): SysRet {
  const ctx = ctxOf(p, fd);
  if (typeof ctx === 'string') return fail(ctx);
  if (!validRange(start, len)) return fail('EINVAL');
  const vma = p.mm.findVma(start);
  if (vma === undefined || start + len > vma.end) return fail('ENOENT');
  if (vma.uffd?.ctx !== ctx || !vma.uffd.modes.has('WP')) return fail('ENOENT');
  const h = vma.hstate;
  if (start % h.size !== 0 || len % h.size !== 0) return fail('EINVAL');
  for (let addr = start; addr < start + len; addr += h.size) {
    const existing = p.mm.pt.offset(addr, h.shift);
    const slot = existing ?? (wp ? p.mm.pt.alloc(addr, h.shift) : undefined);
    if (slot === undefined) continue;
    const e = slotEntry(slot);
    if (e?.kind === 'table') {
      for (const s of [...slotsBelow(e.slots, addr, h.shift - 9)]) writeprotectSlot(s, wp);
    } else {
      writeprotectSlot(slot, wp);
    }
  }
  p.mm.pt.prune(start, start + len);
  return OK;
}

/** read(uffd): the oldest message; EAGAIN when none is queued. A FORK message installs the child's uffd. */
export function userfaultfd_read(p: Process, fd: number): UffdEvent | { readonly errno: Errno } {
  const ctx = ctxOf(p, fd);
  if (typeof ctx === 'string') return { errno: ctx };
  const ev = ctx.events.shift();
  if (ev === undefined) return { errno: 'EAGAIN' };
  const child = ctx.forkChildren.get(ev);
  if (child !== undefined && ev.event === 'FORK') {
    ctx.forkChildren.delete(ev);
    const nfd = p.allocFd();
    p.fds.set(nfd, child);
    return { event: 'FORK', child_uffd: nfd };
  }
  return ev;
}

/**
 * dup_userfaultfd(): at fork, a VMA stays registered in the child (with a new context) only when its
 * context has UFFD_FEATURE_EVENT_FORK; the parent's context then gets a FORK message.
 */
export function dup_userfaultfd(parentVma: Vma, childVma: Vma, childMm: Mm, forked: Map<UffdCtx, UffdCtx>): void {
  const reg = parentVma.uffd;
  if (reg === null || !reg.ctx.features.has('EVENT_FORK')) {
    childVma.uffd = null;
    return;
  }
  let child = forked.get(reg.ctx);
  if (child === undefined) {
    child = new UffdCtx(childMm);
    child.apiDone = true;
    for (const f of reg.ctx.features) child.features.add(f);
    forked.set(reg.ctx, child);
    const ev: UffdEvent = { event: 'FORK', child_uffd: -1 };
    reg.ctx.events.push(ev);
    reg.ctx.forkChildren.set(ev, child);
  }
  childVma.uffd = { ctx: child, modes: reg.modes };
}

/** userfaultfd_wp(vma). */
export const userfaultfd_wp = (vma: Vma): boolean => vma.uffd?.modes.has('WP') === true;
export const userfaultfd_missing = (vma: Vma): boolean => vma.uffd?.modes.has('MISSING') === true;
export const userfaultfd_minor = (vma: Vma): boolean => vma.uffd?.modes.has('MINOR') === true;
