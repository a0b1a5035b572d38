// Reading an input file hgmsim was given or found (a scenario, a golden, a TAP file for diff) with its
// cost bounded before a byte is read: only a regular file is read (a device, FIFO or socket is refused
// without waiting on it: 66), and a file larger than the limit is refused from its size (65). The
// check is made on the path (stat) and again on the open descriptor, so a swap in between changes
// nothing.

import { closeSync, constants, fstatSync, openSync, readSync, statSync } from 'node:fs';
import type { Stats } from 'node:fs';
import { EXIT, ExitError } from './exit.js';
import { inputError } from './fs-errors.js';

/** A scenario file larger than this is refused unread (the YAML loader's own limit is 1 Mi characters). */
export const SCENARIO_MAX_BYTES = 1 << 20;
/** A golden, or a TAP file given to diff (or diff's stdin), larger than this is refused unread. */
export const TAP_MAX_BYTES = 64 << 20;

/** What a non-regular file is, for the message. */
export function fileKind(st: Stats): string {
  if (st.isDirectory()) return 'a folder';
  if (st.isFIFO()) return 'a FIFO';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  return 'not a regular file';
}

export const sizeText = (bytes: number): string => (bytes % (1 << 20) === 0 ? `${bytes >> 20} MiB` : `${bytes} bytes`);

/** Refuses anything but a regular file of at most `maxBytes` (66 / 65); a folder is EISDIR (66). */
function checkStats(st: Stats, display: string, maxBytes: number): void {
  if (st.isDirectory()) throw inputError(display, Object.assign(new Error('EISDIR'), { code: 'EISDIR' }));
  if (!st.isFile()) throw new ExitError(EXIT.NOINPUT, `hgmsim: ${display}: not a regular file (${fileKind(st)}); not read`);
  if (st.size > maxBytes) throw tooLarge(display, maxBytes, st.size);
}

const tooLarge = (display: string, maxBytes: number, size: number): ExitError =>
  new ExitError(EXIT.DATAERR, `hgmsim: ${display}: larger than the ${sizeText(maxBytes)} limit (${size} bytes); not read`);

/** Reads what the descriptor holds, refusing more than `maxBytes` even if the file grew since fstat. */
function readBounded(fd: number, display: string, maxBytes: number): Buffer {
  const chunks: Buffer[] = [];
  const buf = Buffer.allocUnsafe(1 << 16);
  let total = 0;
  for (;;) {
    const n = readSync(fd, buf, 0, buf.length, null);
    if (n === 0) return Buffer.concat(chunks, total);
    total += n;
    if (total > maxBytes) throw tooLarge(display, maxBytes, total);
    chunks.push(Buffer.from(buf.subarray(0, n)));
  }
}

/** The text of `abs` (printed as `display`), or an ExitError: 66 missing or unreadable, 65 too large, 74 EIO. */
export function readInputFile(abs: string, display: string, maxBytes: number): string {
  let fd: number;
  try {
    checkStats(statSync(abs), display, maxBytes);
    // O_NONBLOCK: if the path became a FIFO since the stat, the open does not wait for a writer.
    fd = openSync(abs, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch (e) {
    throw e instanceof ExitError ? e : inputError(display, e);
  }
  try {
    checkStats(fstatSync(fd), display, maxBytes);
    return readBounded(fd, display, maxBytes).toString('utf8');
  } catch (e) {
    throw e instanceof ExitError ? e : inputError(display, e);
  } finally {
    closeSync(fd);
  }
}
