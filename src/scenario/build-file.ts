// The file-level parts of a scenario: `kernel:` (sizes and pool), `verdicts:` (checked against the
// profiles and the test names) and the tests themselves, each in its own name scope.

import * as z from 'zod';
import { ExprBuilder } from './build-exprs.js';
import { StepBuilder, whenOf } from './build-steps.js';
import { U64_LIMIT } from './expr.js';
import { MAIN, MAX_NR_HUGEPAGES } from './names.js';
import { kernelSchema, makeTestSchema, profileVerdictsSchema, verdictSchema } from './schema.js';
import { Scope } from './scope.js';
import { didYouMean } from './suggest.js';
import { PROFILE_NAMES } from '../abi/index.js';
import {
  type FaultPlan, type HugepageSize, type KernelConfig, type ProfileName, type ProfileVerdicts, type TestCase,
  type Verdict,
} from './types.js';
import { checkFields, checkValue } from './validate.js';
import type { Path, YamlSource } from './yaml-source.js';

const testShape = makeTestSchema(z.unknown()).shape;

/** The kernel config from the fields of `kernel:` that passed the schema; undefined without a profile. */
export function buildKernel(src: YamlSource, k: Partial<z.output<typeof kernelSchema>>): KernelConfig | undefined {
  const sizes = k.hugepagesz === undefined ? [] : typeof k.hugepagesz === 'string' ? [k.hugepagesz] : k.hugepagesz;
  sizes.forEach((s, i) => {
    if (sizes.indexOf(s) !== i) src.report('BAD_VALUE', `hugepage size ${s} is listed twice`, src.nodeSpan(['kernel', 'hugepagesz', i]));
  });
  const nr_hugepages = buildPools(src, k.nr_hugepages ?? 8n);
  // Unknown switch or fault names were reported by the strict schema; what arrives here is known.
  const switches = new Map(
    Object.entries(k.switches ?? {}).filter((e): e is [string, boolean] => e[1] !== undefined),
  );
  const inRange = (n: bigint, path: readonly (string | number)[]): void => {
    if (n < 0n || n >= U64_LIMIT) src.report('OUT_OF_RANGE', `${path.slice(1).join('.')} ${n} is outside [0, 2^64)`, src.nodeSpan(path));
  };
  const faults = new Map(
    Object.entries(k.faults ?? {})
      .filter((e): e is [string, bigint | { skip?: bigint; fail: bigint }] => e[1] !== undefined)
      .map(([point, v]): [string, FaultPlan] => {
        const at = ['kernel', 'faults', point];
        if (typeof v === 'bigint') {
          inRange(v, at);
          return [point, { skip: 0n, fail: v }];
        }
        if (v.skip !== undefined) inRange(v.skip, [...at, 'skip']);
        inRange(v.fail, [...at, 'fail']);
        return [point, { skip: v.skip ?? 0n, fail: v.fail }];
      }),
  );
  if (k.profile === undefined) return undefined;
  return { profile: k.profile, hugepagesz: sizes, nr_hugepages, switches, faults };
}

/** `nr_hugepages: 8` or `{2M: 16, 1G: 2}`, each count checked against what the model handles. */
function buildPools(src: YamlSource, nr: z.output<typeof kernelSchema>['nr_hugepages']): KernelConfig['nr_hugepages'] {
  const count = (v: bigint, path: Path): bigint => {
    if (v < 0n || v >= U64_LIMIT) src.report('OUT_OF_RANGE', `nr_hugepages ${v} is outside [0, 2^64)`, src.nodeSpan(path));
    else if (v > BigInt(MAX_NR_HUGEPAGES)) src.report('UNSUPPORTED', `nr_hugepages ${v}: hgmsim models pools of at most ${MAX_NR_HUGEPAGES} hugepages per size`, src.nodeSpan(path));
    return v;
  };
  if (typeof nr === 'bigint') return count(nr, ['kernel', 'nr_hugepages']);
  return new Map(
    (Object.entries(nr) as [HugepageSize, bigint | undefined][])
      .filter((e): e is [HugepageSize, bigint] => e[1] !== undefined)
      .map(([size, n]) => [size, count(n, ['kernel', 'nr_hugepages', size])]),
  );
}

export function buildTests(src: YamlSource, items: readonly unknown[], fileScope: Scope): TestCase[] {
  const x = new ExprBuilder(src);
  const steps = new StepBuilder(x);
  const tests: TestCase[] = [];
  const seen = new Map<string, number>();
  items.forEach((item, i) => {
    const path = ['tests', i];
    const checked = checkFields(src, testShape, item, path, 'a test');
    if (!checked) return;
    const d = checked.data;
    if (d.name !== undefined) {
      const prior = seen.get(d.name);
      if (prior !== undefined) {
        src.report('DUPLICATE_NAME', `test name "${d.name}" is already used by test ${prior + 1}`, src.nodeSpan([...path, 'name']));
      } else {
        seen.set(d.name, i);
      }
    }
    const body = steps.steps(d.steps ?? [], [...path, 'steps'], Scope.forTest(fileScope, MAIN));
    const { line, col } = src.linePos(src.nodeSpan(path).start);
    const when = whenOf(d.when);
    if (checked.ok) tests.push({ name: d.name ?? '', line, col, basis: d.basis ?? [], ...(when === undefined ? {} : { when }), steps: body });
  });
  return tests;
}

/** Test names as written, for verdict checks (also of tests that failed validation elsewhere). */
export function rawTestNames(items: readonly unknown[]): string[] {
  return items.flatMap((t) => {
    const name = t !== null && typeof t === 'object' ? (t as Record<string, unknown>).name : undefined;
    return typeof name === 'string' ? [name] : [];
  });
}

const toVerdict = (v: z.output<typeof verdictSchema>): Verdict => (typeof v === 'string' ? { result: v } : v);
const isMap = (v: unknown): v is Readonly<Record<string, unknown>> => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * `verdicts:` as written: each profile and test name is checked, and each verdict against its schema,
 * one by one (a bad verdict value does not hide a verdict naming an unknown test).
 */
export function buildVerdicts(
  src: YamlSource,
  raw: Readonly<Record<string, unknown>>,
  testNames: readonly string[],
): Map<ProfileName, ProfileVerdicts> {
  const out = new Map<ProfileName, ProfileVerdicts>();
  for (const [profile, byTest] of Object.entries(raw)) {
    const known = (PROFILE_NAMES as readonly string[]).includes(profile);
    if (!known) {
      const hint = didYouMean(profile, PROFILE_NAMES);
      src.report('BAD_VERDICT', `unknown profile "${profile}"${hint || `; profiles are ${PROFILE_NAMES.join(', ')}`}`, src.keySpan(['verdicts', profile]));
    }
    if (!isMap(byTest)) {
      checkValue(src, profileVerdictsSchema, byTest, ['verdicts', profile]);
      continue;
    }
    let dflt: Verdict | undefined;
    const tests = new Map<string, Verdict>();
    for (const [test, value] of Object.entries(byTest)) {
      const path = ['verdicts', profile, test];
      const v = checkValue(src, verdictSchema, value, path);
      if (test !== 'default' && !testNames.includes(test)) {
        const hint = didYouMean(test, [...testNames, 'default']);
        src.report('BAD_VERDICT', `verdict for "${test}", which is not a test of this file${hint}`, src.keySpan(path));
      } else if (v !== undefined) {
        if (test === 'default') dflt = toVerdict(v);
        else tests.set(test, toVerdict(v));
      }
    }
    if (known) out.set(profile as ProfileName, dflt ? { default: dflt, tests } : { tests });
  }
  return out;
}
