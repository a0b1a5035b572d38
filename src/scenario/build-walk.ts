// The generic builder: turns a validated YAML value into AST pieces by walking its zod schema, so that
// steps and `expect:` fields need no code of their own unless their shape is special (steps/, expect/).

import * as z from 'zod';
import type { ExprBuilder } from './build-exprs.js';
import { COMMON_KEYS, isExprSchema } from './fields.js';
import type { Scope } from './scope.js';
import type { Path } from './yaml-source.js';

type Raw = Readonly<Record<string, unknown>>;
const isMap = (v: unknown): v is Raw => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * A map's fields, built by walking its schema: an expression field (fields.ts expr()) is parsed with
 * its names checked, a list of them element by element, a nested map field by field; any other
 * validated value is kept as it is. The fields every step shares (expect, on_error, when, in) are read
 * apart by the step builder. Fields missing after a reported error are left out.
 */
export function buildFields(x: ExprBuilder, shape: Readonly<Record<string, z.ZodType>>, data: Raw, path: Path, scope: Scope): Raw {
  const out: Record<string, unknown> = {};
  for (const [key, schema] of Object.entries(shape)) {
    if ((COMMON_KEYS as readonly string[]).includes(key)) continue;
    const field = unwrap(schema);
    if (isExprSchema(field)) {
      // A required expression is built even when missing (a placeholder), as the steps always did.
      if (data[key] !== undefined || field === schema) out[key] = x.reqExpr(data, key, path, scope);
    } else if (data[key] !== undefined) {
      out[key] = buildValue(x, field, data[key], [...path, key], scope);
    }
  }
  return out;
}

export function buildValue(x: ExprBuilder, schema: z.ZodType, value: unknown, path: Path, scope: Scope): unknown {
  const s = unwrap(schema);
  if (isExprSchema(s)) return x.expr(value, path, scope);
  if (s instanceof z.ZodArray && Array.isArray(value)) {
    const element = s.element as z.ZodType;
    return value.map((v, i) => buildValue(x, element, v, [...path, i], scope));
  }
  if (s instanceof z.ZodObject && isMap(value)) return buildFields(x, s.shape as Readonly<Record<string, z.ZodType>>, value, path, scope);
  return value;
}

/** The schema inside optional / default wrappers. */
export function unwrap(s: z.ZodType): z.ZodType {
  return s instanceof z.ZodOptional || s instanceof z.ZodDefault ? unwrap(s.unwrap() as z.ZodType) : s;
}

