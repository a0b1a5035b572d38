// The real-kernel lab: exported programs run on Debian's kernels (or a kernel image) under QEMU, each
// program in one guest boot, their output assembled into kernel TAP. The only way into src/lab.

export { LabError, type LabFailureKind } from './errors.js';
export { missingHostTools, missingToolMessage, findOnPath, isStaticElf, TOOLS, type ToolName } from './tools.js';
export { writeCpio, type CpioEntry } from './cpio.js';
export { initScript, buildInitramfs, type GuestPlan } from './initramfs.js';
export { parseResultChannel, statusReason, consoleCause, MARK, type GuestEnd, type ChannelResult } from './serial.js';
export { kernelCommandLine, qemuArgs, bootGuest, type Boot, type BootSpec } from './qemu.js';
export { bzImagePayload, extractVmlinux, hasPvhEntry } from './vmlinux.js';
export {
  parseKernelSpec, kernelProfile, packagePattern, newestPackage, prepareKernel, findModule, loadModule, cacheDir, DEBIAN_PROFILES,
  type KernelSpec, type PreparedKernel, type LabHost,
} from './packages.js';
export { runJobs, compileProgram, shortPools, GCC_FLAGS, type LabJob, type LabOptions, type LabOutcome } from './run.js';
