// What a step handler may use while a test runs: the kernel, the acting task, expression evaluation,
// name binding and the test's output records. Implemented by TestRun in run.ts.

import type { AccessResult, Kernel, MfStats, SignalEvent, SysRet, TaskRef, UffdEvent } from '../kernel/index.js';
import type { Expr, Interp, ScenarioErrorCode } from '../scenario/index.js';
import type { Value } from './eval.js';
import type { Address, Loss, Mismatch, OutputRecord, RangeCheck } from './results.js';

/** A mapping a test named with `mmap: {as: P}`, and the parts of it still mapped. */
export interface NamedMapping {
  readonly name: string;
  /** The process whose mmap made it (fork children share the address). */
  readonly pid: number;
  readonly start: number;
  readonly length: number;
  /** [start, end) pieces not yet munmap'ed, in address order. */
  live: { start: number; end: number }[];
}

export interface StepContext {
  readonly kernel: Kernel;
  /** The thread the current step acts in (`in:`; default: process `main`, thread `main`). */
  readonly task: TaskRef;
  /** Bind a process name (fork/spawn) to its main thread; the name also reads as its pid. */
  defineProcess(name: string, main: TaskRef, how: 'fork' | 'spawn'): void;
  /** Bind a thread name; the name also reads as its tid. */
  defineThread(name: string, task: TaskRef): void;
  /** The SIGBUS/SIGKILL signals process `name` received in this test so far and did not drop, in order. */
  signalsOf(name: string): readonly SignalEvent[];
  /** Whether process `name` is alive (undefined: no such process, its fork failed). */
  processAlive(name: string): boolean | undefined;
  /** The pid of process `name` (undefined: no such process, its fork failed). */
  processPid(name: string): number | undefined;
  /** The run's hugepage size in bytes. */
  readonly hugepagesz: number;
  value(e: Expr): Value;
  /** An author error at an expression (a value the step cannot take): positioned, exit 65. */
  authorError(at: Expr, code: ScenarioErrorCode, message: string): never;
  /** An expression as a Number (addresses and lengths are below 2^53). */
  num(e: Expr, what?: 'byte'): number;
  interp(i: Interp): string;
  bind(name: string, v: Value): void;
  addMapping(name: string, start: number, length: number): void;
  unmapRange(start: number, length: number): void;
  mappingOf(addr: number): NamedMapping | undefined;
  /** An address as `P+0x1000` inside a named mapping, else `0x…` (for the call texts of -v and expect's descriptions). */
  fmtAddr(addr: number): string;
  /** An address resolved against the named mappings (the acting process's own first). */
  address(addr: number): Address;
  /** Add a record to the test's output. */
  emit(record: OutputRecord): void;
  /** Folios in [addr, addr+length) may have been poisoned during this step: remember them for the summary. */
  notePoisoned(addr: number, length: number): void;
  /** The raw page `pfn` may have been poisoned: remember its folio if a named mapping of the acting process maps it. */
  notePoisonedPfn(pfn: number): void;
  /** The SIGBUSes process `pid` received in this test so far (not dropped), counted by si_addr_lsb, lsb ascending. */
  sigbusByLsb(pid: number): Loss['sigbus'];
  /** A `loss:` record to complete with the pool when the test ends and add to the output then. */
  lossAtEnd(loss: Omit<Loss, 'poolLost' | 'dissolved'>): void;
  /** HardwareCorrupted (kB), the dmesg length and the memory-failure stats (null: none on this kernel) when the test began. */
  readonly start: { readonly hardwareCorrupted: number; readonly dmesgLength: number; readonly mfStats: MfStats | null };
}

/** What one call step did, for the interpreter to judge against `expect:` / `on_error:`. */
export interface StepOutcome {
  /** The call as C would spell it, for -v. */
  readonly call: string;
  /** The name the C test prints in ` !!! NAME failed: …` (the madvise advice or the syscall). */
  readonly name?: string;
  readonly ret?: SysRet;
  readonly access?: AccessResult;
  /** The thread that acted, when not ctx.task (access from a new thread). */
  readonly actingTid?: number;
  /** Standalone `expect:` mismatches. */
  readonly failures?: readonly Mismatch[];
  /** `break`: the innermost loop ends here. */
  readonly breaksLoop?: true;
  /** A failure of the step itself, printed as ` !!! <fail>` (pfn_of found no page). */
  readonly fail?: string;
  /** uffd_read: the message read. */
  readonly uffdEvent?: UffdEvent;
  /** uffdio_poison: what the ioctl wrote to `updated` (bytes, or -errno). */
  readonly updated?: number;
  /** read/pread: the file range the bytes it returned came from (for `expect: {bytes}`). */
  readonly read?: { readonly fd: number; readonly offset: number; readonly count: number };
  /** check_range: what its loads found (a departure or an early stop fails the test). */
  readonly range?: RangeCheck;
  /** Model operations the step spent that the kernel's count does not hold (check_range's loads). */
  readonly ops?: number;
  /** A construct the model does not handle yet: the run stops with UNSUPPORTED at the step (exit 65). */
  readonly unsupported?: string;
}

/**
 * The userfaultfd a step's thread is left waiting on: a fault (access, memset, mce) or a syscall
 * (GUP in MADV_HWPOISON, a fork whose FORK message nobody reads) that sleeps in the kernel.
 */
export function blockedOn(o: StepOutcome): number | undefined {
  if (o.access !== undefined && !o.access.ok && 'blocked' in o.access) return o.access.uffd;
  if (o.ret !== undefined && !o.ret.ok && o.ret.blocked !== undefined) return o.ret.blocked.uffd;
  return undefined;
}
