// The typed scenario: what the loader (scenario/load.ts) produces from a YAML file and what the runner
// consumes. Every expression keeps its source span so that a runtime error (an undefined name, a value
// outside [0, 2^64), a loop past the step budget) is reported at `file:line:col` like a load error.
//
// Invariants:
// - every Expr / Interp carries the span of the YAML scalar it came from (offsets into Scenario.text);
// - names used in expressions were checked by the loader against `let`, `as`, loop variables, built-in
//   names (BUILTIN_NAMES) and model names (MODEL_NAMES), in program order.

import type { ErrnoName, ProfileName, UffdFeature, UffdRangeIoctl, UffdRegisterMode } from '../abi/index.js';

/** Offsets into the scenario file's text, [start, end). */
export interface Span {
  readonly start: number;
  readonly end: number;
}

export type BinaryOp = '+' | '-' | '*' | '/' | '%' | '<<' | '>>' | '==' | '!=' | '<' | '<=' | '>' | '>=';
export type FunctionName = 'log2' | 'min' | 'max' | 'pfn' | 'phys';

/** An integer expression, evaluated in BigInt (scenario/expr.ts). */
export type Expr =
  | { readonly kind: 'lit'; readonly value: bigint; readonly span: Span }
  | { readonly kind: 'name'; readonly name: string; readonly span: Span }
  | { readonly kind: 'neg'; readonly arg: Expr; readonly span: Span }
  | { readonly kind: 'binary'; readonly op: BinaryOp; readonly left: Expr; readonly right: Expr; readonly span: Span }
  | { readonly kind: 'call'; readonly fn: FunctionName; readonly args: readonly Expr[]; readonly span: Span };

/**
 * A string with `{expr}` holes, as `print:` takes. `{expr}` prints decimal, except that an expression
 * whose value is an address (a name bound by `mmap`, or address + / - anything) prints like C's `%p`
 * (0x + lower-case hex). `{expr:x}` forces 0x-hex, `{expr:d}` forces decimal. `{{` and `}}` are literal braces.
 */
export interface Interp {
  readonly parts: readonly (string | { readonly expr: Expr; readonly format: 'auto' | 'x' | 'd' })[];
  readonly span: Span;
}

/** Names every expression may use without defining them. */
export const BUILTIN_NAMES = ['PAGE_SIZE', 'hugepagesz'] as const;
/** Model values readable in expressions (read at the moment the expression is evaluated). */
export const MODEL_NAMES = [
  'HardwareCorrupted', // kB, as /proc/meminfo prints it
  'HugePages_Total',
  'HugePages_Free',
  'HugePages_Rsvd',
  'HugePages_Surp',
] as const;
export type ModelName = (typeof MODEL_NAMES)[number];

/** Profile, errno and userfaultfd names are the project's vocabulary (src/abi), shared with the kernel. */
export type { ErrnoName, ProfileName } from '../abi/index.js';
/** UFFD_FEATURE_* without the prefix, as the kernel model takes them. */
export type UffdFeatureName = UffdFeature;
/** UFFDIO_REGISTER_MODE_* without the prefix. */
export type UffdModeName = UffdRegisterMode;

import type { HugepageSize } from '../abi/index.js';
export { HUGEPAGE_SIZES, type HugepageSize } from '../abi/index.js';


export type SigbusCode = 'BUS_ADRERR' | 'BUS_OBJERR' | 'BUS_MCEERR_AR' | 'BUS_MCEERR_AO';

export type MfdFlag = 'MFD_HUGETLB' | 'MFD_HUGE_2MB' | 'MFD_HUGE_1GB' | 'MFD_CLOEXEC' | 'MFD_MF_KEEP_UE_MAPPED';
export type MapFlag =
  | 'MAP_SHARED' | 'MAP_PRIVATE' | 'MAP_ANONYMOUS' | 'MAP_HUGETLB' | 'MAP_NORESERVE' | 'MAP_FIXED'
  | 'MAP_HUGE_2MB' | 'MAP_HUGE_1GB';
export type ProtFlag = 'PROT_READ' | 'PROT_WRITE';
export type MadviseAdvice = 'MADV_HWPOISON' | 'MADV_SOFT_OFFLINE' | 'MADV_SPLIT' | 'MADV_COLLAPSE' | 'MADV_DONTNEED' | 'MADV_REMOVE';
/** What the process does with SIGBUS: the selftests' recording handler (the start state), pthread_exit, SIG_DFL, SIG_IGN. */
export type SigbusActionName = 'record' | 'exit_thread' | 'default' | 'ignore';
export type MceKillPolicy = 'PR_MCE_KILL_EARLY' | 'PR_MCE_KILL_LATE' | 'PR_MCE_KILL_CLEAR';
export type SysctlName = 'vm.memory_failure_early_kill' | 'vm.memory_failure_recovery' | 'vm.nr_hugepages';
export type FallocFlag = 'FALLOC_FL_PUNCH_HOLE' | 'FALLOC_FL_KEEP_SIZE';
export type SeekWhence = 'SEEK_SET' | 'SEEK_CUR' | 'SEEK_END' | 'SEEK_DATA' | 'SEEK_HOLE';
export type UffdEventName = 'FORK' | 'PAGEFAULT';

