// The file names of a folder of goldens and kernel recordings, paired: `<stem>.kernel-<release>.tap` (a
// real kernel's run of the exported program) goes with the golden `<stem>.<profile>.tap` of the profile
// that models the release (stream-origin.ts). Pure: names in, pairs out.

import { profileOfRelease, RECORDED_PROFILES } from './stream-origin.js';

const RECORDING = /^(.+?)\.kernel-(.+)\.tap$/;

export interface RecordingPair {
  readonly recording: string;
  readonly golden: string;
}

export interface RecordingPairs {
  readonly pairs: readonly RecordingPair[];
  /** Recordings with no golden to compare with, and why. */
  readonly unpaired: readonly { readonly recording: string; readonly why: string }[];
}

/** Whether a file name is a kernel recording. */
export const isRecordingName = (name: string): boolean => RECORDING.test(name);

/** Every recording among `names` with its golden, in the order of `names`. */
export function pairRecordings(names: readonly string[]): RecordingPairs {
  const present = new Set(names);
  const pairs: RecordingPair[] = [];
  const unpaired: { recording: string; why: string }[] = [];
  for (const recording of names) {
    const m = RECORDING.exec(recording);
    if (!m) continue;
    const [, stem = '', release = ''] = m;
    const profile = profileOfRelease(release);
    const golden = profile === undefined ? undefined : `${stem}.${profile}.tap`;
    if (golden === undefined) unpaired.push({ recording, why: `no profile models kernel ${release}` });
    else if (!present.has(golden)) unpaired.push({ recording, why: `no golden ${golden}` });
    else pairs.push({ recording, golden });
  }
  return { pairs, unpaired };
}

/** The goldens of a recorded profile (v6.1, v6.12) among `names` that no recording pairs with. */
export function goldensWithoutRecording(names: readonly string[]): string[] {
  const paired = new Set(pairRecordings(names).pairs.map((p) => p.golden));
  return names.filter((n) => !isRecordingName(n) && RECORDED_PROFILES.some((p) => n.endsWith(`.${p}.tap`)) && !paired.has(n));
}
