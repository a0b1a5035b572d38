// The runner's output: plain records of what one scenario did under one hugepage size and one profile.
// Reporters (src/report/) turn these into text; they import these types only, never runner code.
//
// Invariants:
// - no text is worded here: addresses, signals, page-table runs, raw_hwp_list and failures are data,
//   resolved against the test's named mappings when the runner saw them (report/ words them);
// - `steps` is empty unless the run was asked for them (-v);
// - `outcome` and `departure` follow from `status` and `expected` by the table in verdict.ts.

import type { FindingId } from '../abi/index.js';
import type { Errno } from '../kernel/index.js';
import type { HugepageSize, ScenarioError, VerdictResult } from '../scenario/index.js';

/** What the test did on its own, before comparing with the verdict. */
export type TestStatus = 'pass' | 'fail' | 'skip';

/** The result as TAP reports it once the verdict is applied (kselftest's counters). */
export type Outcome = 'pass' | 'fail' | 'skip' | 'xfail' | 'xpass';

/**
 * How the result departs from the verdict: `fail` (a failure nobody expected), `xpass` (expected to fail,
 * passed), `skip` (a skip nobody expected), `unexpected-pass` (expected to skip, passed), or `none`.
 */
export type Departure = 'none' | 'fail' | 'xpass' | 'skip' | 'unexpected-pass';

/**
 * An address as the runner resolved it when it saw it: inside a mapping the test named (`mmap: {as: P}`,
 * the acting process's own names first) with the offset into it, or absolute when none covers it.
 */
export interface Address {
  readonly addr: number;
  readonly mapping?: { readonly name: string; readonly offset: number };
}

/** A signal's siginfo with its address resolved. `si_addr_lsb` is 0 when the signal carries none. */
export interface SignalInfo {
  readonly signo: string;
  readonly si_code: string;
  readonly si_addr: Address;
  readonly si_addr_lsb: number;
}

/** One signal the kernel sent during a step: to whom, how, and what became of it. */
export interface SignalRecord extends SignalInfo {
  /** The test's name for the receiving process; absent when the pid is none of the test's processes. */
  readonly process?: string;
  readonly pid: number;
  readonly tid: number;
  /** `forced` (force_sig: AR, faults) or `queued` (send_sig_mceerr: AO). */
  readonly how: 'forced' | 'queued';
  readonly outcome: 'delivered' | 'thread-exited' | 'pending' | 'ignored' | 'dropped' | 'killed';
}

/** The first items of a list and how many more there were (summaries cap long lists). */
export interface Capped<T> {
  readonly first: readonly T[];
  /** Items left out after `first`; 0 when the list is whole. */
  readonly more: number;
}

/** The signals one process received with one code over the test (dropped ones counted apart). */
export interface SignalGroup {
  readonly signo: string;
  readonly si_code: string;
  /**
   * Who received them: `main` (the test's own main process), a named process, or a pid that is none
   * of the test's processes.
   */
  readonly receiver: { readonly kind: 'main' } | { readonly kind: 'process'; readonly name: string } | { readonly kind: 'pid'; readonly pid: number };
  /** Signals not dropped. */
  readonly count: number;
  /** Signals dropped because one was already pending for the thread. */
  readonly dropped: number;
  /** Distinct (si_addr, si_addr_lsb) pairs among those not dropped, in order of arrival, capped. */
  readonly distinct: Capped<{ readonly si_addr: Address; readonly si_addr_lsb: number }>;
}

/** A process a signal's default action killed. */
export interface KillRecord {
  readonly process: string;
  readonly signo: string;
  readonly si_code: string;
}

/** An entry kind of the page-table model. */
export type EntryKind = 'none' | 'present' | 'hwpoison' | 'migration' | 'marker';

/** A run of `count` equal consecutive page-table entries of `size` bytes, offsets from a named mapping's start. */
export interface MappingRun {
  readonly start: number;
  readonly end: number;
  readonly size: number;
  readonly kind: EntryKind;
  readonly count: number;
}

