// Assertions on processes: the signals each named process received, and which are alive or dead.
// None reads the acting process's mm (a dead main can still be asked about).

import * as z from 'zod';
import { expr, name } from '../fields.js';
import { SIGBUS_CODES } from '../names.js';
import { dropUndefined } from '../build-exprs.js';
import type { Expr, SignalExpect } from '../types.js';
import { defineExpectField, type ExpectFieldInput } from './define.js';

export const signalEntrySchema = z
  .union([
    z.strictObject({
      sigbus: z.enum(SIGBUS_CODES).describe('The SIGBUS si_code'),
      si_addr: expr('Its si_addr').optional(),
      si_addr_lsb: expr('Its si_addr_lsb').optional(),
    }),
    z.strictObject({ sigkill: z.literal(true).describe('A SIGKILL') }),
  ])
  .describe('{sigbus: CODE, si_addr, si_addr_lsb} or {sigkill: true}');

export const signals = defineExpectField({
  name: 'signals',
  schema: z
    .record(name('A process name (main included)'), z.array(signalEntrySchema).describe('In order; dropped signals are left out'))
    .describe('The SIGBUS/SIGKILL signals each named process received in this test, exactly')
    .optional(),
  readsMm: false,
  build: ({ src, x, data, path, scope }): ReadonlyMap<string, readonly SignalExpect[]> =>
    new Map(Object.entries(data ?? {}).map(([proc, list]) => {
      const p = [...path, proc];
      x.processName(proc, src.keySpan(p), scope);
      return [proc, list.map((entry, i): SignalExpect => {
        const span = src.nodeSpan([...p, i]);
        if ('sigkill' in entry) return { sigkill: true, span };
        return dropUndefined({
          sigbus: entry.sigbus,
          si_addr: x.optExpr(entry, 'si_addr', [...p, i], scope),
          si_addr_lsb: x.optExpr(entry, 'si_addr_lsb', [...p, i], scope),
          span,
        });
      })];
    })),
});

const processList = (description: string) => z.array(name('A process name')).describe(description).optional();
/** Each name must be a process bound earlier. */
const processNames = ({ src, x, data, path, scope }: ExpectFieldInput<ReturnType<typeof processList>>): readonly string[] => {
  const list = data ?? [];
  list.forEach((n, i) => x.processName(n, src.nodeSpan([...path, i]), scope));
  return list;
};

export const alive = defineExpectField({ name: 'alive', schema: processList('These processes are alive'), readsMm: false, build: processNames });
export const dead = defineExpectField({ name: 'dead', schema: processList('These processes are dead (killed by a signal)'), readsMm: false, build: processNames });

const waitStatusEntry = z
  .union([
    z.strictObject({ exited: expr('WIFEXITED, with this WEXITSTATUS') }),
    z.strictObject({ signaled: z.enum(['SIGBUS', 'SIGKILL']).describe('WIFSIGNALED, with this WTERMSIG') }),
    z.literal('running').describe('Not exited: waitpid(WNOHANG) returns 0'),
  ])
  .describe('{exited: N}, {signaled: SIGBUS | SIGKILL} or running');

/** What waitpid(2) reports for a process: exited with a status, killed by a signal, or still running. */
export type WaitStatusExpect = { readonly exited: Expr } | { readonly signaled: 'SIGBUS' | 'SIGKILL' } | 'running';

export const wait_status = defineExpectField({
  name: 'wait_status',
  schema: z
    .record(name('A process name'), waitStatusEntry)
    .describe('What waitpid(2) reports for each named process: {exited: N}, {signaled: SIGBUS | SIGKILL} or running')
    .optional(),
  readsMm: false,
  build: ({ src, x, data, path, scope }): ReadonlyMap<string, WaitStatusExpect> =>
    new Map(Object.entries(data ?? {}).map(([proc, want]): [string, WaitStatusExpect] => {
      x.processName(proc, src.keySpan([...path, proc]), scope);
      if (want === 'running' || 'signaled' in want) return [proc, want];
      return [proc, { exited: x.expr(want.exited, [...path, proc, 'exited'], scope) }];
    })),
});
