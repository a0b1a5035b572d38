// The scenario stage's public API: load a file, evaluate and print expressions, position errors.

export * from './types.js';
export { loadScenario, type LoadResult } from './load.js';
export { errorAt, errorFromFailure, escapeControls, formatError, sortErrors, type ErrorSource, type ExprFailure } from './errors.js';
export { evalExpr, exprNames, isAddressExpr, parseExpr, parseRange, U64_LIMIT, type EvalResult, type ExprEnv } from './expr.js';
export { formatAddress, formatInterp, parseInterp } from './interp.js';
export * from './names.js';
export { scenarioJsonSchema, scenarioJsonSchemaText } from './schema.js';
