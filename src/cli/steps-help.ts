// The step table `run --help` ends with. Its own module because it reads the step registry, which
// builds every step's schema: only help pays for that (main.ts imports this when help may be shown).

import { STEPS, STEP_NAMES } from '../scenario/index.js';
import { stepsHelpTable } from './program.js';

export function stepsHelp(): string {
  return stepsHelpTable(STEP_NAMES.map((n) => [n, STEPS[n].describe] as const));
}
