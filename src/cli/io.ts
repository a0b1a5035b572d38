// What a command may touch: the working directory, the environment, stdout (TAP) and stderr (people).

import type { ChalkInstance } from 'chalk';

export interface Io {
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  out(text: string): void;
  err(text: string): void;
}

export interface CommandContext {
  readonly io: Io;
  /** For stderr text only. */
  readonly chalk: ChalkInstance;
}
