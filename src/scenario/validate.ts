// Checking plain YAML values against the zod schemas of schema.ts and turning zod issues into one
// positioned ScenarioError per problem: unions keep only the branch whose type matched, unknown keys
// point at the key with a suggestion, a missing field points at the map that lacks it.

import type * as z from 'zod';
import { didYouMean } from './suggest.js';
import type { ScenarioErrorCode } from './types.js';
import type { Path, YamlSource } from './yaml-source.js';

/** The parts of a zod definition we walk (zod's own def types are per-kind). */
interface WalkDef {
  readonly type: string;
  readonly innerType?: z.ZodType;
  readonly shape?: Readonly<Record<string, z.ZodType>>;
  readonly element?: z.ZodType;
  readonly valueType?: z.ZodType;
  readonly options?: readonly z.ZodType[];
  readonly getter?: () => z.ZodType;
  readonly in?: z.ZodType;
}
const defOf = (s: z.ZodType): WalkDef => s._zod.def as unknown as WalkDef;

/** Strip optional/default/lazy wrappers. */
function unwrap(s: z.ZodType): z.ZodType {
  for (let i = 0; i < 16; i++) {
    const d = defOf(s);
    if ((d.type === 'optional' || d.type === 'default' || d.type === 'nullable' || d.type === 'prefault') && d.innerType) s = d.innerType;
    else if (d.type === 'lazy' && d.getter) s = d.getter();
    else if (d.type === 'pipe' && d.in) s = d.in;
    else break;
  }
  return s;
}

/** The schema at a path below `s`, or undefined where a union makes it ambiguous. */
function schemaAt(s: z.ZodType, path: Path): z.ZodType | undefined {
  let cur: z.ZodType | undefined = s;
  for (const seg of path) {
    if (!cur) return undefined;
    const d = defOf(unwrap(cur));
    if (d.type === 'object' && d.shape) cur = d.shape[String(seg)];
    else if (d.type === 'array') cur = d.element;
    else if (d.type === 'record') cur = d.valueType;
    else return undefined;
  }
  return cur && unwrap(cur);
}

function valueAt(value: unknown, path: Path): unknown {
  let v = value;
  for (const seg of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[String(seg)];
  }
  return v;
}

const TYPE_WORDS: Readonly<Record<string, string>> = {
  bigint: 'an integer', string: 'a string', object: 'a map', array: 'a list', boolean: 'true or false',
  number: 'a number', record: 'a map',
};

/** How a plain YAML value reads in a message. */
export function describeValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'an empty value';
  if (typeof v === 'bigint') return `the integer ${v}`;
  if (typeof v === 'number') return `the number ${v}`;
  if (typeof v === 'boolean') return String(v);
  if (typeof v === 'string') return `the string "${v.length > 40 ? `${v.slice(0, 40)}…` : v}"`;
  if (Array.isArray(v)) return 'a list';
  return 'a map';
}

type Issue = z.core.$ZodIssue;

/** How the field at `path` reads in a message: `"length"`, a list item as `flags[1]`, `is[0][2]`. */
export function fieldName(path: Path): string {
  let i = path.length - 1;
  let index = '';
  for (; i >= 0 && typeof path[i] === 'number'; i--) index = `[${String(path[i])}]${index}`;
  if (i < 0) return index === '' ? 'the file' : `item ${index}`;
  const key = String(path[i]);
  return index === '' ? `"${key}"` : `${key}${index}`;
}

/** Report zod issues for `value` (found at `base` in the file) validated against `schema`. */
export function reportIssues(src: YamlSource, issues: readonly Issue[], schema: z.ZodType, base: Path, value: unknown): void {
  for (const issue of issues) reportIssue(src, issue, schema, base, value, []);
}

