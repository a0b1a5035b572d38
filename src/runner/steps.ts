// The step table: each scenario step, spelled as the C selftests spell the call, mapped to a one-line
// description, the Kernel entry point it calls, and its handler (STYLE.md item 12; compare the LKMM's
// linux-kernel.def, which maps each kernel API spelling to model primitives).
//
// Handlers evaluate the step's expressions, turn flag names into the uapi bits, call the Kernel facade and
// return what happened; judging it against `expect:` / `on_error:` is the interpreter's job (run.ts).

import { FALLOC, MADV, MAP, MFD, PAGE_SIZE, PROT } from '../kernel/index.js';
import type { AccessResult, McePolicy, SysRet } from '../kernel/index.js';
import { MAX_NR_HUGEPAGES } from '../scenario/names.js';
import type { Expr, MceKillPolicy, StepArgs, StepName } from '../scenario/types.js';
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

const HSTATE_BYTES = { '2M': 2 * 1024 ** 2, '1G': 1024 ** 3 } as const;
const MCE_POLICY: { readonly [P in MceKillPolicy]: McePolicy } = {
  PR_MCE_KILL_EARLY: 'early', PR_MCE_KILL_LATE: 'late', PR_MCE_KILL_CLEAR: 'clear',
};
/** sizeof(struct uffd_msg): what a successful read(uffd) returns. */
const UFFD_MSG_SIZE = 32;
const OK: SysRet = { ok: true, value: 0 };
const poolUnsupported = (count: number): string => `a pool of ${count} hugepages: hgmsim models pools of at most ${MAX_NR_HUGEPAGES} hugepages per size`;
const PMD_SHARE_UNSUPPORTED =
  'a 2 MiB shared mapping covering a PUD-aligned 1 GiB range would share PMD tables (huge_pmd_share), which hgmsim does not model yet';

