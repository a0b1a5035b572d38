// Author errors found while running (an undefined name, a value outside [0, 2^64), pfn() of an unmapped
// address, the step budget): positioned like load errors (scenario/errors.ts), reported with exit 65.
// Thrown inside the interpreter and caught by runStream, which returns them as values.

import type { ScenarioError } from '../scenario/index.js';

/** Carries a positioned author error out of the step interpreter. */
export class ScenarioRuntimeError extends Error {
  constructor(readonly error: ScenarioError) {
    super(`${error.file}:${error.line}:${error.col}: ${error.code} ${error.message}`);
    this.name = 'ScenarioRuntimeError';
  }
}
