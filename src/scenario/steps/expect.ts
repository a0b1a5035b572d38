// The `expect:` step: assertions on model state the C tests cannot see, each field defined in the
// expect-field registry (../expect/). An observer: it runs in a dead process unless one of its
// assertions reads that process's page tables or memory.

import { buildStateExpect, expectReadsMm, stateExpectSchema, type StateExpect } from '../expect/index.js';
import { defineStep } from './define.js';

export const expect = defineStep({
  name: 'expect',
  schema: stateExpectSchema,
  describe: 'assert model state: mapping, raw_hwp_list, HardwareCorrupted, bytes, pool, refcount, mapcount, dmesg, ' +
    'signals per process, alive/dead, smaps, pagemap, mf_stats',
  example: '- expect: {raw_hwp_list: {of: P, is: [3]}, mapping: {at: P, size: hugepagesz, kind: hwpoison}, HardwareCorrupted: +4 kB}',
  traits: { syscall: false, readsMm: (a: StateExpect) => expectReadsMm(a) },
  build: ({ src, x, data, path, scope }): StateExpect => buildStateExpect(src, x, data, path, scope),
});
