// Reporters by --format name (STYLE.md item 13): each turns result records into one text document.
// `diff.ts` (two TAP texts → differences), `kernel-diff.ts` (a golden against a kernel recording, in
// kernel view), `recordings-check.ts` (a folder's recordings against known-differences.yaml) and
// `github.ts` (annotations after the TAP stream) are not formats of a run and sit beside them. This file is the only way into src/report from other folders
// (test/meta.test.ts checks it).

import type { StreamResult } from '../runner/index.js';
import { renderJson } from './json.js';
import { renderJunit } from './junit.js';
import { renderKtap } from './ktap.js';
import { renderTap } from './tap.js';
import type { ReportOptions } from './tap.js';
import type { FormatName } from '../abi/index.js';

export { FORMAT_NAMES, type FormatName } from '../abi/index.js';
export type { ReportOptions } from './tap.js';
export type Reporter = (streams: readonly StreamResult[], opts: ReportOptions) => string;

export const REPORTERS = {
  tap: renderTap,
  ktap: renderKtap,
  junit: renderJunit,
  json: renderJson,
} as const satisfies Record<FormatName, Reporter>;

export { escapeDescription, renderTap, TapWriter } from './tap.js';
export { diffTap, renderDiff, type DiffPaint } from './diff.js';
export { renderGithubAnnotations } from './github.js';
export { runExitStatus } from './problems.js';
export { renderShowSvg } from './show-svg.js';
export { renderShowText } from './show-text.js';
export { MAX_TAP_NESTING, readTap, tapNesting, type TapLevel } from './tap-read.js';
export { scenarioDocsText } from './docs.js';
export {
  compareKernelView, kernelViewSummary, renderKernelDiff, type KernelComparison, type KernelDifference, type KernelDifferenceKind,
} from './kernel-diff.js';
export { headerOrigin, levelOrigin, profileOfRelease, type StreamOrigin } from './stream-origin.js';
export { goldensWithoutRecording, isRecordingName, pairRecordings, type RecordingPair, type RecordingPairs } from './recording-names.js';
export {
  checkKnownDifferences, excuses, globPattern, KNOWN_DIFFERENCES_FILE, parseKnownDifferences, type ComparedRecording, type KnownDifference,
  type KnownDifferencesCheck, type KnownDifferencesFile,
} from './known-differences.js';
export { checkRecordings, renderRecordingsCheck, type RecordingsCheck } from './recordings-check.js';
