// Reading the YAML text safely and answering "where is this path in the file?". Parsing guards:
// a size limit, a nesting limit checked on the CST before anything recursive runs, and an alias
// expansion limit. The document becomes plain values in one linear pass of our own (PlainBuilder):
// yaml's Document.toJS resolves every alias by scanning the document again, which made a few thousand
// aliases take minutes. Positions stay offsets until an error is made (errors.ts turns them into line:col).

import {
  Composer, CST, isAlias, isMap, isPair, isScalar, isSeq, LineCounter, Parser,
  type Alias, type Document, type Node, type Pair, type Scalar,
} from 'yaml';
import { errorAt } from './errors.js';
import type { ScenarioError, ScenarioErrorCode, Span } from './types.js';

/** Files longer than this many characters are rejected. */
export const MAX_FILE_CHARS = 1 << 20;
/** Collections nested deeper than this are rejected (a real scenario needs about a dozen). */
export const MAX_NESTING = 64;
/**
 * Nodes that aliases may add to the document, counted as if every alias were copied out in full (an
 * alias of a list of 9 scalars adds 10). The file's own nodes are bounded by MAX_FILE_CHARS; this
 * bounds what aliases add, so that an alias bomb ("billion laughs") is refused before anything walks it.
 */
export const MAX_ALIAS_EXPANSION = 100_000;

export type Path = readonly (string | number)[];