function reportIssue(src: YamlSource, issue: Issue, schema: z.ZodType, base: Path, value: unknown, prefix: Path): void {
  const rel = [...prefix, ...(issue.path as (string | number)[])];
  const path = [...base, ...rel];
  const actual = valueAt(value, rel);
  const at = src.nodeSpan(path);
  const report = (code: ScenarioErrorCode, message: string, span = at): void => src.report(code, message, span);
  const field = fieldName(path);
  switch (issue.code) {
    case 'invalid_union': {
      const union = schemaAt(schema, rel);
      const options = union ? defOf(union).options ?? [] : [];
      // A branch whose own root type did not match says nothing about the other branches.
      // (An enum of strings answers a list or map with invalid_value: that is a type miss too.)
      const collection = actual !== null && typeof actual === 'object';
      const rootTypeMiss = (errs: readonly Issue[]): boolean =>
        errs.every((e) => e.path.length === 0 && (e.code === 'invalid_type' || (e.code === 'invalid_value' && collection)));
      const depth = (errs: readonly Issue[]): number => Math.max(0, ...errs.map((e) => e.path.length));
      const kept = issue.errors.map((errs, i) => ({ errs, i })).filter(({ errs }) => !rootTypeMiss(errs));
      // The branch that got furthest into the value is the one the author meant.
      const first = kept.reduce<(typeof kept)[number] | undefined>((best, k) => (best && depth(best.errs) >= depth(k.errs) ? best : k), undefined);
      if (actual === undefined) return report('MISSING_FIELD', `missing field ${field}`, src.nodeSpan(path));
      if (first !== undefined) {
        const branch = options[first.i];
        for (const e of first.errs) {
          if (branch) reportIssue(src, e, branch, path, actual, []);
          else report('BAD_VALUE', e.message);
        }
        return;
      }
      const expected = [...new Set(issue.errors.flat().map((e) => (e.code === 'invalid_type' ? TYPE_WORDS[e.expected] ?? e.expected : '')))];
      const words = expected.filter((w) => w !== '');
      const what = words.join(' or ').replace('an integer or a string', 'an integer or an expression string');
      return report('BAD_TYPE', `${field} expects ${what}, got ${describeValue(actual)}`);
    }
    case 'invalid_type':
      if (actual === undefined) {
        return report('MISSING_FIELD', `missing field ${field}`, src.nodeSpan(path.slice(0, -1)));
      }
      return report('BAD_TYPE', `${field} expects ${TYPE_WORDS[issue.expected] ?? issue.expected}, got ${describeValue(actual)}`);
    case 'invalid_value': {
      const values = issue.values.map(String);
      const shown = typeof actual === 'string' ? `"${actual}"` : describeValue(actual);
      const hint = typeof actual === 'string' ? didYouMean(actual, values) : '';
      const list = values.length <= 20 ? `: expected ${values.join(', ')}` : '';
      return report('BAD_VALUE', `${shown} is not a valid value for ${field}${hint || list}`);
    }
    case 'unrecognized_keys': {
      const obj = schemaAt(schema, rel);
      const known = obj ? Object.keys(defOf(obj).shape ?? {}) : [];
      for (const key of issue.keys) {
        const where = path.length > 0 ? ` in ${field}` : '';
        const list = known.length <= 12 ? `; fields are ${known.join(', ')}` : '';
        const hint = didYouMean(key, known);
        report('UNKNOWN_FIELD', `unknown field "${key}"${where}${hint || list}`, src.keySpan([...path, key]));
      }
      return;
    }
    case 'invalid_key': {
      const inner = issue.issues[0];
      return report('BAD_VALUE', `${field} ${inner?.message ?? 'is not a valid key'}`, src.keySpan(path));
    }
    case 'invalid_format':
      return report('BAD_VALUE', `${describeValue(actual).replace(/^the string /, '')} ${issue.message}`);
    case 'too_small':
      return report('BAD_VALUE', `${field} must not be empty`);
    default:
      return report('BAD_VALUE', `${field}: ${issue.message}`);
  }
}

/** Validate `value` at `path`; the parsed output, or undefined after reporting every issue. */
export function checkValue<S extends z.ZodType>(src: YamlSource, schema: S, value: unknown, path: Path): z.output<S> | undefined {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  reportIssues(src, r.error.issues, schema, path, value);
  return undefined;
}

/**
 * Validate a map field by field (a strict object's shape), so that one bad field does not hide the
 * others: `data` holds every field that passed, `ok` says whether all did and no key was unknown.
 */
export function checkFields<T extends Readonly<Record<string, z.ZodType>>>(
  src: YamlSource,
  shape: T,
  value: unknown,
  path: Path,
  what: string,
): { ok: boolean; data: { -readonly [K in keyof T]?: z.output<T[K]> } } | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    src.report('BAD_TYPE', `${what} must be a map, got ${describeValue(value)}`, src.nodeSpan(path));
    return undefined;
  }
  const raw = value as Record<string, unknown>;
  const known = Object.keys(shape);
  let ok = true;
  for (const key of Object.keys(raw)) {
    if (known.includes(key)) continue;
    ok = false;
    const hint = didYouMean(key, known);
    const list = known.length <= 12 ? `; fields are ${known.join(', ')}` : '';
    src.report('UNKNOWN_FIELD', `unknown field "${key}" in ${what}${hint || list}`, src.keySpan([...path, key]));
  }
  const data: Record<string, unknown> = {};
  for (const key of known) {
    const schema = shape[key] as z.ZodType;
    const r = schema.safeParse(raw[key]);
    if (r.success) {
      if (r.data !== undefined) data[key] = r.data;
    } else {
      ok = false;
      reportIssues(src, r.error.issues, schema, [...path, key], raw[key]);
    }
  }
  return { ok, data: data as { -readonly [K in keyof T]?: z.output<T[K]> } };
}
