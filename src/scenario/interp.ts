// `print:` strings: literal text with `{expr}` holes. `{expr}` prints decimal, or like C's %p
// (0x + lower-case hex) when the expression is an address (isAddressExpr); `{expr:x}` forces hex,
// `{expr:d}` decimal; `{{` and `}}` are literal braces. A lone `}` or an unclosed `{` is BAD_EXPR.

import type { ExprFailure } from './errors.js';
import { evalExpr, isAddressExpr, parseExpr, type ExprEnv } from './expr.js';
import type { Interp, Span } from './types.js';

type Part = Interp['parts'][number];

/** Parse a print string whose first character is at offset `base` of the file; `span` covers the scalar. */
export function parseInterp(source: string, base: number, span?: Span): { ok: true; interp: Interp } | ExprFailure {
  const parts: Part[] = [];
  let text = '';
  let i = 0;
  while (i < source.length) {
    const c = source[i] as string;
    if ((c === '{' || c === '}') && source[i + 1] === c) {
      text += c;
      i += 2;
      continue;
    }
    if (c === '}') {
      return { ok: false, code: 'BAD_EXPR', message: 'lone "}" in print text (write "}}" for a brace)', span: { start: base + i, end: base + i + 1 } };
    }
    if (c !== '{') {
      text += c;
      i++;
      continue;
    }
    const close = source.indexOf('}', i + 1);
    if (close === -1) {
      return { ok: false, code: 'BAD_EXPR', message: 'unclosed "{" in print text (write "{{" for a brace)', span: { start: base + i, end: base + source.length } };
    }
    const inner = source.slice(i + 1, close);
    const colon = inner.indexOf(':');
    const exprSource = colon === -1 ? inner : inner.slice(0, colon);
    const spec = colon === -1 ? '' : inner.slice(colon + 1).trim();
    if (spec !== '' && spec !== 'x' && spec !== 'd') {
      const at = base + i + 1 + colon + 1;
      return { ok: false, code: 'BAD_EXPR', message: `unknown format "${spec}" (use :x for hex or :d for decimal)`, span: { start: at, end: base + close } };
    }
    const parsed = parseExpr(exprSource, base + i + 1);
    if (!parsed.ok) return parsed;
    if (text !== '') parts.push(text);
    text = '';
    parts.push({ expr: parsed.expr, format: spec === '' ? 'auto' : spec });
    i = close + 1;
  }
  if (text !== '') parts.push(text);
  return { ok: true, interp: { parts, span: span ?? { start: base, end: base + source.length } } };
}

/** `0x` + lower-case hex, as C's %p prints a non-NULL pointer. */
export const formatAddress = (v: bigint): string => `0x${v.toString(16)}`;

/** The printed text, or the first evaluation error (positioned at the failing expression). */
export function formatInterp(
  interp: Interp,
  env: ExprEnv,
  isAddressName: (name: string) => boolean,
): { ok: true; value: string } | ExprFailure {
  let out = '';
  for (const part of interp.parts) {
    if (typeof part === 'string') {
      out += part;
      continue;
    }
    const r = evalExpr(part.expr, env);
    if (!r.ok) return r;
    const hex = part.format === 'x' || (part.format === 'auto' && isAddressExpr(part.expr, isAddressName));
    out += hex ? formatAddress(r.value) : r.value.toString();
  }
  return { ok: true, value: out };
}
