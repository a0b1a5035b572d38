// userfaultfd steps: userfaultfd(2) with UFFDIO_API, the range ioctls, and read(uffd).

import * as z from 'zod';
import { expr, flagList, name, syscallCommon, uffdPoisonExpectSchema, uffdReadExpectSchema, uffdRegisterExpectSchema } from '../fields.js';
import { PROFILE_NAMES, profilesOffering, UFFD_FEATURES, UFFD_MODES } from '../../abi/index.js';
import { defineStep } from './define.js';

const range = {
  uffd: expr('The uffd'),
  addr: expr('Start address'),
  length: expr('Length'),
};

export const userfaultfd = defineStep({
  name: 'userfaultfd',
  schema: z
    .strictObject({
      as: name('Name bound to the uffd'),
      features: flagList(UFFD_FEATURES, 'UFFD_FEATURE_* names without the prefix, requested with UFFDIO_API').default([]),
      ...syscallCommon,
    })
    .describe('userfaultfd(O_CLOEXEC | O_NONBLOCK), then UFFDIO_API'),
  describe: 'userfaultfd(O_CLOEXEC | O_NONBLOCK), then UFFDIO_API with the features (UFFD_FEATURE_* without the prefix)',
  example: '- userfaultfd: {as: uffd, features: [SIGBUS, EXACT_ADDRESS, EVENT_FORK]}',
  traits: { syscall: true },
  /**
   * UFFDIO_API features: one that no profile offers is a construct no modelled kernel has (it would
   * be EINVAL everywhere); one that only some profiles offer stays a modelled EINVAL on the others.
   */
  build: ({ src, data, path }) => {
    const features = data.features ?? [];
    features.forEach((f, i) => {
      if (profilesOffering(f).length > 0) return;
      src.report('UNSUPPORTED', `UFFD_FEATURE_${f} is offered by no modelled kernel (profiles ${PROFILE_NAMES.join(', ')}); ` +
        'UFFDIO_API would fail with EINVAL under every profile', src.nodeSpan([...path, 'features', i]));
    });
    return { as: data.as ?? '', features };
  },
});

export const uffdio_register = defineStep({
  name: 'uffdio_register',
  schema: z
    .strictObject({
      ...range,
      mode: flagList(UFFD_MODES, 'UFFDIO_REGISTER_MODE_* names without the prefix'),
      ...syscallCommon,
      expect: uffdRegisterExpectSchema.optional(),
    })
    .describe('ioctl(uffd, UFFDIO_REGISTER)'),
  describe: 'ioctl(uffd, UFFDIO_REGISTER, {range, mode: MISSING | WP | MINOR})',
  example: '- uffdio_register: {uffd: uffd, addr: P, length: hugepagesz, mode: [MISSING, WP]}',
  traits: { syscall: true },
});

export const uffdio_unregister = defineStep({
  name: 'uffdio_unregister',
  schema: z.strictObject({ ...range, ...syscallCommon }).describe('ioctl(uffd, UFFDIO_UNREGISTER)'),
  describe: 'ioctl(uffd, UFFDIO_UNREGISTER, {range})',
  example: '- uffdio_unregister: {uffd: uffd, addr: P, length: hugepagesz}',
  traits: { syscall: true },
});

export const uffdio_continue = defineStep({
  name: 'uffdio_continue',
  schema: z.strictObject({ ...range, ...syscallCommon }).describe('ioctl(uffd, UFFDIO_CONTINUE)'),
  describe: 'ioctl(uffd, UFFDIO_CONTINUE, {range}): map the page-cache pages of a MINOR-registered range',
  example: '- uffdio_continue: {uffd: uffd, addr: P, length: hugepagesz, on_error: skip}',
  traits: { syscall: true },
});

export const uffdio_writeprotect = defineStep({
  name: 'uffdio_writeprotect',
  schema: z
    .strictObject({
      ...range,
      wp: z.boolean().describe('Set (true) or clear (false) write protection'),
      ...syscallCommon,
    })
    .describe('ioctl(uffd, UFFDIO_WRITEPROTECT)'),
  describe: 'ioctl(uffd, UFFDIO_WRITEPROTECT, {range, mode: WP or 0}): set or clear uffd-wp',
  example: '- uffdio_writeprotect: {uffd: uffd, addr: P, length: hugepagesz, wp: true}',
  traits: { syscall: true },
});

export const uffdio_poison = defineStep({
  name: 'uffdio_poison',
  schema: z
    .strictObject({ ...range, ...syscallCommon, expect: uffdPoisonExpectSchema.optional() })
    .describe('ioctl(uffd, UFFDIO_POISON)'),
  describe: 'ioctl(uffd, UFFDIO_POISON, {range}): poison markers in the none entries of a registered range (v6.6+); `updated` is checked by expect',
  example: '- uffdio_poison: {uffd: uffd, addr: P, length: hugepagesz, expect: {updated: hugepagesz}}',
  traits: { syscall: true },
});

export const uffd_read = defineStep({
  name: 'uffd_read',
  schema: z
    .strictObject({
      uffd: expr('The uffd'),
      as: name("Name bound to the FORK message's child uffd, or the PAGEFAULT message's address").optional(),
      ...syscallCommon,
      expect: uffdReadExpectSchema.optional(),
    })
    .describe('read(uffd): one struct uffd_msg (EAGAIN when none is queued)'),
  describe: 'read(uffd, &msg, sizeof(msg)): one event (FORK, PAGEFAULT), EAGAIN when none is queued; `as` binds its value',
  example: '- uffd_read: {uffd: uffd, expect: {errno: EAGAIN}}',
  traits: { syscall: true },
});
