// check_range: the C tests' check loops (check_range_exclude_pages(), verify_contents()) as one step.
// The acting thread loads one byte per page of the range, for real (kernel.readEvery: a load that
// faults is access()'s kernel entry); each value read is compared, and the loads that raised SIGBUS
// with the ones the scenario names. The signals go to the test's bookkeeping as a loop of access
// steps would send them; the step counts one -v step and charges its loads' work to the budget.

import { PAGE_SIZE, type ProbeRun, type SigInfo } from '../../kernel/index.js';
import type { Expr } from '../../scenario/index.js';
import type { StepContext } from '../context.js';
import { hex } from '../eval.js';
import type { RangeCheck, RangeDeparture } from '../results.js';
import type { StepRun } from './run.js';

/** Departures kept before the rest are only counted: 4, or 3 and "… N more" (the summary's signal rule). */
const MAX_LISTED = 4;

/** What every load must show: the byte, and which loads raise which SIGBUS. */
interface Want {
  readonly value: number;
  /** Addresses of the loads that must raise SIGBUS, ascending. */
  readonly sigbus: readonly number[];
  /** `sigbus_every`: every load must raise SIGBUS. */
  readonly every: boolean;
  readonly si_code: string;
  readonly si_addr_lsb?: number;
  readonly stride: number;
}

/** The departures in address order: the first MAX_LISTED kept, all counted. */
class Departures {
  readonly kept: RangeDeparture[] = [];
  total = 0;
  add(count: number, make: () => RangeDeparture): void {
    this.total += count;
    for (let i = 0; i < count && this.kept.length < MAX_LISTED; i++) this.kept.push(make());
  }
}

export const check_range: StepRun<'check_range'> = (ctx, a) => {
  const addr = ctx.num(a.addr);
  const length = ctx.num(a.length);
  const want = wantOf(ctx, a, addr, length);
  const call = callText(ctx, addr, length, want);
  const r = ctx.kernel.readEvery(ctx.task, addr, length, want.stride);
  const departures = new Departures();
  let sigbus = 0;
  for (const run of r.runs) {
    if (run.kind === 'read') compareReads(ctx, run, want, departures);
    else if (run.kind === 'signal') {
      if (run.signal.signo === 'SIGBUS') sigbus++;
      compareSignal(ctx, run.addr, run.signal, want, departures);
    }
  }
  const last = r.runs[r.runs.length - 1];
  const keep = departures.total > MAX_LISTED ? MAX_LISTED - 1 : MAX_LISTED;
  const range: RangeCheck = {
    pages: Math.ceil(length / want.stride),
    read: r.loads,
    sigbus,
    departures: { first: departures.kept.slice(0, keep), more: departures.total - Math.min(keep, departures.kept.length) },
    ...(r.stopped !== null && last !== undefined ? { stopped: { at: ctx.address(last.addr), why: r.stopped } } : {}),
  };
  return { call, range, ops: r.ops };
};

/** The arguments as numbers; a stride of 0 or a `sigbus:` address no load touches is an author error. */
function wantOf(ctx: StepContext, a: Parameters<StepRun<'check_range'>>[1], addr: number, length: number): Want {
  const stride = a.step === undefined ? PAGE_SIZE : ctx.num(a.step);
  if (a.step !== undefined && stride === 0) ctx.authorError(a.step, 'OUT_OF_RANGE', 'step must be at least 1 byte');
  const every = a.sigbus_every === true;
  const [listedToo] = a.sigbus ?? [];
  if (every && listedToo !== undefined) ctx.authorError(listedToo, 'BAD_VALUE', 'sigbus_every: true already names every load; leave out the sigbus list');
  const sigbus = (a.sigbus ?? []).map((e: Expr) => {
    const at = ctx.num(e);
    if (at < addr || at >= addr + length || (at - addr) % stride !== 0) {
      ctx.authorError(e, 'BAD_VALUE', `${ctx.fmtAddr(at)} is not one of the loads (${ctx.fmtAddr(addr)} + k * ${hex(stride)}, below ${ctx.fmtAddr(addr + length)})`);
    }
    return at;
  });
  return {
    value: ctx.num(a.value, 'byte'),
    sigbus: [...new Set(sigbus)].sort((x, y) => x - y),
    every,
    si_code: a.si_code ?? 'BUS_MCEERR_AR',
    ...(a.si_addr_lsb !== undefined ? { si_addr_lsb: ctx.num(a.si_addr_lsb) } : {}),
    stride,
  };
}

/** `check_range(P+0x0, 0x200000, 1, sigbus=[P+0x0] BUS_MCEERR_AR)`, as -v and the failure line print it. */
function callText(ctx: StepContext, addr: number, length: number, w: Want): string {
  const step = w.stride === PAGE_SIZE ? '' : `, step=${hex(w.stride)}`;
  const lsb = w.si_addr_lsb === undefined ? '' : ` si_addr_lsb=${w.si_addr_lsb}`;
  const sigbus = w.every ? `, sigbus=every ${w.si_code}${lsb}` : w.sigbus.length === 0 ? '' : `, sigbus=[${w.sigbus.map((x) => ctx.fmtAddr(x)).join(', ')}] ${w.si_code}${lsb}`;
  return `check_range(${ctx.fmtAddr(addr)}, ${hex(length)}, ${w.value}${step}${sigbus})`;
}

/** Loads that read: a load listed under `sigbus:` departs (no signal); any other one departs when its byte differs. */
function compareReads(ctx: StepContext, run: Extract<ProbeRun, { kind: 'read' }>, w: Want, out: Departures): void {
  const end = run.addr + run.count * w.stride;
  if (w.every) {
    // Every load of the run should have raised SIGBUS.
    let j = 0;
    out.add(run.count, () => ({ kind: 'no-signal', at: ctx.address(run.addr + j++ * w.stride) }));
    return;
  }
  const listed = w.sigbus.filter((x) => x >= run.addr && x < end);
  if (run.value === w.value) {
    for (const at of listed) out.add(1, () => ({ kind: 'no-signal', at: ctx.address(at) }));
    return;
  }
  // Every load of the run departs, in address order.
  let j = 0;
  out.add(run.count, () => {
    const at = run.addr + j++ * w.stride;
    return listed.includes(at) ? { kind: 'no-signal', at: ctx.address(at) } : { kind: 'value', at: ctx.address(at), found: run.value };
  });
}

/** A signal departs unless its load is listed and it is that SIGBUS at the load's own address. */
function compareSignal(ctx: StepContext, at: number, s: SigInfo, w: Want, out: Departures): void {
  const asked = (w.every || w.sigbus.includes(at)) && s.signo === 'SIGBUS' && s.si_code === w.si_code && s.si_addr === at &&
    (w.si_addr_lsb === undefined || s.si_addr_lsb === w.si_addr_lsb);
  if (asked) return;
  const signal = { signo: s.signo, si_code: s.si_code, si_addr: ctx.address(s.si_addr), si_addr_lsb: s.si_addr_lsb };
  out.add(1, () => ({ kind: 'signal', at: ctx.address(at), signal }));
}
