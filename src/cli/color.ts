// Colour for human-facing text only, never inside TAP, JUnit or JSON (DESIGN.md "Output"). chalk 5
// ignores NO_COLOR (reference/ecosystem.md §5.2), so it is honoured here: --color=always > NO_COLOR > auto.

import { Chalk, chalkStderr } from 'chalk';
import chalk from 'chalk';
import type { ChalkInstance } from 'chalk';

export const COLOR_MODES = ['auto', 'always', 'never'] as const;
export type ColorMode = (typeof COLOR_MODES)[number];

/** A chalk for one stream: `level` is chalk's own reading of it (TTY, TERM=dumb, FORCE_COLOR). */
function chalkFor(mode: ColorMode, env: NodeJS.ProcessEnv, level: ChalkInstance['level'], isTTY: boolean): ChalkInstance {
  if (mode === 'never') return new Chalk({ level: 0 });
  if (mode === 'always') return new Chalk({ level: level || 1 });
  if (env['NO_COLOR']) return new Chalk({ level: 0 });
  return new Chalk({ level: isTTY ? level : 0 });
}

/** For stderr text (messages, errors). */
export function stderrChalk(mode: ColorMode, env: NodeJS.ProcessEnv): ChalkInstance {
  return chalkFor(mode, env, chalkStderr.level, process.stderr.isTTY === true);
}

/** For stdout text meant for people only (`hgmsim diff`), never for a report. */
export function stdoutChalk(mode: ColorMode, env: NodeJS.ProcessEnv): ChalkInstance {
  return chalkFor(mode, env, chalk.level, process.stdout.isTTY === true);
}
