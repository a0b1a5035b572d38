// The scenario stage's public API: load a file, evaluate and print expressions, position errors.

export * from './types.js';
export { loadScenario, type LoadResult } from './load.js';
export { errorAt, errorFromFailure, escapeControls, formatError, sortErrors, type ErrorSource, type ExprFailure } from './errors.js';
export {
  evalExpr, evalPartial, exprNames, isAddressExpr, MODEL_NUMBER_MAX, parseExpr, parseRange, RUN_TIME, U64_LIMIT,
  type EvalResult, type ExprEnv, type PartialResult, type RunTime,
} from './expr.js';
export { formatAddress, formatInterp, parseInterp } from './interp.js';
export * from './names.js';
export { scenarioJsonSchema, scenarioJsonSchemaText } from './schema.js';