/** What a step's own `expect:` compares with what the kernel returned during that step. */
export interface StepExpect {
  /** Return value (syscalls: the value on success). */
  readonly ret?: Expr;
  /** The step fails with this errno. */
  readonly errno?: ErrnoName;
  /** The SIGBUS the step raised in the acting thread; 'none' = no signal at all. */
  readonly sigbus?: SigbusCode | 'none';
  readonly si_addr?: Expr;
  readonly si_addr_lsb?: Expr;
  /** `access` with op read: the byte read. */
  readonly value?: Expr;
  /** access / memset / mce: the fault waits for a userfaultfd monitor (true) or must not (false). */
  readonly blocked?: boolean;
  /** The call hits a kernel BUG in this function (the function the oops names). */
  readonly bug?: string;
  /** uffd_read: the message's event. */
  readonly event?: UffdEventName;
  /** uffd_read PAGEFAULT: the fault address in the message. */
  readonly address?: Expr;
  /** read/pread: every byte the call returned equals this. */
  readonly bytes?: Expr;
  /** uffdio_register: the range ioctls it reports, exactly. */
  readonly ioctls?: readonly UffdRangeIoctl[];
  /** uffdio_poison: the bytes it wrote to `updated`. */
  readonly updated?: Expr;
  /** uffdio_poison: `updated` holds -errno. */
  readonly updated_errno?: ErrnoName;
}

/** A fault point's plan: the first `skip` attempts succeed, the `fail` after them fail, the rest succeed. */
export interface FaultPlan {
  readonly skip: bigint;
  readonly fail: bigint;
}

/** HardwareCorrupted as `+8 kB` (delta since the test started) or `8 kB` (absolute). */
export interface KbAmount {
  readonly delta: boolean;
  readonly kB: bigint;
  readonly span: Span;
}

export type EntryKind = 'none' | 'present' | 'hwpoison' | 'migration' | 'marker';

/**
 * `in: C` (process C's main thread), `in: T` (thread T, in whichever process made it) or `in: C.T`
 * (thread T of process C; `C.main` is C's main thread). Names were checked by the loader.
 */
export interface TaskName {
  /** Resolved by the loader: the thread's process when only a thread was named. */
  readonly process: string;
  readonly thread?: string;
  readonly span: Span;
}

/** One signal a process received, as `expect: {signals: {C: [...]}}` lists it. */
export type SignalExpect =
  | { readonly sigbus: SigbusCode; readonly si_addr?: Expr; readonly si_addr_lsb?: Expr; readonly span: Span }
  | { readonly sigkill: true; readonly span: Span };

/** A counter compared absolutely (`3`) or as the change since the test started (`+1`). */
export interface CountExpect {
  readonly delta: boolean;
  readonly value: Expr;
}

export type MfStatName = 'total' | 'ignored' | 'failed' | 'delayed' | 'recovered';
export type SmapsField =
  | 'Size' | 'KernelPageSize' | 'MMUPageSize' | 'Rss' | 'Pss' | 'Shared_Hugetlb' | 'Private_Hugetlb' | 'Swap' | 'Locked'
  | 'HugetlbPudMapped' | 'HugetlbPmdMapped' | 'HugetlbPteMapped';
export type PagemapBit = 'present' | 'swapped' | 'file_shared' | 'exclusive' | 'uffd_wp';

/** A standalone `expect:` step's assertions: derived from the expect-field registry (expect/index.ts). */
export type { ExpectFieldName, StateExpect } from './expect/index.js';

/** Arguments per step name and the step names: derived from the step registry (steps/index.ts). */
export type { StepArgs, StepName } from './steps/index.js';
import type { StepArgs, StepName } from './steps/index.js';

interface StepCommon {
  /** 1-based line and column of the step's first key, for messages and annotations. */
  readonly line: number;
  readonly col: number;
  readonly span: Span;
}

/** `when:` on a step or a test: each condition given must hold for the stream (and `holds`, steps only, at the step). */
export interface StepWhen {
  readonly hugepagesz?: readonly HugepageSize[];
  readonly profile?: readonly ProfileName[];
  /** Steps only: evaluated when the step is reached; 0 skips the step. */
  readonly holds?: Expr;
}

/** A call step: one step of the registry (steps/index.ts), its arguments built by that definition. */
export type CallStep = {
  [K in StepName]: StepCommon & {
    readonly kind: 'call';
    readonly op: K;
    readonly args: StepArgs[K];
    /** Only on syscall-like steps (not print/dump/expect). */
    readonly expect?: StepExpect;
    /**
     * 'skip': an errno nobody expected ends the test as SKIP (the C tests' `goto out`); 'break': it
     * prints the failure line and ends the innermost loop (the C tests' `perror(); break;`).
     */
    readonly on_error?: 'skip' | 'break';
    /** Run the step only in streams of these hugepage sizes and profiles (syscall steps, dump and expect). */
    readonly when?: StepWhen;
    /** The thread the step acts in (absent: process main, thread main). */
    readonly in?: TaskName;
  };
}[StepName];

