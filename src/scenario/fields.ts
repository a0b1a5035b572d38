// Field schemas shared by the step definitions (steps/) and the file schema (schema.ts): expressions,
// names, flag lists, `in:`, a step's own `expect:` and the fields every syscall step takes. A leaf:
// it imports only zod and the vocabulary, so that step definitions and schema.ts can both use it.

import * as z from 'zod';
import { ERRNO_NAMES, PROFILE_NAMES, UFFD_RANGE_IOCTLS } from '../abi/index.js';
import { NAME_PATTERN, SIGBUS_CODES, TASK_NAME_PATTERN, UFFD_EVENTS } from './names.js';
import { HUGEPAGE_SIZES } from './types.js';

/**
 * An integer or a string expression (names, units 4K/2M/1G, + - * / % << >>, comparisons < <= > >= == != giving 1 or 0, log2 min max pfn phys).
 * The brand is type-only (zod's brand() returns the same schema): it lets the builder's types turn
 * the field into an Expr (steps/define.ts Built), while the builder finds it at run time by its shape.
 */
export const expr = (description: string) => z.union([z.bigint(), z.string()]).brand<'expr'>().describe(description);
export const name = (description: string) =>
  z.string().regex(NAME_PATTERN, { error: 'is not a valid name (letters, digits and _, not starting with a digit)' }).describe(description);
export const flagList = <const T extends readonly string[]>(values: T, description: string) => z.array(z.enum(values)).describe(description);

/** Whether a schema is an expression field: the union of bigint and string that expr() makes. */
export function isExprSchema(s: z.ZodType): boolean {
  if (!(s instanceof z.ZodUnion)) return false;
  const opts = s.options as readonly z.ZodType[];
  return opts.length === 2 && opts.some((o) => o instanceof z.ZodBigInt) && opts.some((o) => o instanceof z.ZodString);
}

/** `in:` on any step but print: the thread the step acts in. */
export const inTask = z
  .string()
  .regex(TASK_NAME_PATTERN, { error: 'is not a process or thread name (C, T or C.T)' })
  .describe('Act in process C (its main thread), thread T, or thread T of process C (C.T); default: main')
  .optional();

export const letMap = z
  .record(name('a name bound for what follows'), expr('its value, evaluated once in order'))
  .describe('Ordered name → expression bindings; each may use the names before it');

export const stepExpectSchema = z
  .strictObject({
    ret: expr('Expected return value on success').optional(),
    errno: z.enum(ERRNO_NAMES).describe('The step fails with this errno').optional(),
    sigbus: z.enum([...SIGBUS_CODES, 'none']).describe('The SIGBUS raised in the acting thread, or none').optional(),
    si_addr: expr('Expected si_addr of that SIGBUS').optional(),
    si_addr_lsb: expr('Expected si_addr_lsb of that SIGBUS').optional(),
    blocked: z.boolean().describe('access/memset/mce: the fault waits for a userfaultfd monitor').optional(),
    bug: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: 'is not a kernel function name' })
      .describe('The call hits a kernel BUG in this function (the oops RIP line): the thread dies there, the locks it held stay held, and the test goes on').optional(),
  })
  .describe("What the step's own call returns and raises");

/** access's own `expect`: the byte a read returned is a result no other step has. */
export const accessExpectSchema = stepExpectSchema
  .extend({ value: expr('op read: the byte read').optional() })
  .describe("What the access returns and raises: the common fields and value, the byte a read returned");

export const uffdReadExpectSchema = stepExpectSchema
  .extend({
    event: z.enum(UFFD_EVENTS).describe('The message read: FORK or PAGEFAULT').optional(),
    address: expr('PAGEFAULT: the fault address in the message').optional(),
  })
  .describe('What read(uffd) returns: ret (bytes, 32 = sizeof(struct uffd_msg)), errno (EAGAIN: nothing queued), event, address');

/** read/pread's own `expect`: every byte the call returned holds this value (the C tests' buffer check). */
export const readExpectSchema = stepExpectSchema
  .extend({ bytes: expr('Every byte the read returned equals this (0-255)').optional() })
  .describe('What the read returns and raises, and the value of every byte it returned');

/** UFFDIO_REGISTER's own `expect`: the range ioctls it reports for the registered VMAs. */
export const uffdRegisterExpectSchema = stepExpectSchema
  .extend({
    ioctls: z.array(z.enum(UFFD_RANGE_IOCTLS)).describe('uffdio_register.ioctls: exactly these range ioctls (UFFDIO_ names without the prefix)').optional(),
  })
  .describe('What UFFDIO_REGISTER returns, and the range ioctls it reports');

/** UFFDIO_POISON's own `expect`: what it wrote to uffdio_poison.updated, a byte count or a -errno. */
export const uffdPoisonExpectSchema = stepExpectSchema
  .extend({
    updated: expr('uffdio_poison.updated: the bytes poisoned').optional(),
    updated_errno: z.enum(ERRNO_NAMES).describe('uffdio_poison.updated holds -errno').optional(),
  })
  .describe('What UFFDIO_POISON returns and raises, and what it wrote to updated (bytes, or -errno)');

/**
 * `when: {hugepagesz: [...], profile: [...]}`: syscall steps, `dump` and `expect` take it, for an outcome
 * that differs by size or by kernel (each condition given must hold; at least one is given).
 */
const streamWhen = {
  hugepagesz: z.array(z.enum(HUGEPAGE_SIZES)).describe('Only in streams of these hugepage sizes').optional(),
  profile: z.array(z.enum(PROFILE_NAMES)).describe('Only under these profiles').optional(),
};
export const whenField = z
  .strictObject({
    ...streamWhen,
    holds: expr('Only when this expression, evaluated when the step is reached, is not 0 (the C test\'s if)').optional(),
  })
  .refine((w) => w.hugepagesz !== undefined || w.profile !== undefined || w.holds !== undefined, {
    error: 'names no condition: give hugepagesz, profile, holds or several',
  })
  .describe('Run the step only when this holds (for outcomes that differ by size or kernel, or on a value of the run)')
  .optional();

/** A test's `when:`: the stream's size and profile only (a test is planned before anything runs). */
export const testWhenField = z
  .strictObject(streamWhen)
  .refine((w) => w.hugepagesz !== undefined || w.profile !== undefined, { error: 'names no condition: give hugepagesz, profile or both' })
  .describe('Run (and plan) the test only in streams of these hugepage sizes and profiles')
  .optional();

/** Fields every syscall-like step takes besides its own arguments (docs list them once, by identity). */
export const syscallCommon = {
  expect: stepExpectSchema.optional(),
  on_error: z
    .enum(['skip', 'break'])
    .describe('An errno nobody expected: skip ends the test as SKIP (goto out); break prints the failure line and ends the innermost loop (perror; break)')
    .optional(),
  when: whenField,
  in: inTask,
};

/** The keys a step's map may have that are not its own arguments: the builder reads them apart. */
export const COMMON_KEYS = ['expect', 'on_error', 'when', 'in'] as const;
export type CommonKey = (typeof COMMON_KEYS)[number];

/** `+8 kB` (change since the test started) or `8 kB` (absolute), as /proc/meminfo counts. */
export const KB_AMOUNT_PATTERN = /^\s*(\+?)\s*([0-9]+)\s*kB\s*$/;
/** `2048 kB` as /proc/PID/smaps prints a field, or `{H / 1024} kB` (an expression, in kB). */
export const KB_EXPR_PATTERN = /^(\s*)(\{[^{}]*\}|[^{}]*?)\s*kB\s*$/;