/** A named mapping's page table at the end of the test, for the summary. */
export interface MappingRuns {
  readonly name: string;
  readonly runs: readonly MappingRun[];
}

/** A folio poisoned during the test and its raw_hwp_list at the end of it (capped). */
export interface PoisonedFolio {
  /** Its head as the test first saw it mapped. */
  readonly at: Address;
  readonly raw_hwp_list: Capped<number>;
}

/** What the model saw over the test, beyond what the test printed. */
export interface Observations {
  /** Signals by receiving process (main first, then in creation order) and code (in order of first arrival). */
  readonly signals: readonly SignalGroup[];
  readonly kills: readonly KillRecord[];
  /** Page tables of the named mappings still mapped in a live process, in mmap order. */
  readonly mappings: readonly MappingRuns[];
  /** Folios poisoned during the test, in order of injection, capped. */
  readonly poisoned: Capped<PoisonedFolio>;
  /** HardwareCorrupted at the end minus at the start, kB. */
  readonly hardwareCorruptedDelta: number;
}

/** A folio's facts as `dump: {raw_hwp_list: …}` shows them. */
export interface FolioFacts {
  readonly pfn: number;
  readonly size: number;
  readonly refcount: number;
  readonly mapcount: number;
  readonly hwpoison: boolean;
  readonly rawHwpUnreliable: boolean;
  readonly anon: boolean;
  readonly inPageCache: boolean;
  readonly raw_hwp_list: readonly number[];
}

/** /proc/meminfo values (kB where the file says kB). */
export interface MeminfoValues {
  readonly HardwareCorrupted: number;
  readonly HugePages_Total: number;
  readonly HugePages_Free: number;
  readonly HugePages_Rsvd: number;
  readonly HugePages_Surp: number;
  readonly Hugepagesize: number;
  readonly Hugetlb: number;
}

/** An `expect:` assertion that did not hold: what was compared, and both sides. */
export interface Mismatch {
  readonly what: string;
  readonly expected: string;
  readonly actual: string;
}

/** One page of a check_range that departed: it read another byte, raised a signal not asked for, or did not raise one. */
export type RangeDeparture =
  | { readonly kind: 'value'; readonly at: Address; readonly found: number }
  /** A signal at a load not listed under `sigbus:`, or a listed one with another si_code, si_addr or si_addr_lsb. */
  | { readonly kind: 'signal'; readonly at: Address; readonly signal: SignalInfo }
  /** A load listed under `sigbus:` that read instead. */
  | { readonly kind: 'no-signal'; readonly at: Address };

/** What a check_range found: its loads, the departures (the first few, by address) and where it stopped early. */
export interface RangeCheck {
  /** Loads the range asks for. */
  readonly pages: number;
  /** Loads made (fewer when it stopped). */
  readonly read: number;
  /** SIGBUSes the loads raised. */
  readonly sigbus: number;
  readonly departures: Capped<RangeDeparture>;
  /** The load the loop ended at: the acting thread was gone after it (its signal's action) or it blocked. */
  readonly stopped?: { readonly at: Address; readonly why: 'dead' | 'blocked' };
}

