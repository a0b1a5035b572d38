// Memory steps: mapping (mmap(2), munmap(2), madvise(2)) and touching it (a byte access, memset(3)).

import { MADV, MAP, PROT } from '../../kernel/index.js';
import type { AccessResult, SysRet } from '../../kernel/index.js';
import type { StepContext, StepOutcome } from '../context.js';
import { hex } from '../eval.js';
import { bits, flagsText } from './helpers.js';
import type { StepRun } from './run.js';

const PMD_SHARE_UNSUPPORTED =
  'a 2 MiB shared mapping covering a PUD-aligned 1 GiB range would share PMD tables (huge_pmd_share), which hgmsim does not model yet';

/** Access one byte as the selftests' test_sigbus thread does: read it, and for a write store it back. */
function touch(ctx: StepContext, tid: { pid: number; tid: number }, addr: number, op: 'read' | 'write', value?: number): AccessResult {
  if (op === 'read' || value !== undefined) return ctx.kernel.access(tid, addr, op, value);
  const read = ctx.kernel.access(tid, addr, 'read');
  return read.ok ? ctx.kernel.access(tid, addr, 'write', read.value) : read;
}

export const mmap: StepRun<'mmap'> = (ctx, a) => {
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
  };

export const munmap: StepRun<'munmap'> = (ctx, a) => {
    const addr = ctx.num(a.addr);
    const length = ctx.num(a.length);
    const call = `munmap(${ctx.fmtAddr(addr)}, ${hex(length)})`;
    const ret = ctx.kernel.munmap(ctx.task, addr, length);
    if (ret.ok) ctx.unmapRange(addr, length);
    return { call, name: 'munmap', ret };
  };

export const access: StepRun<'access'> = (ctx, a) => {
    const addr = ctx.num(a.addr);
    const value = a.value ? ctx.num(a.value, 'byte') : undefined;
    if (a.in_thread !== 'new') return new AccessOutcome(ctx, addr, a.op, value, touch(ctx, ctx.task, addr, a.op, value));
    // test_sigbus(): pthread_create, touch, pthread_join. The new thread starts with the SIGBUS handler
    // the selftests install (SA_SIGINFO, records siginfo, then pthread_exit).
    const thread = ctx.kernel.clone_thread(ctx.task);
    const access = touch(ctx, thread, addr, a.op, value);
    // A thread blocked on userfaultfd stays blocked: it is not joined.
    if (ctx.kernel.alive(thread) && !(!access.ok && 'blocked' in access)) ctx.kernel.exit_thread(thread);
    return new AccessOutcome(ctx, addr, a.op, value, access, thread.tid);
  };

/**
 * What an access step did. Its call text is built only when read (-v, a failure, show), within the
 * step, while the names it resolves against stand as they did: a probe loop runs hundreds of thousands
 * of accesses and reads the text of none.
 */
class AccessOutcome implements StepOutcome {
  constructor(
    private readonly ctx: StepContext,
    private readonly addr: number,
    private readonly op: 'read' | 'write',
    private readonly value: number | undefined,
    readonly access: AccessResult,
    /** The new thread the access ran in (`in_thread: new`). */
    readonly actingTid?: number,
  ) {}

  get call(): string {
    const what = `access(${this.ctx.fmtAddr(this.addr)}, ${this.op}${this.value !== undefined ? `, ${this.value}` : ''})`;
    return this.actingTid === undefined ? what : `${what} in new thread ${this.actingTid}`;
  }
}

export const memset: StepRun<'memset'> = (ctx, a) => {
    const addr = ctx.num(a.addr);
    const length = ctx.num(a.length);
    const value = ctx.num(a.value, 'byte');
    return { call: `memset(${ctx.fmtAddr(addr)}, ${value}, ${hex(length)})`, access: ctx.kernel.memset(ctx.task, addr, length, value) };
  };

export const madvise: StepRun<'madvise'> = (ctx, a) => {
    const addr = ctx.num(a.addr);
    const length = ctx.num(a.length);
    const call = `madvise(${ctx.fmtAddr(addr)}, ${hex(length)}, ${a.advice})`;
    const ret: SysRet = ctx.kernel.madvise(ctx.task, addr, length, MADV[a.advice]);
    if (a.advice === 'MADV_HWPOISON') ctx.notePoisoned(addr, length);
    return { call, name: a.advice, ret };
  };
