// The kernel view of a test's `# ` lines: what a program on a real kernel can print of what the model
// prints. The model sees its own state (raw_hwp_list, folio refcounts, which kind of non-present entry
// a page table holds); a process on a kernel sees pagemap, /proc/meminfo, its signals and wait status.
// Each rule below turns one kind of model line into what the kernel stream says of the same thing, or
// drops it as not observable (counted); the exported C program prints these lines already in kernel
// view, so every rule leaves a kernel-view line as it is. kernel-noise.ts then blanks boot-dependent
// values on both sides.

import { withoutNoise } from './kernel-noise.js';
import { headerOrigin, profileOfRelease } from './stream-origin.js';

export type Side = 'model' | 'kernel';

/** One line in kernel view: its text, or null when dropped; `hidden` counts what was dropped as not observable. */
interface Viewed {
  readonly line: string | null;
  readonly hidden: number;
}

const keep = (line: string): Viewed => ({ line, hidden: 0 });
const hide: Viewed = { line: null, hidden: 1 };
const drop: Viewed = { line: null, hidden: 0 };

/** pagemap's word for a page-table entry that maps nothing it can show (not present, not swapped). */
const NOT_PRESENT = 'not-present';

/**
 * A page-table entry kind as pagemap reports it on hugetlb: present, or not. A hwpoison, migration or
 * uffd-wp marker entry is a swap-format entry pagemap does not report as swapped for hugetlb, so it reads
 * the same as none.
 */
const pagemapKind = (kind: string): string => (kind === 'present' ? 'present' : NOT_PRESENT);

const BYTES: Readonly<Record<string, number>> = { K: 2 ** 10, M: 2 ** 20, G: 2 ** 30 };

/** 4K, 2M, 1G or 0x… (sizeName's spellings) in bytes. */
const sizeBytes = (name: string): number => (/^0x/.test(name) ? Number(name) : Number(name.slice(0, -1)) * (BYTES[name.slice(-1)] ?? NaN));

const MAPPED_ITEM = /^(?:([a-z][\w-]*) )?(\S+) x(\d+)$/;

/** `2M x1, hwpoison 2M x1, none 2M x2` → `2M x1, not-present 2M x3`: kinds as pagemap sees them, regrouped. */
function mappedInKernelView(items: string): string {
  const groups = new Map<string, { kind: string; size: string; count: number }>();
  const rest: string[] = [];
  for (const item of items === '' ? [] : items.split(', ')) {
    const m = MAPPED_ITEM.exec(item);
    if (!m) {
      rest.push(item);
      continue;
    }
    const kind = pagemapKind(m[1] ?? 'present');
    const size = m[2] ?? '';
    const key = `${kind} ${size}`;
    const g = groups.get(key);
    if (g) g.count += Number(m[3]);
    else groups.set(key, { kind, size, count: Number(m[3]) });
  }
  const sorted = [...groups.values()].sort((a, b) => Number(a.kind !== 'present') - Number(b.kind !== 'present') || sizeBytes(b.size) - sizeBytes(a.size));
  return [...sorted.map((g) => `${g.kind === 'present' ? '' : `${g.kind} `}${g.size} x${g.count}`), ...rest].join(', ');
}

