// What an export produces: one C program per (scenario, hugepage size, profile), and what a machine
// needs to run it (the lab in src/lab boots a kernel with those needs).

import type { HugepageSize, ProfileName } from '../scenario/index.js';

/** One test of the program, as `prog -t N` runs it. */
export interface ExportedTest {
  /** 1-based, as the TAP line numbers it. */
  readonly number: number;
  readonly name: string;
  /** The scenario line of the test's `name:`. */
  readonly line: number;
}

/** What the program needs from the machine it runs on. */
export interface ProgramNeeds {
  /**
   * Hugepages to reserve at boot per size (the scenario's kernel.nr_hugepages); the program's own size
   * is the machine's default hugepage size (`default_hugepagesz=`), as the model's stream has it.
   */
  readonly pools: Readonly<Partial<Record<HugepageSize, number>>>;
  /** The most hugepages of the program's size any `nr_hugepages` step asks for: the memory must fit them. */
  readonly max_hugepages: number;
  /** Kernel modules the program uses, by name (`hwpoison_inject` for corrupt_pfn). */
  readonly modules: readonly string[];
  /** Guest memory to give the machine, MiB: the largest pool plus room for the kernel and the program. */
  readonly memoryMiB: number;
}

/** One exported program. */
export interface ExportedProgram {
  /** The scenario's `scenario:` name. */
  readonly scenario: string;
  /** The scenario file as it was given. */
  readonly file: string;
  readonly hugepagesz: HugepageSize;
  /** The profile whose `when: {profile}` steps the program performs (the kernel it is meant for). */
  readonly profile: ProfileName;
  /** Output stem `<file base>.<size>`, e.g. `hwpoison-shared.2M`. */
  readonly stem: string;
  /** The C source. */
  readonly source: string;
  /**
   * The tests in TAP order; `prog -t N` runs test N alone, prints its lines only and exits 0 once its
   * result line is printed (the outcome is in the TAP; any other status means the test did not finish).
   */
  readonly tests: readonly ExportedTest[];
  readonly needs: ProgramNeeds;
}

/**
 * What running `prog -t N` on a kernel gave: its stdout (the test's `#` lines and its `ok`/`not ok`
 * line), or why it did not finish (timeout, crash, nonzero exit) with whatever it printed before.
 */
export type KernelTestRun =
  | { readonly finished: true; readonly text: string }
  | { readonly finished: false; readonly text: string; readonly reason: string };
