// A call step's own `expect:`: compares what the kernel returned during the step (value or errno, the
// SIGBUS raised in the acting thread, the byte read) with what the scenario says.

import { ERRNO_VALUE, UFFD_RANGE_IOCTLS, type UffdRangeIoctl } from '../abi/index.js';
import type { Errno, SigInfo } from '../kernel/index.js';
import type { StepExpect } from '../scenario/index.js';
import { blockedOn, type StepContext, type StepOutcome } from './context.js';
import { hex } from './eval.js';

export interface Mismatch {
  readonly expected: string;
  readonly actual: string;
}

/** null when every field the expectation names matches; else both sides over the named fields. */
export function compareStepExpect(ctx: StepContext, e: StepExpect, o: StepOutcome, signal: SigInfo | undefined, addressRet: boolean): Mismatch | null {
  // An address side stays a number until the comparison fails: equal numbers name the same place, and
  // unequal ones are compared as text (two mappings may share a name), so only failures format them.
  const fields: [string, Side, Side][] = [];
  const num = (n: number): string => (addressRet ? hex(n) : String(n));
  if (e.ret !== undefined) {
    const want = ctx.num(e.ret);
    const have = o.ret ? (o.ret.ok ? num(o.ret.value) : '-1') : o.access?.ok ? String(o.access.value) : '-';
    fields.push(['ret', num(want), have]);
  }
  if (e.errno !== undefined) fields.push(['errno', e.errno, o.ret && !o.ret.ok ? o.ret.errno : 'none']);
  if (e.sigbus !== undefined) fields.push(['sigbus', e.sigbus, signal?.signo === 'SIGBUS' ? signal.si_code : 'none']);
  if (e.si_addr !== undefined) fields.push(['si_addr', ctx.num(e.si_addr), signal ? signal.si_addr : '-']);
  if (e.si_addr_lsb !== undefined) fields.push(['si_addr_lsb', String(ctx.num(e.si_addr_lsb)), signal ? String(signal.si_addr_lsb) : '-']);
  if (e.value !== undefined) fields.push(['value', String(ctx.num(e.value, 'byte')), o.access?.ok ? String(o.access.value) : '-']);
  if (e.blocked !== undefined) fields.push(['blocked', String(e.blocked), String(blockedOn(o) !== undefined)]);
  if (e.bug !== undefined) fields.push(['bug', e.bug, 'none']); // a step that hit BUG never gets here (run.ts halted())
  if (e.event !== undefined) fields.push(['event', e.event, o.uffdEvent?.event ?? 'none']);
  if (e.address !== undefined) {
    fields.push(['address', ctx.num(e.address), o.uffdEvent?.event === 'PAGEFAULT' ? o.uffdEvent.address : '-']);
  }
  if (e.bytes !== undefined) {
    const want = ctx.num(e.bytes, 'byte');
    const r = o.read;
    const check = r === undefined ? undefined : ctx.kernel.checkFileBytes(ctx.task, r.fd, r.offset, r.count, want);
    const have = check === undefined ? '-' : check.ok ? String(want) : `${check.found} at file offset ${hex(check.addr)}`;
    fields.push(['bytes', String(want), have]);
  }
  if (e.ioctls !== undefined) {
    const have = o.ret?.ok === true ? o.ret.out?.ioctls : undefined;
    fields.push(['ioctls', ioctlsText(e.ioctls), have === undefined ? '-' : ioctlsText(have)]);
  }
  if (e.updated !== undefined) fields.push(['updated', String(ctx.num(e.updated)), o.updated === undefined ? '-' : String(o.updated)]);
  if (e.updated_errno !== undefined) fields.push(['updated', `-${e.updated_errno}`, o.updated === undefined ? '-' : updatedText(o.updated)]);
  const text = (side: Side): string => (typeof side === 'number' ? ctx.fmtAddr(side) : side);
  const same = ([, want, have]: [string, Side, Side]): boolean =>
    want === have || (typeof want === 'number' && typeof have === 'number' && text(want) === text(have));
  if (fields.every(same)) return null;
  return {
    expected: fields.map(([k, want]) => `${k}=${text(want)}`).join(' '),
    actual: fields.map(([k, , have]) => `${k}=${text(have)}`).join(' '),
  };
}

/** One side of a field: its text, or an address (a number) to be written as -v writes it. */
type Side = string | number;

/** `updated` as the expectation spells a -errno (`-EEXIST`), or its number. */
function updatedText(updated: number): string {
  const name = (Object.keys(ERRNO_VALUE) as Errno[]).find((e) => -ERRNO_VALUE[e] === updated);
  return name === undefined ? String(updated) : `-${name}`;
}

/** A set of range ioctls in their bit order (include/uapi/linux/userfaultfd.h), for comparison and text. */
function ioctlsText(ioctls: readonly UffdRangeIoctl[]): string {
  return `[${UFFD_RANGE_IOCTLS.filter((i) => ioctls.includes(i)).join(',')}]`;
}
