// The SVG drawing of `hgmsim show --svg`: a title block, a colour legend, then per process and VMA its
// page table as a zoom diagram (one row of boxes per level, PUD -> PMD -> PTE; under each `table` box
// the row of its entries, joined to it by a trapezoid), then a panel of the folios mapped, each with a
// strip of its raw pages where every raw_hwp_list entry is a red tick.
//
// Widths are NOT proportional to bytes: one 4 KiB entry is 1/262144 of a 1 GiB one and would vanish.
// A run box is as wide as a slowly growing, capped function of its entry count (log2), and never
// narrower than its labels, so a 1 GiB hugepage split around one raw page reads as: PUD table -> one
// PMD table beside 511 present 2M entries -> one red hwpoison 4K entry beside 511 present 4K entries.
// Where the rows of a VMA do not all fit in the width, the growth per doubling shrinks (down to none)
// before any run is left out. Every coordinate is an integer and nothing depends on time or on
// iteration order of anything unordered, so a state always gives the same text.
import type { FolioView, PtRun } from '../kernel/index.js';
import type { ShowProcess, ShowState, ShowVma } from '../runner/index.js';
import { xmlAttr, xmlText } from './escape.js';
import { hex, sizeName } from './format.js';
import { addrLabel, folioFlags, rawHwpText, rawPages, rawRange, stepLines, vmaParts } from './show-format.js';

const MAX_WIDTH = 1400;
const MIN_WIDTH = 760;
const MARGIN = 20;
/** Left of the tree: the level names (PUD, PMD, PTE). */
const TREE_LEFT = MARGIN + 44;
const RIGHT = MAX_WIDTH - MARGIN;
const FONT = 11;
const SMALL = 10;
/** Advance of one monospace character per pixel of font size (DejaVu Sans Mono: 0.602). */
const CHAR = 0.62;
const LINE = 13;
const PAD = 6;
/** The vertical gap between a row and the row of a table's entries, where the zoom is drawn. */
const ZOOM_H = 40;
const GAP = 8;
/** Between the rows of two tables in one level band. */
const ROW_GAP = 32;
const MAX_RUNS = 24;
const MORE_W = 116;
const MIN_BOX = 100;
const MAX_BOX = 400;
/** Pixels a box grows per doubling of its count, tried in turn until a VMA's rows fit best. */
const PER_DOUBLING = [24, 16, 8, 0] as const;
const STRIP_W = 640;
const STRIP_H = 14;
const FOLIO_H = 4 * LINE + STRIP_H + 28;

const COLOURS: Readonly<Record<PtRun['kind'], { fill: string; stroke: string; text: string; dash?: string }>> = {
  present: { fill: '#cfe2f3', stroke: '#3d6f9e', text: '#10263b' },
  hwpoison: { fill: '#d62728', stroke: '#7f0000', text: '#ffffff' },
  marker: { fill: '#fde7a6', stroke: '#a8770a', text: '#3d2b00' },
  migration: { fill: '#dccbef', stroke: '#6a4c93', text: '#2a1740' },
  none: { fill: '#f4f4f4', stroke: '#9a9a9a', text: '#6f6f6f', dash: '4 3' },
  table: { fill: '#ffffff', stroke: '#333333', text: '#111111' },
};
const POISON_RED = COLOURS.hwpoison.fill;
const ZOOM = { fill: '#e8eef6', stroke: '#7d93ad' };
const ZOOM_TO_POISON = { fill: '#f8e4e4', stroke: '#c0605f' };

const textWidth = (s: string, size = FONT): number => Math.ceil(s.length * size * CHAR);

/** `s`, cut with `…` to fit `px` pixels. */
function fit(s: string, px: number, size = FONT): string {
  const max = Math.max(1, Math.floor(px / (size * CHAR)));
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}

function text(x: number, y: number, s: string, attrs = ''): string {
  return `<text x="${x}" y="${y}"${attrs}>${xmlText(s)}</text>`;
}

