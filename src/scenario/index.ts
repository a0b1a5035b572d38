// The scenario stage's public API: load a file, evaluate and print expressions, position errors, the
// step and expect-field registries and the schemas the docs are written from. This file is the only
// way into src/scenario from other folders (test/meta.test.ts checks it).

export * from './types.js';
export { loadScenario, type LoadResult } from './load.js';
export { errorAt, errorFromFailure, escapeControls, formatError, sortErrors, type ErrorSource, type ExprFailure } from './errors.js';
export {
  evalExpr, evalPartial, exprNames, isAddressExpr, MODEL_NUMBER_MAX, modelNumberFailure, parseExpr, parseRange, RUN_TIME, U64_LIMIT,
  type EvalResult, type ExprEnv, type PartialResult, type RunTime,
} from './expr.js';
export { formatAddress, formatInterp, parseInterp } from './interp.js';
export * from './names.js';
export {
  kernelSchema, letStepSchema, makeForItemSchema, makeScenarioShape, makeTestSchema, scenarioJsonSchema, scenarioJsonSchemaText,
  setStepSchema, signalEntrySchema, syscallCommon, verdictSchema,
} from './schema.js';
export { STEPS, STEP_NAMES } from './steps/index.js';
export { EXPECT_FIELD_NAMES } from './expect/index.js';
export { didYouMean } from './suggest.js';
export { whenSelects } from './when.js';
