// What a stream boots with besides the pool: the profile with the scenario's `kernel.switches` applied,
// the `kernel.faults` counters, and the switches the TAP header reports (DESIGN.md "Kernel profiles":
// every run prints the switches that differ from the profile's defaults).

import { changedSwitches, FAULT_POINTS, PROFILES, withSwitches } from '../kernel/index.js';
import type { BooleanSwitch, FaultPoint, Profile } from '../kernel/index.js';
import type { KernelConfig, ProfileName } from '../scenario/index.js';
import type { SwitchChange } from './results.js';

/** The named profile with the file's switch overrides. The loader checked the names; a stranger is an hgmsim bug. */
export function bootProfile(kernel: KernelConfig, name: ProfileName): Profile {
  const base = PROFILES[name];
  const overrides: Partial<Record<BooleanSwitch, boolean>> = {};
  for (const [key, value] of kernel.switches) {
    if (!Object.hasOwn(base.switches, key) || typeof base.switches[key as keyof typeof base.switches] !== 'boolean') {
      throw new Error(`kernel.switches: "${key}" is not a boolean switch of the kernel (scenario/names.ts is stale)`);
    }
    overrides[key as BooleanSwitch] = value;
  }
  return withSwitches(base, overrides);
}

/** kernel.faults as the kernel takes them. */
export function bootFaults(kernel: KernelConfig): Map<FaultPoint, number> {
  const out = new Map<FaultPoint, number>();
  for (const [key, n] of kernel.faults) {
    const point = FAULT_POINTS.find((p) => p === key);
    if (point === undefined) throw new Error(`kernel.faults: "${key}" is not a fault point of the kernel (scenario/names.ts is stale)`);
    out.set(point, Number(n));
  }
  return out;
}

/** The switches that differ from the profile's defaults, for the TAP header and reports. */
export function switchChanges(profile: Profile): SwitchChange[] {
  return changedSwitches(profile).map((change) => {
    const at = change.indexOf('=');
    const value: unknown = JSON.parse(change.slice(at + 1));
    // Only boolean switches can be overridden (withSwitches takes BooleanSwitch), so only they can differ.
    if (at < 0 || typeof value !== 'boolean') throw new Error(`changed switch "${change}" is not name=true|false`);
    return { name: change.slice(0, at), value };
  });
}