function rect(x: number, y: number, w: number, h: number, fill: string, stroke: string, extra = ''): string {
  return `<rect x="${x}" y="${y}" width="${w}" height="${h}" fill="${fill}" stroke="${stroke}"${extra}/>`;
}

/** What drawing a VMA's runs needs: addresses relative to the VMA's name, each folio's raw_hwp_list. */
interface VmaContext {
  readonly at: (addr: number) => string;
  readonly rawHwp: ReadonlyMap<number, readonly number[]>;
}

/** Whether a hwpoison entry lies in the run (itself or below it). */
function holdsPoison(r: PtRun): boolean {
  return r.kind === 'hwpoison' || (r.children ?? []).some(holdsPoison);
}

/** A present run's raw pages that are in its folio's raw_hwp_list: poison still mapped. */
function mappedPoison(r: PtRun, ctx: VmaContext): number[] {
  if (r.kind !== 'present' || r.pfn === undefined || r.subpage === undefined) return [];
  const first = r.subpage;
  return (ctx.rawHwp.get(r.pfn) ?? []).filter((raw) => raw >= first && raw < first + rawPages(r));
}

/** The text of a run's box: address, `kind size xcount`, then flags or what a table holds, pfn, raw pages, poison mapped. */
function runLabels(r: PtRun, ctx: VmaContext): { address: string; head: string; lines: string[] } {
  const head = `${r.kind === 'table' ? 'table' : `${r.kind} ${sizeName(r.size)}`}${r.count > 1 ? ` x${r.count}` : ''}`;
  const lines: string[] = [];
  if (r.kind === 'table') {
    const kids = r.children ?? [];
    const level = kids[0]?.level;
    lines.push(level === undefined ? 'empty' : `${kids.reduce((sum, k) => sum + k.count, 0)} ${level} entries`);
  } else {
    const flags = [r.kind === 'present' && r.write === false ? 'ro' : '', r.uffdWp === true ? 'uffd-wp' : '', r.poisoned === true ? 'poisoned' : ''];
    const set = flags.filter((f) => f !== '');
    if (set.length > 0) lines.push(set.join(' '));
  }
  if (r.pfn !== undefined) lines.push(`pfn ${hex(r.pfn)}`);
  const range = rawRange(r);
  if (range !== '') lines.push(range);
  const poison = mappedPoison(r, ctx);
  if (poison.length > 0) lines.push(poison.length === 1 ? `maps poisoned +${poison[0] ?? 0}` : `maps ${poison.length} poisoned`);
  return { address: ctx.at(r.start), head, lines };
}

/** A bounded, slowly growing function of the entry count, widened to the box's labels. */
function boxWidth(r: PtRun, ctx: VmaContext, perDoubling: number): number {
  const byCount = Math.min(MAX_BOX, MIN_BOX + Math.round(perDoubling * Math.log2(Math.max(1, r.count))));
  const { address, head, lines } = runLabels(r, ctx);
  const byText = Math.max(textWidth(address, SMALL), textWidth(head), ...lines.map((l) => textWidth(l)));
  return Math.max(byCount, byText + 2 * PAD);
}

interface Box {
  readonly run: PtRun;
  readonly x: number;
  readonly w: number;
}

/** One row of boxes: the runs of one table (or the VMA's top level), at a depth (0 = PUD). */
interface Row {
  readonly depth: number;
  readonly x: number;
  readonly right: number;
  readonly boxes: readonly Box[];
  /** Runs not drawn for want of room; drawn as one "… N more runs" box at `right - MORE_W`. */
  readonly hidden: number;
  readonly parent?: Box;
}

interface Layout {
  readonly rows: Row[];
  /** Tables whose row found no room at all. */
  readonly unplaced: Set<PtRun>;
  /** Runs left undrawn: in "more" boxes and under unplaced tables. */
  lost: number;
}

/**
 * Places the rows of a VMA's tree: each table's row goes one band lower, starting under the table if
 * it can, never left of the rows already in that band (so rows never overlap and zooms never cross),
 * cut at the right edge with a "more" box.
 */
