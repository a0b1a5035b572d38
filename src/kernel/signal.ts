// Sending SIGBUS/SIGSEGV/SIGKILL to threads.
// Linux: kernel/signal.c (force_sig_mceerr(), send_sig_mceerr(), force_sig_fault(), legacy_queue()).
// A standard signal already pending for a thread is not queued again (legacy_queue), so a second
// SIGBUS sent before the first is delivered is dropped: the first one wins.
// Unlike Linux, delivery happens when the kernel entry that sent it returns (deliverPending), not at
// the next schedule of the target thread; for these scenarios both are "before the next step".
import type { Thread } from './mm.js';
import type { KernelState } from './state.js';
import type { SiCode, SigInfo } from './types.js';

function send(k: KernelState, t: Thread, info: SigInfo, how: 'forced' | 'queued'): void {
  const base = { pid: t.process.pid, tid: t.tid, info, how } as const;
  if (!t.alive) return;
  if (info.signo === 'SIGKILL') {
    k.signals.push({ ...base, outcome: 'killed' });
    killProcess(t);
    return;
  }
  if (t.pendingSigbus) {
    k.signals.push({ ...base, outcome: 'dropped' });
    return;
  }
  // A forced signal that is blocked or ignored reverts to the default action (force_sig_info_to_task()).
  if (t.sigbus === 'default') {
    k.signals.push({ ...base, outcome: 'killed' });
    killProcess(t);
    return;
  }
  t.pendingSigbus = true;
  k.signals.push({ ...base, outcome: 'delivered' });
}

function killProcess(t: Thread): void {
  t.process.alive = false;
  for (const th of t.process.threads.values()) th.alive = false;
}

/** force_sig_mceerr(): BUS_MCEERR_AR to the current thread; cannot be blocked. */
export function force_sig_mceerr(k: KernelState, t: Thread, code: 'BUS_MCEERR_AR', addr: number, lsb: number): void {
  send(k, t, { signo: 'SIGBUS', si_code: code, si_addr: addr, si_addr_lsb: lsb }, 'forced');
}

/** send_sig_mceerr(): BUS_MCEERR_AO (or AR to another thread), queued. */
export function send_sig_mceerr(k: KernelState, t: Thread, code: 'BUS_MCEERR_AO' | 'BUS_MCEERR_AR', addr: number, lsb: number): void {
  send(k, t, { signo: 'SIGBUS', si_code: code, si_addr: addr, si_addr_lsb: lsb }, 'queued');
}

/** force_sig_fault(): SIGBUS BUS_ADRERR or SIGSEGV at the faulting address. */
export function force_sig_fault(k: KernelState, t: Thread, signo: 'SIGBUS' | 'SIGSEGV', code: SiCode, addr: number): void {
  send(k, t, { signo, si_code: code, si_addr: addr, si_addr_lsb: 0 }, 'forced');
}

/** do_send_sig_info(SIGKILL): memory_failure's forcible kill. */
export function send_sigkill(k: KernelState, t: Thread): void {
  send(k, t, { signo: 'SIGKILL', si_code: 'SI_KERNEL', si_addr: 0, si_addr_lsb: 0 }, 'forced');
}

/** Return to user mode: every pending SIGBUS runs its handler. */
export function deliverPending(k: KernelState): void {
  for (const p of k.processes.values()) for (const t of p.threads.values()) t.pendingSigbus = false;
}
