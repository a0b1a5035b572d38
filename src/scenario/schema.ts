// The YAML shape of a scenario file as zod schemas: the single source of truth for both validation
// (load.ts checks each part against these) and the editor JSON Schema (schema/scenario.schema.json,
// written by scripts/gen-schema.mjs from scenarioJsonSchema()). Each step's own schema comes from its
// definition in the step registry (steps/); the shared field schemas from fields.ts. Expressions stay strings or integers
// here; their grammar is checked by expr.ts. YAML integers arrive as bigint (intAsBigInt).

import * as z from 'zod';
import { FAULT_POINTS, PROFILE_NAMES, SWITCH_NAMES } from '../abi/index.js';
import { VERDICT_RESULTS } from './names.js';
import { expr, letMap, name, testWhenField } from './fields.js';
import { STEP_NAMES, STEPS } from './steps/index.js';
import { HUGEPAGE_SIZES } from './types.js';

export { KB_AMOUNT_PATTERN, KB_EXPR_PATTERN, stepExpectSchema, syscallCommon } from './fields.js';
export { signalEntrySchema, stateExpectSchema } from './expect/index.js';

/** `let:` as a step. */
export const letStepSchema = letMap;

/** A `for` item: one loop variable over an inclusive range, a per-iteration `let`, and `do` steps. */
export const makeForItemSchema = <S extends z.ZodType>(step: S) =>
  z
    .strictObject({
      for: z
        .record(name('The loop variable'), z.string().describe('Inclusive range "FIRST .. LAST"'))
        .describe('Exactly one loop variable: {k: 1 .. 4}'),
      let: letMap.optional(),
      while: expr('Evaluated before each iteration, after the variable and let are bound: 0 ends the loop').optional(),
      do: z.array(step).describe('Steps run once per value'),
    })
    .describe('Loop over an inclusive range, while a condition holds');

/** The keys a `for` item may have. */
export const FOR_ITEM_KEYS = ['for', 'let', 'while', 'do'] as const;

/** `set:` as a step: names a `let` of the test bound before, and their new values. */
export const setStepSchema = z
  .record(name('a name a let of this test bound before'), expr('its new value, evaluated in order'))
  .describe('Rebind names a let of this test bound before (a running total)');

/** Any step item, for the JSON Schema (load.ts dispatches on the item's key instead). */
// z.ZodType: the item is recursive through `do:` and TypeScript cannot infer a recursive type.
export const stepItemSchema: z.ZodType = z.lazy(() =>
  z.union([
    ...STEP_NAMES.map((k) => z.strictObject({ [k]: STEPS[k].schema })),
    z.strictObject({ let: letStepSchema }).describe('Bind names for the rest of the test'),
    z.strictObject({ set: setStepSchema }).describe('Rebind names a let of this test bound before'),
    makeForItemSchema(stepItemSchema),
  ]),
);

export const makeTestSchema = <S extends z.ZodType>(step: S) =>
  z
    .strictObject({
      name: z.string().describe('Test name, printed on its TAP result line'),
      basis: z.array(z.string()).describe('# basis: lines printed before the result').optional(),
      when: testWhenField,
      steps: z.array(step).describe('Steps, in order'),
    })
    .describe('One test of the scenario');

const hugepageSize = z.enum(HUGEPAGE_SIZES);
const verdictResult = z.enum(VERDICT_RESULTS);
export const verdictSchema = z
  .union([
    verdictResult,
    z.strictObject({
      result: verdictResult.describe('Expected result'),
      why: z.string().describe('Reason, printed after # XFAIL').optional(),
    }),
  ])
  .describe('pass | skip | fail, or {result, why}');

/** One profile's verdicts: `default` and/or test names. */
export const profileVerdictsSchema = z.record(z.string(), verdictSchema).describe('default and/or test name → verdict');

export const kernelSchema = z
  .strictObject({
    profile: z.enum(PROFILE_NAMES).describe('Kernel profile the file runs against by default'),
    hugepagesz: z
      .union([hugepageSize, z.array(hugepageSize).min(1)])
      .describe('Hugepage size(s); one run per size')
      .default(['2M']),
    nr_hugepages: z
      .union([
        z.bigint(),
        z.strictObject({ '2M': z.bigint().optional(), '1G': z.bigint().optional() }),
      ])
      .describe("Pool size of the run's hstate, or per hstate {2M: n, 1G: n}")
      .default(8n),
    switches: z
      .strictObject(
        Object.fromEntries(
          SWITCH_NAMES.map((n) => [n, z.boolean().describe(`Override the profile's ${n} switch`).optional()]),
        ),
      )
      .describe("Boolean profile switches overridden for every run of the file ('hgmsim profiles' lists them); the TAP header prints those that differ from the profile's defaults")
      .optional(),
    faults: z
      .strictObject(
        Object.fromEntries(
          FAULT_POINTS.map((n) => [n, z.union([
            z.bigint().describe(`How many attempts at ${n} fail, counted from boot`),
            z.strictObject({
              skip: z.bigint().describe(`Attempts at ${n} that succeed first, counted from boot`).optional(),
              fail: z.bigint().describe('How many attempts fail after those'),
            }).describe(`{skip: N, fail: M}: attempts N+1 .. N+M at ${n} fail (the Nth call, not only the first)`),
          ]).describe(`Which attempts at ${n} fail, counted from boot: N (the first N) or {skip, fail}`).optional()]),
        ),
      )
      .describe('Fault injection: per named point in the kernel, how many attempts there fail, counted from boot (N: the first N; {skip, fail}: after skip attempts succeed)')
      .optional(),
  })
  .describe('The kernel the scenario runs on');

/** Top-level fields, with the schema of one test given (full or shallow). */
export const makeScenarioShape = <T extends z.ZodType>(test: T) => ({
  scenario: z.string().describe('Scenario name, printed in the TAP header'),
  mirrors: z.string().describe('The C selftest this file mirrors').optional(),
  basis: z.array(z.string()).describe('# basis: lines printed for every test').optional(),
  kernel: kernelSchema,
  let: letMap.optional(),
  verdicts: z
    .record(z.string(), profileVerdictsSchema)
    .describe('Expected result per profile and test')
    .optional(),
  tests: z.array(test).describe('The tests, in order'),
});

export const scenarioSchema = z
  .strictObject(makeScenarioShape(makeTestSchema(stepItemSchema)))
  .describe('An hgmsim scenario: HugeTLB memory-failure selftests replayed against a kernel model');

/** The editor JSON Schema (draft-07, input side: defaults make fields optional). */
export function scenarioJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(scenarioSchema, {
    target: 'draft-07',
    io: 'input',
    // YAML integers are bigint in JS; in JSON Schema they are plain integers (and defaults numbers).
    unrepresentable: (ctx) => {
      const def = ctx.zodSchema._zod.def;
      if (def.type === 'bigint') return { type: 'integer' };
      if (def.type === 'default') {
        return { default: JSON.parse(JSON.stringify(def.defaultValue, (_k, v: unknown) => (typeof v === 'bigint' ? Number(v) : v))) as unknown };
      }
      return undefined;
    },
  }) as Record<string, unknown>;
}

/** schema/scenario.schema.json exactly as committed: pretty-printed, trailing newline. */
export function scenarioJsonSchemaText(): string {
  return `${JSON.stringify(scenarioJsonSchema(), null, 2)}\n`;
}
