// The runner's output: plain records of what one scenario did under one hugepage size and one profile.
// Reporters (src/report/) turn these into text; they import these types only, never runner code.
//
// Invariants:
// - `lines` hold the C test's own lines and dump lines without the leading "# " (the reporter adds it);
// - `steps` is empty unless the run was asked for them (-v);
// - `outcome` and `departure` follow from `status` and `expected` by the table in verdict.ts.

import type { HugepageSize, ScenarioError, VerdictResult } from '../scenario/types.js';

/** What the test did on its own, before comparing with the verdict. */
export type TestStatus = 'pass' | 'fail' | 'skip';

/** The result as TAP reports it once the verdict is applied (kselftest's counters). */
export type Outcome = 'pass' | 'fail' | 'skip' | 'xfail' | 'xpass';

/**
 * How the result departs from the verdict: `fail` (a failure nobody expected), `xpass` (expected to fail,
 * passed), `skip` (a skip nobody expected), `unexpected-pass` (expected to skip, passed), or `none`.
 */
export type Departure = 'none' | 'fail' | 'xpass' | 'skip' | 'unexpected-pass';

/** One executed call step, for -v. */
export interface StepRecord {
  /** 1-based count of steps executed in the test (loop bodies count once per iteration). */
  readonly index: number;
  /** YAML line of the step. */
  readonly line: number;
  /** The call as C would spell it: `madvise(P+0x0, 0x1000, MADV_HWPOISON)`. */
  readonly call: string;
  /** `= 0`, `= -1 EINVAL`, `= 0x7f5e40200000`, `SIGBUS …`, or empty for print/dump/expect. */
  readonly ret: string;
  /** Signals the kernel sent during the step, one text each. */
  readonly signals: readonly string[];
  /** How many of the test's `lines` had been printed before this step ran (for interleaving). */
  readonly linesBefore: number;
  /** With --trace: the kernel path the step took, one line per traced call, indented by depth. */
  readonly trace?: readonly string[];
}

export interface TestResult {
  readonly name: string;
  readonly status: TestStatus;
  /** The verdict's expected result (pass when none applies). */
  readonly expected: VerdictResult;
  /** The verdict's reason, when it gives one. */
  readonly why?: string;
  readonly outcome: Outcome;
  readonly departure: Departure;
  /** Why the test skipped or failed, short (the text after `# SKIP`). */
  readonly reason?: string;
  /** The YAML line of the step that failed the test (status `fail` only; CI annotations point there). */
  readonly failedAt?: { readonly line: number };
  /** The C test's lines and dump lines, in order, without "# ". */
  readonly lines: readonly string[];
  /** The model summary lines (sigbus, mapped sizes, raw_hwp_list, HardwareCorrupted), without "# ". */
  readonly summary: readonly string[];
  /** File-level basis lines, then the test's own. */
  readonly basis: readonly string[];
  readonly steps: readonly StepRecord[];
}

/** A switch whose value differs from the profile's default. */
export interface SwitchChange {
  readonly name: string;
  readonly value: boolean;
}

export interface StreamResult {
  /** The scenario file as given, relative to the working directory. */
  readonly file: string;
  readonly scenario: string;
  readonly size: HugepageSize;
  readonly profile: string;
  readonly switches: readonly SwitchChange[];
  /** The tests run and reported; with `error`, those that finished before it. */
  readonly tests: readonly TestResult[];
  /**
   * The stream's own exit status, as the kselftest runner reads a binary's: 0, 1 (fail/xpass, or an
   * author error stopped it) or 4 (only skips).
   */
  readonly exitStatus: 0 | 1 | 4;
  /** Model operations the stream spent (its tests' steps plus the kernel's own operations). */
  readonly spent: number;
  /** An author error that stopped the stream (a bad value, the budget): positioned, as load errors are. */
  readonly error?: ScenarioError;
  /** With --check: how the stream's TAP compares with its golden (set by the CLI after the run). */
  readonly golden?: GoldenStatus;
}

/** A stream's golden under --check: the same, missing, or differing from its first differing line on. */
export type GoldenStatus =
  | { readonly kind: 'same'; readonly path: string }
  | { readonly kind: 'missing'; readonly path: string }
  | {
    readonly kind: 'different';
    readonly path: string;
    /** 1-based line of the first difference, and both sides of it (`<end of file>` past an end). */
    readonly line: number;
    readonly expected: string;
    readonly actual: string;
    /** Which part of the stream the line belongs to: `test "NAME"`, `the header` or `the totals`. */
    readonly test: string;
  };
