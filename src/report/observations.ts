// The words of one test's records, as the TAP stream prints them (DESIGN.md "Output"): the test's own
// output (print lines, dump lines, ` !!! ` failure lines, findings), the model's summary of what it saw,
// the -v step lines, and why a test stopped. Pure functions of the records in src/runner/results.ts;
// the TAP, KTAP and JUnit reporters and `show` use these and nothing else to word a test.

import type { FindingId } from '../abi/index.js';
import type {
  BugFacts, Failure, Finding, FolioFacts, Loss, MappingRun, MeminfoValues, Mismatch, Observations, OutputRecord, RangeCheck, RangeDeparture,
  SignalGroup, SignalRecord, StepRecord, StepReturn,
} from '../runner/index.js';
import { addressText, hex, levelName, listText, paddedOffset, siAddrText, signalText, sizeName } from './format.js';
import { STRERROR } from './strerror.js';

/** `raw_hwp_list(P+0x0): expected [0], got [0, 128]`. */
export const mismatchText = (m: Mismatch): string => `${m.what}: expected ${m.expected}, got ${m.actual}`;

/** `P+0x1000 read 2`, `P+0x0 SIGBUS BUS_ADRERR si_addr=P+0x0`, `P+0x80000 no SIGBUS`: one load of a check_range. */
export function departureText(d: RangeDeparture): string {
  switch (d.kind) {
    case 'value':
      return `${addressText(d.at)} read ${d.found}`;
    case 'signal':
      return `${addressText(d.at)} ${signalText(d.signal)}`;
    case 'no-signal':
      return `${addressText(d.at)} no SIGBUS`;
  }
}

/** `2 of 512 pages depart: [P+0x1000 read 2, P+0x2000 no SIGBUS]; stopped after 3 of 512 pages at P+0x2000 (…)`. */
export function rangeText(r: RangeCheck): string {
  const departed = r.departures.first.length + r.departures.more;
  const list = { first: r.departures.first.map(departureText), more: r.departures.more };
  const parts = departed > 0 ? [`${departed} of ${r.pages} pages depart: ${listText(list)}`] : [];
  if (r.stopped !== undefined) {
    const why = r.stopped.why === 'dead' ? 'the acting thread is gone' : 'the load blocks on userfaultfd';
    parts.push(`stopped after ${r.read} of ${r.pages} pages at ${addressText(r.stopped.at)} (${why})`);
  }
  return parts.join('; ');
}

/** Why a test stopped, short: the text after `# SKIP`, JUnit's message, `show`'s "the test stopped". */
export function reasonText(f: Failure): string {
  switch (f.kind) {
    case 'dead':
      return `${f.what} ${f.name} is dead`;
    case 'missing':
      return f.what === 'process' ? `process ${f.name} does not exist (its fork/spawn failed)` : `thread ${f.name} does not exist (its thread step failed)`;
    case 'expect':
      return `line ${f.line}: ${f.mismatches[0] ? mismatchText(f.mismatches[0]) : ''}`;
    case 'step':
      return f.message;
    case 'blocked':
      return `blocked: ${f.call} waits on userfaultfd ${f.uffd}`;
    case 'errno':
      return `${f.call} failed: ${STRERROR[f.errno]}`;
    case 'step-expect':
      return `line ${f.line}: ${f.op} expected ${f.expected}`;
    case 'signal':
      return `unexpected ${f.signal.signo} ${f.signal.si_code} si_addr=${addressText(f.signal.si_addr)}`;
    case 'bug':
      return `${bugText(f.bug)} (line ${f.line}: ${f.call})`;
    case 'lock':
      return `blocked: ${f.call} sleeps on ${f.lock}, held by ${f.holder.comm} (pid ${f.holder.pid}) since its ${bugText(f.holder)}`;
    case 'range':
      return `line ${f.line}: ${f.call}: ${rangeText(f)}`;
  }
}

/** `kernel BUG at mm/hugetlb.c:8320 in hugetlb_split_to_shift_present_leaf()`. */
export const bugText = (b: BugFacts): string => `kernel BUG at ${b.file}:${b.bugLine} in ${b.func}()`;

