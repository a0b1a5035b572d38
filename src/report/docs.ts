// docs/scenarios.md, generated (scripts/gen-docs.mjs, `npm run docs`): the scenario language from its
// sources of truth — the zod schemas' .describe() texts (scenario/schema.ts) and the step registry
// (scenario/steps/: each step's schema, one-line meaning, example and traits). test/scenario.test.ts fails when the
// committed file differs from scenarioDocsText(), and loads every example.

import * as z from 'zod';
import {
  kernelSchema, letStepSchema, makeForItemSchema, makeScenarioShape, makeTestSchema, setStepSchema, signalEntrySchema,
  STEP_NAMES, STEPS, syscallCommon, verdictSchema
} from '../scenario/index.js';
import type { StepName } from '../scenario/index.js';

/**
 * One line of YAML per step, in registry order (each definition's `example`). Read top to bottom they
 * form one valid test (the names each example uses are bound by an earlier one); test/scenario.test.ts
 * loads them so.
 */
export const STEP_EXAMPLES: { readonly [K in StepName]: string } = Object.fromEntries(
  STEP_NAMES.map((n) => [n, STEPS[n].example]),
) as { readonly [K in StepName]: string };

/** Steps that take no `expect:` / `on_error:` of their own (no syscall), in registry order. */
const NON_SYSCALL_STEPS = STEP_NAMES.filter((n) => !STEPS[n].traits.syscall);

/** The examples of the structural items, also loaded by the test (after the step examples). */
export const LET_EXAMPLE = '- let: {off: 128 * PAGE_SIZE, total: 0}';
export const SET_EXAMPLE = '- set: {off: off + PAGE_SIZE}';
export const FOR_EXAMPLE = [
  '- for: {k: 1 .. 3}',
  '  let: {size: hugepagesz >> k}',
  '  while: total < hugepagesz',
  '  do:',
  '    - memset: {addr: P, length: size, value: k}',
  '    - pread: {fd: fd, length: size, offset: total, as: got, on_error: break}',
  '    - set: {total: total + got}',
].join('\n');

/** The shape of `expect: {signals: …}` entries, also loaded by the test (after the step examples). */
export const SIGNALS_EXAMPLE =
  '- expect: {signals: {main: [{sigbus: BUS_MCEERR_AR, si_addr: P + 0x3000}], C: [{sigbus: BUS_MCEERR_AO, si_addr: P, si_addr_lsb: 21}, {sigkill: true}], Q: []}}';

/** The description a schema carries, looking through optional/default wrappers. */
function describe(s: z.ZodType): string {
  let cur: z.ZodType = s;
  for (;;) {
    if (cur.description) return cur.description;
    if (cur instanceof z.ZodOptional || cur instanceof z.ZodDefault) cur = cur.unwrap() as z.ZodType;
    else return '';
  }
}

const code = (s: string): string => `\`${s}\``;

/** A short spelling of what a value may be. */
function typeText(s: z.ZodType): string {
  if (s instanceof z.ZodOptional) return typeText(s.unwrap() as z.ZodType);
  if (s instanceof z.ZodDefault) {
    const dflt = JSON.stringify(s._zod.def.defaultValue, (_k, v: unknown) => (typeof v === 'bigint' ? Number(v) : v));
    return `${typeText(s.unwrap() as z.ZodType)} (default ${code(dflt ?? '')})`;
  }
  if (s instanceof z.ZodEnum) return (s.options as readonly (string | number)[]).map((o) => code(String(o))).join(', ');
  if (s instanceof z.ZodLiteral) return [...s._zod.def.values].map((v) => code(String(v))).join(', ');
  if (s instanceof z.ZodArray) return `list of ${typeText(s.element as z.ZodType)}`;
  if (s instanceof z.ZodUnion) {
    const opts = s.options as readonly z.ZodType[];
    if (opts.length === 2 && opts.some((o) => o instanceof z.ZodBigInt) && opts.some((o) => o instanceof z.ZodString)) return 'expression';
    return opts.map(typeText).join(' or ');
  }
  if (s instanceof z.ZodObject) return 'map';
  if (s instanceof z.ZodRecord) return 'map';
  if (s instanceof z.ZodBigInt) return 'integer';
  if (s instanceof z.ZodBoolean) return '`true`, `false`';
  if (s instanceof z.ZodString) return 'string';
  if (s instanceof z.ZodUnknown) return 'step item';
  return s._zod.def.type;
}

