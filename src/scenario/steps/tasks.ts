// Process and thread steps: fork(2), an unrelated process, pthread_create(3), and the per-process and
// per-thread signal and memory-failure settings (sigaction(2), sigprocmask(2), prctl(PR_MCE_KILL)).

import * as z from 'zod';
import { expr, name, syscallCommon } from '../fields.js';
import { MCE_KILL_POLICIES, SIGBUS_ACTIONS } from '../names.js';
import type { MceKillPolicy } from '../types.js';
import { defineStep } from './define.js';

export const fork = defineStep({
  name: 'fork',
  schema: z
    .strictObject({
      as: name('Name bound to the child process'),
      reader: expr('A uffd another thread is blocked reading: it takes the FORK message (UFFD_FEATURE_EVENT_FORK), so fork returns').optional(),
      ...syscallCommon,
    })
    .describe('fork(2)'),
  describe: 'fork(): a child process named by `as` (hugetlb page tables copied only for uffd-wp/EVENT_FORK or an anon_vma)',
  example: '- fork: {as: C}',
  traits: { syscall: true, binds: 'process' },
});

export const spawn = defineStep({
  name: 'spawn',
  schema: z.strictObject({ as: name('Name bound to the new process'), ...syscallCommon }).describe('An unrelated process (fork + exec)'),
  describe: 'an unrelated process named by `as` (fork + exec of another binary): an empty mm',
  example: '- spawn: {as: Q}',
  traits: { syscall: true, binds: 'process' },
});

export const thread = defineStep({
  name: 'thread',
  schema: z.strictObject({ as: name('Name bound to the new thread'), ...syscallCommon }).describe('pthread_create(3)'),
  describe: 'pthread_create(): a thread of the acting process named by `as`; it idles until a step runs `in:` it',
  example: '- thread: {as: T}',
  traits: { syscall: true, binds: 'thread' },
});

export const sigaction = defineStep({
  name: 'sigaction',
  schema: z
    .strictObject({ SIGBUS: z.enum(SIGBUS_ACTIONS).describe('record (the selftests\' handler), exit_thread, default, ignore'), ...syscallCommon })
    .describe('sigaction(SIGBUS) for the process'),
  describe: "sigaction(SIGBUS): record (the selftests' SA_SIGINFO handler, the start state), exit_thread, default (SIG_DFL), ignore",
  example: '- sigaction: {SIGBUS: exit_thread}',
  traits: { syscall: true },
});

/** Exactly one of block / unblock, as `how` and the signals. */
interface SigprocmaskArgs {
  readonly how: 'block' | 'unblock';
  readonly signals: readonly 'SIGBUS'[];
}

export const sigprocmask = defineStep({
  name: 'sigprocmask',
  schema: z
    .strictObject({
      block: z.array(z.literal('SIGBUS')).describe('SIG_BLOCK these signals').optional(),
      unblock: z.array(z.literal('SIGBUS')).describe('SIG_UNBLOCK these signals').optional(),
      ...syscallCommon,
    })
    .describe('sigprocmask(2) for the thread: exactly one of block / unblock'),
  describe: 'sigprocmask(SIG_BLOCK / SIG_UNBLOCK, {SIGBUS}) for the acting thread (AR ignores a block: the process dies)',
  example: '- sigprocmask: {block: [SIGBUS], in: T}',
  traits: { syscall: true },
  build: ({ src, data, path, given: wrote }): SigprocmaskArgs => {
    const given = (['block', 'unblock'] as const).filter((k) => wrote(k));
    if (given.length !== 1) {
      src.report('BAD_VALUE', `"sigprocmask" takes exactly one of block, unblock (got ${given.length === 0 ? 'neither' : 'both'})`, src.nodeSpan(path));
    }
    const how = given[0] ?? 'block';
    return { how, signals: data[how] ?? [] };
  },
});

/** prctl's two memory-failure operations: set the policy, or read it back (kernel/sys.c). */
type PrctlArgs =
  | { readonly op: 'set'; readonly policy: MceKillPolicy }
  | { readonly op: 'get'; readonly as?: string };

export const prctl = defineStep({
  name: 'prctl',
  schema: z
    .strictObject({
      PR_MCE_KILL: z.enum(MCE_KILL_POLICIES).describe('Set the thread\'s memory-failure kill policy').optional(),
      PR_MCE_KILL_GET: z.literal(true).describe('Read it: 0 late, 1 early, 2 default (follow the sysctl)').optional(),
      as: name('With PR_MCE_KILL_GET: name bound to the policy read').optional(),
      ...syscallCommon,
    })
    .describe('prctl(PR_MCE_KILL, …) or prctl(PR_MCE_KILL_GET)'),
  describe: "prctl(PR_MCE_KILL, …): the acting thread's early/late kill policy (PR_MCE_KILL_CLEAR: follow the sysctl); PR_MCE_KILL_GET reads it",
  example: '- prctl: {PR_MCE_KILL: PR_MCE_KILL_EARLY, in: C}',
  traits: { syscall: true, binds: 'number' },
  build: ({ src, data, path, given }): PrctlArgs => {
    const ops = (['PR_MCE_KILL', 'PR_MCE_KILL_GET'] as const).filter((k) => given(k));
    if (ops.length !== 1) {
      src.report('BAD_VALUE', `"prctl" takes exactly one of PR_MCE_KILL, PR_MCE_KILL_GET (got ${ops.length === 0 ? 'neither' : 'both'})`, src.nodeSpan(path));
    } else if (ops[0] === 'PR_MCE_KILL' && given('as')) {
      src.report('BAD_VALUE', '`as` binds what PR_MCE_KILL_GET returns; PR_MCE_KILL returns 0', src.nodeSpan([...path, 'as']));
    }
    if (ops[0] === 'PR_MCE_KILL_GET') return data.as === undefined ? { op: 'get' } : { op: 'get', as: data.as };
    return { op: 'set', policy: data.PR_MCE_KILL ?? 'PR_MCE_KILL_CLEAR' };
  },
});
