// Processes: the signals each named process received, and which are alive or dead.

import type { SignalEvent, WaitStatus } from '../../kernel/index.js';
import type { SignalExpect } from '../../scenario/index.js';
import type { StepContext } from '../context.js';
import type { Mismatch } from '../results.js';
import { got, type ExpectCheck } from './check.js';

export const signals: ExpectCheck<'signals'> = (ctx, e) => [...e].flatMap(([name, want]) => checkSignals(ctx, name, want));

const liveness = (field: 'alive' | 'dead'): ExpectCheck<'alive' | 'dead'> => (ctx, names) => names.flatMap((name) => {
  const alive = ctx.processAlive(name);
  return alive !== (field === 'alive') ? [got(`process ${name}`, field, alive === undefined ? 'no such process' : alive ? 'alive' : 'dead')] : [];
});
export const alive: ExpectCheck<'alive'> = liveness('alive');

/** `wait_status: {C: {exited: 3}}`: what waitpid(2) would report for C (Kernel.waitStatus). */
export const wait_status: ExpectCheck<'wait_status'> = (ctx, e) => [...e].flatMap(([name, want]) => {
  const pid = ctx.processPid(name);
  const have = pid === undefined ? undefined : ctx.kernel.waitStatus(pid);
  const text = (w: WaitStatus | undefined): string =>
    w === undefined ? 'running' : 'exited' in w ? `exited ${w.exited}` : `signaled ${w.signaled}`;
  const wanted = want === 'running' ? 'running' : 'exited' in want ? `exited ${ctx.num(want.exited) % 256}` : `signaled ${want.signaled}`;
  const got_ = pid === undefined ? 'no such process' : text(have);
  return wanted === got_ ? [] : [got(`wait_status ${name}`, wanted, got_)];
});
export const dead: ExpectCheck<'dead'> = liveness('dead');

/**
 * `signals: {C: [...]}`: the SIGBUS/SIGKILL signals C received (dropped ones left out), compared as a
 * list; each entry shows only the fields its expectation names.
 */
function checkSignals(ctx: StepContext, name: string, want: readonly SignalExpect[]): Mismatch[] {
  const have = ctx.signalsOf(name);
  const text = (ev: SignalEvent, like?: SignalExpect): string => {
    if (ev.info.signo === 'SIGKILL') return 'SIGKILL';
    const full = like === undefined || 'sigkill' in like;
    const addr = full || like.si_addr !== undefined ? ` si_addr=${ctx.fmtAddr(ev.info.si_addr)}` : '';
    const lsb = full || like.si_addr_lsb !== undefined ? ` si_addr_lsb=${ev.info.si_addr_lsb}` : '';
    return `${ev.info.si_code}${addr}${lsb}`;
  };
  const wantText = want.map((w) => {
    if ('sigkill' in w) return 'SIGKILL';
    const addr = w.si_addr !== undefined ? ` si_addr=${ctx.fmtAddr(ctx.num(w.si_addr))}` : '';
    const lsb = w.si_addr_lsb !== undefined ? ` si_addr_lsb=${ctx.num(w.si_addr_lsb)}` : '';
    return `${w.sigbus}${addr}${lsb}`;
  });
  const haveText = have.map((ev, i) => text(ev, want[i]));
  const w = `[${wantText.join(', ')}]`;
  const h = `[${haveText.join(', ')}]`;
  if (ctx.processAlive(name) === undefined) return [got(`signals ${name}`, w, 'no such process')];
  return w === h ? [] : [got(`signals ${name}`, w, h)];
}
