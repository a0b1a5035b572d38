// The loader: scenario file text → typed Scenario, or every error found, positioned. Stages, in order:
// read the YAML safely (yaml-source.ts), check each part's shape against schema.ts, build the AST with
// expressions parsed and names checked in program order (build-*.ts), check verdicts. Never throws on
// user input; the Scenario is returned only when no error was found.

import * as z from 'zod';
import { ExprBuilder } from './build-exprs.js';
import { buildKernel, buildTests, buildVerdicts, rawTestNames } from './build-file.js';
import { sortErrors } from './errors.js';
import { makeScenarioShape } from './schema.js';
import { Scope } from './scope.js';
import type { Scenario, ScenarioError } from './types.js';
import { checkFields } from './validate.js';
import { hasData, readYaml } from './yaml-source.js';

const topShape = makeScenarioShape(z.unknown());

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
  const kernel = d.kernel && buildKernel(src, d.kernel);
  const testItems = d.tests ?? [];
  const tests = buildTests(src, testItems, fileScope);
  const verdicts = buildVerdicts(src, d.verdicts ?? {}, rawTestNames(testItems));
  const errors = sortErrors(src.errors);
  if (errors.length > 0 || !top.ok || !kernel || d.scenario === undefined) return { errors };
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
