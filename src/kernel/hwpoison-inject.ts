// The pfn-addressed injectors and the consumed-error path.
// Linux: mm/hwpoison-inject.c:hwpoison_inject() (debugfs corrupt-pfn), drivers/base/memory.c:
// hard_offline_page_store(), arch/x86/kernel/cpu/mce/core.c:kill_me_maybe()/kill_me_now(); v6.1
// (kernel-semantics.md §1.1, §2.2). The hwpoison filter is not modelled (corrupt-filter-enable=0).
import { memory_failure, MF_ACTION_REQUIRED, MF_SW_SIMULATED } from './memory-failure.js';
import type { Thread } from './mm.js';
import { hex, lx } from './printk.js';
import { force_sig_fault } from './signal.js';
import type { KernelState } from './state.js';
import type { SysRet } from './types.js';
import { PAGE_SIZE } from './uapi.js';
import { sysText, traced } from './trace.js';

/** Is pfn memory the model knows (a hugetlb folio, dissolved or not)? Other RAM is not modelled. */
const pfn_valid = (k: KernelState, pfn: number): boolean => k.folioOfPfn(pfn) !== undefined;

/**
 * What `echo VALUE > file` writes: the value as %#lx and a newline (0x40003000 is 11 bytes). A store
 * that succeeds consumes the whole buffer, so write(2) returns this count (observed on 6.1.192).
 */
const echoText = (value: number): string => `${hex(value)}\n`;

/** A write to a sysfs/debugfs file: the byte count written, or the error memory_failure() gave. */
const writeResult = (ret: ReturnType<typeof memory_failure>, written: string): SysRet =>
  ret === 0 || ret === 'EOPNOTSUPP' ? { ok: true, value: written.length } : { ok: false, errno: ret };

/** echo PFN > /sys/kernel/debug/hwpoison/corrupt-pfn: memory_failure(pfn, MF_SW_SIMULATED). */
export function hwpoison_inject(k: KernelState, pfn: number): SysRet {
  return traced(k, () => `hwpoison_inject(pfn=${hex(pfn)})`, () => hwpoison_inject_untraced(k, pfn), sysText);
}

/** hwpoison_inject()'s work; hwpoison_inject() records it as one traced call. */
function hwpoison_inject_untraced(k: KernelState, pfn: number): SysRet {
  // Unlike Linux, pfns outside the model's hugetlb memory are refused (-ENXIO, as for !pfn_valid()).
  if (!pfn_valid(k, pfn)) return { ok: false, errno: 'ENXIO' };
  k.log.printk(k.wording.debugfs_injecting(hex(pfn)));
  return writeResult(memory_failure(k, pfn, MF_SW_SIMULATED), echoText(pfn)); // hwpoison_inject(): return 0 => count
}

/** echo PHYS > /sys/devices/system/memory/hard_offline_page: memory_failure(pfn, 0), a "real" error. */
export function hard_offline_page_store(k: KernelState, phys: number): SysRet {
  return traced(k, () => `hard_offline_page_store(${hex(phys)})`, () => hard_offline_page_store_untraced(k, phys), sysText);
}

/** hard_offline_page_store()'s work; hard_offline_page_store() records it as one traced call. */
function hard_offline_page_store_untraced(k: KernelState, phys: number): SysRet {
  const pfn = Math.floor(phys / PAGE_SIZE);
  if (!pfn_valid(k, pfn)) return { ok: false, errno: 'ENXIO' };
  k.hw_memory_failure = true;
  return writeResult(memory_failure(k, pfn, 0), echoText(phys)); // hard_offline_page_store(): ret ? ret : count
}

/**
 * kill_me_maybe(): after a load in user mode consumed an uncorrected error at phys, run
 * memory_failure(pfn, MF_ACTION_REQUIRED); when it neither recovered nor already signalled
 * (-EHWPOISON), "Memory error not recovered" and a plain SIGBUS (SI_KERNEL).
 */
export function kill_me_maybe(k: KernelState, t: Thread, phys: number): void {
  traced(k, () => `kill_me_maybe(${hex(phys)})`, () => kill_me_maybe_untraced(k, t, phys));
}

/** kill_me_maybe()'s work; kill_me_maybe() records it as one traced call. */
function kill_me_maybe_untraced(k: KernelState, t: Thread, phys: number): void {
  k.log.printk(k.wording.mce_user_access(lx(phys)));
  k.hw_memory_failure = true;
  const ret = memory_failure(k, Math.floor(phys / PAGE_SIZE), MF_ACTION_REQUIRED);
  if (ret === 0 || ret === 'EHWPOISON' || ret === 'EOPNOTSUPP') return;
  k.log.printk(k.wording.mce_not_recovered);
  force_sig_fault(k, t, 'SIGBUS', 'SI_KERNEL', 0); // kill_me_now(): force_sig(SIGBUS)
}
