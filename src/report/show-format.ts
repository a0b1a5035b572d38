// Words both drawings of `hgmsim show` use (show-text.ts, show-svg.ts): sizes, addresses, a VMA's
// description, a folio's flags and raw_hwp_list, a present run's raw pages. One spelling for both.
import type { FolioView, PtRun } from '../kernel/index.js';
import type { ShowState, ShowVma } from '../runner/index.js';
import { addressText, hex, sizeName } from './format.js';
import { callText, reasonText } from './observations.js';

/** Raw 4 KiB pages a run covers. */
export const rawPages = (r: PtRun): number => Math.max(1, Math.round((r.end - r.start) / 4096));

/** A present run's raw pages in its folio: `+5` or `+1..+511`; empty for other kinds. */
export function rawRange(r: PtRun): string {
  if (r.kind !== 'present' || r.subpage === undefined) return '';
  const pages = rawPages(r);
  return pages === 1 ? `+${r.subpage}` : `+${r.subpage}..+${r.subpage + pages - 1}`;
}

/** An address as -v prints it: NAME+offset in the last named mapping that covers it, else hex. */
export function addrLabel(v: ShowVma, addr: number): string {
  let label: ShowVma['names'][number] | undefined;
  for (const n of v.names) if (addr >= n.start && addr < n.start + n.length) label = n;
  return addressText(label === undefined ? { addr } : { addr, mapping: { name: label.name, offset: addr - label.start } });
}

/** The VMA described: names, range, sharing, backing file, hugepage size, pgoff, HGM, userfaultfd. */
export function vmaParts(v: ShowVma): string[] {
  return [
    v.names.length > 0 ? [...new Set(v.names.map((n) => n.name))].join(',') : 'VMA',
    `[${hex(v.start)}, ${hex(v.end)})`,
    v.shared ? 'shared' : 'private',
    v.anonymous ? 'MAP_ANONYMOUS' : v.file,
    `hugepagesz=${sizeName(v.hugepagesz)}`,
    ...(v.pgoff !== 0 ? [`pgoff=${hex(v.pgoff)}`] : []),
    ...(v.hgm ? ['HGM'] : []),
    ...(v.uffd.length > 0 ? [`uffd=${v.uffd.join('|')}`] : []),
  ];
}

/** The folio's flags: page-cache or anon, hwpoison, free, dissolved. */
export function folioFlags(f: FolioView): string[] {
  return [
    f.inPageCache ? 'page-cache' : f.anon ? 'anon' : '',
    f.hwpoison ? 'hwpoison' : '',
    f.free ? 'free' : '',
    f.dissolved ? 'dissolved' : '',
  ].filter((x) => x !== '');
}

/** raw_hwp_list with the RFC's unmap counters where the kernel keeps them. */
export function rawHwpText(f: FolioView): string {
  if (f.rawHwpUnreliable) return 'raw_hwp_list=unreliable';
  const counters = new Map(f.rawHwpUnmaps.map((c) => [c.raw, c] as const));
  const items = f.raw_hwp_list.map((raw) => {
    const c = counters.get(raw);
    return c === undefined ? `${raw}` : `${raw} (vmas ${c.nr_vmas_mapped}, expected ${c.nr_expected_unmaps}, actual ${c.nr_actual_unmaps})`;
  });
  return `raw_hwp_list=[${items.join(', ')}]`;
}

/**
 * Where in the test the state is: after which step, whether the test ended there (and how, when not
 * passing), and when --step asked for a step the test never reached.
 */
export function stepLines(state: ShowState): string[] {
  const s = state.step;
  const at = s === null ? '' : `step ${s.index} (line ${s.line}): ${callText(s)}`;
  const out: string[] = [];
  if (!state.atEnd) out.push(s === null ? `after step ${state.requested ?? 0}, before any call step` : `after ${at}`);
  else out.push(s === null ? 'at the end of the test (no call step ran)' : `at the end of the test, after ${at}`);
  if (state.atEnd && state.requested !== null) out.push(`step ${state.requested} was not reached`);
  const o = state.outcome;
  if (o !== null && o.status !== 'pass') out.push(`the test stopped: ${o.status}${o.stop !== undefined ? `: ${reasonText(o.stop)}` : ''}`);
  return out;
}
