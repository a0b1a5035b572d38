// `hgmsim profiles`: the kernel profiles of src/kernel/profiles.ts as tables with a column per profile.
// First the switch records, a row per switch grouped by subsystem; a list-valued switch
// (userfaultfd.api_features) shows its length in the first column and its difference from the first
// profile in the others, and each distinct list is spelt out once below. Then the names a scenario's
// `kernel.switches` overrides, true/false per profile, with the record fields each one sets. Then each
// profile's one-line summary (DESIGN.md "Command line"). Deterministic: the tables' own order, no colour.

import { PROFILE_NAMES, SUBSYSTEMS, SWITCH_NAMES } from '../abi/index.js';
import { PROFILES, SWITCHES } from '../kernel/index.js';
import type { KernelSwitches } from '../kernel/index.js';
import { EXIT } from './exit.js';
import type { ExitCode } from './exit.js';
import type { CommandContext } from './io.js';

const listOf = (v: unknown): readonly string[] | undefined => (Array.isArray(v) ? v.map(String) : undefined);

/** A list cell: `N items` for the reference column, `= REF` or `+A -B` against it for the others. */
function listCell(list: readonly string[], ref: readonly string[] | undefined, isRef: boolean): string {
  if (isRef || ref === undefined) return `${list.length} items`;
  const added = list.filter((x) => !ref.includes(x));
  const removed = ref.filter((x) => !list.includes(x));
  if (added.length === 0 && removed.length === 0) return `= ${PROFILE_NAMES[0]}`;
  return [...added.map((x) => `+${x}`), ...removed.map((x) => `-${x}`)].join(' ');
}

/** Rows padded to equal columns, trailing blanks trimmed. */
function align(rows: readonly (readonly string[])[]): string[] {
  const widths = rows[0]?.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length))) ?? [];
  return rows.map((r) => r.map((cell, c) => cell.padEnd(widths[c] ?? 0)).join('  ').trimEnd());
}

/** The fields of one subsystem's record (a scalar subsystem, such as wording, is its own row). */
function recordRows(subsystem: keyof KernelSwitches, lists: string[]): string[][] {
  const records = PROFILE_NAMES.map((n) => PROFILES[n].switches[subsystem]);
  const first = records[0];
  if (typeof first !== 'object') return [[subsystem, ...records.map(String)]];
  const rows: string[][] = [[subsystem]];
  for (const field of Object.keys(first)) {
    const values = records.map((r) => (r as unknown as Readonly<Record<string, unknown>>)[field]);
    const ref = listOf(values[0]);
    rows.push([`  ${field}`, ...values.map((v, i) => {
      const list = listOf(v);
      return list === undefined ? String(v) : listCell(list, ref, i === 0);
    })]);
    // Each distinct list once, with the profiles that have it.
    const seen = new Map<string, string[]>();
    PROFILE_NAMES.forEach((n, i) => {
      const list = listOf(values[i]);
      if (list === undefined) return;
      const text = list.length === 0 ? '(none)' : list.join(', ');
      seen.set(text, [...(seen.get(text) ?? []), n]);
    });
    for (const [text, which] of seen) lists.push(`${subsystem}.${field} of ${which.join(', ')}: ${text}`);
  }
  return rows;
}

/** The tables, the spelt-out lists and the summaries, as lines. */
export function profilesLines(): string[] {
  const names = [...PROFILE_NAMES];
  const lists: string[] = [];
  const records = align([['switch', ...names], ...SUBSYSTEMS.flatMap((s) => recordRows(s, lists))]);
  const overrides = align([
    ['kernel.switches', ...names, 'sets'],
    ...SWITCH_NAMES.map((n) => [n, ...names.map((p) => String(SWITCHES[n].get(PROFILES[p].switches))), SWITCHES[n].fields.join(', ')]),
  ]);
  const nameWidth = Math.max(...names.map((n) => n.length));
  const summaries = names.map((n) => `${n.padEnd(nameWidth)}  ${PROFILES[n].summary}`);
  return [...records, '', ...lists, '', ...overrides, '', ...summaries];
}

export function profilesCommand(ctx: CommandContext): ExitCode {
  ctx.io.out(profilesLines().map((l) => `${l}\n`).join(''));
  return EXIT.OK;
}
