// The judge: compares what a test did with the verdict its scenario declares for the profile
// (DESIGN.md "Scenarios", STYLE.md item 14; compare tools/memory-model/scripts/judgelitmus.sh).

import type { ProfileName, Scenario, Verdict, VerdictResult } from '../scenario/index.js';
import type { Departure, Outcome, TestResult, TestStatus } from './results.js';

/** The verdict for one test under one profile: the test's own, else the profile's default, else pass. */
export function verdictFor(scenario: Scenario, profile: string, test: string): Verdict {
  const perProfile = scenario.verdicts.get(profile as ProfileName);
  return perProfile?.tests.get(test) ?? perProfile?.default ?? { result: 'pass' };
}

const JUDGE: { readonly [E in VerdictResult]: { readonly [S in TestStatus]: readonly [Outcome, Departure] } } = {
  pass: { pass: ['pass', 'none'], fail: ['fail', 'fail'], skip: ['skip', 'skip'] },
  skip: { pass: ['pass', 'unexpected-pass'], fail: ['fail', 'fail'], skip: ['skip', 'none'] },
  fail: { pass: ['xpass', 'xpass'], fail: ['xfail', 'none'], skip: ['skip', 'skip'] },
};

export function judge(expected: VerdictResult, status: TestStatus): { outcome: Outcome; departure: Departure } {
  const [outcome, departure] = JUDGE[expected][status];
  return { outcome, departure };
}

/** A stream's exit status: 1 when a result fails or passes against its verdict, 4 when only skips depart. */
export function streamExitStatus(tests: readonly Pick<TestResult, 'departure'>[]): 0 | 1 | 4 {
  if (tests.some((t) => t.departure === 'fail' || t.departure === 'xpass' || t.departure === 'unexpected-pass')) return 1;
  if (tests.some((t) => t.departure === 'skip')) return 4;
  return 0;
}