/**
 * `for: {k: A .. B}` (inclusive), an optional `let:` evaluated per iteration, an optional `while:`
 * evaluated per iteration after the variable and `let:` are bound (0 ends the loop), and `do:`.
 */
export interface ForStep extends StepCommon {
  readonly kind: 'for';
  readonly var: string;
  readonly from: Expr;
  readonly to: Expr;
  readonly let: readonly LetBinding[];
  readonly while?: Expr;
  readonly body: readonly Step[];
}

/** `let:` as a step: binds names for the rest of the test. */
export interface LetStep extends StepCommon {
  readonly kind: 'let';
  readonly bindings: readonly LetBinding[];
}

/** `set:` as a step: rebinds names a `let:` of this test bound earlier (a loop's running total). */
export interface SetStep extends StepCommon {
  readonly kind: 'set';
  readonly bindings: readonly LetBinding[];
}

export type Step = CallStep | ForStep | LetStep | SetStep;

export interface LetBinding {
  readonly name: string;
  readonly expr: Expr;
}

export type VerdictResult = 'pass' | 'skip' | 'fail';
export interface Verdict {
  readonly result: VerdictResult;
  /** Printed after `# XFAIL` / kept for reports. */
  readonly why?: string;
}
/** Per profile: `default` and/or per-test-name verdicts. */
export interface ProfileVerdicts {
  readonly default?: Verdict;
  readonly tests: ReadonlyMap<string, Verdict>;
}

export interface TestCase {
  readonly name: string;
  readonly line: number;
  readonly col: number;
  /** `# basis:` lines printed before this test's result (kernel-semantics.md sections, commits, …). */
  readonly basis: readonly string[];
  /** Run (and plan) the test only in streams of these sizes and profiles. */
  readonly when?: StepWhen;
  readonly steps: readonly Step[];
}

export interface KernelConfig {
  readonly profile: ProfileName;
  /** One run (TAP stream) per listed size, in the order given. */
  readonly hugepagesz: readonly HugepageSize[];
  /**
   * `nr_hugepages: 8` sets the pool of the run's own hstate (other hstates stay empty);
   * `nr_hugepages: {2M: 16, 1G: 2}` sets each hstate's pool. Default: 8 of the run's size.
   */
  readonly nr_hugepages: bigint | ReadonlyMap<HugepageSize, bigint>;
  /**
   * `switches: {rfc_posted_split_walk_from_head: false}`: boolean profile switches overridden for every
   * run of the file, whichever profile it runs under (names: src/abi SWITCH_NAMES). Default: none.
   */
  readonly switches: ReadonlyMap<string, boolean>;
  /**
   * `faults: {raw_hwp_page_alloc: 1}`: per fault-injection point (src/abi FAULT_POINTS), which attempts
   * there fail, counted from boot: `1` the first one; `{skip: 1, fail: 1}` the second. Default: none.
   */
  readonly faults: ReadonlyMap<string, FaultPlan>;
}

export interface Scenario {
  /** The path as given on the command line (relative to the working directory). */
  readonly file: string;
  readonly text: string;
  readonly name: string;
  readonly mirrors?: string;
  /** File-level `basis:` lines, printed for every test before the test's own. */
  readonly basis: readonly string[];
  readonly kernel: KernelConfig;
  readonly let: readonly LetBinding[];
  readonly verdicts: ReadonlyMap<ProfileName, ProfileVerdicts>;
  readonly tests: readonly TestCase[];
}

/** Loader and runtime error codes (docs/errors.md gives one sentence per code). */
export type ScenarioErrorCode =
  | 'YAML_SYNTAX' // the yaml library reported a syntax error (its own code is in the message)
  | 'UNKNOWN_STEP'
  | 'UNKNOWN_FIELD'
  | 'MISSING_FIELD'
  | 'BAD_TYPE'
  | 'BAD_VALUE' // wrong enum value, malformed unit, …
  | 'BAD_EXPR' // expression syntax
  | 'UNDEFINED_NAME'
  | 'DUPLICATE_NAME'
  | 'OUT_OF_RANGE' // a value outside [0, 2^64), division by zero, log2 of 0
  | 'STEP_BUDGET' // more than 10^6 model operations in one test
  | 'STREAM_BUDGET' // more than 4 * 10^6 model operations in one stream (all tests of a file, one size and profile)
  | 'RUN_BUDGET' // more than the run's budget of model operations, all streams together
  | 'BAD_VERDICT' // a verdict naming an unknown test or profile
  | 'NOT_ADDRESS' // pfn()/phys() of an address with no present entry, and similar runtime lookups
  | 'UNSUPPORTED'; // a valid-looking construct this version does not model yet

export interface ScenarioError {
  readonly code: ScenarioErrorCode;
  readonly message: string;
  readonly file: string;
  readonly line: number; // 1-based
  readonly col: number; // 1-based
  readonly span: Span;
}
