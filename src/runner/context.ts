// What a step handler may use while a test runs: the kernel, the acting task, expression evaluation,
// name binding and the test's output. Implemented by TestRun in run.ts.

import type { AccessResult, Kernel, SysRet, TaskRef } from '../kernel/index.js';
import type { Expr, Interp } from '../scenario/types.js';
import type { Value } from './eval.js';

/** A mapping a test named with `mmap: {as: P}`, and the parts of it still mapped. */
export interface NamedMapping {
  readonly name: string;
  readonly start: number;
  readonly length: number;
  /** [start, end) pieces not yet munmap'ed, in address order. */
  live: { start: number; end: number }[];
}

export interface StepContext {
  readonly kernel: Kernel;
  /** The thread steps act from (the scenario's process `main`, thread `main`). */
  readonly task: TaskRef;
  /** The run's hugepage size in bytes. */
  readonly hugepagesz: number;
  value(e: Expr): Value;
  /** An expression as a Number (addresses and lengths are below 2^53). */
  num(e: Expr, what?: 'byte'): number;
  interp(i: Interp): string;
  bind(name: string, v: Value): void;
  addMapping(name: string, start: number, length: number): void;
  unmapRange(start: number, length: number): void;
  mappingOf(addr: number): NamedMapping | undefined;
  /** An address as `P+0x1000` inside a named mapping, else `0x…`. */
  fmtAddr(addr: number): string;
  /** Add a line of the C test's output (without "# "). */
  say(line: string): void;
  /** Folios in [addr, addr+length) may have been poisoned during this step: remember them for the summary. */
  notePoisoned(addr: number, length: number): void;
  /** HardwareCorrupted (kB) and the dmesg length when the test began. */
  readonly start: { readonly hardwareCorrupted: number; readonly dmesgLength: number };
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
  /** Standalone `expect:` mismatches, one text each. */
  readonly failures?: readonly string[];
}
