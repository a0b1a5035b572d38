// The loader: scenario file text → typed Scenario, or every error found, positioned. Stages, in order:
// read the YAML safely (yaml-source.ts), check each part's shape against schema.ts, build the AST with
// expressions parsed and names checked in program order (build-*.ts), check verdicts, then evaluate
// what can be known before a run, for each listed hugepage size (precheck.ts). Every part is
// checked field by field, so that one bad field never hides the errors of another (a bad kernel
// profile does not hide a verdict naming an unknown test). Never throws on user input; the Scenario is
// returned only when no error was found.

import * as z from 'zod';
import { ExprBuilder } from './build-exprs.js';
import { buildKernel, buildTests, buildVerdicts, rawTestNames } from './build-file.js';
import { sortErrors } from './errors.js';
import { precheck } from './precheck.js';
import { kernelSchema, makeScenarioShape } from './schema.js';
import { Scope } from './scope.js';
import type { Scenario, ScenarioError } from './types.js';
import { checkFields } from './validate.js';
import { hasData, readYaml } from './yaml-source.js';

/**
 * The top-level fields; kernel, let and verdicts only as maps here: their own fields are checked one
 * by one below (buildKernel, ExprBuilder.lets, buildVerdicts).
 */
const topShape = {
  ...makeScenarioShape(z.unknown()),
  kernel: z.looseObject({}),
  let: z.record(z.string(), z.unknown()).optional(),
  verdicts: z.record(z.string(), z.unknown()).optional(),
};

export interface LoadResult {
  readonly scenario?: Scenario;
  readonly errors: ScenarioError[];
}

/** Load `text` read from `file` (the path as given on the command line). */
export function loadScenario(file: string, text: string): LoadResult {
  const src = readYaml(file, text);
  if (!hasData(src)) return { errors: src.errors };
  const top = checkFields(src, topShape, src.data ?? undefined, [], 'a scenario file');
  if (!top) return { errors: sortErrors(src.errors) };
  const d = top.data;
  const fileScope = new Scope(Scope.root());
  const lets = new ExprBuilder(src).lets(d.let, ['let'], fileScope);
  const kernelFields = d.kernel && checkFields(src, kernelSchema.shape, d.kernel, ['kernel'], '"kernel"');
  const kernel = kernelFields && buildKernel(src, kernelFields.data);
  const testItems = d.tests ?? [];
  const tests = buildTests(src, testItems, fileScope);
  const verdicts = buildVerdicts(src, d.verdicts ?? {}, rawTestNames(testItems));
  precheck(src, kernel?.hugepagesz ?? [], lets, tests);
  const errors = sortErrors(src.errors);
  if (errors.length > 0 || !top.ok || !kernelFields?.ok || !kernel || d.scenario === undefined) return { errors };
  const scenario: Scenario = {
    file,
    text,
    name: d.scenario,
    ...(d.mirrors === undefined ? {} : { mirrors: d.mirrors }),
    basis: d.basis ?? [],
    kernel,
    let: lets,
    verdicts,
    tests,
  };
  return { scenario, errors };
}
