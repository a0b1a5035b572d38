// The kernel model's entry points: what a process can do (syscalls, loads and stores) and what an
// observer can see (page tables, folios, meminfo, dmesg, signals). One Kernel is one boot.
// This file is the only way into the kernel from other folders (test/meta.test.ts checks it).
// Linux: the syscall layer (mm/mmap.c, mm/madvise.c, mm/memfd.c, fs/open.c) and the fault entry
// (arch/x86/mm/fault.c => mm/memory.c:handle_mm_fault() => mm/hugetlb.c:hugetlb_fault()).
export * from './types.js';
export { PROFILES, SWITCHES, withSwitches, changedSwitches } from './profiles.js';
export type { Profile, KernelSwitches, SwitchChange } from './profiles.js';
export { MFD, MAP, PROT, MADV, FALLOC, SEEK, PAGE_SIZE, PAGE_SHIFT } from './uapi.js';
export type { McePolicy } from './uapi.js';
export { Kernel } from './kernel.js';
export { sizeName } from './printk.js';
export type { BootParams } from './kernel.js';
export type { FaultCounter } from './state.js';
export type { Syscalls, SysctlName } from './syscalls.js';
export type { Views, FolioView, VmaView } from './views.js';
export type { PageTableRun, PtLevel, PtRun } from './ptdump.js';
export type { Violation } from './invariants.js';
export { TaskHalted } from './bug.js';
export type { Halt, KernelBug } from './bug.js';
