// strerror(3) texts, exactly as glibc prints them, for the C tests' ` !!! NAME failed: <strerror>` lines.
// glibc: string/_strerror.c => sysdeps/gnu/errlist.h (x86_64).

import type { Errno } from '../kernel/index.js';

export const STRERROR: { readonly [E in Errno]: string } = {
  EPERM: 'Operation not permitted',
  EACCES: 'Permission denied',
  ENOENT: 'No such file or directory',
  EINTR: 'Interrupted system call',
  EIO: 'Input/output error',
  ENXIO: 'No such device or address',
  EBADF: 'Bad file descriptor',
  EAGAIN: 'Resource temporarily unavailable',
  ENOMEM: 'Cannot allocate memory',
  EFAULT: 'Bad address',
  EBUSY: 'Device or resource busy',
  EEXIST: 'File exists',
  ENODEV: 'No such device',
  EINVAL: 'Invalid argument',
  ENOSPC: 'No space left on device',
  ESPIPE: 'Illegal seek',
  ENOSYS: 'Function not implemented',
  EOPNOTSUPP: 'Operation not supported',
  EHWPOISON: 'Memory page has hardware error',
};
