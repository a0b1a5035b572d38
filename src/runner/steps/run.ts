// The runner's side of a step: what it does. Each handler evaluates the step's expressions, turns flag
// names into the uapi bits, calls the Kernel facade and returns what happened; judging it against
// `expect:` / `on_error:` is the interpreter's job (run.ts), guided by the step's traits.

import type { StepArgs, StepName } from '../../scenario/index.js';
import type { StepContext, StepOutcome } from '../context.js';

export type StepRun<K extends StepName> = (ctx: StepContext, args: StepArgs[K]) => StepOutcome;
