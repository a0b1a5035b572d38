// File-system failures as exit statuses and one-line messages (`hgmsim: PATH: <what> (<ERRNO>)`), never
// a stack trace: input that is missing or cannot be read is 66 (EX_NOINPUT), output that cannot be
// created is 73 (EX_CANTCREAT), and an I/O failure either way is 74 (EX_IOERR).

import { EXIT, ExitError } from './exit.js';
import type { ExitCode } from './exit.js';

/** What an errno means, in words a user reads on stderr. */
const REASONS: { readonly [code: string]: string } = {
  ENOENT: 'no such file or directory',
  ENOTDIR: 'a part of the path is a file, not a folder',
  EISDIR: 'is a folder, not a file',
  ELOOP: 'a symbolic link loop, or too many links in a row',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENAMETOOLONG: 'file name too long',
  ENXIO: 'not a regular file (no such device or address)',
  EEXIST: 'already exists',
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EFBIG: 'file too large',
  EIO: 'input/output error',
  EMFILE: 'too many open files',
  ENFILE: 'too many open files in the system',
  EBUSY: 'device or resource busy',
  EAGAIN: 'resource temporarily unavailable',
};

/** Errnos that mean the device or the file system failed, not that the path is wrong: exit 74. */
const IO_FAILURES = new Set(['EIO', 'ENOSPC', 'EDQUOT', 'EFBIG', 'EMFILE', 'ENFILE', 'EBUSY', 'EAGAIN']);

export function errnoOf(e: unknown): string {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' ? code : 'EIO';
}

/** `<reason> (<ERRNO>)`: the errno in words, then its code. */
export function describeErrno(code: string): string {
  return `${REASONS[code] ?? 'failed'} (${code})`;
}

/** A file or folder that was to be read: 66, or 74 for an I/O failure. `hgmsim: a.yaml: <why> (ELOOP)`. */
export function inputError(path: string, e: unknown): ExitError {
  const code = errnoOf(e);
  // The historical wording for the commonest case, without the errno.
  if (code === 'ENOENT') return new ExitError(EXIT.NOINPUT, `hgmsim: ${path}: no such file or directory`);
  const status: ExitCode = IO_FAILURES.has(code) ? EXIT.IOERR : EXIT.NOINPUT;
  return new ExitError(status, `hgmsim: ${path}: cannot read: ${describeErrno(code)}`);
}

/** A file that was to be written: 73, or 74 for an I/O failure. `hgmsim: r.xml: cannot write: <why> (ENOENT)`. */
export function outputError(path: string, e: unknown, what = 'cannot write'): ExitError {
  const code = errnoOf(e);
  const status: ExitCode = IO_FAILURES.has(code) ? EXIT.IOERR : EXIT.CANTCREAT;
  return new ExitError(status, `hgmsim: ${path}: ${what}: ${describeErrno(code)}`);
}