function layoutTree(tree: readonly PtRun[], ctx: VmaContext, perDoubling: number): Layout {
  const layout: Layout = { rows: [], unplaced: new Set(), lost: 0 };
  const bandRight: number[] = [];
  const place = (runs: readonly PtRun[], depth: number, want: number, parent?: Box): void => {
    const widths = runs.map((r) => boxWidth(r, ctx, perDoubling));
    const natural = widths.reduce((a, w) => a + w, 0) + GAP * (runs.length - 1);
    const used = bandRight[depth];
    const x = Math.max(used === undefined ? TREE_LEFT : used + ROW_GAP, TREE_LEFT, Math.min(want, RIGHT - natural));
    const all = runs.length <= MAX_RUNS && x + natural <= RIGHT;
    const boxes: Box[] = [];
    let cursor = x;
    for (const [i, r] of runs.entries()) {
      const w = widths[i] ?? MIN_BOX;
      if (!all && (i >= MAX_RUNS - 1 || cursor + w + GAP + MORE_W > RIGHT)) break;
      boxes.push({ run: r, x: cursor, w });
      cursor += w + GAP;
    }
    if (boxes.length === 0) {
      if (parent !== undefined) layout.unplaced.add(parent.run);
      layout.lost += runs.length;
      return;
    }
    const hidden = runs.length - boxes.length;
    const right = hidden > 0 ? cursor + MORE_W : cursor - GAP;
    layout.rows.push({ depth, x, right, boxes, hidden, ...(parent === undefined ? {} : { parent }) });
    layout.lost += hidden;
    bandRight[depth] = right;
    for (const b of boxes) if (b.run.children !== undefined && b.run.children.length > 0) place(b.run.children, depth + 1, b.x, b);
  };
  place(tree, 0, TREE_LEFT);
  return layout;
}

/** The layout that leaves the fewest runs undrawn, boxes growing with their count as much as that allows. */
function bestLayout(tree: readonly PtRun[], ctx: VmaContext): Layout {
  return PER_DOUBLING.map((k) => layoutTree(tree, ctx, k)).reduce((best, l) => (l.lost < best.lost ? l : best));
}

/** Where a VMA's level bands are: the first band's top and the height of every box. */
interface Bands {
  readonly top: number;
  readonly boxH: number;
}

const bandY = (g: Bands, depth: number): number => g.top + depth * (g.boxH + ZOOM_H);

/** Red ticks on the bottom edge of a present box, at the place of each poisoned raw page it maps. */
function drawMappedPoison(b: Box, y: number, boxH: number, raws: readonly number[]): string[] {
  const pages = rawPages(b.run);
  return raws.map((raw) => {
    const x = Math.min(b.x + b.w - 4, b.x + 1 + Math.floor(((raw - (b.run.subpage ?? 0)) * (b.w - 2)) / pages));
    return `<rect class="mapped-poison" data-raw="${raw}" x="${x}" y="${y + boxH - 5}" width="3" height="10" fill="${POISON_RED}"/>`;
  });
}

function drawRun(b: Box, y: number, g: Bands, ctx: VmaContext, unplaced: boolean): string {
  const r = b.run;
  const c = COLOURS[r.kind];
  const { address, head, lines } = runLabels(r, ctx);
  if (unplaced) lines.splice(0, 1, 'not drawn');
  const poison = mappedPoison(r, ctx);
  const stroke = poison.length > 0 ? POISON_RED : r.kind === 'table' && holdsPoison(r) ? ZOOM_TO_POISON.stroke : c.stroke;
  const width = r.kind === 'table' || r.kind === 'hwpoison' || poison.length > 0 ? 2 : 1;
  const dash = c.dash === undefined ? '' : ` stroke-dasharray="${c.dash}"`;
  const tx = b.x + PAD;
  const out = [
    `<g class="run" data-level="${r.level}" data-kind="${r.kind}" data-count="${r.count}" data-start="${hex(r.start)}">`,
    `<title>${xmlText([`${r.level} [${hex(r.start)}, ${hex(r.end)})`, head, ...lines].join(', '))}</title>`,
    rect(b.x, y, b.w, g.boxH, c.fill, stroke, ` stroke-width="${width}"${dash} rx="3"`),
    text(tx, y + LINE + 2, address, ` font-size="${SMALL}" fill="${c.text}" fill-opacity="0.75"`),
    text(tx, y + 2 * LINE + 2, head, ` font-weight="bold" fill="${c.text}"`),
  ];
  lines.forEach((l, i) => {
    const alarm = l.startsWith('maps ') && poison.length > 0;
    out.push(text(tx, y + (3 + i) * LINE + 2, l, alarm ? ` font-weight="bold" fill="${POISON_RED}"` : ` fill="${c.text}"`));
  });
  out.push(...drawMappedPoison(b, y, g.boxH, poison), '</g>');
  return out.join('\n');
}

