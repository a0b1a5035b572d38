// `when:` as a stream decides it: the hugepage sizes and profiles a step or test names (its `holds`, a
// run-time condition, is the runner's or the exported program's to evaluate).

import type { HugepageSize, ProfileName, StepWhen } from './types.js';

/** Every size and profile condition `when` names holds for a stream of `size` under `profile`. */
export function whenSelects(when: StepWhen | undefined, size: HugepageSize, profile: ProfileName): boolean {
  return when === undefined || ((when.hugepagesz?.includes(size) ?? true) && (when.profile?.includes(profile) ?? true));
}
