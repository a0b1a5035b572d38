// Colour for human-facing stderr text only, never inside TAP (DESIGN.md "Output"). chalk 5 ignores
// NO_COLOR (reference/ecosystem.md §5.2), so it is honoured here: --color=always > NO_COLOR > auto.

import { Chalk, chalkStderr } from 'chalk';
import type { ChalkInstance } from 'chalk';

export const COLOR_MODES = ['auto', 'always', 'never'] as const;
export type ColorMode = (typeof COLOR_MODES)[number];

export function stderrChalk(mode: ColorMode, env: NodeJS.ProcessEnv): ChalkInstance {
  if (mode === 'never') return new Chalk({ level: 0 });
  if (mode === 'always') return new Chalk({ level: chalkStderr.level || 1 });
  if (env['NO_COLOR']) return new Chalk({ level: 0 });
  // chalkStderr's level already reflects a TTY, TERM=dumb and FORCE_COLOR.
  return new Chalk({ level: process.stderr.isTTY ? chalkStderr.level : 0 });
}
