// The export stage's public API: a scenario compiled, per hugepage size, to a C program that performs
// its steps on a real kernel and prints the TAP `hgmsim run` prints for the parts a kernel can observe.
// This file is the only way into src/export from other folders (test/meta.test.ts checks it).

export type { ExportedProgram, ExportedTest, ProgramNeeds, KernelTestRun } from './types.js';
export { exportScenario, type ExportResult } from './export.js';
export { kernelTap } from './assemble.js';
