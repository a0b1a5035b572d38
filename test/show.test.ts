// The SVG of `hgmsim show`, drawn from states of the real model: the RFC's 1 GiB hugepage split around
// its first poisoned raw page (PUD table -> PMD table -> one hwpoison PTE), a v6.1 whole-hugepage
// hwpoison entry, a dead process and a process without VMAs, a row too long for the width, a poisoned
// raw page the posted split walk leaves mapped, three poisoned raw pages, a uffd-wp marker. The SVG is
// parsed back into elements and its structure, colours and geometry checked.
import t, { type Test } from 'tap';
import { readFileSync } from 'node:fs';
import { validateXML } from 'xmllint-wasm';
import type { PtRun } from '../src/kernel/index.js';
import { renderShowSvg } from '../src/report/show-svg.js';
import { renderShowText } from '../src/report/show-text.js';
import { runStream } from '../src/runner/run.js';
import type { ShowState } from '../src/runner/show-state.js';
import { loadScenario } from '../src/scenario/load.js';
import type { HugepageSize, ProfileName } from '../src/scenario/types.js';

function stateOf(file: string, size: HugepageSize, profile: ProfileName, test: string | null, step: number | null, text = readFileSync(file, 'utf8')): ShowState {
  const loaded = loadScenario(file, text);
  if (!loaded.scenario) throw new Error(`${file}: ${loaded.errors.map((e) => e.message).join('; ')}`);
  const name = test ?? loaded.scenario.tests[0]?.name;
  if (name === undefined) throw new Error(`${file}: no tests`);
  let state: ShowState | undefined;
  const r = runStream(loaded.scenario, size, profile, { show: { test: name, step, take: (s) => { state = s; } } });
  if (!r.ok) throw new Error(r.errors.map((e) => e.message).join('\n'));
  if (state === undefined) throw new Error(`${file}: no state`);
  return state;
}

/** An element of the SVG: its name, attributes, children and the text directly inside it. */
interface El {
  readonly name: string;
  readonly attrs: Readonly<Record<string, string>>;
  readonly children: El[];
  text: string;
}

const ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const unescape = (s: string): string => s.replace(/&(amp|lt|gt|quot|apos);/g, (_, e: string) => ENTITIES[e] ?? '');

