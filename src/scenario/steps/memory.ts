// Memory steps: mapping (mmap(2), munmap(2), madvise(2)) and touching it (a byte access, memset(3), a
// check loop reading a range page by page).

import * as z from 'zod';
import { accessExpectSchema, expr, flagList, inTask, name, syscallCommon, whenField } from '../fields.js';
import { MADVISE_ADVICES, MAP_FLAGS, PROT_FLAGS, SIGBUS_CODES } from '../names.js';
import { defineStep } from './define.js';

export const mmap = defineStep({
  name: 'mmap',
  schema: z
    .strictObject({
      as: name('Name bound to the mapping address'),
      addr: expr('Hint or MAP_FIXED address').optional(),
      length: expr('Mapping length'),
      prot: flagList(PROT_FLAGS, 'PROT_* flags (default PROT_READ, PROT_WRITE)').optional(),
      flags: flagList(MAP_FLAGS, 'MAP_* flags'),
      fd: expr('File descriptor (absent: -1)').optional(),
      offset: expr('File offset (default 0)').optional(),
      ...syscallCommon,
    })
    .describe('mmap(2)'),
  describe: 'mmap(addr, length, prot, flags, fd, offset): map a file or anonymous memory; `as` names the address',
  example: '- mmap: {as: P, length: 2 * hugepagesz, flags: [MAP_SHARED], fd: fd}',
  traits: { syscall: true, returnsAddress: true, binds: 'address' },
});

export const munmap = defineStep({
  name: 'munmap',
  schema: z
    .strictObject({ addr: expr('Start address'), length: expr('Length'), ...syscallCommon })
    .describe('munmap(2)'),
  describe: 'munmap(addr, length): remove mappings',
  example: '- munmap: {addr: P + hugepagesz, length: hugepagesz}',
  traits: { syscall: true },
});

export const access = defineStep({
  name: 'access',
  schema: z
    .strictObject({
      addr: expr('The byte to touch'),
      op: z.enum(['read', 'write']).describe('Load or store'),
      value: expr('write: the byte stored').optional(),
      in_thread: z.literal('new').describe('Touch from a fresh thread (test_sigbus)').optional(),
      ...syscallCommon,
      expect: accessExpectSchema.optional(),
    })
    .describe('One load or store of one byte'),
  describe: 'a one-byte load or store; `in_thread: new` touches from a fresh thread, as test_sigbus() does',
  example: '- access: {addr: P + 0x3000, op: read, in_thread: new, expect: {sigbus: BUS_MCEERR_AR, si_addr: P + 0x3000}}',
  traits: { syscall: true, touchesMemory: true },
});

export const memset = defineStep({
  name: 'memset',
  schema: z
    .strictObject({ addr: expr('First byte'), length: expr('Number of bytes'), value: expr('Byte value'), ...syscallCommon })
    .describe('memset(3) on mapped memory'),
  describe: 'memset(addr, value, length) from the current thread; stops at the first byte that faults',
  example: '- memset: {addr: P, length: hugepagesz, value: 1}',
  traits: { syscall: true, touchesMemory: true },
});

export const check_range = defineStep({
  name: 'check_range',
  schema: z
    .strictObject({
      addr: expr('First byte read'),
      length: expr('Bytes covered: loads at addr, addr+step, … below addr+length'),
      value: expr('The byte every load that reads must return (0-255)'),
      step: expr('Bytes between loads (default PAGE_SIZE: one load per 4 KiB page)').optional(),
      sigbus: z.array(expr('The address of a load that must raise SIGBUS')).describe('Exactly the loads that raise SIGBUS (default: none)').optional(),
      sigbus_every: z.boolean().describe('Every load raises SIGBUS (a range the kernel unmapped whole), instead of a `sigbus` list').optional(),
      si_code: z.enum(SIGBUS_CODES).describe('The si_code of each of those SIGBUSes (default BUS_MCEERR_AR); si_addr is the load\'s address').optional(),
      si_addr_lsb: expr('The si_addr_lsb of each of those SIGBUSes (default: not checked)').optional(),
      when: whenField,
      in: inTask,
    })
    .describe('A check loop over a range: one real load per page, each value checked, the SIGBUSes named'),
  describe: 'the C tests\' check loop: the acting thread loads one byte per page (or per `step`) of [addr, addr+length), ' +
    'faulting as `access` does; every load that reads returns `value`, and exactly the loads at `sigbus` (every load with `sigbus_every`) raise SIGBUS ' +
    '(`si_code`, default BUS_MCEERR_AR, at the load\'s address; `si_addr_lsb` if given). One step; a failure names the first pages that depart',
  example: '- check_range: {addr: P, length: hugepagesz, value: 1, sigbus: [P + 0x3000], si_addr_lsb: 12}',
  traits: { syscall: false, readsMm: () => true },
});

export const madvise = defineStep({
  name: 'madvise',
  schema: z
    .strictObject({
      addr: expr('Start address'),
      length: expr('Length'),
      advice: z.enum(MADVISE_ADVICES).describe('MADV_* advice'),
      ...syscallCommon,
    })
    .describe('madvise(2)'),
  describe: 'madvise(addr, length, advice): MADV_HWPOISON injects and MADV_SOFT_OFFLINE migrates and retires (GUP first); MADV_SPLIT belongs to HGM (EINVAL on v6.1)',
  example: '- madvise: {addr: P + 0x3000, length: PAGE_SIZE, advice: MADV_HWPOISON}',
  traits: { syscall: true },
});
