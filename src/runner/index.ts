// The runner's public API: run one scenario under one hugepage size and one profile (runStream), and
// the plain records it returns (results.ts) and hands to `show` (show-state.ts). This file is the only
// way into src/runner from other folders (test/meta.test.ts checks it).
export { HUGEPAGE_BYTES, runStream, STREAM_BUDGET, taskComm, type RunOptions, type StreamBudget, type StreamRun } from './run.js';
export type * from './results.js';
export type { ShowProcess, ShowState, ShowVma } from './show-state.js';
export { bootProfile, switchChanges } from './boot.js';
export { streamExitStatus } from './verdict.js';
