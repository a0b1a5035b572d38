// Assertions on what a process maps: a folio's raw_hwp_list, the entry mapping an address, memory
// contents, and a folio's refcount and mapcount. All read the acting process's page tables.

import * as z from 'zod';
import { expr } from '../fields.js';
import { ENTRY_KINDS } from '../names.js';
import { defineExpectField } from './define.js';

const ofIs = (description: string) =>
  z.strictObject({ of: expr('An address inside the folio'), is: expr('Expected value') }).describe(description);

export const raw_hwp_list = defineExpectField({
  name: 'raw_hwp_list',
  schema: z
    .strictObject({
      of: expr('An address inside the hugepage folio'),
      is: z.array(expr('A raw page index')).describe('Raw page indices in insertion order'),
    })
    .describe("The folio's raw_hwp_list")
    .optional(),
  readsMm: true,
});

export const mapping = defineExpectField({
  name: 'mapping',
  schema: z
    .strictObject({
      at: expr('The address to walk'),
      size: expr('Mapped size of the entry (4K, 2M, 1G)').optional(),
      kind: z.enum(ENTRY_KINDS).describe('Entry kind').optional(),
      uffd_wp: z.boolean().describe('The entry (present or marker) carries the uffd-wp bit').optional(),
      writable: z.boolean().describe('The entry is present with its write bit set (false: read-only or not present)').optional(),
    })
    .describe('The page-table entry mapping an address')
    .optional(),
  readsMm: true,
});

export const bytes = defineExpectField({
  name: 'bytes',
  schema: z
    .strictObject({ addr: expr('First byte'), length: expr('Number of bytes'), value: expr('Every byte equals this') })
    .describe('Memory contents, read without faulting')
    .optional(),
  readsMm: true,
});

export const folio = defineExpectField({
  name: 'folio',
  schema: z
    .strictObject({
      of: expr('An address inside the hugepage folio'),
      unreliable: z.boolean().describe('raw_hwp_unreliable: the raw_hwp_list was thrown away (a raw_hwp_page allocation failed)').optional(),
      unmaps: z
        .strictObject({
          raw: expr('The raw page index'),
          nr_vmas_mapped: expr('VMAs that mapped the raw page when it was poisoned').optional(),
          nr_expected_unmaps: expr('Unmaps the RFC expects for it').optional(),
          nr_actual_unmaps: expr('Unmaps done').optional(),
        })
        .describe("The RFC's per-raw-page unmap counters (struct raw_hwp_page, 3/7); none without the RFC")
        .optional(),
    })
    .describe("A hugepage folio's raw_hwp_unreliable flag and the RFC's unmap counters of one raw page")
    .optional(),
  readsMm: true,
});

export const refcount = defineExpectField({ name: 'refcount', schema: ofIs('The folio refcount').optional(), readsMm: true });
export const mapcount = defineExpectField({ name: 'mapcount', schema: ofIs('The folio mapcount').optional(), readsMm: true });
