// `exit`: _exit(2) of the acting process — Kernel.exit_group(): its threads die, its mm and fds go.

import type { StepRun } from './run.js';

export const exit: StepRun<'exit'> = (ctx, a) => {
  const status = a.status === undefined ? 0 : ctx.num(a.status);
  ctx.kernel.exit_group(ctx.task, status);
  return { call: `_exit(${status})` };
};