/** `uffd, P+0x0, 0x200000`: the common arguments of the UFFDIO_* range ioctls. */
function uffdRange(ctx: StepContext, a: { uffd: Expr; addr: Expr; length: Expr }): { uffd: number; addr: number; length: number; text: string } {
  const uffd = ctx.num(a.uffd);
  const addr = ctx.num(a.addr);
  const length = ctx.num(a.length);
  return { uffd, addr, length, text: `${uffd}, ${ctx.fmtAddr(addr)}, ${hex(length)}` };
}

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
      // Linux: mm/hugetlb.c:huge_pmd_share() — not modelled; refuse rather than diverge.
      if (ret.ok && ctx.kernel.pmdShareable(ctx.task, ret.value)) return { call, name: 'mmap', ret, unsupported: PMD_SHARE_UNSUPPORTED };
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
      // A thread blocked on userfaultfd stays blocked: it is not joined.
      if (ctx.kernel.alive(thread) && !(!access.ok && 'blocked' in access)) ctx.kernel.exit_thread(thread);
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
        else {
          const runs = a.length === undefined
            ? mappingRuns(ctx.kernel, ctx.task, m)
            : ctx.kernel.pageTableRuns(ctx.task, addr, addr + ctx.num(a.length));
          for (const line of runLines(runs, m)) ctx.say(line);
        }
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
    description: 'assert model state: mapping, raw_hwp_list, HardwareCorrupted, bytes, pool, refcount, mapcount, dmesg, ' +
      'signals per process, alive/dead, smaps, pagemap, mf_stats',
    entry: '',
    run: (ctx, a) => ({ call: 'expect', failures: checkState(ctx, a) }),
  },

  // --- processes and threads ---
  fork: {
    description: 'fork(): a child process named by `as` (hugetlb page tables copied only for uffd-wp/EVENT_FORK or an anon_vma)',
    entry: 'fork',
    run: (ctx, a) => {
      const readers = a.reader === undefined ? [] : [ctx.num(a.reader)];
      const ret = ctx.kernel.fork(ctx.task, readers);
      if (ret.ok) ctx.defineProcess(a.as, { pid: ret.value, tid: ret.value }, 'fork');
      return { call: readers.length ? `fork() [reader on uffd ${readers[0]}]` : 'fork()', name: 'fork', ret };
    },
  },
  spawn: {
    description: 'an unrelated process named by `as` (fork + exec of another binary): an empty mm',
    entry: 'spawn',
    run: (ctx, a) => {
      const task = ctx.kernel.spawn();
      ctx.defineProcess(a.as, task, 'spawn');
      return { call: 'spawn()', name: 'spawn', ret: { ok: true, value: task.pid } };
    },
  },
  thread: {
    description: 'pthread_create(): a thread of the acting process named by `as`; it idles until a step runs `in:` it',
    entry: 'clone_thread',
    run: (ctx, a) => {
      const task = ctx.kernel.clone_thread(ctx.task);
      ctx.defineThread(a.as, task);
      return { call: 'pthread_create()', name: 'pthread_create', ret: { ok: true, value: task.tid } };
    },
  },
  sigaction: {
    description: "sigaction(SIGBUS): record (the selftests' SA_SIGINFO handler, the start state), exit_thread, default (SIG_DFL), ignore",
    entry: 'sigaction',
    run: (ctx, a) => {
      ctx.kernel.sigaction(ctx.task, a.SIGBUS);
      return { call: `sigaction(SIGBUS, ${a.SIGBUS})`, name: 'sigaction', ret: OK };
    },
  },
  sigprocmask: {
    description: 'sigprocmask(SIG_BLOCK / SIG_UNBLOCK, {SIGBUS}) for the acting thread (AR ignores a block: the process dies)',
    entry: 'sigprocmask',
    run: (ctx, a) => {
      if (a.signals.length > 0) ctx.kernel.sigprocmask(ctx.task, a.how === 'block');
      const how = a.how === 'block' ? 'SIG_BLOCK' : 'SIG_UNBLOCK';
      return { call: `sigprocmask(${how}, {${[...new Set(a.signals)].join(', ')}})`, name: 'sigprocmask', ret: OK };
    },
  },
  prctl: {
    description: "prctl(PR_MCE_KILL, …): the acting thread's early/late kill policy (PR_MCE_KILL_CLEAR: follow the sysctl)",
    entry: 'prctl_mce_kill',
    run: (ctx, a) => {
      const args = a.PR_MCE_KILL === 'PR_MCE_KILL_CLEAR' ? 'PR_MCE_KILL_CLEAR' : `PR_MCE_KILL_SET, ${a.PR_MCE_KILL}`;
      return { call: `prctl(PR_MCE_KILL, ${args})`, name: 'prctl', ret: ctx.kernel.prctl_mce_kill(ctx.task, MCE_POLICY[a.PR_MCE_KILL]) };
    },
  },
  sysctl: {
    description: 'write /proc/sys/vm/…: memory_failure_early_kill, memory_failure_recovery, nr_hugepages',
    entry: 'sysctl',
    run: (ctx, a) => {
      const value = ctx.num(a.value);
      const call = `sysctl ${a.name}=${value}`;
      if (a.name === 'vm.nr_hugepages' && value > MAX_NR_HUGEPAGES) return { call, name: a.name, ret: OK, unsupported: poolUnsupported(value) };
      return { call, name: a.name, ret: ctx.kernel.sysctl(a.name, value) };
    },
  },
  nr_hugepages: {
    description: "resize a hugetlb pool (default: the run's size), as writing …/hugepages-<size>kB/nr_hugepages does",
    entry: 'set_nr_hugepages',
    run: (ctx, a) => {
      const size = a.size ? HSTATE_BYTES[a.size] : ctx.hugepagesz;
      const count = ctx.num(a.count);
      const call = `echo ${count} > /sys/kernel/mm/hugepages/hugepages-${size / 1024}kB/nr_hugepages`;
      if (count > MAX_NR_HUGEPAGES) return { call, name: 'nr_hugepages', ret: OK, unsupported: poolUnsupported(count) };
      return { call, name: 'nr_hugepages', ret: ctx.kernel.set_nr_hugepages(size, count) };
    },
  },

  // --- injectors ---
  corrupt_pfn: {
    description: 'write a pfn to /sys/kernel/debug/hwpoison/corrupt-pfn: memory_failure(pfn, MF_SW_SIMULATED)',
    entry: 'corrupt_pfn',
    run: (ctx, a) => {
      const pfn = ctx.num(a.pfn);
      const ret = ctx.kernel.corrupt_pfn(ctx.task, pfn);
      ctx.notePoisonedPfn(pfn);
      return { call: `echo ${hex(pfn)} > corrupt-pfn`, name: 'corrupt-pfn', ret };
    },
  },
  hard_offline_page: {
    description: 'write a physical address to /sys/devices/system/memory/hard_offline_page: memory_failure(pfn, 0)',
    entry: 'hard_offline_page',
    run: (ctx, a) => {
      const phys = ctx.num(a.phys);
      const ret = ctx.kernel.hard_offline_page(ctx.task, phys);
      ctx.notePoisonedPfn(Math.floor(phys / PAGE_SIZE));
      return { call: `echo ${hex(phys)} > hard_offline_page`, name: 'hard_offline_page', ret };
    },
  },
  pfn_of: {
    description: "bind `as` to the pfn of a page-cache page (fd, offset) or of the n-th free hugepage of the run's hstate",
    entry: 'pfnOfFile',
    run: (ctx, a) => {
      let pfn: number | null;
      let call: string;
      if ('free_hugepage' in a) {
        const n = ctx.num(a.free_hugepage);
        pfn = ctx.kernel.pfnOfFreeHugepage(ctx.hugepagesz, n);
        call = `pfn_of(free hugepage ${n})`;
      } else {
        const fd = ctx.num(a.fd);
        const offset = ctx.num(a.offset);
        pfn = ctx.kernel.pfnOfFile(ctx.task, fd, offset);
        call = `pfn_of(fd ${fd}, ${hex(offset)})`;
      }
      if (pfn === null) return { call: `${call} = none`, fail: 'pfn_of: no page' };
      ctx.bind(a.as, { value: BigInt(pfn), address: false });
      return { call: `${call} = ${hex(pfn)}` };
    },
  },
  mce: {
    description: "a consumed uncorrected error: the acting thread's load at addr raises memory_failure(pfn, MF_ACTION_REQUIRED), then kill_me_maybe()",
    entry: 'mce',
    run: (ctx, a) => {
      const addr = ctx.num(a.addr);
      const pfn = ctx.kernel.pfnOf(ctx.task, addr);
      const access = ctx.kernel.mce(ctx.task, addr);
      if (pfn !== null) ctx.notePoisonedPfn(pfn);
      return { call: `mce(${ctx.fmtAddr(addr)})`, access };
    },
  },

  // --- file I/O ---
  pread: {
    description: 'pread(fd, buf, length, offset): bytes read (v6.1: -EIO on a poisoned hugepage)',
    entry: 'pread',
    run: (ctx, a) => {
      const fd = ctx.num(a.fd);
      const length = ctx.num(a.length);
      const offset = ctx.num(a.offset);
      return { call: `pread(${fd}, buf, ${hex(length)}, ${hex(offset)})`, name: 'pread', ret: ctx.kernel.pread(ctx.task, fd, length, offset) };
    },
  },
  read: {
    description: 'read(fd, buf, length) at the file position, which it advances',
    entry: 'pread',
    run: (ctx, a) => {
      const fd = ctx.num(a.fd);
      const length = ctx.num(a.length);
      return { call: `read(${fd}, buf, ${hex(length)})`, name: 'read', ret: ctx.kernel.pread(ctx.task, fd, length) };
    },
  },
  pwrite: {
    description: 'pwrite(fd, buf, length, offset) (hugetlbfs has no write_iter: -EINVAL)',
    entry: 'pwrite',
    run: (ctx, a) => {
      const fd = ctx.num(a.fd);
      const length = ctx.num(a.length);
      const offset = ctx.num(a.offset);
      return { call: `pwrite(${fd}, buf, ${hex(length)}, ${hex(offset)})`, name: 'pwrite', ret: ctx.kernel.pwrite(ctx.task, fd, length, offset) };
    },
  },
  fallocate: {
    description: 'fallocate(fd, mode, offset, length): FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE removes page-cache hugepages',
    entry: 'fallocate',
    run: (ctx, a) => {
      const fd = ctx.num(a.fd);
      const offset = ctx.num(a.offset);
      const length = ctx.num(a.length);
      const call = `fallocate(${fd}, ${flagsText(a.mode)}, ${hex(offset)}, ${hex(length)})`;
      return { call, name: 'fallocate', ret: ctx.kernel.fallocate(ctx.task, fd, bits(FALLOC, a.mode), offset, length) };
    },
  },

  // --- userfaultfd ---
  userfaultfd: {
    description: 'userfaultfd(O_CLOEXEC | O_NONBLOCK), then UFFDIO_API with the features (UFFD_FEATURE_* without the prefix)',
    entry: 'userfaultfd',
    run: (ctx, a) => {
      const ret = ctx.kernel.userfaultfd(ctx.task);
      if (!ret.ok) return { call: 'userfaultfd(O_CLOEXEC|O_NONBLOCK)', name: 'userfaultfd', ret };
      ctx.bind(a.as, { value: BigInt(ret.value), address: false });
      const call = `userfaultfd(O_CLOEXEC|O_NONBLOCK) = ${ret.value}; ioctl(${ret.value}, UFFDIO_API, ${flagsText(a.features)})`;
      const api = ctx.kernel.uffdio_api(ctx.task, ret.value, a.features);
      return { call, name: 'UFFDIO_API', ret: api.ok ? ret : api };
    },
  },
  uffdio_register: {
    description: 'ioctl(uffd, UFFDIO_REGISTER, {range, mode: MISSING | WP | MINOR})',
    entry: 'uffdio_register',
    run: (ctx, a) => {
      const r = uffdRange(ctx, a);
      return {
        call: `ioctl(UFFDIO_REGISTER, ${r.text}, ${flagsText(a.mode)})`,
        name: 'UFFDIO_REGISTER',
        ret: ctx.kernel.uffdio_register(ctx.task, r.uffd, r.addr, r.length, a.mode),
      };
    },
  },
  uffdio_unregister: {
    description: 'ioctl(uffd, UFFDIO_UNREGISTER, {range})',
    entry: 'uffdio_unregister',
    run: (ctx, a) => {
      const r = uffdRange(ctx, a);
      return { call: `ioctl(UFFDIO_UNREGISTER, ${r.text})`, name: 'UFFDIO_UNREGISTER', ret: ctx.kernel.uffdio_unregister(ctx.task, r.uffd, r.addr, r.length) };
    },
  },
  uffdio_continue: {
    description: 'ioctl(uffd, UFFDIO_CONTINUE, {range}): map the page-cache pages of a MINOR-registered range',
    entry: 'uffdio_continue',
    run: (ctx, a) => {
      const r = uffdRange(ctx, a);
      return { call: `ioctl(UFFDIO_CONTINUE, ${r.text})`, name: 'UFFDIO_CONTINUE', ret: ctx.kernel.uffdio_continue(ctx.task, r.uffd, r.addr, r.length) };
    },
  },
  uffdio_writeprotect: {
    description: 'ioctl(uffd, UFFDIO_WRITEPROTECT, {range, mode: WP or 0}): set or clear uffd-wp',
    entry: 'uffdio_writeprotect',
    run: (ctx, a) => {
      const r = uffdRange(ctx, a);
      return {
        call: `ioctl(UFFDIO_WRITEPROTECT, ${r.text}, ${a.wp ? 'MODE_WP' : '0'})`,
        name: 'UFFDIO_WRITEPROTECT',
        ret: ctx.kernel.uffdio_writeprotect(ctx.task, r.uffd, r.addr, r.length, a.wp),
      };
    },
  },
  uffd_read: {
    description: 'read(uffd, &msg, sizeof(msg)): one event (FORK, PAGEFAULT), EAGAIN when none is queued; `as` binds its value',
    entry: 'uffd_read',
    run: (ctx, a) => {
      const uffd = ctx.num(a.uffd);
      const call = `read(${uffd}, &msg, ${UFFD_MSG_SIZE})`;
      const r = ctx.kernel.uffd_read(ctx.task, uffd);
      if ('errno' in r) return { call, name: 'read', ret: { ok: false, errno: r.errno } };
      if (a.as !== undefined) {
        ctx.bind(a.as, r.event === 'FORK'
          ? { value: BigInt(r.child_uffd), address: false }
          : { value: BigInt(r.address), address: true });
      }
      const what = r.event === 'FORK' ? `FORK child_uffd=${r.child_uffd}` : `PAGEFAULT ${ctx.fmtAddr(r.address)}${r.flags.length ? ` ${r.flags.join('|')}` : ''}`;
      return { call: `${call}: ${what}`, name: 'read', ret: { ok: true, value: UFFD_MSG_SIZE }, uffdEvent: r };
    },
  },
};

/** Step names in table order, for docs and help. */
export const STEP_NAMES = Object.keys(STEPS) as StepName[];
