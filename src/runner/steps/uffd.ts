// userfaultfd steps: userfaultfd(2) with UFFDIO_API, the range ioctls, and read(uffd).

import type { Expr } from '../../scenario/index.js';
import type { StepContext } from '../context.js';
import { hex } from '../eval.js';
import { flagsText } from './helpers.js';
import type { StepRun } from './run.js';

/** sizeof(struct uffd_msg): what a successful read(uffd) returns. */
const UFFD_MSG_SIZE = 32;

/** `uffd, P+0x0, 0x200000`: the common arguments of the UFFDIO_* range ioctls. */
function uffdRange(ctx: StepContext, a: { uffd: Expr; addr: Expr; length: Expr }): { uffd: number; addr: number; length: number; text: string } {
  const uffd = ctx.num(a.uffd);
  const addr = ctx.num(a.addr);
  const length = ctx.num(a.length);
  return { uffd, addr, length, text: `${uffd}, ${ctx.fmtAddr(addr)}, ${hex(length)}` };
}

export const userfaultfd: StepRun<'userfaultfd'> = (ctx, a) => {
    const ret = ctx.kernel.userfaultfd(ctx.task);
    if (!ret.ok) return { call: 'userfaultfd(O_CLOEXEC|O_NONBLOCK)', name: 'userfaultfd', ret };
    ctx.bind(a.as, { value: BigInt(ret.value), address: false });
    const call = `userfaultfd(O_CLOEXEC|O_NONBLOCK) = ${ret.value}; ioctl(${ret.value}, UFFDIO_API, ${flagsText(a.features)})`;
    const api = ctx.kernel.uffdio_api(ctx.task, ret.value, a.features);
    return { call, name: 'UFFDIO_API', ret: api.ok ? ret : api };
  };

export const uffdio_register: StepRun<'uffdio_register'> = (ctx, a) => {
    const r = uffdRange(ctx, a);
    return {
      call: `ioctl(UFFDIO_REGISTER, ${r.text}, ${flagsText(a.mode)})`,
      name: 'UFFDIO_REGISTER',
      ret: ctx.kernel.uffdio_register(ctx.task, r.uffd, r.addr, r.length, a.mode),
    };
  };

export const uffdio_unregister: StepRun<'uffdio_unregister'> = (ctx, a) => {
    const r = uffdRange(ctx, a);
    return { call: `ioctl(UFFDIO_UNREGISTER, ${r.text})`, name: 'UFFDIO_UNREGISTER', ret: ctx.kernel.uffdio_unregister(ctx.task, r.uffd, r.addr, r.length) };
  };

export const uffdio_continue: StepRun<'uffdio_continue'> = (ctx, a) => {
    const r = uffdRange(ctx, a);
    return { call: `ioctl(UFFDIO_CONTINUE, ${r.text})`, name: 'UFFDIO_CONTINUE', ret: ctx.kernel.uffdio_continue(ctx.task, r.uffd, r.addr, r.length) };
  };

export const uffdio_poison: StepRun<'uffdio_poison'> = (ctx, a) => {
    const r = uffdRange(ctx, a);
    const { ret, updated } = ctx.kernel.uffdio_poison(ctx.task, r.uffd, r.addr, r.length);
    return { call: `ioctl(UFFDIO_POISON, ${r.text})`, name: 'UFFDIO_POISON', ret, updated };
  };

export const uffdio_writeprotect: StepRun<'uffdio_writeprotect'> = (ctx, a) => {
    const r = uffdRange(ctx, a);
    return {
      call: `ioctl(UFFDIO_WRITEPROTECT, ${r.text}, ${a.wp ? 'MODE_WP' : '0'})`,
      name: 'UFFDIO_WRITEPROTECT',
      ret: ctx.kernel.uffdio_writeprotect(ctx.task, r.uffd, r.addr, r.length, a.wp),
    };
  };

export const uffd_read: StepRun<'uffd_read'> = (ctx, a) => {
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
  };
