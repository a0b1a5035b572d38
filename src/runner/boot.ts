// What a stream boots with besides the pool: the profile with the scenario's `kernel.switches` applied,
// the `kernel.faults` counters, and the switches the TAP header reports (DESIGN.md "Kernel profiles":
// every run prints the switches that differ from the profile's defaults).

import { isFaultPoint, isSwitchName } from '../abi/index.js';
import type { FaultPoint, ProfileName, SwitchName } from '../abi/index.js';
import { changedSwitches, PROFILES, withSwitches } from '../kernel/index.js';
import type { FaultCounter, Profile } from '../kernel/index.js';
import type { KernelConfig } from '../scenario/index.js';
import type { SwitchChange } from './results.js';

/** The named profile with the file's switch overrides. The loader checked the names; a stranger is an hgmsim bug. */
export function bootProfile(kernel: KernelConfig, name: ProfileName): Profile {
  const overrides = new Map<SwitchName, boolean>();
  for (const [key, value] of kernel.switches) {
    if (!isSwitchName(key)) throw new Error(`kernel.switches: "${key}" is not a switch of the kernel (the loader let it through)`);
    overrides.set(key, value);
  }
  return withSwitches(PROFILES[name], overrides);
}

/** kernel.faults as the kernel takes them. */
export function bootFaults(kernel: KernelConfig): Map<FaultPoint, FaultCounter> {
  const out = new Map<FaultPoint, FaultCounter>();
  for (const [key, plan] of kernel.faults) {
    if (!isFaultPoint(key)) throw new Error(`kernel.faults: "${key}" is not a fault point of the kernel (the loader let it through)`);
    out.set(key, { skip: Number(plan.skip), fail: Number(plan.fail) });
  }
  return out;
}

/** The switches that differ from the profile's defaults, for the TAP header and reports. */
export function switchChanges(profile: Profile): SwitchChange[] {
  return changedSwitches(profile);
}
