// Scenario errors as values (compare eemeli/yaml's src/errors.ts): a code, a message, the file, a
// 1-based line and column, and the [start, end) offsets into the file text. Loader and runtime
// evaluation errors share this shape so the CLI prints both as `file:line:col: CODE message` followed
// by the source line and a caret line. docs/errors.md gives one sentence per code.

import { LineCounter } from 'yaml';
import type { ScenarioError, ScenarioErrorCode, Span } from './types.js';

export type { ScenarioError, ScenarioErrorCode, Span } from './types.js';

/** A failed evaluation or parse, positioned but not yet tied to a file. */
export interface ExprFailure {
  readonly ok: false;
  readonly code: ScenarioErrorCode;
  readonly message: string;
  readonly span: Span;
}

/** The text an error is positioned in; a Scenario satisfies it. */
export interface ErrorSource {
  readonly file: string;
  readonly text: string;
}

let cachedText: string | undefined;
let cachedCounter: LineCounter | undefined;

/** A LineCounter holding every line start of `text` (the last text's counter is kept). */
export function lineCounterFor(text: string): LineCounter {
  if (cachedText === text && cachedCounter) return cachedCounter;
  const lc = new LineCounter();
  lc.addNewLine(0);
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) lc.addNewLine(i + 1);
  cachedText = text;
  cachedCounter = lc;
  return lc;
}

/** Clamp a span to the text so that a stray offset can never break printing. */
function clampSpan(span: Span, length: number): Span {
  const start = Math.max(0, Math.min(span.start, length));
  return { start, end: Math.max(start, Math.min(span.end, length)) };
}

/** C0 controls but tab, DEL, C1 controls, and the bidi embeddings, overrides and isolates. */
const CONTROL = /[\x00-\x08\x0a-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/g;
const CONTROL_OR_TAB = /[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/g;
const escapeChar = (c: string): string => {
  const code = c.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
};

/**
 * `s` with the characters that could drive a terminal or reorder what it shows (ESC, CR, BEL, C1,
 * U+202E …) spelled visibly as `\x1b`, `\u202e`; a tab stays a tab when `keepTab` (source lines).
 */
export function escapeControls(s: string, keepTab = false): string {
  return s.replace(keepTab ? CONTROL : CONTROL_OR_TAB, escapeChar);
}

/**
 * A positioned ScenarioError at `span` of `source` (a Scenario, or a file name and its text). The
 * message may quote the author's text (names, keys, values): its control characters are escaped.
 */
export function errorAt(
  source: ErrorSource,
  span: Span,
  code: ScenarioErrorCode,
  message: string,
  lineCounter?: LineCounter,
): ScenarioError {
  const s = clampSpan(span, source.text.length);
  const pos = (lineCounter ?? lineCounterFor(source.text)).linePos(s.start);
  return { code, message: escapeControls(message), file: source.file, line: Math.max(1, pos.line), col: Math.max(1, pos.col), span: s };
}

/** The ScenarioError for a failed evaluation (evalExpr / formatInterp) in `source`. */
export function errorFromFailure(source: ErrorSource, f: ExprFailure): ScenarioError {
  return errorAt(source, f.span, f.code, f.message);
}

const MAX_COLUMNS = 80;

/**
 * `file:line:col: CODE message`, the source line and a caret line (`^~~~` under the span's part on
 * that line). Lines longer than 80 columns are trimmed around the caret with `…`. Control characters
 * are shown escaped (escapeControls), the caret still under the span. `color` styles the caret line
 * (the CLI passes a chalk function on a terminal). No trailing newline.
 */
export function formatError(e: ScenarioError, text: string, color: (s: string) => string = (s) => s): string {
  const head = escapeControls(`${e.file}:${e.line}:${e.col}: ${e.code} ${e.message}`);
  const start = Math.max(0, Math.min(e.span.start, text.length));
  const lineStart = text.lastIndexOf('\n', start - 1) + 1;
  let lineEnd = text.indexOf('\n', start);
  if (lineEnd === -1) lineEnd = text.length;
  let line = text.slice(lineStart, lineEnd);
  if (line.endsWith('\r')) line = line.slice(0, -1);
  let caretAt = start - lineStart;
  const width = Math.max(1, Math.min(e.span.end, lineStart + line.length) - start);
  let prefix = '';
  let suffix = '';
  if (line.length > MAX_COLUMNS) {
    const from = Math.max(0, Math.min(caretAt - MAX_COLUMNS / 2, line.length - MAX_COLUMNS));
    if (from > 0) prefix = '…';
    if (from + MAX_COLUMNS < line.length) suffix = '…';
    line = line.slice(from, from + MAX_COLUMNS);
    caretAt -= from;
  }
  const before = escapeControls(line.slice(0, caretAt), true);
  const marked = escapeControls(line.slice(caretAt, caretAt + width), true);
  const pad = (prefix + before).replace(/[^\t]/g, ' ');
  const marks = '^' + '~'.repeat(Math.max(0, marked.length - 1));
  return `${head}\n${prefix}${escapeControls(line, true)}${suffix}\n${pad}${color(marks)}`;
}

/** Errors in file order (stable for equal offsets), each problem once (same code, span and message). */
export function sortErrors(errors: readonly ScenarioError[]): ScenarioError[] {
  const seen = new Set<string>();
  const unique = errors.filter((e) => {
    const key = `${e.code}\0${e.span.start}\0${e.span.end}\0${e.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return unique
    .map((e, i) => ({ e, i }))
    .sort((a, b) => a.e.span.start - b.e.span.start || a.i - b.i)
    .map(({ e }) => e);
}
