// File steps: memfd_create(2), ftruncate(2), close(2) and the file I/O calls on hugetlbfs.

import { FALLOC, MFD, SEEK } from '../../kernel/index.js';
import type { SysRet } from '../../kernel/index.js';
import { hex } from '../eval.js';
import { bits, flagsText } from './helpers.js';
import type { StepRun } from './run.js';

export const memfd_create: StepRun<'memfd_create'> = (ctx, a) => {
    const name = a.name ?? a.as;
    const ret = ctx.kernel.memfd_create(ctx.task, name, bits(MFD, a.flags));
    if (ret.ok) ctx.bind(a.as, { value: BigInt(ret.value), address: false });
    return { call: `memfd_create("${name}", ${flagsText(a.flags)})`, name: 'memfd_create', ret };
  };

export const ftruncate: StepRun<'ftruncate'> = (ctx, a) => {
    const fd = ctx.num(a.fd);
    const length = ctx.num(a.length);
    return { call: `ftruncate(${fd}, ${hex(length)})`, name: 'ftruncate', ret: ctx.kernel.ftruncate(ctx.task, fd, length) };
  };

export const close: StepRun<'close'> = (ctx, a) => {
    const fd = ctx.num(a.fd);
    return { call: `close(${fd})`, name: 'close', ret: ctx.kernel.close(ctx.task, fd) };
  };

/** A read's count, bound by `as:` (0 when the call failed: its errno is judged by expect/on_error). */
const bindCount = (ctx: Parameters<StepRun<'read'>>[0], as: string | undefined, ret: SysRet): SysRet => {
  if (as !== undefined) ctx.bind(as, { value: BigInt(ret.ok ? ret.value : 0), address: false });
  return ret;
};

export const pread: StepRun<'pread'> = (ctx, a) => {
    const fd = ctx.num(a.fd);
    const length = ctx.num(a.length);
    const offset = ctx.num(a.offset);
    const ret = bindCount(ctx, a.as, ctx.kernel.pread(ctx.task, fd, length, offset));
    const read = ret.ok ? { fd, offset, count: ret.value } : undefined;
    return { call: `pread(${fd}, buf, ${hex(length)}, ${hex(offset)})`, name: 'pread', ret, ...(read && { read }) };
  };

export const read: StepRun<'read'> = (ctx, a) => {
    const fd = ctx.num(a.fd);
    const length = ctx.num(a.length);
    const offset = ctx.kernel.filePosition(ctx.task, fd);
    const ret = bindCount(ctx, a.as, ctx.kernel.pread(ctx.task, fd, length));
    const read = ret.ok && offset !== undefined ? { fd, offset, count: ret.value } : undefined;
    return { call: `read(${fd}, buf, ${hex(length)})`, name: 'read', ret, ...(read && { read }) };
  };

export const lseek: StepRun<'lseek'> = (ctx, a) => {
    const fd = ctx.num(a.fd);
    const offset = ctx.num(a.offset);
    const ret = ctx.kernel.lseek(ctx.task, fd, offset, SEEK[a.whence]);
    if (a.as !== undefined) ctx.bind(a.as, { value: BigInt(ret.ok ? ret.value : 0), address: false });
    return { call: `lseek(${fd}, ${hex(offset)}, ${a.whence})`, name: 'lseek', ret };
  };

export const pwrite: StepRun<'pwrite'> = (ctx, a) => {
    const fd = ctx.num(a.fd);
    const length = ctx.num(a.length);
    const offset = ctx.num(a.offset);
    return { call: `pwrite(${fd}, buf, ${hex(length)}, ${hex(offset)})`, name: 'pwrite', ret: ctx.kernel.pwrite(ctx.task, fd, length, offset) };
  };

export const fallocate: StepRun<'fallocate'> = (ctx, a) => {
    const fd = ctx.num(a.fd);
    const offset = ctx.num(a.offset);
    const length = ctx.num(a.length);
    const call = `fallocate(${fd}, ${flagsText(a.mode)}, ${hex(offset)}, ${hex(length)})`;
    return { call, name: 'fallocate', ret: ctx.kernel.fallocate(ctx.task, fd, bits(FALLOC, a.mode), offset, length) };
  };
