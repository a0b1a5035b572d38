// Reading the YAML text safely and answering "where is this path in the file?". Parsing guards:
// a size limit, a nesting limit checked on the CST before anything recursive runs, and an alias
// expansion limit. Positions stay offsets until an error is made (errors.ts turns them into line:col).

import {
  CST, isAlias, isMap, isScalar, isSeq, LineCounter, Parser, parseDocument, visit,
  type Document, type Node, type Scalar,
} from 'yaml';
import { errorAt } from './errors.js';
import type { ScenarioError, ScenarioErrorCode, Span } from './types.js';

/** Files longer than this many characters are rejected. */
export const MAX_FILE_CHARS = 1 << 20;
/** Collections nested deeper than this are rejected (a real scenario needs about a dozen). */
export const MAX_NESTING = 64;
/** Alias expansions allowed when converting to plain values (yaml's own default). */
export const MAX_ALIAS_COUNT = 100;

export type Path = readonly (string | number)[];

/** The offset of the first collection nested deeper than MAX_NESTING, walking the CST without recursion. */
function tooDeepAt(text: string): number | undefined {
  const stack: { tok: CST.Token; depth: number }[] = [];
  for (const tok of new Parser().parse(text)) stack.push({ tok, depth: 0 });
  while (stack.length > 0) {
    const { tok, depth } = stack.pop() as { tok: CST.Token; depth: number };
    const push = (t: CST.Token | undefined, d: number): void => {
      if (t) stack.push({ tok: t, depth: d });
    };
    switch (tok.type) {
      case 'document':
        push(tok.value, depth);
        break;
      case 'block-map':
      case 'block-seq':
      case 'flow-collection': {
        if (depth + 1 > MAX_NESTING) return tok.offset;
        for (const item of tok.items) {
          push('key' in item ? (item.key ?? undefined) : undefined, depth + 1);
          push(item.value, depth + 1);
        }
        break;
      }
      default:
        break;
    }
  }
  return undefined;
}

/** A parsed file: its document, plain value and the position helpers every later stage uses. */
export class YamlSource {
  readonly errors: ScenarioError[] = [];
  constructor(
    readonly file: string,
    readonly text: string,
    readonly lineCounter: LineCounter,
    readonly doc: Document.Parsed | undefined,
    /** The document as plain values (maps → objects, integers → bigint). */
    readonly data: unknown,
  ) {}

  /** 1-based line and column of an offset. */
  linePos(offset: number): { line: number; col: number } {
    const p = this.lineCounter.linePos(offset);
    return { line: Math.max(1, p.line), col: Math.max(1, p.col) };
  }

  report(code: ScenarioErrorCode, message: string, span: Span): void {
    this.errors.push(errorAt(this, span, code, message, this.lineCounter));
  }

  private resolve(node: unknown): Node | undefined {
    if (isAlias(node) && this.doc) return node.resolve(this.doc) as Node | undefined;
    return node as Node | undefined;
  }

  /** The node at `path` and how many segments matched (fewer than path.length: a parent). */
  private walk(path: Path): { node: Node | undefined; key: Node | undefined; matched: number } {
    let node = this.resolve(this.doc?.contents ?? undefined);
    let key: Node | undefined;
    let matched = 0;
    for (const seg of path) {
      let next: unknown;
      let nextKey: Node | undefined;
      if (isMap(node)) {
        const pair = node.items.find((p) => (isScalar(p.key) ? String(p.key.value) : undefined) === String(seg));
        next = pair?.value;
        nextKey = pair?.key as Node | undefined;
        if (pair && next == null) next = pair.key; // `key:` with no value: point at the key
      } else if (isSeq(node) && typeof seg === 'number') {
        next = node.items[seg];
      }
      const resolved = this.resolve(next);
      if (!resolved) break;
      node = resolved;
      key = nextKey;
      matched++;
    }
    return { node, key, matched };
  }

  private spanOf(node: Node | undefined): Span {
    const r = node?.range;
    if (!r) return { start: 0, end: 0 };
    return { start: r[0], end: r[1] };
  }

