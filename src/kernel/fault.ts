// User-space loads and stores and the page-fault path that serves them.
// Linux: arch/x86/mm/fault.c (do_user_addr_fault(), access_error(), do_sigbus(), bad_area()),
// mm/memory.c:handle_mm_fault() => mm/hugetlb.c:hugetlb_fault(), v6.1 (kernel-semantics.md §3.3).
// Only hugetlb VMAs exist in this model, so every VMA fault goes to hugetlb_fault().
import { hugetlb_fault, type VmFault } from './hugetlb.js';
import type { Mm, Thread, Vma } from './mm.js';
import { sizeOfShift, slotEntry, type Entry } from './pgtable.js';
import { hex, lx } from './printk.js';
import { force_sig_fault, force_sig_mceerr } from './signal.js';
import type { KernelState } from './state.js';
import type { SigInfo } from './types.js';
import type { UffdCtx } from './userfaultfd.js';
import { PAGE_SHIFT } from './uapi.js';
import { trace, traced } from './trace.js';
import { vmFaultText } from './hugetlb.js';

type PresentEntry = Extract<Entry, { kind: 'present' }>;

/** The faulting thread sleeps in handle_userfault() until the monitor of this context resolves it. */
export interface Blocked {
  readonly blocked: UffdCtx;
}

/** A resolved user access: the present entry that maps the byte, and the byte's offset in its folio. */
export interface Resolved {
  readonly entry: PresentEntry;
  readonly vma: Vma;
  /** Offset of the byte inside the folio. */
  readonly offset: number;
  /** Last byte address (exclusive) the same entry maps. */
  readonly entryEnd: number;
}

/** The present entry mapping addr with the needed permission, or undefined (a fault is needed). */
function followPresent(mm: Mm, vma: Vma, addr: number, write: boolean): Resolved | undefined {
  const slot = mm.pt.walk(addr);
  if (slot === undefined) return undefined;
  const e = slotEntry(slot);
  if (e?.kind !== 'present' || (write && !e.write)) return undefined;
  return {
    entry: e,
    vma,
    offset: e.subpage * sizeOfShift(PAGE_SHIFT) + (addr - slot.start),
    entryEnd: slot.start + sizeOfShift(slot.shift),
  };
}

/**
 * do_user_addr_fault(): make addr accessible to thread t, or raise the signal the fault ends in.
 * Returns the resolved entry, or the siginfo the thread received.
 */
export function do_user_addr_fault(k: KernelState, t: Thread, addr: number, write: boolean): Resolved | SigInfo | Blocked {
  if (k.trace === null) return do_user_addr_fault_untraced(k, t, addr, write);
  // An access the page tables already allow never enters the kernel: nothing to trace.
  const mm = t.process.mm;
  const vma = mm.findVma(addr);
  const allowed = vma !== undefined && (write ? vma.prot.write : vma.prot.read);
  const hit = allowed ? followPresent(mm, vma, addr, write) : undefined;
  if (hit !== undefined) return hit;
  return traced(k, () => `do_user_addr_fault(${hex(addr)}, ${write ? 'write' : 'read'})`, () => do_user_addr_fault_untraced(k, t, addr, write), accessText);
}

/** What an access ended in, for the trace. */
function accessText(r: Resolved | SigInfo | Blocked): string {
  if ('blocked' in r) return 'blocked in handle_userfault';
  if ('entry' in r) return `mapped (folio ${hex(r.entry.folio.pfn)} +${r.entry.subpage})`;
  return `${r.signo} ${r.si_code}`;
}

/** do_user_addr_fault()'s work; do_user_addr_fault() records it as one traced call. */
function do_user_addr_fault_untraced(k: KernelState, t: Thread, addr: number, write: boolean): Resolved | SigInfo | Blocked {
  const mm = t.process.mm;
  const vma = mm.findVma(addr);
  if (vma === undefined) return bad_area(k, t, addr, 'SEGV_MAPERR');
  if (write ? !vma.prot.write : !vma.prot.read) return bad_area(k, t, addr, 'SEGV_MAPERR');
  // A fault that returns 0 is retried by the CPU; two tries suffice in this model (map, then COW).
  for (let attempt = 0; attempt < 3; attempt++) {
    const hit = followPresent(mm, vma, addr, write);
    if (hit !== undefined) return hit;
    const fault = hugetlb_fault(k, mm, vma, addr, write);
    if (fault.code === 'VM_FAULT_RETRY') return { blocked: fault.uffd };
    if (fault.code !== 0) return mm_fault_error(k, t, addr, fault);
    trace(k, () => 'retry the access');
  }
  throw new Error(`fault at ${lx(addr)} did not resolve`);
}

