// Exit statuses (DESIGN.md "Output"; sysexits.h for the tool's own errors, kselftest's 0/1/4 for results)
// and the error classes the commands throw. Only src/cli/index.ts turns them into process.exit.

import { isAbsolute, relative } from 'node:path';

export const EXIT = {
  OK: 0,
  /** A result departs from its verdict by failing or XPASSing (or a golden differs). */
  FAIL: 1,
  /** The only departures are unexpected skips (KSFT_SKIP). */
  SKIP: 4,
  USAGE: 64,
  DATAERR: 65,
  NOINPUT: 66,
  /** A host tool or package `kernel` needs is missing (sysexits EX_UNAVAILABLE). */
  UNAVAILABLE: 69,
  SOFTWARE: 70,
  CANTCREAT: 73,
  IOERR: 74,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** Rows of the exit-status table printed by --help. */
export const EXIT_TABLE: readonly (readonly [ExitCode, string])[] = [
  [EXIT.OK, 'every result matches its verdict (expected SKIP and XFAIL included); kernel: every guest ran all its tests'],
  [EXIT.FAIL, 'a result fails or XPASSes against its verdict, or a golden differs, is missing or is stale (diff: the streams differ; kernel: a guest timed out or crashed)'],
  [EXIT.SKIP, 'the only departures are unexpected skips'],
  [EXIT.USAGE, 'usage error (unknown option, bad value)'],
  [EXIT.DATAERR, 'invalid scenario (every error printed as file:line:col), an author error found while running (the other streams still report), a scenario file over 1 MiB, or input to diff that is not TAP (or over 64 MiB, or nested over 16 levels)'],
  [EXIT.NOINPUT, 'a file or folder is missing or cannot be read (a symlink loop, a folder where a file belongs, a device, FIFO or socket), or --check/--update-golden found no scenario file'],
  [EXIT.UNAVAILABLE, 'kernel: a tool or package it needs is missing (QEMU, gcc, static busybox, a Debian kernel package); the message names what to install'],
  [EXIT.SOFTWARE, 'internal error: a bug in hgmsim'],
  [EXIT.CANTCREAT, 'a file cannot be written: a report (--junit, --json), a golden, show --svg\'s FILE, or new\'s FILE (it exists: never overwritten)'],
  [EXIT.IOERR, 'an I/O error reading or writing a file (EIO, no space left, quota exceeded)'],
];

/** An expected way to end: a status and a message for stderr (already formatted, may be empty). */
export class ExitError extends Error {
  constructor(readonly code: ExitCode, message: string) {
    super(message);
    this.name = 'ExitError';
  }
}

/** Absolute paths (and file:// URLs) in a stack trace, made relative to the working directory. */
export function relativizePaths(text: string, cwd: string): string {
  return text.replace(/(?:file:\/\/)?(\/[^\s:()'"]+)/g, (whole, path: string) => {
    if (!isAbsolute(path)) return whole;
    const rel = relative(cwd, path);
    return rel === '' ? '.' : rel;
  });
}

/** The message for an exception nobody expected: hgmsim has a bug; paths relative, no host details. */
export function internalErrorMessage(e: unknown, cwd: string): string {
  const err = e instanceof Error ? e : new Error(String(e));
  const frames = (err.stack ?? '').split('\n').slice(1, 9).map((l) => l.trimEnd());
  const text = [`hgmsim: internal error (a bug in hgmsim): ${err.message}`, ...frames].join('\n');
  return relativizePaths(text, cwd);
}
