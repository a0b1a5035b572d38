// Sending SIGBUS/SIGSEGV/SIGKILL to threads.
// Linux: kernel/signal.c (force_sig_mceerr(), send_sig_mceerr(), force_sig_fault(), legacy_queue()).
// A standard signal already pending for a thread is not queued again (legacy_queue), so a second
// SIGBUS sent before the first is delivered is dropped: the first one wins.
// Unlike Linux, delivery happens when the kernel entry that sent it returns (deliverPending), not at
// the next schedule of the target thread; for these scenarios both are "before the next step".
import type { Process, Thread } from './mm.js';
import type { KernelState } from './state.js';
import { hex } from './printk.js';
import { trace } from './trace.js';
import type { SiCode, SigInfo, SigNo, SignalEvent } from './types.js';

const DROPPED_WHY = ' (legacy_queue: a SIGBUS is already pending)';

function send(k: KernelState, sender: string, t: Thread, info: SigInfo, how: 'forced' | 'queued'): void {
  const record = (outcome: SignalEvent['outcome']): void => {
    k.signals.push({ pid: t.process.pid, tid: t.tid, info, how, outcome });
    trace(k, () => {
      const addr = info.signo === 'SIGKILL' ? '' : ` si_addr=${hex(info.si_addr)}${info.si_addr_lsb !== 0 ? ` lsb=${info.si_addr_lsb}` : ''}`;
      return `${sender}: ${info.signo} ${info.si_code}${addr} to ${t.process.comm}:${t.tid}: ${outcome}${outcome === 'dropped' ? DROPPED_WHY : ''}`;
    });
  };
  if (!t.alive) {
    trace(k, () => `${sender}: ${info.signo} ${info.si_code} to ${t.process.comm}:${t.tid}: not sent, the thread is gone`);
    return;
  }
  if (info.signo === 'SIGKILL') {
    record('killed');
    killProcess(t.process, 'SIGKILL');
    return;
  }
  const action = t.process.sigbus;
  // force_sig_info_to_task(): a forced signal that is blocked or ignored is unblocked and reset to
  // the default action, which kills the process.
  if (how === 'forced' && (t.sigbusBlocked || action === 'ignore')) {
    record('killed');
    killProcess(t.process, 'SIGBUS');
    return;
  }
  if (action === 'ignore') {
    record('ignored'); // sig_ignored(): discarded when sent
    return;
  }
  if (t.pendingSigbus) {
    record('dropped'); // legacy_queue(): a standard signal is pending at most once
    return;
  }
  t.pendingSigbus = true;
  t.pendingInfo = info;
  if (t.sigbusBlocked) {
    record('pending');
    return;
  }
  if (action === 'default') {
    record('killed');
    killProcess(t.process, 'SIGBUS');
    return;
  }
  t.exitOnDelivery = action === 'exit_thread';
  record(action === 'exit_thread' ? 'thread-exited' : 'delivered');
}

/** The process dies of `signo` (its default action, do_group_exit() with the signal as the code). */
function killProcess(p: Process, signo: SigNo): void {
  if (p.alive) p.waitStatus = { signaled: signo };
  p.alive = false;
  for (const th of p.threads.values()) th.alive = false;
}

/** The thread leaves (pthread_exit); the last thread leaving ends the process (exit status 0). */
export function exitThread(t: Thread): void {
  t.alive = false;
  t.pendingSigbus = false;
  const p = t.process;
  // A thread that is gone leaves the thread list (the main thread stays, so a zombie is observable).
  if (t.tid !== p.pid) p.threads.delete(t.tid);
  let anyAlive = false;
  for (const th of p.threads.values()) if (th.alive) anyAlive = true;
  if (!anyAlive) {
    if (p.alive) p.waitStatus = { exited: 0 };
    p.alive = false;
  }
}

/** force_sig_mceerr(): BUS_MCEERR_AR to the current thread; cannot be blocked. */
export function force_sig_mceerr(k: KernelState, t: Thread, code: 'BUS_MCEERR_AR', addr: number, lsb: number): void {
  send(k, 'force_sig_mceerr', t, { signo: 'SIGBUS', si_code: code, si_addr: addr, si_addr_lsb: lsb }, 'forced');
}

/** send_sig_mceerr(): BUS_MCEERR_AO (or AR to another thread), queued. */
export function send_sig_mceerr(k: KernelState, t: Thread, code: 'BUS_MCEERR_AO' | 'BUS_MCEERR_AR', addr: number, lsb: number): void {
  send(k, 'send_sig_mceerr', t, { signo: 'SIGBUS', si_code: code, si_addr: addr, si_addr_lsb: lsb }, 'queued');
}

/** force_sig_fault(): SIGBUS BUS_ADRERR or SIGSEGV at the faulting address. */
export function force_sig_fault(k: KernelState, t: Thread, signo: 'SIGBUS' | 'SIGSEGV', code: SiCode, addr: number): void {
  send(k, 'force_sig_fault', t, { signo, si_code: code, si_addr: addr, si_addr_lsb: 0 }, 'forced');
}

/** do_send_sig_info(SIGKILL): memory_failure's forcible kill. */
export function send_sigkill(k: KernelState, t: Thread): void {
  send(k, 'do_send_sig_info', t, { signo: 'SIGKILL', si_code: 'SI_KERNEL', si_addr: 0, si_addr_lsb: 0 }, 'forced');
}

/** Return to user mode: every pending, unblocked SIGBUS runs its handler. */
export function deliverPending(k: KernelState): void {
  for (const p of k.processes.values()) {
    for (const t of p.threads.values()) {
      if (!t.pendingSigbus || t.sigbusBlocked || !t.alive) continue;
      t.pendingSigbus = false;
      if (t.exitOnDelivery) exitThread(t);
    }
  }
}

/**
 * sigprocmask(SIG_UNBLOCK): a SIGBUS pending while blocked is delivered now, by the process's current
 * disposition.
 */
export function unblockSigbus(k: KernelState, t: Thread): void {
  t.sigbusBlocked = false;
  if (!t.pendingSigbus) return;
  const action = t.process.sigbus;
  if (action === 'default') {
    k.signals.push({ pid: t.process.pid, tid: t.tid, info: t.pendingInfo ?? { signo: 'SIGBUS', si_code: 'SI_KERNEL', si_addr: 0, si_addr_lsb: 0 }, how: 'queued', outcome: 'killed' });
    killProcess(t.process, 'SIGBUS');
    return;
  }
  t.exitOnDelivery = action === 'exit_thread';
  deliverPending(k);
}
