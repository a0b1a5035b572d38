// The step registry: every step's scenario-side definition, in the order docs/scenarios.md and
// --help list them. A step exists once it is listed here (and the runner gives it a run: runner/steps/,
// which the compiler holds to this list).

import { close, fallocate, ftruncate, memfd_create, lseek, pread, pwrite, read } from './files.js';
import { access, check_range, madvise, memset, mmap, munmap } from './memory.js';
import { breakStep, dump, loss, print } from './observers.js';
import { expect } from './expect.js';
import { fork, prctl, sigaction, sigprocmask, spawn, thread } from './tasks.js';
import { exit } from './exit.js';
import { nr_hugepages, sysctl } from './system.js';
import { corrupt_pfn, hard_offline_page, mce, pfn_of, soft_offline_page } from './injectors.js';
import { uffd_read, uffdio_continue, uffdio_poison, uffdio_register, uffdio_unregister, uffdio_writeprotect, userfaultfd } from './uffd.js';
import type { AnyStepDef, ArgsOf } from './define.js';

/** Keyed by the name each definition carries (checked below), in docs order. */
export const STEP_DEFS = {
  memfd_create, ftruncate, mmap, munmap, close, access, memset, check_range, madvise, print, dump, loss, expect, break: breakStep,
  fork, spawn, thread, exit, sigaction, sigprocmask, prctl, sysctl, nr_hugepages,
  corrupt_pfn, hard_offline_page, soft_offline_page, pfn_of, mce,
  pread, read, lseek, pwrite, fallocate,
  userfaultfd, uffdio_register, uffdio_unregister, uffdio_continue, uffdio_writeprotect, uffdio_poison, uffd_read,
} as const;

// Compile-time: each key is its definition's own name.
void (STEP_DEFS satisfies { readonly [K in keyof typeof STEP_DEFS]: { readonly name: K } });

export type StepName = keyof typeof STEP_DEFS;
/** Arguments per step name, expressions already parsed: what each definition builds. */
export type StepArgs = { readonly [K in StepName]: ArgsOf<(typeof STEP_DEFS)[K]> };

/** Step names in registry order. */
export const STEP_NAMES = Object.keys(STEP_DEFS) as StepName[];

/** Every key that may start a step item: the call steps plus `let`, `set` and `for`. */
export const STEP_KEYS: readonly string[] = [...STEP_NAMES, 'let', 'set', 'for'];

/** Every definition by name, as generic code sees it. */
export const STEPS: { readonly [K in StepName]: AnyStepDef } = STEP_DEFS;
