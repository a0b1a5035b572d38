// Injectors: the ways a test poisons memory besides MADV_HWPOISON — the debugfs and sysfs files (soft
// offline among them), a consumed machine check — and pfn_of, which finds a pfn nobody maps to inject at.

import * as z from 'zod';
import { expr, name, syscallCommon } from '../fields.js';
import type { Expr } from '../types.js';
import { defineStep } from './define.js';

export const corrupt_pfn = defineStep({
  name: 'corrupt_pfn',
  schema: z
    .strictObject({ pfn: expr('The pfn to poison'), ...syscallCommon })
    .describe('Write /sys/kernel/debug/hwpoison/corrupt-pfn'),
  describe: 'write a pfn to /sys/kernel/debug/hwpoison/corrupt-pfn: memory_failure(pfn, MF_SW_SIMULATED)',
  example: '- corrupt_pfn: {pfn: pfn(P + 0x5000)}',
  traits: { syscall: true },
});

export const hard_offline_page = defineStep({
  name: 'hard_offline_page',
  schema: z
    .strictObject({ phys: expr('The physical address to poison'), ...syscallCommon })
    .describe('Write /sys/devices/system/memory/hard_offline_page'),
  describe: 'write a physical address to /sys/devices/system/memory/hard_offline_page: memory_failure(pfn, 0)',
  example: '- hard_offline_page: {phys: phys(P + 0x6000)}',
  traits: { syscall: true },
});

export const soft_offline_page = defineStep({
  name: 'soft_offline_page',
  schema: z
    .strictObject({ phys: expr('The physical address to soft-offline'), ...syscallCommon })
    .describe('Write /sys/devices/system/memory/soft_offline_page'),
  describe: 'write a physical address to /sys/devices/system/memory/soft_offline_page: soft_offline_page(pfn, 0), the bytes written on success',
  example: '- soft_offline_page: {phys: phys(P + 0x8000)}',
  traits: { syscall: true },
});

/** `as` and exactly one of a page-cache page (fd + offset) and the n-th free hugepage. */
type PfnOfArgs = { readonly as: string } & (
  | { readonly fd: Expr; readonly offset: Expr }
  | { readonly free_hugepage: Expr }
);

export const pfn_of = defineStep({
  name: 'pfn_of',
  schema: z
    .strictObject({
      as: name('Name bound to the pfn'),
      fd: expr('A file descriptor (with offset)').optional(),
      offset: expr('The file offset (with fd)').optional(),
      free_hugepage: expr("The n-th free hugepage of the run's hstate (instead of fd/offset)").optional(),
      ...syscallCommon,
    })
    .describe('The pfn of a page-cache page nobody maps, or of a free hugepage'),
  describe: "bind `as` to the pfn of a page-cache page (fd, offset) or of the n-th free hugepage of the run's hstate",
  example: '- pfn_of: {as: free0, free_hugepage: 0}',
  traits: { syscall: true, binds: 'number' },
  build: ({ src, x, data, path, scope, given }): PfnOfArgs => {
    const as = data.as ?? '';
    const file = given('fd') || given('offset');
    if (file === given('free_hugepage')) {
      src.report('BAD_VALUE', '"pfn_of" takes either fd and offset, or free_hugepage', src.nodeSpan(path));
    }
    if (!file && data.free_hugepage !== undefined) return { as, free_hugepage: x.reqExpr(data, 'free_hugepage', path, scope) };
    for (const key of ['fd', 'offset'] as const) {
      if (file && !given(key)) src.report('MISSING_FIELD', `missing field "${key}" (pfn_of with a file takes fd and offset)`, src.nodeSpan(path));
    }
    return { as, fd: x.reqExpr(data, 'fd', path, scope), offset: x.reqExpr(data, 'offset', path, scope) };
  },
});

export const mce = defineStep({
  name: 'mce',
  schema: z
    .strictObject({ addr: expr('The byte whose load consumes the error'), ...syscallCommon })
    .describe('A consumed uncorrected error (machine check) in the acting thread'),
  describe: "a consumed uncorrected error: the acting thread's load at addr raises memory_failure(pfn, MF_ACTION_REQUIRED), then kill_me_maybe()",
  example: '- mce: {addr: P + 0x7000, in: C}',
  traits: { syscall: true, touchesMemory: true },
});
