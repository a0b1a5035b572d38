// The step table: each scenario step, spelled as the C selftests spell the call, mapped to a one-line
// description, the Kernel entry point it calls, and its handler (STYLE.md item 12; compare the LKMM's
// linux-kernel.def, which maps each kernel API spelling to model primitives).
//
// Handlers evaluate the step's expressions, turn flag names into the uapi bits, call the Kernel facade and
// return what happened; judging it against `expect:` / `on_error:` is the interpreter's job (run.ts).

import { MADV, MAP, MFD, PROT } from '../kernel/index.js';
import type { AccessResult, SysRet } from '../kernel/index.js';
import type { StepArgs, StepName } from '../scenario/types.js';
import type { StepContext, StepOutcome } from './context.js';
import { hex } from './eval.js';
import { folioLine, mappingRuns, meminfoLines, runLines } from './observe.js';
import { checkState } from './state-expect.js';

export interface StepSpec<K extends StepName> {
  /** One line for docs, --help and the schema. */
  readonly description: string;
  /** The Kernel facade method the step calls ('' when it only observes or prints). */
  readonly entry: string;
  readonly run: (ctx: StepContext, args: StepArgs[K]) => StepOutcome;
}

/** The bits of a list of flag names, summed without 32-bit bitwise operators (MAP_HUGE_1GB > 2^31). */
function bits<N extends string>(table: Readonly<Record<N, number>>, names: readonly N[]): number {
  return [...new Set(names)].reduce((acc, n) => acc + table[n], 0);
}

const flagsText = (names: readonly string[]): string => (names.length ? names.join('|') : '0');

/** Access one byte as the selftests' test_sigbus thread does: read it, and for a write store it back. */
function touch(ctx: StepContext, tid: { pid: number; tid: number }, addr: number, op: 'read' | 'write', value?: number): AccessResult {
  if (op === 'read' || value !== undefined) return ctx.kernel.access(tid, addr, op, value);
  const read = ctx.kernel.access(tid, addr, 'read');
  return read.ok ? ctx.kernel.access(tid, addr, 'write', read.value) : read;
}

