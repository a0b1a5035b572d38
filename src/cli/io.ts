// What a command may touch: the working directory, the environment, stdin (only when a path is `-`),
// stdout (TAP and reports) and stderr (people).

import type { ChalkInstance } from 'chalk';
import type { ColorMode } from './color.js';

export interface Io {
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  out(text: string): void;
  err(text: string): void;
  /** All of stdin as text; absent where there is no stdin to read. */
  readonly readStdin?: () => Promise<string>;
}

export interface CommandContext {
  readonly io: Io;
  /** For stderr text only. */
  readonly chalk: ChalkInstance;
  /** --color, for commands that colour their stdout (diff). */
  readonly color: ColorMode;
}