/** Summary segments by what a kernel can observe of them (observations.ts summaryLines writes them). */
function segmentInKernelView(segment: string): Viewed {
  // The folio's raw_hwp_list, and how many more folios were poisoned: kernel-internal state.
  if (/^raw_hwp_list\(/.test(segment) || /^… \d+ more poisoned folios$/.test(segment)) return hide;
  const mapped = /^(mapped [^:]+: )(.*)$/.exec(segment);
  if (mapped) return keep(`${mapped[1]}${mappedInKernelView(mapped[2] ?? '')}`);
  // `HardwareCorrupted: +N kB`: /proc/meminfo before and after, the same on both sides.
  return keep(segment);
}

/** The model's summary line: segments joined by ` | `, the last one the HardwareCorrupted delta. */
const SUMMARY = /^# (?:.* \| )?HardwareCorrupted: [+-]\d+ kB$/;

function summaryInKernelView(line: string): Viewed {
  const seen = line.slice(2).split(' | ').map(segmentInKernelView);
  const kept = seen.flatMap((s) => (s.line === null ? [] : [s.line]));
  return { line: `# ${kept.join(' | ')}`, hidden: seen.reduce((n, s) => n + s.hidden, 0) };
}

interface LineRule {
  /** What the rule is for; a test names it. */
  readonly name: string;
  readonly matches: RegExp;
  readonly view: (line: string, side: Side) => Viewed;
}

/** The rules by line kind, tried in order; a line no rule matches is compared as it is. */
const LINE_RULES: readonly LineRule[] = [
  {
    // A kernel stream names the release where the model names a profile; the two agree when the profile
    // models the release (stream-origin.ts), so the kernel header is read as the model header it matches.
    name: 'header',
    matches: /^# hgmsim /,
    view: (line) => {
      const o = headerOrigin(line);
      const profile = o?.kind === 'kernel' ? profileOfRelease(o.release) : undefined;
      return keep(o && profile !== undefined ? `# hgmsim ${o.scenario} ${o.size}, profile ${profile}` : line);
    },
  },
  // The C program's note for a step a kernel cannot show (a raw_hwp_list expect, a refcount).
  { name: 'not observable note', matches: /^# not observable on a kernel: /, view: () => hide },
  // Where the model's rule comes from, and the profile switches a scenario overrides: the model's own
  // provenance, not an observation. A kernel stream that copies them is not counted twice.
  { name: 'basis', matches: /^# (?:basis|switches): /, view: (_line, side) => (side === 'model' ? hide : drop) },
  // dump: {raw_hwp_list: P} prints folio facts (pfn, refcount, mapcount, raw_hwp_list): kernel-internal.
  { name: 'folio dump', matches: /^# folio\(/, view: () => hide },
  // A finding is the model checking its own invariants over folios and page tables.
  { name: 'finding', matches: /^# finding: /, view: () => hide },
  // A departure is a judgement against the scenario's verdict; a kernel's program has no verdicts.
  { name: 'departure', matches: /^# departs from its verdict: /, view: () => hide },
  { name: 'summary', matches: SUMMARY, view: summaryInKernelView },
  // A signal dropped because one was already pending never reaches the process: only the kernel's
  // collect_procs knows it was sent.
  { name: 'signals', matches: /^# sig[a-z]+(?: [^:]*)?: /, view: (line) => keep(line.replace(/ \(\d+ dropped\)$/, '')) },
  // A parent learns a child's death from its wait status, which carries the signal but no si_code.
  { name: 'killed', matches: /^# killed: /, view: (line) => keep(line.replace(/^(# killed: .+ by SIG[A-Z]+) \S+$/, '$1')) },
];

/** One line in kernel view, noise excluded. */
export function lineInKernelView(line: string, side: Side): Viewed {
  return LINE_RULES.find((r) => r.matches.test(line))?.view(line, side) ?? keep(line);
}

/** A dump run line: `[P+0x000000, P+0x200000) PMD 2M hwpoison x2`. */
const RUN = /^# \[(\S+), (\S+)\) (\S+) (\S+) (\S+?)(?: x(\d+))?$/;

interface Run {
  readonly start: string;
  end: string;
  readonly level: string;
  readonly size: string;
  readonly kind: string;
  count: number;
}

const runLine = (r: Run): string => `# [${r.start}, ${r.end}) ${r.level} ${r.size} ${r.kind}${r.count > 1 ? ` x${r.count}` : ''}`;

/**
 * Dump run lines with each kind as pagemap sees it; runs that then touch and match (level, size, kind)
 * are one run, as the model would have printed them had it not told the kinds apart.
 */
function runsInKernelView(lines: readonly string[]): string[] {
  const out: (string | Run)[] = [];
  for (const line of lines) {
    const m = RUN.exec(line);
    if (!m) {
      out.push(line);
      continue;
    }
    const run: Run = { start: m[1] ?? '', end: m[2] ?? '', level: m[3] ?? '', size: m[4] ?? '', kind: pagemapKind(m[5] ?? ''), count: Number(m[6] ?? 1) };
    const prev = out[out.length - 1];
    if (typeof prev === 'object' && prev.end === run.start && prev.level === run.level && prev.size === run.size && prev.kind === run.kind) {
      prev.end = run.end;
      prev.count += run.count;
    } else out.push(run);
  }
  return out.map((x) => (typeof x === 'string' ? x : runLine(x)));
}

/** A test's `# ` lines in kernel view, and how many were dropped as not observable. */
export function linesInKernelView(lines: readonly string[], side: Side): { readonly lines: string[]; readonly hidden: number } {
  const kept: string[] = [];
  let hidden = 0;
  for (const line of lines) {
    const v = lineInKernelView(line, side);
    hidden += v.hidden;
    if (v.line !== null) kept.push(v.line);
  }
  return { lines: runsInKernelView(kept).map(withoutNoise), hidden };
}
