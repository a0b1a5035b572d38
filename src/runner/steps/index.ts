// The runner's step table: each step's handler, keyed by the names of the scenario's step registry
// (scenario/steps/). The type makes a step without a handler a compile error.

import { close, fallocate, ftruncate, memfd_create, lseek, pread, pwrite, read } from './files.js';
import { access, madvise, memset, mmap, munmap } from './memory.js';
import { check_range } from './range.js';
import { breakStep, dump, expect, loss, print } from './observers.js';
import { fork, prctl, sigaction, sigprocmask, spawn, thread } from './tasks.js';
import { exit } from './exit.js';
import { nr_hugepages, sysctl } from './system.js';
import { corrupt_pfn, hard_offline_page, mce, pfn_of, soft_offline_page } from './injectors.js';
import { uffd_read, uffdio_continue, uffdio_poison, uffdio_register, uffdio_unregister, uffdio_writeprotect, userfaultfd } from './uffd.js';
import type { StepName } from '../../scenario/index.js';
import type { StepRun } from './run.js';

export type { StepRun } from './run.js';

export const RUNS: { readonly [K in StepName]: StepRun<K> } = {
  memfd_create, ftruncate, mmap, munmap, close, access, memset, check_range, madvise, print, dump, loss, expect, break: breakStep,
  fork, spawn, thread, exit, sigaction, sigprocmask, prctl, sysctl, nr_hugepages,
  corrupt_pfn, hard_offline_page, soft_offline_page, pfn_of, mce,
  pread, read, lseek, pwrite, fallocate,
  userfaultfd, uffdio_register, uffdio_unregister, uffdio_continue, uffdio_writeprotect, uffdio_poison, uffd_read,
};
