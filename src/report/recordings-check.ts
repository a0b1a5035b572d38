// The model-against-kernel gate over one folder of goldens and kernel recordings: every recording is
// compared with its golden in kernel view (kernel-diff.ts), and what differs is held against the
// folder's known-differences.yaml (known-differences.ts). The folder is read through `read`, so this
// stays a function of the files' names and texts.

import { compareKernelView } from './kernel-diff.js';
import { checkKnownDifferences, KNOWN_DIFFERENCES_FILE, parseKnownDifferences } from './known-differences.js';
import type { ComparedRecording, KnownDifference, KnownDifferencesCheck } from './known-differences.js';
import { pairRecordings } from './recording-names.js';
import { readTap } from './tap-read.js';

export interface RecordingsCheck extends KnownDifferencesCheck {
  readonly compared: readonly ComparedRecording[];
  /** Recordings that could not be compared: no golden, no profile for the release, not TAP. */
  readonly unpaired: readonly { readonly recording: string; readonly why: string }[];
  /** Problems in known-differences.yaml, positioned. */
  readonly fileErrors: readonly string[];
  readonly entries: readonly KnownDifference[];
  /** Nothing unlisted, stale, unpaired or wrong in the file. */
  readonly ok: boolean;
}

/**
 * The check of a folder whose file names are `names`; `read(name)` gives a file's text. A folder without
 * known-differences.yaml excuses nothing.
 */
export function checkRecordings(names: readonly string[], read: (name: string) => string, fileLabel = KNOWN_DIFFERENCES_FILE): RecordingsCheck {
  const { pairs, unpaired: noGolden } = pairRecordings(names);
  const unpaired = [...noGolden];
  const compared: ComparedRecording[] = [];
  for (const { recording, golden } of pairs) {
    const kernel = readTap(read(recording));
    const model = readTap(read(golden));
    if (!kernel || !model) unpaired.push({ recording, why: `${kernel ? golden : recording} is not TAP` });
    else compared.push({ recording, golden, comparison: compareKernelView(model, kernel) });
  }
  const file = names.includes(KNOWN_DIFFERENCES_FILE) ? parseKnownDifferences(read(KNOWN_DIFFERENCES_FILE), fileLabel) : { entries: [], errors: [] };
  const { unlisted, stale } = checkKnownDifferences(compared, file.entries);
  const ok = unlisted.length === 0 && stale.length === 0 && unpaired.length === 0 && file.errors.length === 0;
  return { compared, unpaired, fileErrors: file.errors, entries: file.entries, unlisted, stale, ok };
}

const quoted = (s: string | null): string => (s === null ? '(none)' : JSON.stringify(s));

/** The check as lines: one per problem, then a count line. */
export function renderRecordingsCheck(c: RecordingsCheck, fileLabel = KNOWN_DIFFERENCES_FILE): string {
  const out: string[] = [...c.fileErrors];
  for (const u of c.unpaired) out.push(`${u.recording}: not compared: ${u.why}`);
  for (const { recording, difference: d } of c.unlisted) {
    const test = d.test === null ? 'outside any test' : `test ${d.test.number} ${JSON.stringify(d.test.name)}`;
    out.push(`${recording}: ${test} (${d.kind}) differs and is not a known difference: model ${quoted(d.model)}, kernel ${quoted(d.kernel)}`);
  }
  for (const e of c.stale) out.push(`${fileLabel}:${e.line}: this known difference matches no difference of any recording (stale): ${e.reason}`);
  const agree = c.compared.reduce((n, r) => n + r.comparison.agree, 0);
  const hidden = c.compared.reduce((n, r) => n + r.comparison.notObservable, 0);
  const differ = c.compared.reduce((n, r) => n + r.comparison.differences.length, 0);
  out.push(`${c.compared.length} recordings compared: ${agree} lines agree, ${differ} differ (${differ - c.unlisted.length} known), ${hidden} not observable`);
  return `${out.join('\n')}\n`;
}
