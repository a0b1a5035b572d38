// Assertions on /proc/PID files of the acting process: smaps of a VMA and pagemap of a 4 KiB page.

import * as z from 'zod';
import { expr, KB_EXPR_PATTERN } from '../fields.js';
import { SMAPS_FIELDS } from '../names.js';
import type { Expr, SmapsField } from '../types.js';
import { defineExpectField } from './define.js';

const kbField = (description: string) =>
  z.string().regex(KB_EXPR_PATTERN, { error: 'is not "N kB" or "{expr} kB"' })
    .describe(`${description}, as smaps prints it: "2048 kB" or "{H / 1024} kB"`).optional();

export const smaps = defineExpectField({
  name: 'smaps',
  schema: z
    .strictObject({
      at: expr('An address inside the VMA'),
      ...Object.fromEntries(SMAPS_FIELDS.map((f) => [f, kbField(f)])),
    })
    .describe('/proc/PID/smaps fields of the VMA at an address')
    .optional(),
  readsMm: true,
  build: ({ x, data, path, scope }): { readonly at: Expr } & { readonly [F in SmapsField]?: Expr } => {
    const d: Readonly<Record<string, unknown>> = data ?? {};
    return {
      at: x.reqExpr(d, 'at', path, scope),
      ...Object.fromEntries(SMAPS_FIELDS.flatMap((f) => {
        const v = d[f];
        return typeof v === 'string' ? [[f, x.kbExpr(v, [...path, f], scope)]] : [];
      })),
    };
  },
});

const bit = (b: string) => z.boolean().describe(`pagemap bit ${b}`).optional();

export const pagemap = defineExpectField({
  name: 'pagemap',
  schema: z
    .strictObject({
      at: expr('The 4 KiB page'),
      present: bit('present'),
      swapped: bit('swapped'),
      file_shared: bit('file_shared'),
      exclusive: bit('exclusive'),
      uffd_wp: bit('uffd_wp'),
      pfn: expr('The pfn of the 4 KiB page (when present)').optional(),
    })
    .describe('/proc/PID/pagemap of the 4 KiB page at an address')
    .optional(),
  readsMm: true,
});