/** Why a test stopped (a failure, or a skip through `on_error: skip`). */
export type Failure =
  /** The acting process or thread is dead, or (main) was dead when the test began. */
  | { readonly kind: 'dead'; readonly what: 'process' | 'thread'; readonly name: string }
  /** `in:` names a process or thread whose fork/spawn/thread step failed. */
  | { readonly kind: 'missing'; readonly what: 'process' | 'thread'; readonly name: string }
  /** A standalone `expect:` step's mismatches (the first is the reason). */
  | { readonly kind: 'expect'; readonly line: number; readonly mismatches: readonly Mismatch[] }
  /** The step itself failed (pfn_of found no page): the handler's message. */
  | { readonly kind: 'step'; readonly message: string }
  /** The step's thread sleeps on a userfaultfd nobody serves and the step did not expect it. */
  | { readonly kind: 'blocked'; readonly line: number; readonly call: string; readonly uffd: number }
  /** A syscall failed with an errno nobody expected (` !!! NAME failed: strerror`). */
  | { readonly kind: 'errno'; readonly call: string; readonly errno: Errno }
  /** A call step's own `expect:` did not hold. */
  | { readonly kind: 'step-expect'; readonly line: number; readonly op: string; readonly expected: string; readonly actual: string }
  /** A memory access raised a signal nobody expected. */
  | { readonly kind: 'signal'; readonly line: number; readonly signal: SignalInfo }
  /** The step's call hit a kernel BUG: its thread died in the kernel (`# kernel BUG` on the result line). */
  | { readonly kind: 'bug'; readonly line: number; readonly call: string; readonly bug: BugFacts }
  /** The step's call sleeps for good on a lock a task died holding at a kernel BUG. */
  | { readonly kind: 'lock'; readonly line: number; readonly call: string; readonly lock: string; readonly holder: BugFacts }
  /** A check_range whose pages departed, or that stopped early; `call` is its -v call text. */
  | ({ readonly kind: 'range'; readonly line: number; readonly call: string } & RangeCheck);

/** A kernel BUG: where (the oops's file:line and the function RIP points into) and whose task it ended. */
export interface BugFacts {
  readonly file: string;
  readonly bugLine: number;
  readonly func: string;
  readonly pid: number;
  readonly comm: string;
  /** The sleeping locks the task died holding. */
  readonly locks: readonly string[];
}

/**
 * A finding (docs/findings.md): MAPPED, a raw page recorded in raw_hwp_list that an entry still maps
 * after an injection; RFC-F1…F6, the model ran a line of the RFC as posted that is known to be wrong.
 */
export interface Finding {
  readonly id: FindingId;
  /** The raw page concerned. */
  readonly pfn: number;
  /** Its index in the folio. */
  readonly raw: number;
  /** The address concerned, when there is one. */
  readonly at?: Address;
  /** The test's name for the process, or absent when the pid is none of the test's processes. */
  readonly process?: string;
  readonly pid: number;
  /** RFC-F3: the raw page index that belonged at that address. */
  readonly other?: number;
  /** RFC-F4: the folio's refcount after the extra put. */
  readonly count?: number;
  /** The YAML line of the step after which it was found. */
  readonly afterLine: number;
}

/**
 * What a process lost, as `loss:` reads it: a range of its address space (a named mapping) at the
 * step, the SIGBUSes it received over the test, and the pool when the test ended.
 */
export interface Loss {
  /** The named mapping the range starts in (its start as an address otherwise), and the range's length. */
  readonly at: Address;
  readonly length: number;
  /** Bytes of the range whose page-table entries are not present (hwpoison, none, migration, marker). */
  readonly unmapped: number;
  /** Bytes of the range mapped by present entries. */
  readonly readable: number;
  /** The SIGBUSes the acting process received in the test (not dropped), counted by si_addr_lsb, lsb ascending. */
  readonly sigbus: readonly { readonly lsb: number; readonly count: number }[];
  /** HugePages_Free when the test began minus when it ended: hugepages the pool can no longer hand out. */
  readonly poolLost: number;
  /** HugePages_Total when the test began minus when it ended: those of them dissolved out of the pool. */
  readonly dissolved: number;
}