const required = (s: z.ZodType): boolean => !(s instanceof z.ZodOptional || s instanceof z.ZodDefault);
const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** The object a field holds, looking through optional/default, when it is a map with fixed keys. */
function objectOf(s: z.ZodType): z.ZodObject | undefined {
  if (s instanceof z.ZodOptional || s instanceof z.ZodDefault) return objectOf(s.unwrap() as z.ZodType);
  return s instanceof z.ZodObject ? s : undefined;
}

/** Table rows for the fields of a map, nested maps as `outer.inner` rows; `skip` leaves fields out. */
function fieldRows(shape: Readonly<Record<string, z.ZodType>>, prefix = '', skip: (k: string, s: z.ZodType) => boolean = () => false, flat: readonly string[] = []): string[] {
  const rows: string[] = [];
  for (const [key, schema] of Object.entries(shape)) {
    if (skip(key, schema)) continue;
    rows.push(`| ${code(prefix + key)} | ${cell(typeText(schema))} | ${required(schema) ? 'yes' : ''} | ${cell(describe(schema))} |`);
    const inner = objectOf(schema);
    if (inner && !flat.includes(key)) rows.push(...fieldRows(inner.shape as Record<string, z.ZodType>, `${prefix}${key}.`));
  }
  return rows;
}

const table = (rows: readonly string[]): string[] =>
  rows.length ? ['| field | value | required | meaning |', '|---|---|---|---|', ...rows] : [];

/** A field `syscallCommon` defines, shared by identity (uffd_read's own `expect` is not). */
const isCommon = (key: string, s: z.ZodType): boolean => (syscallCommon as Readonly<Record<string, z.ZodType>>)[key] === s;

function stepSection(name: StepName): string[] {
  const def = STEPS[name];
  const schema: z.ZodType = def.schema;
  const obj = objectOf(schema);
  const common = def.traits.syscall;
  const out = [`### \`${name}\``, '', def.describe, ''];
  if (obj) {
    out.push(...table(fieldRows(obj.shape as Record<string, z.ZodType>, '', (k, s) => common && isCommon(k, s))), '');
    const shared = Object.entries(obj.shape as Record<string, z.ZodType>).filter(([k, s]) => isCommon(k, s)).map(([k]) => code(k));
    if (common) out.push(`Also takes the [common fields](#fields-every-syscall-step-takes) ${shared.join(', ')}.`, '');
  } else {
    out.push(`Value: ${typeText(schema)} — ${describe(schema)}.`, '');
  }
  out.push('```yaml', def.example, '```', '');
  if (name === 'expect') out.push(...signalsSection());
  return out;
}

/** `expect.signals`: a list per process name, each entry one signal, `{sigbus, …}` or `{sigkill: true}`. */
function signalsSection(): string[] {
  const [bus, kill] = signalEntrySchema.options;
  return [
    '#### `signals` entries',
    '',
    '`signals` maps a process name (`main`, or one bound by `fork`/`spawn`) to the list of signals it received in',
    'this test, in order and exactly (an empty list: none; a dropped signal is left out). Each entry is one',
    `signal: ${cell(describe(signalEntrySchema))}.`,
    '',
    ...table([...fieldRows(bus.shape as Record<string, z.ZodType>), ...fieldRows(kill.shape as Record<string, z.ZodType>)]),
    '',
    '```yaml',
    SIGNALS_EXAMPLE,
    '```',
    '',
  ];
}

