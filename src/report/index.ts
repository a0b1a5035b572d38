// Reporters by --format name (STYLE.md item 13): each turns result records into one text document.

import type { StreamResult } from '../runner/results.js';
import { renderTap } from './tap.js';
import type { ReportOptions } from './tap.js';

export type { ReportOptions } from './tap.js';
export type Reporter = (streams: readonly StreamResult[], opts: ReportOptions) => string;

export const REPORTERS = {
  tap: renderTap,
} as const satisfies Record<string, Reporter>;

export type FormatName = keyof typeof REPORTERS;
export const FORMAT_NAMES = Object.keys(REPORTERS) as FormatName[];
