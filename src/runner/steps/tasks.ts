// Process and thread steps, and the per-process and per-thread signal and memory-failure settings.

import type { McePolicy } from '../../kernel/index.js';
import type { MceKillPolicy } from '../../scenario/index.js';
import { OK } from './helpers.js';
import type { StepRun } from './run.js';

const MCE_POLICY: { readonly [P in MceKillPolicy]: McePolicy } = {
  PR_MCE_KILL_EARLY: 'early', PR_MCE_KILL_LATE: 'late', PR_MCE_KILL_CLEAR: 'clear',
};

export const fork: StepRun<'fork'> = (ctx, a) => {
    const readers = a.reader === undefined ? [] : [ctx.num(a.reader)];
    const ret = ctx.kernel.fork(ctx.task, readers);
    if (ret.ok) ctx.defineProcess(a.as, { pid: ret.value, tid: ret.value }, 'fork');
    return { call: readers.length ? `fork() [reader on uffd ${readers[0]}]` : 'fork()', name: 'fork', ret };
  };

export const spawn: StepRun<'spawn'> = (ctx, a) => {
    const task = ctx.kernel.spawn();
    ctx.defineProcess(a.as, task, 'spawn');
    return { call: 'spawn()', name: 'spawn', ret: { ok: true, value: task.pid } };
  };

export const thread: StepRun<'thread'> = (ctx, a) => {
    const task = ctx.kernel.clone_thread(ctx.task);
    ctx.defineThread(a.as, task);
    return { call: 'pthread_create()', name: 'pthread_create', ret: { ok: true, value: task.tid } };
  };

export const sigaction: StepRun<'sigaction'> = (ctx, a) => {
    ctx.kernel.sigaction(ctx.task, a.SIGBUS);
    return { call: `sigaction(SIGBUS, ${a.SIGBUS})`, name: 'sigaction', ret: OK };
  };

export const sigprocmask: StepRun<'sigprocmask'> = (ctx, a) => {
    if (a.signals.length > 0) ctx.kernel.sigprocmask(ctx.task, a.how === 'block');
    const how = a.how === 'block' ? 'SIG_BLOCK' : 'SIG_UNBLOCK';
    return { call: `sigprocmask(${how}, {${[...new Set(a.signals)].join(', ')}})`, name: 'sigprocmask', ret: OK };
  };

export const prctl: StepRun<'prctl'> = (ctx, a) => {
    if (a.op === 'get') {
      const ret = ctx.kernel.prctl_mce_kill_get(ctx.task);
      if (a.as !== undefined && ret.ok) ctx.bind(a.as, { value: BigInt(ret.value), address: false });
      return { call: 'prctl(PR_MCE_KILL_GET)', name: 'prctl', ret };
    }
    const args = a.policy === 'PR_MCE_KILL_CLEAR' ? 'PR_MCE_KILL_CLEAR' : `PR_MCE_KILL_SET, ${a.policy}`;
    return { call: `prctl(PR_MCE_KILL, ${args})`, name: 'prctl', ret: ctx.kernel.prctl_mce_kill(ctx.task, MCE_POLICY[a.policy]) };
  };
