// Named invariants of the model (compare gVisor's checkInvariants, LKMM's named axioms). Tests run
// them after every step; a violation names the invariant and the object that broke it.
// Linux: the refcount and mapcount rules of mm/hugetlb.c and mm/rmap.c, num_poisoned_pages of
// mm/memory-failure.c (kernel-semantics.md §1.10, §1.12), as the model keeps them.
import type { Folio } from './folio.js';
import type { KernelState } from './state.js';

export interface Violation {
  readonly invariant: string;
  readonly detail: string;
}

/** Every folio the hstates ever allocated (dissolved ones included). */
function allFolios(k: KernelState): Folio[] {
  return k.hstates.flatMap((h) => h.folios());
}

export function checkInvariants(k: KernelState): Violation[] {
  const out: Violation[] = [];
  if (k.panicked) return out; // a panicked kernel keeps no promises
  // Nor does one that ran a known-wrong line of the code it models (a BUG, a posted-code finding):
  // the finding is the report, as TAINT_DIE is after an oops (findings.ts).
  if (k.tainted) return out;
  const v = (invariant: string, detail: string): void => {
    out.push({ invariant, detail });
  };
  // Count the present entries that map each folio, across every mm.
  const mapped = new Map<Folio, number>();
  const subMapped = new Map<Folio, number>();
  for (const p of k.processes.values()) {
    for (const vma of p.mm.vmas) {
      for (const leaf of p.mm.pt.leaves(vma.start, vma.end)) {
        const e = leaf.entry;
        if (e.kind === 'present') {
          if (e.folio.dissolved) v('no entry maps a dissolved folio (migration re-points them all)', `folio ${e.folio.pfn.toString(16)} at ${leaf.start.toString(16)}`);
          const counts = leaf.shift >= e.folio.hstate.shift ? mapped : subMapped;
          counts.set(e.folio, (counts.get(e.folio) ?? 0) + 1);
        }
        if (e.kind === 'hwpoison' && k.folioOfPfn(e.pfn)?.hwpoison !== true && !k.rawPoisoned.has(e.pfn)) {
          v('hwpoison entry implies a hwpoisoned folio', `pfn ${e.pfn.toString(16)}`);
        }
      }
    }
  }
  let recorded = k.rawPoisoned.size;
  for (const f of allFolios(k)) {
    const name = `folio ${f.pfn.toString(16)}`;
    if (new Set(f.raw_hwp_list).size !== f.raw_hwp_list.length) v('raw_hwp_list holds each raw index once', name);
    if (f.raw_hwp_list.length > 0 && !f.hwpoison) v('raw_hwp_list implies PG_hwpoison', name);
    if (!f.dissolved) recorded += f.raw_hwp_list.length + f.countedUnlisted;
    if (f.temporary && (f.freed || f.dissolved)) v('a temporary folio is in use (freed, it goes to buddy)', name);
    if (f.dissolved || f.freed) {
      if (f.refcount !== 0 || f.mapcount !== 0 || f.subMapcount !== 0) v('a free folio has no references', `${name}: ref ${f.refcount} map ${f.mapcount}`);
      continue;
    }
    if (f.refcount === 0) continue; // never allocated from the pool yet
    const entries = mapped.get(f) ?? 0;
    const subEntries = subMapped.get(f) ?? 0;
    if (f.mapcount !== entries) v('mapcount equals the entries that map the folio', `${name}: mapcount ${f.mapcount}, entries ${entries}`);
    if (f.subMapcount !== subEntries) v('HGM: subpage mapcounts equal the smaller entries that map the folio', `${name}: ${f.subMapcount} vs ${subEntries}`);
    const expected = (f.mapping !== null ? 1 : 0) + f.mapcount + f.subMapcount + f.mfRefs - f.refsPutTwice;
    if (f.refcount !== expected) v('refcount equals the references the rules hand out', `${name}: refcount ${f.refcount}, expected ${expected}`);
  }
  if (k.num_poisoned_pages !== recorded) {
    v('HardwareCorrupted equals the raw pages recorded', `num_poisoned_pages ${k.num_poisoned_pages}, recorded ${recorded}`);
  }
  for (const h of k.hstates) {
    if (h.free > h.total || h.resv > h.free) v('pool: resv <= free <= total', `hstate ${h.kB} kB: total ${h.total} free ${h.free} resv ${h.resv}`);
  }
  return out;
}