/** docs/scenarios.md exactly as committed. */
export function scenarioDocsText(): string {
  const top = makeScenarioShape(makeTestSchema(z.unknown()));
  const testShape = makeTestSchema(z.unknown()).shape as Record<string, z.ZodType>;
  const forShape = makeForItemSchema(z.unknown()).shape as Record<string, z.ZodType>;
  const lines = [
    '# Scenario language',
    '',
    '<!-- Generated by `npm run docs` (scripts/gen-docs.mjs) from src/scenario/schema.ts and the step registry src/scenario/steps/; do not edit. -->',
    '',
    'A scenario file mirrors one selftest binary: a few named tests, each a list of steps. Values marked',
    '*expression* take an integer or a string expression: units (`4K`, `2M`, `1G`), names (`PAGE_SIZE`,',
    '`hugepagesz`, `let` names, loop variables, names bound by `as:`), integer arithmetic',
    '(`+ - * / % << >>`, parentheses), comparisons (`< <= > >= == !=`, 1 when they hold, else 0; C',
    'precedence) and `log2`, `min`, `max`, `pfn(addr)`, `phys(addr)`. Errors are',
    'listed in [errors.md](errors.md). `hgmsim new FILE` writes a commented scenario to start from.',
    '',
    '## Top-level keys',
    '',
    ...table(fieldRows(top as Record<string, z.ZodType>, '', undefined, ['kernel'])),
    '',
    '### `kernel`',
    '',
    describe(kernelSchema),
    '',
    ...table(fieldRows(kernelSchema.shape as Record<string, z.ZodType>)),
    '',
    '### `verdicts`',
    '',
    `Profile → (\`default\` or a test name) → verdict: ${cell(describe(verdictSchema))}.`,
    '',
    ...table(fieldRows({ result: verdictSchema.options[1].shape.result, why: verdictSchema.options[1].shape.why })),
    '',
    '### A test',
    '',
    ...table(fieldRows(testShape)),
    '',
    '## Step items',
    '',
    'Each item of `steps` is a map with one key: a step name below, `let`, `set` or `for`.',
    '',
    '### `let`',
    '',
    `${describe(letStepSchema)}; bound for the rest of the test.`,
    '',
    '```yaml',
    LET_EXAMPLE,
    '```',
    '',
    '### `set`',
    '',
    `${describe(setStepSchema)}: each name must be bound by a \`let\` of the test (or of an enclosing loop) before; the value is evaluated where the \`set\` stands and the name keeps it from there, in the loop iterations that follow too.`,
    '',
    '```yaml',
    SET_EXAMPLE,
    '```',
    '',
    '### `for`',
    '',
    `${describe(makeForItemSchema(z.unknown()))}. The range bounds the iterations; \`while\`, evaluated before each after the variable and \`let\` are bound, ends the loop early when it is 0. A step with \`on_error: break\` inside \`do\` ends the innermost loop on an errno nobody expected, after its \` ...  !!! NAME failed: …\` line (the C loops' \`perror(); break;\`); the test goes on.`,
    '',
    ...table(fieldRows(forShape)),
    '',
    '```yaml',
    FOR_EXAMPLE,
    '```',
    '',
    '### Fields every syscall step takes',
    '',
    `Every step but ${NON_SYSCALL_STEPS.map(code).join(', ')} also takes these (\`expect\` is ${cell(describe(syscallCommon.expect)).replace(/^W/, 'w')}; \`access\` and \`uffd_read\` add their own fields to it).`,
    '',
    ...table(fieldRows(syscallCommon)),
    '',
    'A name bound by `as:` is bound once in its scope, except by alternatives: steps whose `when:` select streams by profile or hugepage size alone (no `holds`) and no stream in common may bind the same name, each for its own streams (a `memfd_create` with a flag only one kernel knows, and one without it for the others).',
    '',
    '```yaml',
    '- memfd_create: {as: fd, flags: [MFD_HUGETLB], when: {profile: [v6.1, v6.12, hgm-rfc]}}',
    '- memfd_create: {as: fd, flags: [MFD_HUGETLB, MFD_MF_KEEP_UE_MAPPED], when: {profile: [mfr]}}',
    '```',
    '',
    '## Steps',
    '',
    ...STEP_NAMES.flatMap(stepSection),
  ];
  return `${lines.join('\n').replace(/\n{3,}/g, '\n\n').trimEnd()}\n`;
}