/** The offset of the first collection nested deeper than MAX_NESTING, walking the CST without recursion. */
function tooDeepAt(tokens: readonly CST.Token[]): number | undefined {
  const stack: { tok: CST.Token; depth: number }[] = [];
  for (const tok of tokens) stack.push({ tok, depth: 0 });
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
    /** Each alias node's anchored node, as PlainBuilder resolved it. */
    private readonly aliasTargets: ReadonlyMap<Alias, Node> = new Map(),
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
    if (isAlias(node)) return this.aliasTargets.get(node);
    return node as Node | undefined;
  }

  /** Per map node, its pairs by key text (built once: error positions look keys up often). */
  private readonly pairIndex = new WeakMap<object, Map<string, Pair>>();
  private pairOf(map: { items: readonly Pair[] }, key: string): Pair | undefined {
    let index = this.pairIndex.get(map);
    if (!index) {
      index = new Map();
      for (const p of map.items) {
        const k = isScalar(p.key) ? String(p.key.value) : undefined;
        if (k !== undefined && !index.has(k)) index.set(k, p);
      }
      this.pairIndex.set(map, index);
    }
    return index.get(key);
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
        const pair = this.pairOf(node, String(seg));
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

/** Why PlainBuilder refused the document, as a YAML_SYNTAX message at a span. */
class AliasFailure extends Error {
  constructor(message: string, readonly span: Span) {
    super(message);
  }
}

/**
 * The document as plain values, like yaml's Document.toJS with the core schema (maps → objects keyed by
 * the key's text, sequences → arrays, scalars → their value; an alias → the very value of its anchor),
 * in one pass in document order. Anchors are registered as they are met, so an alias resolves to the
 * last anchor of its name before it, as yaml resolves it. On the way it refuses an alias inside the
 * collection its anchor names (a cyclic value every later stage would walk forever), an alias with no
 * anchor before it, and aliases that would add more than MAX_ALIAS_EXPANSION nodes when expanded; and
 * it reports every key a map repeats (yaml's own check is quadratic in the keys of a map). Recursion depth is bounded by MAX_NESTING (checked on the CST first): an alias is never descended into.
 */
class PlainBuilder {
  readonly aliasTargets = new Map<Alias, Node>();
  private readonly anchors = new Map<string, Node>();
  /** Anchored nodes being converted (an alias to one of them is a cycle). */
  private readonly open = new Set<Node>();
  /** Anchored nodes converted: their value and expanded size in nodes. */
  private readonly done = new Map<Node, { value: unknown; size: number }>();
  private added = 0;
  constructor(private readonly duplicateKey: (message: string, span: Span) => void) {}

  convert(node: unknown): { value: unknown; size: number } {
    if (node === null || node === undefined) return { value: null, size: 1 };
    if (isAlias(node)) return this.alias(node);
    const n = node as Node;
    const anchor = isScalar(n) || isMap(n) || isSeq(n) ? n.anchor : undefined;
    if (anchor !== undefined) {
      this.anchors.set(anchor, n);
      this.open.add(n);
    }
    const r = this.convertNode(n);
    if (anchor !== undefined) {
      this.open.delete(n);
      this.done.set(n, r);
    }
    return r;
  }

  private convertNode(n: Node): { value: unknown; size: number } {
    if (isMap(n)) {
      const obj: Record<string, unknown> = {};
      const seen = new Set<string>();
      let size = 1;
      for (const pair of n.items) size += this.addPair(obj, pair, seen);
      return { value: obj, size };
    }
    if (isSeq(n)) {
      const list: unknown[] = [];
      let size = 1;
      for (const item of n.items) {
        if (isPair(item)) {
          // `[a: 1]`: a single-pair map inside a flow sequence.
          const obj: Record<string, unknown> = {};
          size += this.addPair(obj, item);
          list.push(obj);
          continue;
        }
        const r = this.convert(item);
        size += r.size;
        list.push(r.value);
      }
      return { value: list, size };
    }
    return { value: isScalar(n) ? n.value : null, size: 1 };
  }

  /** Set one pair on `obj` (an own property even for `__proto__`); its expanded size. */
  private addPair(obj: Record<string, unknown>, pair: Pair, seen = new Set<string>()): number {
    const k = this.convert(pair.key);
    const v = this.convert(pair.value);
    const key = keyText(k.value);
    if (seen.has(key)) {
      const r = (pair.key as Node | null)?.range;
      this.duplicateKey(`(DUPLICATE_KEY) map keys must be unique: "${key}" is already a key of this map`, { start: r?.[0] ?? 0, end: r?.[1] ?? 0 });
    }
    seen.add(key);
    // `__proto__` is the one inherited accessor: define it as an own property instead of setting the prototype.
    if (key === '__proto__') Object.defineProperty(obj, key, { value: v.value, writable: true, enumerable: true, configurable: true });
    else obj[key] = v.value;
    return k.size + v.size;
  }

  private alias(node: Alias): { value: unknown; size: number } {
    const at = node.range?.[0] ?? 0;
    const span = { start: at, end: at + 1 + node.source.length };
    const target = this.anchors.get(node.source);
    if (target === undefined) throw new AliasFailure(`(BAD_ALIAS) alias *${node.source} has no anchor &${node.source} before it`, span);
    if (this.open.has(target)) throw new AliasFailure(`(ALIAS_CYCLE) alias *${node.source} refers to a collection that contains it`, span);
    const r = this.done.get(target) ?? { value: null, size: 1 };
    this.aliasTargets.set(node, target);
    this.added += r.size;
    if (this.added > MAX_ALIAS_EXPANSION) {
      throw new AliasFailure(`(RESOURCE_EXHAUSTION) aliases expand to more than ${MAX_ALIAS_EXPANSION} nodes (an alias bomb?)`, span);
    }
    return r;
  }
}

/** A map key as an object key: null → '', a collection → its JSON text (integers as digits). */
function keyText(key: unknown): string {
  if (key === null || key === undefined) return '';
  if (typeof key !== 'object') return String(key as string | number | bigint | boolean);
  return JSON.stringify(key, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
}

/** Parse `text`; syntax problems come back as YAML_SYNTAX errors (the yaml library's code in the message). */
export function readYaml(file: string, text: string): YamlSource {
  const fail = (offset: number, message: string): YamlSource => {
    const lc = new LineCounter();
    const src = new YamlSource(file, text, lc, undefined, noValue);
    lc.addNewLine(0);
    for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) lc.addNewLine(i + 1);
    src.report('YAML_SYNTAX', message, { start: offset, end: offset + 1 });
    return src;
  };
  if (text.length > MAX_FILE_CHARS) {
    return fail(MAX_FILE_CHARS, `(RESOURCE_EXHAUSTION) file longer than ${MAX_FILE_CHARS} characters (1 MiB)`);
  }
  // The text is parsed once: the nesting check reads the CST, the composer builds the document from it.
  const lc = new LineCounter();
  const tokens = [...new Parser(lc.addNewLine).parse(text)];
  const deep = tooDeepAt(tokens);
  if (deep !== undefined) {
    return fail(deep, `(RESOURCE_EXHAUSTION) collections nested deeper than ${MAX_NESTING} levels`);
  }
  const { doc, second } = composeOne(tokens, text.length);
  const src0 = new YamlSource(file, text, lc, doc, noValue);
  for (const e of doc.errors) {
    src0.report('YAML_SYNTAX', `(${e.code}) ${e.message.split('\n')[0] ?? ''}`, { start: e.pos[0], end: Math.max(e.pos[1], e.pos[0] + 1) });
  }
  if (second !== undefined) src0.report('YAML_SYNTAX', '(MULTIPLE_DOCS) a scenario file holds one YAML document', { start: second, end: second + 1 });
  if (src0.errors.length > 0) return src0;
  const plain = new PlainBuilder((message, span) => src0.report('YAML_SYNTAX', message, span));
  let data: unknown;
  try {
    data = plain.convert(doc.contents).value;
  } catch (e) {
    if (!(e instanceof AliasFailure)) throw e;
    src0.report('YAML_SYNTAX', e.message, e.span);
  }
  if (src0.errors.length > 0) return src0;
  return new YamlSource(file, text, lc, doc, data, plain.aliasTargets);
}

/** The first document of the token stream, and the offset of a second one if there is one. */
function composeOne(tokens: readonly CST.Token[], length: number): { doc: Document.Parsed; second?: number } {
  const composer = new Composer({
    intAsBigInt: true,
    // yaml's own duplicate-key check compares each key with every earlier one; PlainBuilder checks instead.
    uniqueKeys: false,
    logLevel: 'error',
  });
  let doc: Document.Parsed | undefined;
  for (const d of composer.compose(tokens, true, length)) {
    if (doc === undefined) doc = d;
    else return { doc, second: d.range[0] };
  }
  // compose(…, forceDoc = true) always yields a document, an empty one for an empty text.
  return { doc: doc as Document.Parsed };
}

/** Whether readYaml produced a value to validate. */
export const hasData = (src: YamlSource): boolean => src.data !== noValue;