/** The C test's ` !!! ` lines for a failure (kselftest's ksft_print_msg of a failed call). */
export function failureLines(f: Failure): string[] {
  switch (f.kind) {
    case 'expect':
      return f.mismatches.map((m) => ` !!! line ${f.line}: ${mismatchText(m)}`);
    case 'blocked':
    case 'signal':
      return [` !!! ${reasonText(f)} (line ${f.line})`];
    case 'step-expect':
      return [` !!! line ${f.line}: ${f.op} expected ${f.expected}, got ${f.actual}`];
    default:
      return [` !!! ${reasonText(f)}`];
  }
}

/** What a finding says, by id: the id first, then the facts (docs/findings.md has the patch lines). */
const FINDING_TEXT: { readonly [I in FindingId]: (f: Finding, page: string, where: string) => string } = {
  MAPPED: (_f, page, where) => `poisoned raw page ${page} stays mapped${where}`,
  'RFC-F1': (_f, page, where) => `kernel BUG in hugetlb_split_to_shift(): the split walk from the hugepage head handed another entry to the split for raw page ${page}${where}`,
  'RFC-F2': (_f, page, where) => `hugetlb_split_to_shift() re-mapped poisoned raw page ${page} as a present page${where}`,
  'RFC-F3': (f, page, where) => `hugetlb_no_page() mapped raw page ${page} where index ${f.other ?? '?'} belongs${where}`,
  'RFC-F4': (f, page) => `the raw_hwp_page allocation-failure retry put the caller's reference to the folio of raw page ${page} twice: refcount ${f.count ?? '?'}, one reference short` +
    (f.count === 0 ? ' (the kernel frees the hugepage while it is in use; the model keeps it)' : ''),
  'RFC-F5': (_f, page, where) => `a fault mapped poisoned raw page ${page} of a folio whose raw_hwp_list is unreliable${where}`,
  'RFC-F6': (f, page) => `is_unmapping_successful() lacks its negation: raw page ${page}'s folio is ` +
    (f.count === 0 ? 'no longer mapped and is reported as failed to unmap' : `still mapped (${f.count ?? '?'} entries) and is reported as unmapped`),
};

/** `finding: MAPPED poisoned raw page 0x… (index 5) stays mapped at P+0x5000 in main after line 12`. */
export function findingLine(f: Finding): string {
  const page = `${hex(f.pfn)} (index ${f.raw})`;
  const where = f.at === undefined ? '' : ` at ${addressText(f.at)} in ${f.process ?? `pid ${f.pid}`}`;
  return `finding: ${f.id} ${FINDING_TEXT[f.id](f, page, where)} after line ${f.afterLine}`;
}

/** `[P+0x000000, P+0x200000) PMD 2M present` lines, `x<count>` when a run has several entries. */
export const runLines = (name: string, length: number, runs: readonly MappingRun[]): string[] =>
  runs.map((r) => {
    const at = (offset: number): string => paddedOffset(name, length, offset);
    return `[${at(r.start)}, ${at(r.end)}) ${levelName(r.size)} ${sizeName(r.size)} ${r.kind}${r.count > 1 ? ` x${r.count}` : ''}`;
  });

/** One line describing a folio, for `dump: {raw_hwp_list: P}`. */
export function folioLine(label: string, f: FolioFacts): string {
  const flags = [f.hwpoison ? 'hwpoison' : '', f.rawHwpUnreliable ? 'raw_hwp_unreliable' : '', f.anon ? 'anon' : '', f.inPageCache ? 'pagecache' : '']
    .filter((x) => x !== '')
    .join(',');
  return `folio(${label}): pfn ${hex(f.pfn)} ${sizeName(f.size)} refcount ${f.refcount} mapcount ${f.mapcount}` +
    `${flags ? ` ${flags}` : ''} raw_hwp_list ${listText({ first: f.raw_hwp_list, more: 0 })}`;
}

/** /proc/meminfo lines as the kernel aligns them (fs/proc/meminfo.c: values end in column 24). */
export function meminfoLines(mi: MeminfoValues): string[] {
  const row = (name: string, v: number, kB: boolean): string =>
    `${name}:${String(v).padStart(Math.max(1, 23 - name.length))}${kB ? ' kB' : ''}`;
  return [
    row('HardwareCorrupted', mi.HardwareCorrupted, true),
    row('HugePages_Total', mi.HugePages_Total, false),
    row('HugePages_Free', mi.HugePages_Free, false),
    row('HugePages_Rsvd', mi.HugePages_Rsvd, false),
    row('HugePages_Surp', mi.HugePages_Surp, false),
    row('Hugepagesize', mi.Hugepagesize, true),
    row('Hugetlb', mi.Hugetlb, true),
  ];
}