/** The trapezoid from a table box's bottom corners to the extent of its entries' row. */
function drawZoom(parent: Box, row: Row, g: Bands): string {
  const y1 = bandY(g, row.depth);
  const y0 = y1 - ZOOM_H;
  const z = holdsPoison(parent.run) ? ZOOM_TO_POISON : ZOOM;
  const points = `${parent.x},${y0} ${parent.x + parent.w},${y0} ${row.right},${y1} ${row.x},${y1}`;
  return [
    `<polygon class="zoom" points="${points}" fill="${z.fill}" stroke="none"/>`,
    `<line x1="${parent.x}" y1="${y0}" x2="${row.x}" y2="${y1}" stroke="${z.stroke}" stroke-width="1.5"/>`,
    `<line x1="${parent.x + parent.w}" y1="${y0}" x2="${row.right}" y2="${y1}" stroke="${z.stroke}" stroke-width="1.5"/>`,
  ].join('\n');
}

function drawMore(row: Row, g: Bands): string {
  const x = row.right - MORE_W;
  const y = bandY(g, row.depth);
  return [
    `<g class="more-runs" data-hidden="${row.hidden}">`,
    rect(x, y, MORE_W, g.boxH, '#ffffff', '#999999', ' stroke-dasharray="2 2" rx="3"'),
    text(x + PAD, y + Math.floor(g.boxH / 2) + 4, fit(`… ${row.hidden} more runs`, MORE_W - 2 * PAD, SMALL), ` font-size="${SMALL}" fill="#555555"`),
    '</g>',
  ].join('\n');
}

/** The VMA's header line (show-format.ts's words, spaced for the picture). */
const vmaHeader = (v: ShowVma): string => vmaParts(v).join('  ');

/** A VMA: header, level names, zooms behind, then the boxes. Boxes are as tall as the VMA's longest label. */
function drawVma(v: ShowVma, y: number, rawHwp: ReadonlyMap<number, readonly number[]>): { svg: string; height: number; right: number } {
  const ctx: VmaContext = { at: (addr) => addrLabel(v, addr), rawHwp };
  const { rows, unplaced } = bestLayout(v.tree, ctx);
  const lines = Math.max(2, ...rows.flatMap((r) => r.boxes.map((b) => runLabels(b.run, ctx).lines.length)));
  const g: Bands = { top: y + 14, boxH: 8 + (2 + lines) * LINE };
  const out = [`<g class="vma" data-start="${hex(v.start)}">`, text(MARGIN + 10, y + 4, fit(vmaHeader(v), RIGHT - MARGIN - 10), ' font-weight="bold"')];
  const bands = rows.reduce((n, r) => Math.max(n, r.depth + 1), 0);
  for (let d = 0; d < bands; d++) {
    const level = rows.find((r) => r.depth === d)?.boxes[0]?.run.level ?? '';
    out.push(text(MARGIN + 10, bandY(g, d) + Math.floor(g.boxH / 2) + 4, level, ' font-weight="bold" fill="#555555"'));
  }
  for (const row of rows) if (row.parent !== undefined) out.push(drawZoom(row.parent, row, g));
  for (const row of rows) {
    for (const b of row.boxes) out.push(drawRun(b, bandY(g, row.depth), g, ctx, unplaced.has(b.run)));
    if (row.hidden > 0) out.push(drawMore(row, g));
  }
  if (rows.length === 0) out.push(text(TREE_LEFT, g.top + LINE, 'no page-table entries', ' fill="#6f6f6f"'));
  out.push('</g>');
  const height = rows.length === 0 ? 14 + LINE + 8 : bandY(g, bands) - ZOOM_H - y + 8;
  return { svg: out.join('\n'), height, right: rows.reduce((m, r) => Math.max(m, r.right), 0) };
}

