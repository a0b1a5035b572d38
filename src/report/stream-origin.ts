// Where a TAP stream comes from, read from its header comment: `hgmsim run` writes
// `# hgmsim <scenario> <size>, profile <profile>`, an exported C program run on a real kernel writes
// `# hgmsim <scenario> <size>, kernel <uname -r>`. Which profile models which kernel release is the
// table below, the one place that says so (recording pairing and the header comparison both read it).

import type { ProfileName } from '../abi/index.js';
import type { TapLevel } from './tap-read.js';

/** The kernel releases each mainline profile models, by `uname -r` prefix (major.minor and a dot). */
const RELEASE_PROFILES: readonly { readonly release: string; readonly profile: ProfileName }[] = [
  { release: '6.1.', profile: 'v6.1' }, // Debian 12: 6.1.0-<abi>-amd64
  { release: '6.12.', profile: 'v6.12' }, // Debian 13 and Debian 12 backports: 6.12.<n>+deb1x-amd64
];

/** The profile that models a kernel release (`6.12.118+deb12-amd64` → v6.12), or undefined. */
export function profileOfRelease(release: string): ProfileName | undefined {
  return RELEASE_PROFILES.find((r) => release.startsWith(r.release))?.profile;
}

export type StreamOrigin =
  | { readonly kind: 'model'; readonly scenario: string; readonly size: string; readonly profile: string }
  | { readonly kind: 'kernel'; readonly scenario: string; readonly size: string; readonly release: string };

const HEADER = /^# hgmsim (.+) (\S+), (profile|kernel) (\S+)$/;

/** The origin a header comment line names, or null when the line is not one. */
export function headerOrigin(line: string): StreamOrigin | null {
  const m = HEADER.exec(line);
  if (!m) return null;
  const [, scenario = '', size = '', kind, name = ''] = m;
  return kind === 'profile' ? { kind: 'model', scenario, size, profile: name } : { kind: 'kernel', scenario, size, release: name };
}

/** The origin of a stream: its header, the first line before its first test (or after its plan when it has none). */
export function levelOrigin(level: TapLevel): StreamOrigin | null {
  const first = level.points[0]?.comments[0] ?? level.trailing[0];
  return first === undefined ? null : headerOrigin(first);
}

/** The profiles some kernel release maps to: the ones whose goldens a recording can be paired with. */
export const RECORDED_PROFILES: readonly ProfileName[] = RELEASE_PROFILES.map((r) => r.profile);
