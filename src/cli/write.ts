// Every file hgmsim writes goes through here (reports, goldens, show --svg; `new` creates with O_EXCL).
// A regular file, or a path where nothing exists, is replaced atomically: the text goes to a hidden
// temp file beside it (`.<name>.hgmsim-tmp-<pid>`, covered by .gitignore), is fsynced, and is renamed
// over the target. Anything else is written through, as a shell's `>` would: a device or FIFO is
// opened and written in place (`--json /dev/null` leaves /dev/null a device), and a symlink is
// followed, so the link stays and its target gets the text. Temp files still alive are removed on
// failure and on SIGINT/SIGTERM, after which the process exits 128 + the signal number (130, 143).

import { closeSync, fchmodSync, fsyncSync, lstatSync, openSync, realpathSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { constants } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { outputError } from './fs-errors.js';

/** The temp file a target is staged in: hidden, beside it, matched by `.*.hgmsim-tmp-*`. */
export function tempPathFor(abs: string, pid: number = process.pid): string {
  return join(dirname(abs), `.${basename(abs)}.hgmsim-tmp-${pid}`);
}

// --- the process-wide registry of live temp files ---------------------------------------------------

const live = new Set<string>();
const SIGNALS = ['SIGINT', 'SIGTERM'] as const;
let handlersInstalled = false;

function onSignal(signal: NodeJS.Signals): void {
  removeLiveTemps();
  process.exit(128 + (constants.signals[signal] ?? 0));
}

/**
 * Registers a temp file. The signal handlers are installed with the first one and stay: a signal
 * that arrives while a write is in progress is handled when the write returns, so removing them
 * then would lose it.
 */
function track(tmp: string): void {
  if (!handlersInstalled) {
    for (const s of SIGNALS) process.on(s, onSignal);
    handlersInstalled = true;
  }
  live.add(tmp);
}

/** Removes a temp file (if it is there) and forgets it. */
function discard(tmp: string): void {
  try {
    unlinkSync(tmp);
  } catch {
    // Already gone, or never created: nothing to clean.
  }
  live.delete(tmp);
}

/** The temp files written and not yet renamed or removed. */
export function liveTemps(): readonly string[] {
  return [...live];
}

/** Removes every live temp file (the signal handler's cleanup). */
export function removeLiveTemps(): void {
  for (const tmp of [...live]) discard(tmp);
}

// --- one target --------------------------------------------------------------------------------------

/** How a target is written: `replace` renames a temp file over `path`; `through` writes `path` in place. */
export type TargetPlan =
  | { readonly kind: 'replace'; readonly path: string; readonly mode?: number }
  | { readonly kind: 'through'; readonly path: string };

function errnoError(code: string, path: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: ${path}`), { code, path });
}

/** Decides how `abs` is written, from what is there now; throws EISDIR for a folder, ELOOP for a loop. */
export function planTarget(abs: string): TargetPlan {
  const st = lstatSync(abs, { throwIfNoEntry: false });
  if (!st) return { kind: 'replace', path: abs };
  if (st.isFile()) return { kind: 'replace', path: abs, mode: st.mode & 0o7777 };
  if (st.isDirectory()) throw errnoError('EISDIR', abs);
  if (!st.isSymbolicLink()) return { kind: 'through', path: abs };
  let real: string;
  try {
    real = realpathSync(abs);
  } catch (e) {
    // A dangling link is written through: opening it creates its target, as `>` does.
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'through', path: abs };
    throw e;
  }
  const target = statSync(real);
  if (target.isDirectory()) throw errnoError('EISDIR', abs);
  // The link's target is replaced atomically; the link itself is left as it is.
  return target.isFile() ? { kind: 'replace', path: real, mode: target.mode & 0o7777 } : { kind: 'through', path: abs };
}

/** Creates `path` (never an existing one: O_EXCL), writes `text`, fsyncs and closes it. */
export type NewFileWriter = (path: string, text: string, mode?: number) => void;

export const writeNewFile: NewFileWriter = (path, text, mode) => {
  let fd: number;
  try {
    fd = openSync(path, 'wx', 0o666);
  } catch (e) {
    // A leftover of a killed process that had our pid: it is ours to replace.
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    unlinkSync(path);
    fd = openSync(path, 'wx', 0o666);
  }
  try {
    if (mode !== undefined) fchmodSync(fd, mode);
    writeFileSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
};

/** Writes the temp file of a `replace` target and registers it; nothing is left behind on failure. */
function stage(plan: TargetPlan & { kind: 'replace' }, text: string, writeNew: NewFileWriter): string {
  const tmp = tempPathFor(plan.path);
  track(tmp);
  try {
    writeNew(tmp, text, plan.mode);
  } catch (e) {
    discard(tmp);
    throw e;
  }
  return tmp;
}

/** Renames a staged temp file over its target (removing the temp file if that fails). */
function install(tmp: string, target: string): void {
  try {
    renameSync(tmp, target);
  } catch (e) {
    discard(tmp);
    throw e;
  }
  live.delete(tmp);
}

/** Writes one file as the header describes; errors are the file system's own (errno in `code`). */
export function writeFileSafely(abs: string, text: string, writeNew: NewFileWriter = writeNewFile): void {
  const plan = planTarget(abs);
  if (plan.kind === 'through') writeFileSync(plan.path, text);
  else install(stage(plan, text, writeNew), plan.path);
}

/** Writes `path` (relative to cwd); a failure is exit 73, or 74 for an I/O error, with a one-line message. */
export function writeOutputFile(path: string, text: string, cwd: string): void {
  try {
    writeFileSafely(resolve(cwd, path), text);
  } catch (e) {
    throw outputError(path, e);
  }
}

// --- a set of files, all or nothing --------------------------------------------------------------------

export interface FileWrite {
  /** Relative to cwd (as printed), or absolute. */
  readonly path: string;
  readonly text: string;
}

export interface CommitOptions {
  readonly cwd?: string;
  /** Creates each temp file; tests inject one that fails or is interrupted on the Nth file. */
  readonly writeNew?: NewFileWriter;
}

/** One turn of the event loop, so a SIGINT or SIGTERM that arrived meanwhile is handled. */
const nextTurn = (): Promise<void> => new Promise((r) => setImmediate(r));

interface Staged {
  readonly write: FileWrite;
  readonly plan: TargetPlan;
  tmp?: string;
}

/** Every target planned before anything is written: a folder in the way fails here, changing nothing. */
function planAll(writes: readonly FileWrite[], cwd: string): Staged[] {
  const byTarget = new Map<string, Staged>();
  for (const write of writes) {
    let plan: TargetPlan;
    try {
      plan = planTarget(resolve(cwd, write.path));
    } catch (e) {
      throw outputError(write.path, e);
    }
    byTarget.set(plan.path, { write, plan }); // the same file named twice: the last text wins
  }
  return [...byTarget.values()];
}

/**
 * Writes every file of `writes` and then deletes `removes`, all or nothing as far as a file system
 * allows: each new text is staged in a temp file first (written, fsynced, closed); only when all are
 * staged are they renamed over their targets, one synchronous pass. A failure or a SIGINT/SIGTERM
 * while staging leaves every old file as it was and no temp file behind. Targets that are written
 * through (devices, FIFOs, dangling links) are written after the renames. Stale files are deleted
 * last; one already gone is fine. Failures are ExitErrors (73, or 74 for an I/O error).
 */
export async function commitFiles(writes: readonly FileWrite[], removes: readonly string[], opts: CommitOptions = {}): Promise<void> {
  const cwd = opts.cwd ?? process.cwd();
  const writeNew = opts.writeNew ?? writeNewFile;
  const staged = planAll(writes, cwd);
  try {
    for (const s of staged) {
      if (s.plan.kind !== 'replace') continue;
      try {
        s.tmp = stage(s.plan, s.write.text, writeNew);
      } catch (e) {
        throw outputError(s.write.path, e);
      }
      await nextTurn();
    }
  } catch (e) {
    for (const s of staged) if (s.tmp !== undefined) discard(s.tmp);
    throw e;
  }
  installAll(staged);
  removeAll(removes, new Set(staged.map((s) => s.plan.path)), cwd);
}

/** The renames, then the write-throughs; a failure here (rare: the folder changed under us) is reported. */
function installAll(staged: readonly Staged[]): void {
  let failure: unknown;
  for (const s of staged) {
    if (s.tmp === undefined) continue;
    if (failure !== undefined) {
      discard(s.tmp);
      continue;
    }
    try {
      install(s.tmp, s.plan.path);
    } catch (e) {
      failure = outputError(s.write.path, e);
    }
  }
  if (failure !== undefined) throw failure;
  for (const s of staged) {
    if (s.plan.kind !== 'through') continue;
    try {
      writeFileSync(s.plan.path, s.write.text);
    } catch (e) {
      throw outputError(s.write.path, e);
    }
  }
}

function removeAll(removes: readonly string[], written: ReadonlySet<string>, cwd: string): void {
  for (const path of removes) {
    const abs = resolve(cwd, path);
    if (written.has(abs)) continue;
    try {
      unlinkSync(abs);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw outputError(path, e, 'cannot remove');
    }
  }
}
