// Colour for human-facing text only, never inside TAP, JUnit or JSON (DESIGN.md "Output"). chalk 5
// ignores NO_COLOR (reference/ecosystem.md §5.2), so it is honoured here. Precedence: --color=always|never
// (--no-color is never) > NO_COLOR (set and not empty: no colour) > FORCE_COLOR (0 or false: none;
// 1, 2, 3 or empty: that many levels, even off a terminal) > auto (colour on a terminal).

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
  const forced = forceColorLevel(env['FORCE_COLOR']);
  if (forced !== undefined) return new Chalk({ level: forced });
  return new Chalk({ level: isTTY ? level : 0 });
}

/** FORCE_COLOR's level, as supports-color reads it; undefined when it is not set. */
export function forceColorLevel(value: string | undefined): ChalkInstance['level'] | undefined {
  if (value === undefined) return undefined;
  if (value === '0' || value === 'false') return 0;
  if (value === '2') return 2;
  if (value === '3') return 3;
  return 1;
}

/** --color's value, with --no-color (commander stores `false`) read as `never`. */
export function colorMode(value: ColorMode | false | undefined): ColorMode {
  return value === false ? 'never' : (value ?? 'auto');
}

/** For stderr text (messages, errors). */
export function stderrChalk(mode: ColorMode, env: NodeJS.ProcessEnv): ChalkInstance {
  return chalkFor(mode, env, chalkStderr.level, process.stderr.isTTY === true);
}

/** For stdout text meant for people only (`hgmsim diff`), never for a report. */
export function stdoutChalk(mode: ColorMode, env: NodeJS.ProcessEnv): ChalkInstance {
  return chalkFor(mode, env, chalk.level, process.stdout.isTTY === true);
}