/** bad_area(): SIGSEGV at the faulting address. */
function bad_area(k: KernelState, t: Thread, addr: number, code: 'SEGV_MAPERR'): SigInfo {
  force_sig_fault(k, t, 'SIGSEGV', code, addr);
  return { signo: 'SIGSEGV', si_code: code, si_addr: addr, si_addr_lsb: 0 };
}

/**
 * mm_fault_error() => do_sigbus(): hwpoison faults give BUS_MCEERR_AR at the exact address with
 * si_addr_lsb = the hstate shift (VM_FAULT_HWPOISON_LARGE) or PAGE_SHIFT, after the "MCE: Killing"
 * line; any other VM_FAULT_SIGBUS gives BUS_ADRERR.
 */
function mm_fault_error(k: KernelState, t: Thread, addr: number, fault: Exclude<VmFault, { code: 0 } | { code: 'VM_FAULT_RETRY' }>): SigInfo {
  trace(k, () => `mm_fault_error(${vmFaultText(fault)}) -> do_sigbus`);
  if (fault.code === 'VM_FAULT_HWPOISON' || fault.code === 'VM_FAULT_HWPOISON_LARGE') {
    const lsb = fault.code === 'VM_FAULT_HWPOISON_LARGE' ? k.hstates[fault.hindex]!.shift : PAGE_SHIFT;
    // Written when the log is read: a probe over an unmapped 1 GiB page logs one per 4 KiB load.
    const w = k.wording;
    const who = `${t.process.comm}:${t.tid}`;
    k.log.printk(() => w.mce_killing(who, lx(addr)));
    force_sig_mceerr(k, t, 'BUS_MCEERR_AR', addr, lsb);
    return { signo: 'SIGBUS', si_code: 'BUS_MCEERR_AR', si_addr: addr, si_addr_lsb: lsb };
  }
  // VM_FAULT_SIGBUS. (hugetlb faults in this model never return VM_FAULT_OOM: allocation failure is -ENOSPC.)
  force_sig_fault(k, t, 'SIGBUS', 'BUS_ADRERR', addr);
  return { signo: 'SIGBUS', si_code: 'BUS_ADRERR', si_addr: addr, si_addr_lsb: 0 };
}

/**
 * The present entry a load from addr goes through without a fault (the page tables allow it), or
 * undefined when the load would enter do_user_addr_fault(). A check loop reads an entry's pages so.
 */
export function readableAt(mm: Mm, addr: number): Resolved | undefined {
  const vma = mm.findVma(addr);
  return vma !== undefined && vma.prot.read ? followPresent(mm, vma, addr, false) : undefined;
}

/**
 * get_user_pages_fast(addr, 1 page, no flags) as madvise_inject_error() calls it: a read fault
 * through the whole fault path if needed; VM_FAULT_HWPOISON* and VM_FAULT_SIGBUS become -EFAULT
 * (no FOLL_HWPOISON; vm_fault_to_errno()), VM_FAULT_OOM -ENOMEM. Takes a folio reference.
 */
export function get_user_pages_fast(k: KernelState, t: Thread, addr: number): Resolved | Blocked | 'EFAULT' | 'ENOMEM' {
  const mm = t.process.mm;
  const vma = mm.findVma(addr);
  if (vma === undefined || !vma.prot.read) return 'EFAULT';
  for (let attempt = 0; attempt < 3; attempt++) {
    const hit = followPresent(mm, vma, addr, false);
    if (hit !== undefined) {
      hit.entry.folio.refcount++;
      return hit;
    }
    const fault = hugetlb_fault(k, mm, vma, addr, false);
    if (fault.code === 'VM_FAULT_RETRY') return { blocked: fault.uffd };
    if (fault.code === 'VM_FAULT_OOM') return 'ENOMEM';
    if (fault.code !== 0) return 'EFAULT';
  }
  return 'EFAULT';
}