function drawProcess(p: ShowProcess, y: number, rawHwp: ReadonlyMap<number, readonly number[]>): { svg: string; height: number; right: number } {
  const out = [`<g class="process" data-name="${xmlAttr(p.name)}" data-pid="${p.pid}">`];
  out.push(text(MARGIN, y + 12, `process ${p.name} (pid ${p.pid})${p.alive ? '' : ' dead'}`, ' font-size="13" font-weight="bold"'));
  let cy = y + 30;
  let right = 0;
  if (p.vmas.length === 0) {
    out.push(text(MARGIN + 10, cy + 4, p.alive ? 'no hugetlb VMAs' : 'exited: no mappings', ' fill="#6f6f6f"'));
    cy += 18;
  }
  for (const v of p.vmas) {
    const d = drawVma(v, cy, rawHwp);
    out.push(d.svg);
    cy += d.height + 12;
    right = Math.max(right, d.right, MARGIN + 10 + textWidth(vmaHeader(v)));
  }
  out.push('</g>');
  return { svg: out.join('\n'), height: cy - y, right };
}

/** The folio's raw pages as a strip, each raw_hwp_list entry a red tick at its proportional place. */
function drawStrip(f: FolioView, x: number, y: number): string {
  const pages = Math.max(1, Math.round(f.size / 4096));
  const tick = Math.max(2, Math.round(STRIP_W / pages));
  const out = [`<rect class="raw-pages" x="${x}" y="${y}" width="${STRIP_W}" height="${STRIP_H}" fill="#eef2f6" stroke="#8a99aa"/>`];
  for (const raw of f.raw_hwp_list) {
    const tx = Math.min(x + STRIP_W - tick, x + Math.floor((raw * STRIP_W) / pages));
    out.push(`<rect class="raw-hwp" data-raw="${raw}" x="${tx}" y="${y - 3}" width="${tick}" height="${STRIP_H + 6}" fill="${POISON_RED}"/>`);
  }
  const last = `+${pages - 1} (${pages} raw pages)`;
  out.push(
    text(x, y + STRIP_H + 12, '+0', ` font-size="${SMALL}" fill="#555555"`),
    text(x + STRIP_W - textWidth(last, SMALL), y + STRIP_H + 12, last, ` font-size="${SMALL}" fill="#555555"`),
  );
  return out.join('\n');
}

function drawFolio(f: FolioView, y: number, width: number): string {
  const w = width - 2 * MARGIN;
  const sub = f.subMapcount !== 0 ? ` (+${f.subMapcount} sub-hugepage entries)` : '';
  const flags = folioFlags(f);
  const x = MARGIN + 10;
  return [
    `<g class="folio" data-pfn="${hex(f.pfn)}">`,
    rect(MARGIN, y, w, FOLIO_H, f.hwpoison ? '#fdf3f3' : '#fafafa', f.hwpoison ? POISON_RED : '#bbbbbb', ` stroke-width="${f.hwpoison ? 2 : 1}" rx="4"`),
    text(x, y + LINE + 2, fit(`folio pfn ${hex(f.pfn)}  ${sizeName(f.size)}  refcount ${f.refcount}  mapcount ${f.mapcount}${sub}`, w - 20), ' font-weight="bold"'),
    text(x, y + 2 * LINE + 4, flags.length > 0 ? flags.join(', ') : 'no flags', f.hwpoison ? ` fill="${COLOURS.hwpoison.stroke}"` : ''),
    text(x, y + 3 * LINE + 6, fit(rawHwpText(f), w - 20)),
    drawStrip(f, x, y + 4 * LINE + 2),
    '</g>',
  ].join('\n');
}

