// Scenario expressions and `print:` strings as C: every name is a u64 field of the test's shared
// variables (`V.P`), arithmetic is u64 (the scenario's values are below 2^64 and non-negative where
// they are addresses, sizes and counts), model names read /proc/meminfo as the model's do, and a
// print string becomes one printf format per line with its holes as arguments (scenario/interp.ts:
// an address prints 0x-hex like %p, anything else decimal; `:x` and `:d` force the base).

import { isAddressExpr } from '../scenario/index.js';
import type { Expr, Interp } from '../scenario/index.js';

const C_KEYWORDS = new Set([
  'auto', 'break', 'case', 'char', 'const', 'continue', 'default', 'do', 'double', 'else', 'enum', 'extern', 'float', 'for', 'goto',
  'if', 'inline', 'int', 'long', 'register', 'restrict', 'return', 'short', 'signed', 'sizeof', 'static', 'struct', 'switch',
  'typedef', 'union', 'unsigned', 'void', 'volatile', 'while', 'errno', 'stdin', 'stdout', 'stderr', 'main', 'unix', 'linux',
]);

/** The scenario's names as C fields, and which of them hold addresses (bound by mmap). */
export class CNames {
  private readonly fields = new Map<string, string>();
  readonly addresses = new Set<string>();

  /** The C field for a scenario name: the name itself, unless C or the runtime (hg_) claims it. */
  field(name: string): string {
    let f = this.fields.get(name);
    if (f === undefined) {
      f = C_KEYWORDS.has(name) || name.startsWith('hg') || name.startsWith('HG') ? `n_${name}` : name;
      this.fields.set(name, f);
    }
    return f;
  }

  /** Every field, in first-use order: the members of `struct hg_vars`. */
  all(): string[] {
    return [...this.fields.values()];
  }

  isAddress(e: Expr): boolean {
    return isAddressExpr(e, (n) => this.addresses.has(n));
  }
}

/** `0x3000` for round values, decimal otherwise; always u64. */
export function cLiteral(v: bigint): string {
  return v >= 4096n && v % 4096n === 0n ? `0x${v.toString(16)}UL` : `${v.toString()}UL`;
}

const MODEL_NAMES = new Set(['HardwareCorrupted', 'HugePages_Total', 'HugePages_Free', 'HugePages_Rsvd', 'HugePages_Surp']);

/** An expression as a C expression of type u64. */
export function cExpr(e: Expr, names: CNames): string {
  switch (e.kind) {
    case 'lit':
      return cLiteral(e.value);
    case 'name':
      return MODEL_NAMES.has(e.name) ? `(u64)hg_meminfo("${e.name}")` : `V.${names.field(e.name)}`;
    case 'neg':
      return `(u64)(-(s64)${cExpr(e.arg, names)})`;
    case 'binary': {
      const l = cExpr(e.left, names);
      const r = cExpr(e.right, names);
      // Comparisons are signed: the model compares integers, and a difference may go below zero.
      if (['<', '<=', '>', '>='].includes(e.op)) return `(u64)((s64)${l} ${e.op} (s64)${r})`;
      if (e.op === '==' || e.op === '!=') return `(u64)(${l} ${e.op} ${r})`;
      return `(${l} ${e.op} ${r})`;
    }
    case 'call': {
      const args = e.args.map((a) => cExpr(a, names));
      return `hg_${e.fn}(${args.join(', ')})`;
    }
  }
}

/** A C string literal. */
export function cString(text: string): string {
  let out = '"';
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0;
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (code < 0x20 || code === 0x7f) out += `\\${code.toString(8).padStart(3, '0')}`;
    else if (ch === '?') out += '\\?'; // no trigraphs
    else out += ch;
  }
  return `${out}"`;
}

/** A printf format as C source: literal text and conversions, `"text 0x%" PRIx64 " more"`. */
export type FormatToken = string | { readonly conv: 'x' | 'd' };

export function cFormat(tokens: readonly FormatToken[]): string {
  let out = '';
  let text = '';
  const flush = (): void => {
    if (text !== '' || out === '') out += `${out === '' ? '' : ' '}${cString(text)}`;
    text = '';
  };
  for (const t of tokens) {
    if (typeof t === 'string') {
      text += t.replace(/%/g, '%%');
      continue;
    }
    text += t.conv === 'x' ? '0x%' : '%';
    flush();
    out += ` ${t.conv === 'x' ? 'PRIx64' : 'PRId64'}`;
  }
  if (text !== '') flush();
  return out === '' ? '""' : out;
}

/** One printf call per line of a print string: each line's format tokens and arguments. */
export function cInterpLines(i: Interp, names: CNames): { readonly tokens: readonly FormatToken[]; readonly args: readonly string[] }[] {
  const lines: { tokens: FormatToken[]; args: string[] }[] = [{ tokens: [], args: [] }];
  const current = (): { tokens: FormatToken[]; args: string[] } => lines[lines.length - 1] as { tokens: FormatToken[]; args: string[] };
  for (const part of i.parts) {
    if (typeof part === 'string') {
      part.split('\n').forEach((piece, k) => {
        if (k > 0) lines.push({ tokens: [], args: [] });
        if (piece !== '') current().tokens.push(piece);
      });
      continue;
    }
    const hex = part.format === 'x' || (part.format === 'auto' && names.isAddress(part.expr));
    current().tokens.push({ conv: hex ? 'x' : 'd' });
    current().args.push(hex ? cExpr(part.expr, names) : `(s64)${cExpr(part.expr, names)}`);
  }
  return lines;
}
