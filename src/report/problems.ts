// What every report format says the same way: the options a reporter takes, how a stream stands once
// its golden and any author error are counted (a `not ok` in TAP, a failure or error in JUnit, a field
// in JSON), and how text from a scenario is made safe to print (no control bytes reach a terminal).

import type { StreamResult } from '../runner/index.js';

export interface ReportOptions {
  /** -v: one line per executed step, interleaved with the test's own lines. */
  readonly verbose?: boolean;
  /** --check: the run compared goldens; each stream's verdict on its golden is reported. */
  readonly check?: boolean;
  /** Goldens found stale under --check (paths): each reported as a failure. */
  readonly stale?: readonly string[];
}

/** A stream's standing beyond its tests: why it fails (empty: it does not), and whether it only skipped. */
export interface StreamProblems {
  /** `exit=1`, `error: FILE:LINE:COL CODE`, `golden differs`, `golden missing`, in that order. */
  readonly notes: readonly string[];
  /** Its only departures are unexpected skips (kselftest exit 4) and nothing else is wrong. */
  readonly skip: boolean;
}

export function streamProblems(s: StreamResult): StreamProblems {
  const notes: string[] = [];
  if (s.error) notes.push(`error: ${s.error.file}:${s.error.line}:${s.error.col} ${s.error.code}`);
  else if (s.exitStatus === 1) notes.push('exit=1');
  if (s.golden?.kind === 'different') notes.push('golden differs');
  if (s.golden?.kind === 'missing') notes.push('golden missing');
  return { notes, skip: notes.length === 0 && s.exitStatus === 4 };
}

/**
 * Control characters (C0 but tab, DEL, C1) and the bidirectional overrides a terminal would act on,
 * shown as `\xNN` / `\uNNNN`, so a test name or `print` text cannot move the cursor or recolour a log.
 */
const CONTROLS = /[\u0000-\u0008\u000A-\u001F\u007F-\u009F\u200E\u200F\u202A-\u202E\u2066-\u2069]/g;

export function escapeControls(text: string): string {
  return text.replace(CONTROLS, (c) => {
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/** The whole run's status, as every report states it (DESIGN.md "Output", exit status). */
export type RunStatus = 0 | 1 | 4 | 65;

/**
 * 65 when an author error stopped a stream; else 1 when a result fails or XPASSes, a golden differs or
 * is missing, or a golden is stale; else 4 when the only departures are unexpected skips; else 0.
 */
export function runExitStatus(streams: readonly StreamResult[], staleGoldens = 0): RunStatus {
  if (streams.some((s) => s.error !== undefined)) return 65;
  if (staleGoldens > 0 || streams.some((s) => streamProblems(s).notes.length > 0)) return 1;
  if (streams.some((s) => s.exitStatus === 4)) return 4;
  return 0;
}
