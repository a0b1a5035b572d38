// `hgmsim profiles`: the switch table of src/kernel/profiles.ts, a column per profile and a row per switch,
// then each profile's one-line summary (DESIGN.md "Command line"). A list-valued switch (uffd_features)
// shows its length in the first column and its difference from the first profile in the others; each
// distinct list is spelt out once below the table. Deterministic: the table's own order, no colour.

import { PROFILE_NAMES, PROFILES } from '../kernel/index.js';
import type { Switches } from '../kernel/index.js';
import { EXIT } from './exit.js';
import type { ExitCode } from './exit.js';
import type { CommandContext } from './io.js';

type SwitchValue = Switches[keyof Switches];

const listOf = (v: SwitchValue): readonly string[] | undefined => (Array.isArray(v) ? v.map(String) : undefined);

/** A list cell: `N items` for the reference column, `same` or `+A -B` against it for the others. */
function listCell(list: readonly string[], ref: readonly string[] | undefined, isRef: boolean): string {
  if (isRef || ref === undefined) return `${list.length} items`;
  const added = list.filter((x) => !ref.includes(x));
  const removed = ref.filter((x) => !list.includes(x));
  if (added.length === 0 && removed.length === 0) return 'same';
  return [...added.map((x) => `+${x}`), ...removed.map((x) => `-${x}`)].join(' ');
}

/** The table, the spelt-out lists and the summaries, as lines. */
export function profilesLines(): string[] {
  const names = [...PROFILE_NAMES];
  const first = names[0];
  if (first === undefined) return [];
  const keys = Object.keys(PROFILES[first].switches) as (keyof Switches)[];
  const rows: string[][] = [['switch', ...names]];
  const lists: string[] = [];
  for (const key of keys) {
    const values = names.map((n) => PROFILES[n].switches[key]);
    const ref = listOf(values[0] as SwitchValue);
    rows.push([
      key,
      ...values.map((v, i) => {
        const list = listOf(v);
        return list === undefined ? String(v) : listCell(list, ref, i === 0);
      }),
    ]);
    // Each distinct list once, with the profiles that have it.
    const seen = new Map<string, string[]>();
    names.forEach((n, i) => {
      const list = listOf(values[i] as SwitchValue);
      if (list === undefined) return;
      const text = list.length === 0 ? '(none)' : list.join(', ');
      seen.set(text, [...(seen.get(text) ?? []), n]);
    });
    for (const [text, which] of seen) lists.push(`${key} of ${which.join(', ')}: ${text}`);
  }
  const widths = rows[0]?.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length))) ?? [];
  const table = rows.map((r) => r.map((cell, c) => cell.padEnd(widths[c] ?? 0)).join('  ').trimEnd());
  const nameWidth = Math.max(...names.map((n) => n.length));
  const summaries = names.map((n) => `${n.padEnd(nameWidth)}  ${PROFILES[n].summary}`);
  return [...table, '', ...lists, '', ...summaries];
}

export function profilesCommand(ctx: CommandContext): ExitCode {
  ctx.io.out(profilesLines().map((l) => `${l}\n`).join(''));
  return EXIT.OK;
}