/** An output record's lines, without "# ". */
export function outputLines(r: OutputRecord): string[] {
  switch (r.kind) {
    case 'print':
      return r.text.split('\n').map((line) => `${r.prefix ?? ' ... '}${line}`);
    case 'runs':
      return runLines(r.mapping, r.length, r.runs);
    case 'no-mapping':
      return [`dump: no named mapping at ${addressText(r.at)}`];
    case 'folio':
      return [r.folio ? folioLine(addressText(r.at), r.folio) : `folio(${addressText(r.at)}): none`];
    case 'meminfo':
      return meminfoLines(r.meminfo);
    case 'dmesg':
      return [`dmesg: ${r.line}`];
    case 'failure':
      // An errno that ended a loop is the C helper's perror, printed at the level of its other lines.
      return r.endsLoop === true ? failureLines(r.failure).map((l) => ` ... ${l}`) : failureLines(r.failure);
    case 'finding':
      return [findingLine(r.finding)];
    case 'loss':
      return [lossLine(r.loss)];
  }
}

/**
 * Bytes as sizes are spelt (`2M`, `4K`), `0` for none, and a little short of a whole size as that size
 * minus the rest (`4M-4K`, `2G-32K`: what a raw-page unmap leaves readable) rather than `2097148K`.
 */
export function bytesText(n: number): string {
  if (n === 0) return '0';
  const exact = sizeName(n);
  if (!exact.startsWith('0x') && !exact.endsWith('K')) return exact;
  for (const [unit, scale] of [['G', 2 ** 30], ['M', 2 ** 20]] as const) {
    const whole = Math.ceil(n / scale) * scale;
    const rest = whole - n;
    if (n > scale && rest % 1024 === 0 && rest * 8 <= scale) return `${whole / scale}${unit}-${sizeName(rest)}`;
  }
  return exact;
}

/** `513 (lsb 21)`, `9 (lsb 12 x1, lsb 21 x8)`, `0`: SIGBUSes by si_addr_lsb. */
export function lossSigbusText(sigbus: Loss['sigbus']): string {
  const total = sigbus.reduce((n, s) => n + s.count, 0);
  if (total === 0) return '0';
  const [only] = sigbus;
  return sigbus.length === 1 && only !== undefined ? `${total} (lsb ${only.lsb})` : `${total} (${sigbus.map((s) => `lsb ${s.lsb} x${s.count}`).join(', ')})`;
}

/** `0`, `1 held` (HugePages_Free short, Total not: a folio nobody frees), `1 dissolved`, `2: 1 dissolved, 1 held`. */
export function poolLostText(l: Pick<Loss, 'poolLost' | 'dissolved'>): string {
  if (l.poolLost === 0 && l.dissolved === 0) return '0';
  if (l.dissolved === l.poolLost) return `${l.poolLost} dissolved`;
  if (l.dissolved === 0) return `${l.poolLost} held`;
  return `${l.poolLost}: ${l.dissolved} dissolved, ${l.poolLost - l.dissolved} held`;
}

/** `loss(P+0x0, 4M): unmapped 2M, readable 2M, sigbus 513 (lsb 21), hugepages lost 1 held`. */
export const lossLine = (l: Loss): string =>
  `loss(${addressText(l.at)}, ${bytesText(l.length)}): unmapped ${bytesText(l.unmapped)}, readable ${bytesText(l.readable)}, ` +
  `sigbus ${lossSigbusText(l.sigbus)}, hugepages lost ${poolLostText(l)}`;

/** Walk order of entry kinds (mm/hugetlb.c:hugetlb_change_protection's order, present first). */
const KIND_ORDER: readonly MappingRun['kind'][] = ['present', 'hwpoison', 'migration', 'marker', 'none'];

/** `4K x1021, hwpoison 4K x2, none 4K x1`: entries counted per (kind, size); present needs no word. */
export function mappedSizes(runs: readonly MappingRun[]): string {
  const counts = new Map<string, { kind: MappingRun['kind']; size: number; count: number }>();
  for (const r of runs) {
    const key = `${r.kind}/${r.size}`;
    const c = counts.get(key);
    if (c) c.count += r.count;
    else counts.set(key, { kind: r.kind, size: r.size, count: r.count });
  }
  return [...counts.values()]
    .sort((a, b) => KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind) || b.size - a.size)
    .map((c) => `${c.kind === 'present' ? '' : `${c.kind} `}${sizeName(c.size)} x${c.count}`)
    .join(', ');
}