function drawLegend(y: number): { svg: string; right: number } {
  const items: [string, PtRun['kind'] | 'zoom' | 'mapped-poison'][] = [
    ['present', 'present'], ['hwpoison', 'hwpoison'], ['marker', 'marker'], ['migration', 'migration'],
    ['none', 'none'], ['table', 'table'], ['entries of a table', 'zoom'], ['poisoned raw page still mapped', 'mapped-poison'],
  ];
  const out = ['<g class="legend">'];
  let x = MARGIN;
  for (const [label, kind] of items) {
    if (kind === 'zoom') out.push(`<polygon points="${x + 4},${y} ${x + 14},${y} ${x + 18},${y + 12} ${x},${y + 12}" fill="${ZOOM.fill}" stroke="${ZOOM.stroke}"/>`);
    else if (kind === 'mapped-poison') out.push(rect(x, y, 18, 12, COLOURS.present.fill, POISON_RED, ' stroke-width="2"'), rect(x + 8, y + 4, 3, 8, POISON_RED, 'none'));
    else {
      const c = COLOURS[kind];
      out.push(rect(x, y, 18, 12, c.fill, c.stroke, c.dash === undefined ? '' : ` stroke-dasharray="${c.dash}"`));
    }
    out.push(text(x + 24, y + 10, label));
    x += 24 + textWidth(label) + 18;
  }
  const note = 'Box widths grow with log2(entry count), not with bytes: a 4K entry stays as readable as a 1G one.';
  out.push(text(MARGIN, y + 28, note, ' fill="#6f6f6f"'), '</g>');
  return { svg: out.join('\n'), right: Math.max(x - 18, MARGIN + textWidth(note)) };
}

/** Where in the test the state is, on one title line. */
const stepLine = (state: ShowState): string => stepLines(state).join('; ');

export function renderShowSvg(state: ShowState): string {
  const span = RIGHT - MARGIN;
  const head = `${state.scenario} ${state.size}, profile ${state.profile}: ${state.test}`;
  const title = [
    text(MARGIN, 26, fit(head, span, 15), ' font-size="15" font-weight="bold"'),
    text(MARGIN, 46, fit(stepLine(state), span)),
    text(MARGIN, 62, fit(`${state.file}    HardwareCorrupted: ${state.hardwareCorrupted} kB`, span), ' fill="#555555"'),
  ];
  const legend = drawLegend(76);
  let right = Math.max(legend.right, MARGIN + textWidth(head, 15), MARGIN + textWidth(stepLine(state)));
  const body: string[] = [`<g class="title">\n${title.join('\n')}\n</g>`, legend.svg];
  const rawHwp = new Map(state.folios.map((f) => [f.pfn, f.raw_hwp_list] as const));
  let y = 124;
  for (const p of state.processes) {
    const d = drawProcess(p, y, rawHwp);
    body.push(d.svg);
    y += d.height + 8;
    right = Math.max(right, d.right);
  }
  if (state.processes.length === 0) {
    body.push(text(MARGIN, y + 12, 'no processes', ' fill="#6f6f6f"'));
    y += 24;
  }
  body.push(text(MARGIN, y + 16, state.folios.length > 0 ? 'folios' : 'folios: none mapped', ' font-size="13" font-weight="bold"'));
  y += 26;
  const width = Math.min(MAX_WIDTH, Math.max(MIN_WIDTH, right + MARGIN));
  body.push('<g class="folios">');
  for (const f of state.folios) {
    body.push(drawFolio(f, y, width));
    y += FOLIO_H + 10;
  }
  body.push('</g>');
  const height = y + MARGIN;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="monospace" font-size="${FONT}">`,
    `<rect x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>`,
    ...body,
    '</svg>',
    '',
  ].join('\n');
}
