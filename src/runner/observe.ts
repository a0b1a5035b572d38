// Text views of model state for `dump:` and the per-test summary: page-table runs, folios, meminfo.
// Compare Linux's /proc/meminfo (fs/proc/meminfo.c) and the state lines of src/kernel/README.md.

import { sizeName } from '../kernel/index.js';
import type { EntryKindName, FolioInfo, Kernel, Meminfo, PageTableRun, TaskRef } from '../kernel/index.js';
import type { NamedMapping } from './context.js';

const KiB = 1024;

/** Sizes print as the kernel model's texts print them (4K, 2M, 1G). */
export { sizeName };

/** The page-table level whose leaf maps `size` bytes on x86_64. */
export function levelName(size: number): string {
  if (size === 4 * KiB) return 'PTE';
  if (size === 2 * KiB ** 2) return 'PMD';
  if (size === KiB ** 3) return 'PUD';
  return sizeName(size);
}

/** Runs over the parts of a named mapping still mapped. */
export function mappingRuns(kernel: Kernel, task: TaskRef, m: NamedMapping): PageTableRun[] {
  return m.live.flatMap((piece) => kernel.pageTableRuns(task, piece.start, piece.end));
}

/** `[P+0x000000, P+0x200000) PMD 2M present` lines, `x<count>` when a run has several entries. */
export function runLines(runs: readonly PageTableRun[], m: NamedMapping): string[] {
  const width = m.length.toString(16).length;
  const at = (addr: number): string => `${m.name}+0x${(addr - m.start).toString(16).padStart(width, '0')}`;
  return runs.map((r) => {
    const count = r.count > 1 ? ` x${r.count}` : '';
    return `[${at(r.start)}, ${at(r.end)}) ${levelName(r.size)} ${sizeName(r.size)} ${r.kind}${count}`;
  });
}

/** Walk order of entry kinds (mm/hugetlb.c:hugetlb_change_protection's order, present first). */
const KIND_ORDER: readonly EntryKindName[] = ['present', 'hwpoison', 'migration', 'marker', 'none'];

/** `4K x1021, hwpoison 4K x2, none 4K x1`: entries grouped per (kind, size); present needs no word. */
export function mappedSizes(runs: readonly PageTableRun[]): string {
  const counts = new Map<string, { kind: EntryKindName; size: number; count: number }>();
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

/** A raw_hwp_list as `[0, 128]`; a long one is cut after 16 entries with the rest counted (summaries). */
export const listText = (xs: readonly number[], max = Infinity): string =>
  xs.length > max ? `[${xs.slice(0, max).join(', ')}, … ${xs.length - max} more]` : `[${xs.join(', ')}]`;

/** One line describing a folio, for `dump: {raw_hwp_list: P}`. */
export function folioLine(label: string, f: FolioInfo): string {
  const flags = [f.hwpoison ? 'hwpoison' : '', f.rawHwpUnreliable ? 'raw_hwp_unreliable' : '', f.anon ? 'anon' : '', f.inPageCache ? 'pagecache' : '']
    .filter((x) => x !== '')
    .join(',');
  return `folio(${label}): pfn 0x${f.pfn.toString(16)} ${sizeName(f.size)} refcount ${f.refcount} mapcount ${f.mapcount}` +
    `${flags ? ` ${flags}` : ''} raw_hwp_list ${listText(f.raw_hwp_list)}`;
}

/** /proc/meminfo lines as the kernel aligns them (values end in column 24). */
export function meminfoLines(mi: Meminfo): string[] {
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