  /** Span of the node at `path`, or of the nearest existing parent. */
  nodeSpan(path: Path): Span {
    return this.spanOf(this.walk(path).node);
  }

  /** Span of the map key whose value is at `path` (the key itself, for unknown-key messages). */
  keySpan(path: Path): Span {
    const w = this.walk(path);
    return this.spanOf(w.matched === path.length && w.key ? w.key : w.node);
  }

  /** Whether `path` names a node that exists. */
  has(path: Path): boolean {
    return this.walk(path).matched === path.length;
  }

  /**
   * Offset of a string scalar's first content character: after an opening quote, at the first line of
   * a block scalar. Escapes and folding make exact positions impossible; then the scalar's start is used.
   */
  contentStart(path: Path, value: string): { base: number; span: Span } {
    const node = this.walk(path).node;
    const span = this.spanOf(node);
    const raw = this.text.slice(span.start, span.end);
    const firstLine = value.split('\n')[0] ?? '';
    const quoted = isScalar(node) && ((node as Scalar).type === 'QUOTE_DOUBLE' || (node as Scalar).type === 'QUOTE_SINGLE');
    const from = quoted ? 1 : 0;
    const at = firstLine === '' ? -1 : raw.indexOf(firstLine, from);
    return { base: span.start + (at === -1 ? from : at), span };
  }
}

const noValue = Symbol('no value');

/** Parse `text`; syntax problems come back as YAML_SYNTAX errors (the yaml library's code in the message). */
export function readYaml(file: string, text: string): YamlSource {
  const lc = new LineCounter();
  const fail = (offset: number, message: string): YamlSource => {
    const src = new YamlSource(file, text, lc, undefined, noValue);
    lc.addNewLine(0);
    for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) lc.addNewLine(i + 1);
    src.report('YAML_SYNTAX', message, { start: offset, end: offset + 1 });
    return src;
  };
  if (text.length > MAX_FILE_CHARS) {
    return fail(MAX_FILE_CHARS, `(RESOURCE_EXHAUSTION) file longer than ${MAX_FILE_CHARS} characters (1 MiB)`);
  }
  const deep = tooDeepAt(text);
  if (deep !== undefined) {
    return fail(deep, `(RESOURCE_EXHAUSTION) collections nested deeper than ${MAX_NESTING} levels`);
  }
  const doc = parseDocument(text, {
    lineCounter: lc,
    intAsBigInt: true,
    uniqueKeys: true,
    prettyErrors: false,
    logLevel: 'error',
  });
  const src0 = new YamlSource(file, text, lc, doc, noValue);
  for (const e of doc.errors) {
    src0.report('YAML_SYNTAX', `(${e.code}) ${e.message.split('\n')[0] ?? ''}`, { start: e.pos[0], end: Math.max(e.pos[1], e.pos[0] + 1) });
  }
  if (src0.errors.length > 0) return src0;
  // An alias inside the collection its anchor names (`steps: &s [{for: …, do: *s}]`) would make the
  // plain value cyclic, and every later stage would walk it forever.
  visit(doc, {
    Alias(_key, node, path) {
      const target = node.resolve(doc);
      if (target && path.includes(target)) {
        const at = node.range?.[0] ?? 0;
        src0.report('YAML_SYNTAX', `(ALIAS_CYCLE) alias *${node.source} refers to a collection that contains it`, { start: at, end: at + 1 + node.source.length });
      }
    },
  });
  if (src0.errors.length > 0) return src0;
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (e) {
    let at = 0;
    visit(doc, {
      Alias(_key, node) {
        at = node.range?.[0] ?? 0;
        return visit.BREAK;
      },
    });
    const why = e instanceof Error ? e.message : String(e);
    src0.report('YAML_SYNTAX', `(RESOURCE_EXHAUSTION) ${why}`, { start: at, end: at + 1 });
    return src0;
  }
  return new YamlSource(file, text, lc, doc, data);
}

/** Whether readYaml produced a value to validate. */
export const hasData = (src: YamlSource): boolean => src.data !== noValue;
