// Reporters by --format name (STYLE.md item 13): each turns result records into one text document.
// `diff.ts` (two TAP texts → differences) and `github.ts` (annotations after the TAP stream) are not
// formats of a run and sit beside them.

import type { StreamResult } from '../runner/results.js';
import { renderJson } from './json.js';
import { renderJunit } from './junit.js';
import { renderKtap } from './ktap.js';
import { renderTap } from './tap.js';
import type { ReportOptions } from './tap.js';

export type { ReportOptions } from './tap.js';
export type Reporter = (streams: readonly StreamResult[], opts: ReportOptions) => string;

export const REPORTERS = {
  tap: renderTap,
  ktap: renderKtap,
  junit: renderJunit,
  json: renderJson,
} as const satisfies Record<string, Reporter>;

export type FormatName = keyof typeof REPORTERS;
export const FORMAT_NAMES = Object.keys(REPORTERS) as FormatName[];
