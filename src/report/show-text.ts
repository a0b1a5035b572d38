// The text drawing of `hgmsim show`: each process, each VMA, its page table as an indented tree
// (PUD -> PMD -> PTE; a table's entries one level deeper), runs of equal entries folded into one line
// with their count, then the folios those entries map with refcount, mapcounts and raw_hwp_list.
// Addresses inside a VMA the test named print as NAME+0x…, as `-v` prints them.
import type { FolioView, PtRun } from '../kernel/index.js';
import type { ShowState, ShowVma } from '../runner/index.js';
import { hex, sizeName } from './format.js';
import { addrLabel, folioFlags, rawHwpText, rawRange, stepLines, vmaParts } from './show-format.js';

/** Colours for a terminal; identity functions elsewhere. */
export interface ShowPaint {
  readonly poison: (s: string) => string;
  readonly dim: (s: string) => string;
  readonly bold: (s: string) => string;
}

const PLAIN: ShowPaint = { poison: (s) => s, dim: (s) => s, bold: (s) => s };

/** The run's entry kind, entry size and flags: `present 4K rw dirty`, `marker 4K uffd-wp`. */
export function runKind(r: PtRun): string {
  const words: string[] = [r.kind, sizeName(r.size)];
  if (r.kind === 'present') words.push(r.write === true ? 'rw' : 'ro');
  if (r.dirty === true) words.push('dirty');
  if (r.uffdWp === true) words.push('uffd-wp');
  if (r.poisoned === true) words.push('poisoned');
  return words.join(' ');
}

/** What the run maps: `folio 0x2c0000 +1..+511` (raw page indices), or the pfn a swap entry holds. */
export function runTarget(r: PtRun): string {
  if (r.kind === 'present' && r.pfn !== undefined) return `folio ${hex(r.pfn)} ${rawRange(r)}`;
  if ((r.kind === 'hwpoison' || r.kind === 'migration') && r.pfn !== undefined) return `pfn ${hex(r.pfn)}`;
  return '';
}

/** The folio's line: size, counts, flags, raw_hwp_list with the RFC's unmap counters. */
export function folioLine(f: FolioView): string {
  const parts = [`folio ${hex(f.pfn)} ${sizeName(f.size)}`, `refcount=${f.refcount}`, `mapcount=${f.mapcount}`];
  if (f.subMapcount !== 0) parts.push(`sub-hugepage entries=${f.subMapcount}`);
  const flags = folioFlags(f);
  if (flags.length > 0) parts.push(flags.join(','));
  if (f.hwpoison || f.rawHwpUnreliable) parts.push(rawHwpText(f));
  return parts.join(' ');
}

/** One line per run: indented level and address (with the fold count), then what the entries are. */
function treeLines(v: ShowVma, runs: readonly PtRun[], depth: number, out: { head: string; body: string; run: PtRun }[]): void {
  const at = (addr: number): string => addrLabel(v, addr);
  for (const r of runs) {
    const head = `${'  '.repeat(depth)}${r.level} ${at(r.start)}${r.count > 1 ? ` x${r.count}` : ''}`;
    const body = r.kind === 'table' ? 'table' : [runKind(r), runTarget(r)].filter((x) => x !== '').join('  ');
    out.push({ head, body, run: r });
    if (r.children !== undefined) treeLines(v, r.children, depth + 1, out);
  }
}

export function renderShowText(state: ShowState, paint: ShowPaint = PLAIN): string {
  const out: string[] = [];
  out.push(paint.bold(`${state.scenario} ${state.size}, profile ${state.profile}: ${state.test}`));
  out.push(...stepLines(state));
  out.push(`HardwareCorrupted: ${state.hardwareCorrupted} kB`);
  for (const p of state.processes) {
    out.push('', `process ${p.name} (pid ${p.pid})${p.alive ? '' : ' dead'}`);
    if (p.alive && p.vmas.length === 0) out.push('  no hugetlb VMAs');
    for (const v of p.vmas) {
      out.push(`  ${vmaParts(v).join(' ')}`);
      const rows: { head: string; body: string; run: PtRun }[] = [];
      treeLines(v, v.tree, 2, rows);
      // A split 1 GiB hugepage can give hundreds of thousands of rows: never spread them as arguments.
      const width = rows.reduce((w, row) => Math.max(w, row.head.length), 0);
      for (const { head, body, run } of rows) {
        const painted = run.kind === 'hwpoison' || run.poisoned === true ? paint.poison(body) : run.kind === 'none' ? paint.dim(body) : body;
        out.push(`${head.padEnd(width)}  ${painted}`);
      }
    }
  }
  if (state.folios.length > 0) out.push('', 'folios');
  for (const f of state.folios) out.push(`  ${f.hwpoison ? paint.poison(folioLine(f)) : folioLine(f)}`);
  return `${out.join('\n')}\n`;
}