/** One piece of a test's output, in order: the C test's own, dumps, failures, findings. */
export type OutputRecord =
  /** A `print:` step's text, interpolated (one line per line of it). */
  /** A print line; `prefix` replaces the default " ... " when the step gave one. */
  | { readonly kind: 'print'; readonly text: string; readonly prefix?: string }
  /** `dump: {mapping}`: runs of the named mapping's page table (`length`: the mapping's length). */
  | { readonly kind: 'runs'; readonly mapping: string; readonly length: number; readonly runs: readonly MappingRun[] }
  /** `dump: {mapping}` at an address no named mapping covers. */
  | { readonly kind: 'no-mapping'; readonly at: Address }
  /** `dump: {raw_hwp_list}`: the folio mapped there (null: none). */
  | { readonly kind: 'folio'; readonly at: Address; readonly folio: FolioFacts | null }
  | { readonly kind: 'meminfo'; readonly meminfo: MeminfoValues }
  /** `dump: {dmesg}`: one kernel log line of this test, in the kernel's own words. */
  | { readonly kind: 'dmesg'; readonly line: string }
  /** A ` !!! ` line: the failure that stopped the test, or (endsLoop) an errno that ended a loop (`on_error: break`). */
  | { readonly kind: 'failure'; readonly failure: Failure; readonly endsLoop?: true }
  | { readonly kind: 'finding'; readonly finding: Finding }
  /** `loss:`: what the process lost; recorded when the test ends (the pool is read then), after the test's own output. */
  | { readonly kind: 'loss'; readonly loss: Loss };

/** What a call step returned, for -v. */
export type StepReturn =
  /** print, dump and a step that returns nothing. */
  | { readonly kind: 'none' }
  /** A syscall's value; `address` when the step returns an address (printed in hex). */
  | { readonly kind: 'value'; readonly value: number; readonly address: boolean }
  | { readonly kind: 'errno'; readonly errno: Errno }
  /** A memory access: the byte read or written. */
  | { readonly kind: 'access'; readonly value: number }
  | { readonly kind: 'blocked'; readonly uffd: number }
  /** The call did not return: a kernel BUG ended its thread, or it sleeps on a lock a dead task holds. */
  | { readonly kind: 'halted'; readonly failure: Extract<Failure, { kind: 'bug' | 'lock' }> }
  /** A memory access that raised a signal. */
  | { readonly kind: 'signal'; readonly signal: SignalInfo }
  /** A standalone expect: how many assertions did not hold. */
  | { readonly kind: 'expect'; readonly mismatches: number }
  /** The step itself failed (pfn_of found no page): the handler's message. */
  | { readonly kind: 'failed'; readonly message: string }
  /** check_range: loads made, SIGBUSes they raised, pages that departed. */
  | { readonly kind: 'range'; readonly read: number; readonly sigbus: number; readonly departed: number };

/**
 * One executed call step, for -v. The call stays the text the step's handler spelt (C's spelling of
 * the call, with addresses relative to named mappings); its return and signals are data.
 */
export interface StepRecord {
  /** 1-based count of steps executed in the test (loop bodies count once per iteration). */
  readonly index: number;
  /** YAML line of the step. */
  readonly line: number;
  /** The thread the step acted in, when not main's main thread (`C`, `C.T`). */
  readonly in?: string;
  /** The call as C would spell it: `madvise(P+0x0, 0x1000, MADV_HWPOISON)`. */
  readonly call: string;
  readonly ret: StepReturn;
  /** Signals the kernel sent during the step. */
  readonly signals: readonly SignalRecord[];
  /** How many of the test's `output` records came before this step ran (for interleaving). */
  readonly outputBefore: number;
  /** With --trace: the kernel path the step took, one line per traced call, indented by depth (kernel text). */
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
  /** What stopped the test (status `fail` or `skip`); reporters word it after `# SKIP`. */
  readonly stop?: Failure;
  /** The YAML line of the step that failed the test (status `fail` only; CI annotations point there). */
  readonly failedAt?: { readonly line: number };
  /** The test's output in order: its own lines, dumps, failures, findings. */
  readonly output: readonly OutputRecord[];
  /** What the model saw over the test (signals, kills, mappings, raw_hwp_list, HardwareCorrupted). */
  readonly observations: Observations;
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