/** A strict little parser for the renderer's output: every tag closed in order, or it throws. */
function parse(svg: string): El {
  const root: El = { name: '#root', attrs: {}, children: [], text: '' };
  const stack: El[] = [root];
  const tag = /<(\/?)([a-zA-Z][\w-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>|([^<]+)/gy;
  let m: RegExpExecArray | null;
  let pos = 0;
  while ((m = tag.exec(svg)) !== null) {
    pos = tag.lastIndex;
    const top = stack[stack.length - 1];
    if (top === undefined) throw new Error('content after the root element');
    if (m[5] !== undefined) {
      top.text += unescape(m[5]);
      continue;
    }
    const [, close, name = '', rawAttrs = '', selfClose] = m;
    if (close === '/') {
      if (top.name !== name) throw new Error(`</${name}> closes <${top.name}>`);
      stack.pop();
      continue;
    }
    const attrs: Record<string, string> = {};
    for (const a of rawAttrs.matchAll(/([\w:-]+)="([^"]*)"/g)) attrs[a[1] ?? ''] = unescape(a[2] ?? '');
    const el: El = { name, attrs, children: [], text: '' };
    top.children.push(el);
    if (selfClose !== '/') stack.push(el);
  }
  if (pos !== svg.length) throw new Error(`unparsed text at ${pos}: ${svg.slice(pos, pos + 40)}`);
  if (stack.length !== 1) throw new Error(`<${stack[stack.length - 1]?.name ?? ''}> never closed`);
  return root;
}

function all(el: El, pred: (e: El) => boolean): El[] {
  const out: El[] = [];
  const walk = (e: El): void => {
    for (const c of e.children) {
      if (pred(c)) out.push(c);
      walk(c);
    }
  };
  walk(el);
  return out;
}

const byClass = (el: El, cls: string): El[] => all(el, (e) => e.attrs.class === cls);
const texts = (el: El): string[] => all(el, (e) => e.name === 'text').map((e) => e.text);
const num = (el: El | undefined, attr: string): number => Number(el?.attrs[attr] ?? NaN);
const boxOf = (run: El): El | undefined => run.children.find((c) => c.name === 'rect');
const sig = (run: El): string => `${run.attrs['data-level'] ?? ''} ${run.attrs['data-kind'] ?? ''} ${run.attrs['data-count'] ?? ''}`;
const hex = (n: number): string => `0x${n.toString(16)}`;

async function wellFormed(t: Test, svg: string): Promise<El> {
  const r = await validateXML({ xml: [{ fileName: 'show.svg', contents: svg }], normalization: 'c14n' });
  t.equal(r.valid, true, `xmllint parses it: ${r.rawOutput}`);
  const root = parse(svg);
  t.equal(root.children.length, 1, 'one root element');
  return root;
}

function svgRoot(doc: El): El {
  const svg = doc.children[0];
  if (svg === undefined) throw new Error('no root');
  return svg;
}

/**
 * No two run boxes of a VMA overlap, VMAs follow each other down the page, every box stays inside the
 * drawing and every label inside its box (at DejaVu Sans Mono's advance, 0.602 em, rounded up).
 */
function checkGeometry(t: Test, doc: El): void {
  const svg = svgRoot(doc);
  const width = num(svg, 'width');
  const height = num(svg, 'height');
  t.ok(width <= 1400, `width ${width} <= 1400`);
  t.equal(svg.attrs.viewBox, `0 0 ${width} ${height}`);
  let above = 0;
  for (const vma of byClass(doc, 'vma')) {
    const ys = byClass(vma, 'run').flatMap((r) => [num(boxOf(r), 'y'), num(boxOf(r), 'y') + num(boxOf(r), 'height')]);
    t.ok(ys.length === 0 || Math.min(...ys) > above, `VMA ${vma.attrs['data-start'] ?? ''} below the one before`);
    above = Math.max(above, ...ys);
    for (const r of [...byClass(vma, 'run'), ...byClass(vma, 'more-runs')]) {
      const b = r.children.find((c) => c.name === 'rect');
      for (const label of r.children.filter((c) => c.name === 'text')) {
        const size = Number(label.attrs['font-size'] ?? 11);
        const right = num(label, 'x') + Math.ceil(label.text.length * size * 0.62);
        t.ok(num(label, 'x') > num(b, 'x') && right <= num(b, 'x') + num(b, 'width'), `'${label.text}' inside its box`);
        t.ok(num(label, 'y') > num(b, 'y') && num(label, 'y') < num(b, 'y') + num(b, 'height'), `'${label.text}' between its box's top and bottom`);
      }
    }
    const boxes = byClass(vma, 'run').map((r) => {
      const b = boxOf(r);
      return { x: num(b, 'x'), y: num(b, 'y'), w: num(b, 'width'), h: num(b, 'height'), what: `${sig(r)} @${r.attrs['data-start'] ?? ''}` };
    });
    for (const [i, a] of boxes.entries()) {
      t.ok(Number.isInteger(a.x) && Number.isInteger(a.y) && Number.isInteger(a.w) && a.w > 0, `${a.what}: integer geometry`);
      t.ok(a.x >= 0 && a.x + a.w <= width && a.y + a.h <= height, `${a.what}: inside the drawing`);
      for (const b of boxes.slice(i + 1)) {
        const apart = a.x + a.w <= b.x || b.x + b.w <= a.x || a.y + a.h <= b.y || b.y + b.h <= a.y;
        t.ok(apart, `${a.what} and ${b.what} do not overlap`);
      }
    }
  }
}

const RED = '#d62728';

t.test('RFC 1G: the first MADV_HWPOISON splits the hugepage down to one red 4K entry in each VMA', async (t) => {
  const state = stateOf('scenarios/hugetlb-hgm/rfc.yaml', '1G', 'hgm-rfc', 'HGM hwpoison test', 70);
  t.match(state.step?.call ?? '', /MADV_HWPOISON/, 'step 70 is the first MADV_HWPOISON');
  t.equal(state.atEnd, false);
  const vmas = state.processes.flatMap((p) => p.vmas);
  t.equal(vmas.length, 2, 'P and S');

  const svg = renderShowSvg(state);
  t.equal(renderShowSvg(state), svg, 'deterministic');
  t.equal(renderShowSvg(JSON.parse(JSON.stringify(state)) as ShowState), svg, 'the JSON of the state draws the same');
  t.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" /);
  const doc = await wellFormed(t, svg);
  checkGeometry(t, doc);
  const coords = all(doc, () => true).flatMap((e) => ['x', 'y', 'x1', 'y1', 'x2', 'y2', 'width', 'height'].flatMap((a) => e.attrs[a] ?? []).concat((e.attrs.points ?? '').split(/[ ,]/).filter((p) => p !== '')));
  t.ok(coords.length > 100 && coords.every((c) => /^-?\d+$/.test(c)), 'integer coordinates');
  t.same([...new Set(all(doc, (e) => e.attrs['font-family'] !== undefined).map((e) => e.attrs['font-family']))], ['monospace']);

  const head = texts(all(doc, (e) => e.attrs.class === 'title')[0] ?? doc);
  t.same(head, [
    'rfc 1G, profile hgm-rfc: HGM hwpoison test',
    'after step 70 (line 145): madvise(P+0x0, 0x1000, MADV_HWPOISON)',
    'scenarios/hugetlb-hgm/rfc.yaml    HardwareCorrupted: 4 kB',
  ]);

  const drawn = byClass(doc, 'vma');
  t.same(drawn.map((v) => v.attrs['data-start']), vmas.map((v) => hex(v.start)));
  for (const [i, el] of drawn.entries()) {
    const v = vmas[i];
    if (v === undefined) throw new Error('vma');
    const name = v.names[0]?.name ?? '';
    t.test(`VMA ${name}`, async (t) => {
      const runs = byClass(el, 'run');
      const sigs = runs.map(sig);
      for (const want of ['PUD table 1', 'PMD table 1', 'PMD present 511', 'PTE hwpoison 1', 'PTE present 511']) t.ok(sigs.includes(want), `has ${want}`);
      t.match(texts(el)[0] ?? '', new RegExp(`^${name}  \\[${hex(v.start)}, ${hex(v.end)}\\)  shared  memfd:hugetlb_tmp  hugepagesz=1G  HGM(  uffd=MINOR\\|MISSING\\|WP)?$`));

      // The split path, PUD -> PMD -> PTE, at the VMA's first byte.
      const at0 = runs.filter((r) => r.attrs['data-start'] === hex(v.start)).map(sig);
      t.same(at0, ['PUD table 1', 'PMD table 1', 'PTE hwpoison 1']);

      const poison = runs.find((r) => sig(r) === 'PTE hwpoison 1');
      const present = runs.find((r) => sig(r) === 'PTE present 511' && r.attrs['data-start'] === hex(v.start + 4096));
      if (poison === undefined || present === undefined) throw new Error('PTE runs');
      t.equal(boxOf(poison)?.attrs.fill, RED, 'the hwpoison box is red');
      t.same(texts(poison), [`${name}+0x0`, 'hwpoison 4K', 'pfn 0x2c0000']);
      t.same(texts(present), [`${name}+0x1000`, 'present 4K x511', 'pfn 0x2c0000', '+1..+511']);
      const pmd = runs.find((r) => sig(r) === 'PMD present 511' && r.attrs['data-start'] === hex(v.start + 0x200000));
      t.same(pmd && texts(pmd).slice(1), ['present 2M x511', 'pfn 0x2c0000', '+512..+262143']);

      // Not proportional to bytes: the 4K box is readable, the 511-entry box wider but bounded.
      const w1 = num(boxOf(poison), 'width');
      const w511 = num(boxOf(present), 'width');
      t.ok(w1 >= 100, `4K box ${w1} px wide`);
      t.ok(w511 > w1 && w511 <= 400, `511-entry box ${w511} px: wider than one entry, capped`);
      // The hwpoison entry's row is drawn below its PMD table, which is below its PUD table.
      const ys = at0.map((_, k) => num(boxOf(runs.filter((r) => r.attrs['data-start'] === hex(v.start))[k] ?? poison), 'y'));
      t.ok((ys[0] ?? 0) < (ys[1] ?? 0) && (ys[1] ?? 0) < (ys[2] ?? 0), `PUD above PMD above PTE (${ys.join(', ')})`);

      // The tables on the way down to the poison are outlined in the poison's tint, the others not.
      const tables = runs.filter((r) => r.attrs['data-kind'] === 'table');
      t.same(tables.map((r) => boxOf(r)?.attrs.stroke), tables.map((r) => (r.attrs['data-start'] === hex(v.start) ? '#c0605f' : '#333333')));

      // One zoom per table, from the table box's bottom corners to its entries' row.
      const zooms = all(el, (e) => e.name === 'polygon' && e.attrs.class === 'zoom');
      t.equal(zooms.length, tables.length);
      for (const table of tables) {
        const b = boxOf(table);
        const bottom = num(b, 'y') + num(b, 'height');
        const from = `${num(b, 'x')},${bottom} ${num(b, 'x') + num(b, 'width')},${bottom} `;
        const zoom = zooms.filter((z) => (z.attrs.points ?? '').startsWith(from));
        t.equal(zoom.length, 1, `one zoom leaves ${sig(table)} @${table.attrs['data-start'] ?? ''}`);
        // ... and ends on the top edge of its entries' row, spanning it.
        const [, , right, left] = (zoom[0]?.attrs.points ?? '').split(' ').map((p) => p.split(',').map(Number));
        t.ok(right !== undefined && left !== undefined && right[1] === left[1] && (right[1] ?? 0) > bottom && (right[0] ?? 0) > (left[0] ?? 0), 'to a row below');
      }
    });
  }

  const folios = byClass(doc, 'folio');
  t.same(folios.map((f) => f.attrs['data-pfn']), state.folios.map((f) => hex(f.pfn)));
  const poisoned = folios.filter((f) => byClass(f, 'raw-hwp').length > 0);
  t.equal(poisoned.length, 1, 'one folio with poisoned raw pages');
  const folio = poisoned[0];
  if (folio === undefined) throw new Error('folio');
  t.equal(folio.attrs['data-pfn'], '0x2c0000');
  t.same(texts(folio).slice(0, 3), [
    'folio pfn 0x2c0000  1G  refcount 2046  mapcount 0 (+2044 sub-hugepage entries)',
    'page-cache, hwpoison',
    'raw_hwp_list=[0 (vmas 2, expected 2, actual 2)]',
  ]);
  const ticks = byClass(folio, 'raw-hwp');
  t.same(ticks.map((k) => k.attrs['data-raw']), ['0']);
  const strip = byClass(folio, 'raw-pages')[0];
  t.equal(num(ticks[0], 'x'), num(strip, 'x'), 'raw page 0 at the strip start');
  t.ok(num(ticks[0], 'width') >= 2, 'the tick is visible');
  t.equal(ticks[0]?.attrs.fill, RED);
  t.same(texts(byClass(doc, 'legend')[0] ?? doc).slice(0, 6), ['present', 'hwpoison', 'marker', 'migration', 'none', 'table']);
});

t.test('v6.1 2M: the whole hugepage is one hwpoison PMD entry, no PTE row', async (t) => {
  const state = stateOf('scenarios/mainline/hwpoison-shared.yaml', '2M', 'v6.1', null, null);
  t.equal(state.atEnd, true);
  const vma = state.processes[0]?.vmas[0];
  if (vma === undefined) throw new Error('vma');
  const svg = renderShowSvg(state);
  const doc = await wellFormed(t, svg);
  checkGeometry(t, doc);
  t.match(texts(doc)[1] ?? '', /^at the end of the test, after step \d+ \(line \d+\): /);
  const runs = byClass(doc, 'run');
  t.same(runs.map(sig), ['PUD table 1', 'PMD hwpoison 1', 'PMD present 1']);
  t.same(runs.map((r) => r.attrs['data-start']), [hex(vma.start), hex(vma.start), hex(vma.start + 0x200000)]);
  const poison = runs[1];
  t.equal(poison && boxOf(poison)?.attrs.fill, RED);
  t.same(poison && texts(poison), ['P+0x0', 'hwpoison 2M', 'pfn 0x40e00']);
  t.notOk(svg.includes('data-level="PTE"'), 'no PTE row');
  t.match(texts(doc).join('\n'), /\nPUD\nPMD\n/, 'level names PUD and PMD only');
  t.match(texts(byClass(doc, 'vma')[0] ?? doc)[0] ?? '', /  shared  memfd:hugetlb_tmp  hugepagesz=2M$/);

  const folio = byClass(doc, 'folio').find((f) => f.attrs['data-pfn'] === '0x40e00');
  if (folio === undefined) throw new Error('poisoned folio');
  t.match(texts(folio)[2] ?? '', /^raw_hwp_list=\[3\]$/, 'v6.1 keeps no RFC counters');
  const strip = byClass(folio, 'raw-pages')[0];
  const tick = byClass(folio, 'raw-hwp')[0];
  t.equal(num(tick, 'x') - num(strip, 'x'), Math.floor((3 * num(strip, 'width')) / 512), 'raw page 3 of 512 at its proportional place');
  t.ok(num(tick, 'width') >= 2);
});

t.test('a dead process and a process without VMAs', async (t) => {
  const dead = stateOf('scenarios/rfc/anon-unmap-check.yaml', '2M', 'hgm-rfc', 'anonymous hugetlb under the posted check', null);
  t.same(dead.processes.map((p) => [p.name, p.alive, p.vmas.length > 0]), [['main', true, true], ['C', false, false]]);
  const d = await wellFormed(t, renderShowSvg(dead));
  checkGeometry(t, d);
  const procs = byClass(d, 'process');
  t.same(procs.map((p) => texts(p)[0]), [`process main (pid ${dead.processes[0]?.pid ?? 0})`, `process C (pid ${dead.processes[1]?.pid ?? 0}) dead`]);
  t.same(procs[1] && texts(procs[1]).slice(1), ['exited: no mappings']);
  t.equal(procs[1] && byClass(procs[1], 'vma').length, 0);
  t.match(texts(byClass(d, 'vma')[0] ?? d)[0] ?? '', /  private  MAP_ANONYMOUS  /);

  const empty = stateOf('scenarios/mainline/hwpoison-shared.yaml', '2M', 'v6.1', 'munmap, re-mmap and touch the poisoned hugepage', null);
  t.same(empty.processes.map((p) => [p.name, p.alive, p.vmas.length]), [['main', true, 0]]);
  t.equal(empty.folios.length, 0);
  const svg = renderShowSvg(empty);
  const e = await wellFormed(t, svg);
  t.equal(byClass(e, 'vma').length, 0);
  t.equal(byClass(e, 'run').length, 0);
  t.equal(byClass(e, 'folio').length, 0);
  t.ok(texts(e).includes('no hugetlb VMAs'));
  t.ok(texts(e).includes('folios: none mapped'));
  t.ok(num(svgRoot(e), 'width') >= 760, 'a minimum width for the title and legend');

  const none = await wellFormed(t, renderShowSvg({ ...empty, processes: [], step: null }));
  t.ok(texts(none).includes('no processes'));
  t.ok(texts(none).includes('at the end of the test (no call step ran)'));
});

t.test('forty hugepages: the first runs of the row, then one "more runs" box; the width stays bounded', async (t) => {
  const text = `scenario: many
kernel: {profile: v6.1, hugepagesz: [2M], nr_hugepages: 48}
let: {L: 40 * hugepagesz}
tests:
  - name: forty hugepages
    steps:
      - memfd_create: {as: fd, name: many, flags: [MFD_HUGETLB]}
      - ftruncate: {fd: fd, length: L}
      - mmap: {as: P, fd: fd, length: L, flags: [MAP_SHARED]}
      - memset: {addr: P, length: L, value: 1}
`;
  const state = stateOf('many.yaml', '2M', 'v6.1', null, null, text);
  t.equal(state.folios.length, 40, 'forty folios, so forty PMD runs');
  const svg = renderShowSvg(state);
  const doc = await wellFormed(t, svg);
  checkGeometry(t, doc);
  const pmd = byClass(doc, 'run').filter((r) => r.attrs['data-level'] === 'PMD');
  const more = byClass(doc, 'more-runs');
  t.equal(more.length, 1, 'one row cut');
  const hidden = num(more[0], 'data-hidden');
  t.ok(pmd.length >= 5 && pmd.length <= 24, `${pmd.length} PMD runs drawn`);
  t.equal(pmd.length + hidden, 40, 'drawn + hidden = all');
  t.same(more[0] && texts(more[0]), [`… ${hidden} more runs`]);
  t.same(pmd.slice(0, 2).map((r) => r.attrs['data-start']), state.processes[0]?.vmas[0]?.tree[0]?.children?.slice(0, 2).map((r) => hex(r.start)));
  const last = pmd[pmd.length - 1];
  const moreBox = more[0]?.children.find((c) => c.name === 'rect');
  t.ok(num(boxOf(last ?? doc), 'x') + num(boxOf(last ?? doc), 'width') < num(moreBox, 'x'), 'the more box follows the last drawn run');
  t.ok(num(moreBox, 'x') + num(moreBox, 'width') <= num(svgRoot(doc), 'width'));
  const width = num(svgRoot(doc), 'width');
  t.ok(width > 1200 && width <= 1400, `the cut row fills the width allowed (${width}), no more`);
  t.equal(byClass(doc, 'folio').length, 40);
});

t.test('RFC posted split walk: a poisoned raw page left mapped is marked on its present run', async (t) => {
  // RFC-F2: the second poison's split remapped the first poisoned raw page as a present 4 KiB entry.
  const state = stateOf('scenarios/rfc/split-walk-posted.yaml', '1G', 'hgm-rfc', null, null);
  const folio = state.folios.find((f) => f.hwpoison);
  t.same(folio?.raw_hwp_list, [12288, 12289], 'two poisoned raw pages, the first of them mapped again');
  const doc = await wellFormed(t, renderShowSvg(state));
  checkGeometry(t, doc);
  const marked = byClass(doc, 'run').filter((r) => byClass(r, 'mapped-poison').length > 0);
  t.same(marked.map(sig), ['PTE present 1']);
  const run = marked[0];
  if (run === undefined) throw new Error('marked run');
  t.equal(boxOf(run)?.attrs.stroke, RED, 'outlined red');
  t.equal(texts(run).at(-1), 'maps poisoned +12288');
  const tick = byClass(run, 'mapped-poison')[0];
  t.equal(tick?.attrs['data-raw'], '12288');
  const box = boxOf(run);
  // The run is that one page: the tick sits inside its box.
  t.ok(num(tick, 'x') >= num(box, 'x') && num(tick, 'x') <= num(box, 'x') + num(box, 'width'), `tick at ${num(tick, 'x')} in box at ${num(box, 'x')}`);

  const first = stateOf('scenarios/hugetlb-hgm/rfc.yaml', '1G', 'hgm-rfc', 'HGM hwpoison test', 70);
  t.equal(byClass(parse(renderShowSvg(first)), 'mapped-poison').length, 0, 'after the first injection the poisoned raw page is unmapped everywhere');
});

t.test('RFC 1G, three poisoned raw pages: boxes grow less so that every run of both VMAs is drawn', async (t) => {
  const state = stateOf('scenarios/hugetlb-hgm/rfc.yaml', '1G', 'hgm-rfc', 'HGM hwpoison test', 90);
  t.same(state.folios.find((f) => f.hwpoison)?.raw_hwp_list, [0, 128, 256]);
  const count = (runs: readonly PtRun[]): number => runs.reduce((n, r) => n + 1 + count(r.children ?? []), 0);
  const doc = await wellFormed(t, renderShowSvg(state));
  checkGeometry(t, doc);
  const vmas = state.processes.flatMap((p) => p.vmas);
  for (const [i, el] of byClass(doc, 'vma').entries()) {
    t.equal(byClass(el, 'run').length, count(vmas[i]?.tree ?? []), `VMA ${vmas[i]?.names.map((n) => n.name).join(',') ?? ''}: every run drawn`);
    t.equal(byClass(el, 'run').filter((r) => r.attrs['data-kind'] === 'hwpoison').length, 3);
  }
  t.equal(byClass(doc, 'more-runs').length, 0);
  t.notOk(texts(doc).includes('not drawn'));
  // Still not proportional: a 127-entry run is wider than a 1-entry run.
  const runs = byClass(doc, 'run');
  const w127 = num(boxOf(runs.find((r) => sig(r) === 'PTE present 127') ?? doc), 'width');
  const w1 = num(boxOf(runs.find((r) => sig(r) === 'PTE hwpoison 1') ?? doc), 'width');
  t.ok(w127 > w1, `x127 ${w127} px > x1 ${w1} px`);
});

t.test('v6.1 uffd-wp: a marker and a write-protected present entry', async (t) => {
  const state = stateOf('scenarios/mainline/userfaultfd.yaml', '2M', 'v6.1', 'uffd-wp markers on never-populated entries', 8);
  const doc = await wellFormed(t, renderShowSvg(state));
  const runs = byClass(doc, 'run');
  t.same(runs.map(sig), ['PUD table 1', 'PMD present 1', 'PMD marker 1']);
  const [, present, marker] = runs;
  t.same(present && texts(present).slice(1), ['present 2M', 'ro uffd-wp', 'pfn 0x40e00', '+0..+511']);
  t.same(marker && texts(marker).slice(1), ['marker 2M', 'uffd-wp']);
  t.equal(marker && boxOf(marker)?.attrs.fill, '#fde7a6');
  t.match(texts(byClass(doc, 'vma')[0] ?? doc)[0] ?? '', /  uffd=WP$/);
});

t.test('the text tree: a VMA across a 512 GiB boundary, and more rows than a call takes as arguments', async (t) => {
  const gap = stateOf('gap.yaml', '2M', 'v6.1', null, null, `scenario: gap
kernel: {profile: v6.1, hugepagesz: [2M], nr_hugepages: 8}
let: {B: 0x7f8000000000}
tests:
  - name: t
    steps:
      - mmap: {as: P, addr: B - 2M, length: 4M, flags: [MAP_PRIVATE, MAP_ANONYMOUS, MAP_HUGETLB, MAP_FIXED]}
      - mmap: {as: Q, addr: B + 1G, length: 2M, flags: [MAP_PRIVATE, MAP_ANONYMOUS, MAP_HUGETLB, MAP_FIXED]}
      - access: {addr: Q, op: write, value: 1}
`);
  const p = gap.processes[0]?.vmas.find((v) => v.names[0]?.name === 'P');
  // P's first 2 MiB lie in the PUD table before B (none: no PMD table was needed), its last 2 MiB in
  // the table Q's fault created after B.
  t.same(p?.tree.map((r) => [r.level, r.kind, r.end - r.start, r.count]), [['PUD', 'none', 4 * 2 ** 20, 2]], 'the holes of two PUD tables fold into one run');
  const text = renderShowText(gap).split('\n');
  t.ok(text.includes('    PUD P+0x0 x2  none 1G'), text.join('\n'));

  const n = 300_000;
  const runs: PtRun[] = Array.from({ length: n }, (_, i) => ({ level: 'PTE', start: i * 8192, end: i * 8192 + 4096, size: 4096, count: 1, kind: i % 2 ? 'hwpoison' : 'none', pfn: 1 }));
  const vma = { start: 0, end: n * 8192, shared: true, anonymous: false, file: 'memfd:x', pgoff: 0, hugepagesz: 2 ** 30, hgm: true, uffd: [], tree: runs, names: [] };
  const big = renderShowText({ ...gap, processes: [{ name: 'main', pid: 1, alive: true, vmas: [vma] }], folios: [] });
  t.equal(big.split('\n').filter((l) => l.includes('PTE ')).length, n);
});