/** `sigbus: 2 BUS_MCEERR_AR si_addr=P+0x0 si_addr_lsb=12, … 3 more (1 dropped)`; `sigbus C: …` for another process. */
export function signalGroupLine(g: SignalGroup): string {
  const who = g.receiver.kind === 'main' ? '' : g.receiver.kind === 'process' ? ` ${g.receiver.name}` : ` pid ${g.receiver.pid}`;
  const shown = g.distinct.first.map((d) => siAddrText({ si_code: g.si_code, ...d }));
  if (g.distinct.more > 0) shown.push(`… ${g.distinct.more} more`);
  const dropped = g.dropped ? ` (${g.dropped} dropped)` : '';
  return `${g.signo.toLowerCase()}${who}: ${g.count} ${g.si_code}${shown.length ? ` ${shown.join(', ')}` : ''}${dropped}`;
}

/**
 * The model's summary of a test, without "# ": signals by process and code, processes killed, then one
 * line of mapped sizes, raw_hwp_list and the HardwareCorrupted delta (when any of them has something).
 */
export function summaryLines(o: Observations): string[] {
  const out = o.signals.map(signalGroupLine);
  for (const k of o.kills) out.push(`killed: ${k.process} by ${k.signo} ${k.si_code}`);
  const parts = o.mappings.map((m) => `mapped ${m.name}: ${mappedSizes(m.runs)}`);
  for (const p of o.poisoned.first) parts.push(`raw_hwp_list(${addressText(p.at)}): ${listText(p.raw_hwp_list)}`);
  if (o.poisoned.more > 0) parts.push(`… ${o.poisoned.more} more poisoned folios`);
  const delta = o.hardwareCorruptedDelta;
  if (parts.length > 0 || delta !== 0) {
    parts.push(`HardwareCorrupted: ${delta < 0 ? '-' : '+'}${Math.abs(delta)} kB`);
    out.push(parts.join(' | '));
  }
  return out;
}

/** What a step returned, as -v prints it after the call: `= 0`, `= -1 EINVAL (Invalid argument)`, … */
export function returnText(r: StepReturn): string {
  switch (r.kind) {
    case 'none':
      return '';
    case 'value':
      return `= ${r.address ? hex(r.value) : r.value}`;
    case 'errno':
      return `= -1 ${r.errno} (${STRERROR[r.errno]})`;
    case 'access':
      return `= ${r.value}`;
    case 'blocked':
      return `blocked on userfaultfd ${r.uffd}`;
    case 'signal':
      return signalText(r.signal);
    case 'expect':
      return r.mismatches ? `${r.mismatches} mismatch(es)` : 'ok';
    case 'failed':
      return r.message;
    case 'halted':
      return `never returns: ${reasonText(r.failure)}`;
    case 'range':
      return `= ${r.read} pages read, ${r.sigbus} SIGBUS, ${r.departed} departed`;
  }
}

/** A call as -v and `show` print it: `[C] fork()` when it acted in another thread than main's. */
export const callText = (s: { readonly in?: string; readonly call: string }): string => `${s.in === undefined ? '' : `[${s.in}] `}${s.call}`;

/** `SIGBUS BUS_MCEERR_AO si_addr=P+0x0 si_addr_lsb=21 to C 1002/1002 (queued, delivered)`. */
export const signalRecordText = (s: SignalRecord): string =>
  `${signalText(s)} to ${s.process === undefined ? '' : `${s.process} `}${s.pid}/${s.tid} (${s.how}, ${s.outcome})`;

/** A step's -v lines, with "# ": the call and its return, its kernel path (--trace), its signals. */
export function stepLines(s: StepRecord): string[] {
  const ret = returnText(s.ret);
  const out = [`# step ${s.index}, line ${s.line}: ${callText(s)}${ret ? ` ${ret}` : ''}`];
  for (const line of s.trace ?? []) out.push(`#   | ${line}`);
  for (const sig of s.signals) out.push(`#   signal: ${signalRecordText(sig)}`);
  return out;
}
