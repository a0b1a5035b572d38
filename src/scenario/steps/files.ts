// File steps: memfd_create(2), ftruncate(2), close(2) and the file I/O calls on hugetlbfs.

import * as z from 'zod';
import { expr, flagList, name, readExpectSchema, syscallCommon } from '../fields.js';
import { FALLOC_FLAGS, MFD_FLAGS, SEEK_WHENCE } from '../names.js';
import { defineStep } from './define.js';

export const memfd_create = defineStep({
  name: 'memfd_create',
  schema: z
    .strictObject({
      as: name('Name bound to the new fd'),
      name: z.string().describe('The memfd name').optional(),
      flags: flagList(MFD_FLAGS, 'MFD_* flags').default([]),
      ...syscallCommon,
    })
    .describe('memfd_create(2)'),
  describe: 'memfd_create(name, flags): a hugetlbfs file (MFD_HUGETLB; the model has no other memory)',
  example: '- memfd_create: {as: fd, name: hugetlb_tmp, flags: [MFD_HUGETLB]}',
  traits: { syscall: true },
});

export const ftruncate = defineStep({
  name: 'ftruncate',
  schema: z
    .strictObject({ fd: expr('File descriptor'), length: expr('New file size'), ...syscallCommon })
    .describe('ftruncate(2)'),
  describe: 'ftruncate(fd, length): set the file size (hugetlbfs: a multiple of the hugepage size)',
  example: '- ftruncate: {fd: fd, length: 2 * hugepagesz}',
  traits: { syscall: true },
});

export const close = defineStep({
  name: 'close',
  schema: z.strictObject({ fd: expr('File descriptor'), ...syscallCommon }).describe('close(2)'),
  describe: 'close(fd)',
  example: '- close: {fd: fd}',
  traits: { syscall: true },
});

const boundCount = name('Name bound to the bytes read (0 when the call fails)').optional();

export const pread = defineStep({
  name: 'pread',
  schema: z
    .strictObject({ fd: expr('File descriptor'), length: expr('Bytes to read'), offset: expr('File offset'), as: boundCount, ...syscallCommon, expect: readExpectSchema.optional() })
    .describe('pread(2)'),
  describe: 'pread(fd, buf, length, offset): bytes read (v6.1: -EIO on a poisoned hugepage); `as` binds the count',
  example: '- pread: {fd: fd, length: PAGE_SIZE, offset: 0x3000, expect: {errno: EIO}}',
  traits: { syscall: true, binds: 'number' },
});

export const read = defineStep({
  name: 'read',
  schema: z
    .strictObject({ fd: expr('File descriptor'), length: expr('Bytes to read'), as: boundCount, ...syscallCommon, expect: readExpectSchema.optional() })
    .describe('read(2) at the file position'),
  describe: 'read(fd, buf, length) at the file position, which it advances; `as` binds the count',
  example: '- read: {fd: fd, length: 16, as: n}',
  traits: { syscall: true, binds: 'number' },
});

export const lseek = defineStep({
  name: 'lseek',
  schema: z
    .strictObject({
      fd: expr('File descriptor'),
      offset: expr('Offset (non-negative; whence says from where)'),
      whence: z.enum(SEEK_WHENCE).describe('SEEK_SET, SEEK_CUR, SEEK_END, SEEK_DATA or SEEK_HOLE'),
      as: name('Name bound to the resulting file position').optional(),
      ...syscallCommon,
    })
    .describe('lseek(2)'),
  describe: 'lseek(fd, offset, whence): set the file position read(2) starts at; returns it (`as` binds it)',
  example: '- lseek: {fd: fd, offset: 0x102000, whence: SEEK_SET, expect: {ret: 0x102000}}',
  traits: { syscall: true, binds: 'number' },
});

export const pwrite = defineStep({
  name: 'pwrite',
  schema: z
    .strictObject({ fd: expr('File descriptor'), length: expr('Bytes to write'), offset: expr('File offset'), ...syscallCommon })
    .describe('pwrite(2)'),
  describe: 'pwrite(fd, buf, length, offset) (hugetlbfs has no write_iter: -EINVAL)',
  example: '- pwrite: {fd: fd, length: 16, offset: 0, expect: {errno: EINVAL}}',
  traits: { syscall: true },
});

export const fallocate = defineStep({
  name: 'fallocate',
  schema: z
    .strictObject({
      fd: expr('File descriptor'),
      mode: flagList(FALLOC_FLAGS, 'FALLOC_FL_* flags').default([]),
      offset: expr('File offset'),
      length: expr('Length'),
      ...syscallCommon,
    })
    .describe('fallocate(2)'),
  describe: 'fallocate(fd, mode, offset, length): FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE removes page-cache hugepages',
  example: '- fallocate: {fd: fd, mode: [FALLOC_FL_PUNCH_HOLE, FALLOC_FL_KEEP_SIZE], offset: 0, length: hugepagesz}',
  traits: { syscall: true },
});