export const STEPS: { readonly [K in StepName]: StepSpec<K> } = {
  memfd_create: {
    description: 'memfd_create(name, flags): a hugetlbfs file (MFD_HUGETLB; the model has no other memory)',
    entry: 'memfd_create',
    run: (ctx, a) => {
      const name = a.name ?? a.as;
      const ret = ctx.kernel.memfd_create(ctx.task, name, bits(MFD, a.flags));
      if (ret.ok) ctx.bind(a.as, { value: BigInt(ret.value), address: false });
      return { call: `memfd_create("${name}", ${flagsText(a.flags)})`, name: 'memfd_create', ret };
    },
  },
  ftruncate: {
    description: 'ftruncate(fd, length): set the file size (hugetlbfs: a multiple of the hugepage size)',
    entry: 'ftruncate',
    run: (ctx, a) => {
      const fd = ctx.num(a.fd);
      const length = ctx.num(a.length);
      return { call: `ftruncate(${fd}, ${hex(length)})`, name: 'ftruncate', ret: ctx.kernel.ftruncate(ctx.task, fd, length) };
    },
  },
  mmap: {
    description: 'mmap(addr, length, prot, flags, fd, offset): map a file or anonymous memory; `as` names the address',
    entry: 'mmap',
    run: (ctx, a) => {
      const addr = a.addr ? ctx.num(a.addr) : 0;
      const length = ctx.num(a.length);
      const prot = a.prot ?? ['PROT_READ', 'PROT_WRITE'];
      const fd = a.fd ? ctx.num(a.fd) : -1;
      const offset = a.offset ? ctx.num(a.offset) : 0;
      const ret = ctx.kernel.mmap(ctx.task, addr, length, bits(PROT, prot), bits(MAP, a.flags), fd, offset);
      if (ret.ok) {
        ctx.bind(a.as, { value: BigInt(ret.value), address: true });
        ctx.addMapping(a.as, ret.value, length);
      }
      const call = `mmap(${hex(addr)}, ${hex(length)}, ${flagsText(prot)}, ${flagsText(a.flags)}, ${fd}, ${hex(offset)})`;
      return { call, name: 'mmap', ret };
    },
  },
  munmap: {
    description: 'munmap(addr, length): remove mappings',
    entry: 'munmap',
    run: (ctx, a) => {
      const addr = ctx.num(a.addr);
      const length = ctx.num(a.length);
      const call = `munmap(${ctx.fmtAddr(addr)}, ${hex(length)})`;
      const ret = ctx.kernel.munmap(ctx.task, addr, length);
      if (ret.ok) ctx.unmapRange(addr, length);
      return { call, name: 'munmap', ret };
    },
  },
  close: {
    description: 'close(fd)',
    entry: 'close',
    run: (ctx, a) => {
      const fd = ctx.num(a.fd);
      return { call: `close(${fd})`, name: 'close', ret: ctx.kernel.close(ctx.task, fd) };
    },
  },
  access: {
    description: 'a one-byte load or store; `in_thread: new` touches from a fresh thread, as test_sigbus() does',
    entry: 'access',
    run: (ctx, a) => {
      const addr = ctx.num(a.addr);
      const value = a.value ? ctx.num(a.value, 'byte') : undefined;
      const what = `access(${ctx.fmtAddr(addr)}, ${a.op}${value !== undefined ? `, ${value}` : ''})`;
      if (a.in_thread !== 'new') return { call: what, access: touch(ctx, ctx.task, addr, a.op, value) };
      // test_sigbus(): pthread_create, touch, pthread_join. The new thread starts with the SIGBUS handler
      // the selftests install (SA_SIGINFO, records siginfo, then pthread_exit).
      const thread = ctx.kernel.clone_thread(ctx.task);
      const access = touch(ctx, thread, addr, a.op, value);
      if (ctx.kernel.alive(thread)) ctx.kernel.exit_thread(thread);
      return { call: `${what} in new thread ${thread.tid}`, access, actingTid: thread.tid };
    },
  },
  memset: {
    description: 'memset(addr, value, length) from the current thread; stops at the first byte that faults',
    entry: 'memset',
    run: (ctx, a) => {
      const addr = ctx.num(a.addr);
      const length = ctx.num(a.length);
      const value = ctx.num(a.value, 'byte');
      return { call: `memset(${ctx.fmtAddr(addr)}, ${value}, ${hex(length)})`, access: ctx.kernel.memset(ctx.task, addr, length, value) };
    },
  },
  madvise: {
    description: 'madvise(addr, length, advice): MADV_HWPOISON injects (GUP first); MADV_SPLIT belongs to HGM (EINVAL on v6.1)',
    entry: 'madvise',
    run: (ctx, a) => {
      const addr = ctx.num(a.addr);
      const length = ctx.num(a.length);
      const call = `madvise(${ctx.fmtAddr(addr)}, ${hex(length)}, ${a.advice})`;
      const ret: SysRet = ctx.kernel.madvise(ctx.task, addr, length, MADV[a.advice]);
      if (a.advice === 'MADV_HWPOISON') ctx.notePoisoned(addr, length);
      return { call, name: a.advice, ret };
    },
  },
  print: {
    description: 'print a line as the C test does (" ... " prefix); {expr} holes, addresses as %p',
    entry: '',
    run: (ctx, a) => {
      for (const line of ctx.interp(a.text).split('\n')) ctx.say(` ... ${line}`);
      return { call: 'print' };
    },
  },
  dump: {
    description: "print state as '# ' lines: a mapping's page-table runs, a folio's raw_hwp_list, meminfo, dmesg",
    entry: '',
    run: (ctx, a) => {
      if (a.mapping) {
        const addr = ctx.num(a.mapping);
        const m = ctx.mappingOf(addr);
        if (!m) ctx.say(`dump: no named mapping at ${ctx.fmtAddr(addr)}`);
        else for (const line of runLines(mappingRuns(ctx.kernel, ctx.task, m), m)) ctx.say(line);
      }
      if (a.raw_hwp_list) {
        const addr = ctx.num(a.raw_hwp_list);
        const folio = ctx.kernel.folioAt(ctx.task, addr);
        ctx.say(folio ? folioLine(ctx.fmtAddr(addr), folio) : `folio(${ctx.fmtAddr(addr)}): none`);
      }
      if (a.meminfo) for (const line of meminfoLines(ctx.kernel.meminfo())) ctx.say(line);
      if (a.dmesg) for (const line of ctx.kernel.dmesg.slice(ctx.start.dmesgLength)) ctx.say(`dmesg: ${line}`);
      return { call: 'dump' };
    },
  },
  expect: {
    description: 'assert model state: mapping size/kind, raw_hwp_list, HardwareCorrupted, bytes, pool, refcount, mapcount, dmesg',
    entry: '',
    run: (ctx, a) => ({ call: 'expect', failures: checkState(ctx, a) }),
  },
};

/** Step names in table order, for docs and help. */
export const STEP_NAMES = Object.keys(STEPS) as StepName[];
