// The known differences between the model and real kernels: `scenarios/mainline/known-differences.yaml`,
// a YAML list whose entries each excuse one kernel-view difference (kernel-diff.ts) in the recordings
// their glob names, with the reason it is accepted. The check passes when every difference of every
// recording is excused, every entry excuses something, and every recording has its golden: a difference
// nobody listed, an entry nothing needs any more, or a recording with nothing to compare fails it.
//
//   - recordings: "*.kernel-6.1.*"       # a glob (`*`, `?`) over recording file names, or a list of them
//     test: poison a mapped shared hugepage and touch it   # the test's name; omitted: outside any test
//     model: "# sigbus: 1 BUS_MCEERR_AR si_addr=P+0x0 si_addr_lsb=21"   # the model's line in kernel view
//     kernel: "# sigbus: 1 BUS_MCEERR_AR si_addr=P+0x0 si_addr_lsb=12"  # the kernel's; null: it has none
//     reason: why the model is right to say otherwise, or why it does not matter
//
// `model` and `kernel` are matched exactly as `hgmsim diff` prints them after `- ` and `+ `; at least one
// is given, and one left out matches any line (or none) on that side.

import { LineCounter, parseDocument } from 'yaml';
import type { Node } from 'yaml';
import * as z from 'zod';
import type { KernelComparison, KernelDifference } from './kernel-diff.js';

/** The file's name beside the goldens and recordings. */
export const KNOWN_DIFFERENCES_FILE = 'known-differences.yaml';

const line = z.string().min(1, 'a line is not empty');

const entrySchema = z.strictObject({
  recordings: z.union([line, z.array(line).min(1, 'name at least one recording glob')], { error: 'name the recordings: a glob or a list of globs' }),
  test: z.string().min(1).optional(),
  model: line.nullable().optional(),
  kernel: line.nullable().optional(),
  reason: z.string({ error: 'give the reason the difference is accepted' }).trim().min(1, 'give the reason the difference is accepted'),
}).refine((e) => e.model !== undefined || e.kernel !== undefined, { message: 'name the model line, the kernel line or both' });

const fileSchema = z.array(z.unknown(), { error: 'the file is a YAML list of entries (an empty one is [])' });

export type KnownDifference = z.infer<typeof entrySchema> & {
  /** 1-based line of the entry in its file. */
  readonly line: number;
};

export interface KnownDifferencesFile {
  readonly entries: readonly KnownDifference[];
  /** `file:line:col: message` for each problem; an entry with a problem is left out of `entries`. */
  readonly errors: readonly string[];
}

const firstLine = (s: string): string => s.split('\n')[0] ?? s;

/** The entries of a known-differences file, validated; every problem is positioned. */
export function parseKnownDifferences(text: string, fileName: string): KnownDifferencesFile {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter });
  const at = (offset: number): string => {
    const p = lineCounter.linePos(offset);
    return `${fileName}:${p.line}:${p.col}`;
  };
  if (doc.errors.length > 0) return { entries: [], errors: doc.errors.map((e) => `${at(e.pos[0])}: ${firstLine(e.message)}`) };
  /** The node a path leads to, or its nearest ancestor that exists. */
  const nodeAt = (path: readonly PropertyKey[]): Node | undefined => {
    for (let n = path.length; n >= 0; n--) {
      const node: unknown = n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true);
      if (node && typeof node === 'object' && 'range' in node) return node as Node;
    }
    return undefined;
  };
  const lineOf = (path: readonly PropertyKey[]): number => lineCounter.linePos(nodeAt(path)?.range?.[0] ?? 0).line;
  const problem = (path: readonly PropertyKey[], message: string): string => {
    const [index, ...field] = path;
    const what = typeof index === 'number' ? ` (entry ${index + 1}${field.length > 0 ? `, ${field.map(String).join('.')}` : ''})` : '';
    return `${at(nodeAt(path)?.range?.[0] ?? 0)}: ${message}${what}`;
  };
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 100 }) ?? [];
  } catch (e) {
    return { entries: [], errors: [`${at(0)}: ${e instanceof Error ? e.message : String(e)}`] }; // yaml's alias-count guard
  }
  const list = fileSchema.safeParse(value);
  if (!list.success) return { entries: [], errors: list.error.issues.map((i) => problem(i.path, i.message)) };
  const entries: KnownDifference[] = [];
  const errors: string[] = [];
  list.data.forEach((item, index) => {
    const e = entrySchema.safeParse(item);
    if (e.success) entries.push({ ...e.data, line: lineOf([index]) });
    else errors.push(...e.error.issues.map((i) => problem([index, ...i.path], i.message)));
  });
  return { entries, errors };
}

/** A glob over file names as an anchored pattern: `*` any run of characters, `?` one. */
export function globPattern(glob: string): RegExp {
  const body = [...glob].map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[\\^$.|+()[\]{}]/g, '\\$&'))).join('');
  return new RegExp(`^${body}$`);
}

/** Whether an entry excuses one difference of one recording. */
export function excuses(e: KnownDifference, recording: string, d: KernelDifference): boolean {
  const globs = typeof e.recordings === 'string' ? [e.recordings] : e.recordings;
  return globs.some((g) => globPattern(g).test(recording)) &&
    (e.test === undefined ? d.test === null : d.test?.name === e.test) &&
    (e.model === undefined || e.model === d.model) &&
    (e.kernel === undefined || e.kernel === d.kernel);
}

/** One recording compared with its golden. */
export interface ComparedRecording {
  readonly recording: string;
  readonly golden: string;
  readonly comparison: KernelComparison;
}

export interface KnownDifferencesCheck {
  /** Differences no entry excuses. */
  readonly unlisted: readonly { readonly recording: string; readonly difference: KernelDifference }[];
  /** Entries that excuse no difference of any recording. */
  readonly stale: readonly KnownDifference[];
}

/** The differences of every compared recording against the entries. */
export function checkKnownDifferences(compared: readonly ComparedRecording[], entries: readonly KnownDifference[]): KnownDifferencesCheck {
  const used = new Set<KnownDifference>();
  const unlisted: { recording: string; difference: KernelDifference }[] = [];
  for (const { recording, comparison } of compared) {
    for (const d of comparison.differences) {
      const by = entries.filter((e) => excuses(e, recording, d));
      for (const e of by) used.add(e);
      if (by.length === 0) unlisted.push({ recording, difference: d });
    }
  }
  return { unlisted, stale: entries.filter((e) => !used.has(e)) };
}
