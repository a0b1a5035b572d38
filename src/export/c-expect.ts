// Expectations as C: a call step's own `expect:` (its fields in the order runner/step-expect.ts
// compares them) and a standalone `expect:` step's fields (in registry order, runner/expect/), each
// through the runtime's check of the same name (runtime-checks.ts). Model-only fields say so.

import { UFFD_RANGE_IOCTLS } from '../abi/index.js';
import type { StateExpect, StepExpect } from '../scenario/index.js';
import { cExpr, cString, type CNames } from './c-expr.js';
import { UFFD_IOCTL_BITS } from './c-steps.js';

const SMAPS_FIELDS = [
  'Size', 'KernelPageSize', 'MMUPageSize', 'Rss', 'Pss', 'Shared_Hugetlb', 'Private_Hugetlb', 'Swap', 'Locked',
  'HugetlbPudMapped', 'HugetlbPmdMapped', 'HugetlbPteMapped',
] as const;
const PAGEMAP_BITS = { present: 'HG_PM_PRESENT', swapped: 'HG_PM_SWAP', file_shared: 'HG_PM_FILE', exclusive: 'HG_PM_EXCLUSIVE', uffd_wp: 'HG_PM_UFFD_WP' } as const;

/** The range ioctls as the model spells a set of them: `[WAKE,COPY]`, in bit order. */
const ioctlsText = (xs: readonly string[]): string => `[${UFFD_RANGE_IOCTLS.filter((i) => xs.includes(i)).join(',')}]`;

/** The lines comparing a call step's own `expect:` into `f` (before hg_end). */
export function stepExpectLines(x: StepExpect, names: CNames, readOffset: string | undefined): string[] {
  const e = (v: Parameters<typeof cExpr>[0]): string => cExpr(v, names);
  const out: string[] = [];
  if (x.ret !== undefined) out.push(`hg_f_ret(&f, &c, (s64)${e(x.ret)});`);
  if (x.errno !== undefined) out.push(`hg_f_errno(&f, &c, ${cString(x.errno)});`);
  if (x.sigbus !== undefined) out.push(`hg_f_sigbus(&f, &c, ${cString(x.sigbus)});`);
  if (x.si_addr !== undefined) out.push(`hg_f_si_addr(&f, &c, ${e(x.si_addr)});`);
  if (x.si_addr_lsb !== undefined) out.push(`hg_f_si_addr_lsb(&f, &c, ${e(x.si_addr_lsb)});`);
  if (x.value !== undefined) out.push(`hg_f_value(&f, &c, ${e(x.value)});`);
  if (x.blocked !== undefined) out.push(`hg_f_blocked(&f, &c, ${x.blocked ? 1 : 0});`);
  if (x.event !== undefined) out.push(`hg_field(&f, "event", ${cString(x.event)}, c.event == 1 ? "PAGEFAULT" : c.event == 2 ? "FORK" : "none");`);
  if (x.address !== undefined) {
    out.push('{', '\tchar want[64];', '', `\tsnprintf(want, sizeof(want), "%s", hg_addr(${e(x.address)}));`,
      '\thg_field(&f, "address", want, c.event == 1 ? hg_addr(c.event_addr) : "-");', '}');
  }
  if (x.bytes !== undefined) out.push(`hg_f_bytes(&f, &c, ${e(x.bytes)}, ${readOffset ?? '0'});`);
  if (x.ioctls !== undefined) {
    const names_ = UFFD_RANGE_IOCTLS.map((i) => cString(i)).join(', ');
    const bits = UFFD_RANGE_IOCTLS.map((i) => UFFD_IOCTL_BITS[i]).join(', ');
    out.push('{', `\tstatic const char *const names[] = { ${names_} };`, `\tstatic const int bits[] = { ${bits} };`, '',
      `\thg_field(&f, "ioctls", ${cString(ioctlsText(x.ioctls))}, c.has_ioctls ? hg_ioctls_text(c.ioctls, names, bits, ${UFFD_RANGE_IOCTLS.length}) : "-");`, '}');
  }
  if (x.updated !== undefined) {
    out.push('{', '\tchar want[32], have[32];', '', `\tsnprintf(want, sizeof(want), "%" PRId64, (s64)${e(x.updated)});`,
      '\tsnprintf(have, sizeof(have), "%" PRId64, c.updated);', '\thg_field(&f, "updated", want, c.has_updated ? have : "-");', '}');
  }
  if (x.updated_errno !== undefined) {
    out.push('{', '\tchar have[32];', '', '\tif (c.updated < 0 && strcmp(hg_errno_name((int)-c.updated), "?"))',
      '\t\tsnprintf(have, sizeof(have), "-%s", hg_errno_name((int)-c.updated));', '\telse',
      '\t\tsnprintf(have, sizeof(have), "%" PRId64, c.updated);',
      `\thg_field(&f, "updated", ${cString(`-${x.updated_errno}`)}, c.has_updated ? have : "-");`, '}');
  }
  return out;
}

/** The lines checking a standalone `expect:` step's fields, in the runner's registry order. */
export function stateExpectLines(x: StateExpect, line: number, names: CNames): string[] {
  const e = (v: Parameters<typeof cExpr>[0]): string => cExpr(v, names);
  const out: string[] = [];
  const model = (what: string): void => {
    out.push(`hg_not_observable(${line}, ${cString(what)});`);
  };
  if (x.raw_hwp_list !== undefined) model('raw_hwp_list (the folio\'s list of poisoned raw pages is the kernel\'s own)');
  if (x.mapping !== undefined) {
    const m = x.mapping;
    if (m.writable !== undefined) model('mapping writable (pagemap has no write bit)');
    out.push(`hg_x_mapping(${line}, ${e(m.at)}, ${m.size ? 1 : 0}, ${m.size ? e(m.size) : '0'}, ${m.kind ? cString(m.kind) : 'NULL'}, ${m.uffd_wp === undefined ? 0 : 1}, ${m.uffd_wp ? 1 : 0});`);
  }
  if (x.HardwareCorrupted !== undefined) out.push(`hg_x_hwc(${line}, ${x.HardwareCorrupted.delta ? 1 : 0}, ${x.HardwareCorrupted.kB.toString()});`);
  if (x.bytes !== undefined) out.push(`hg_x_bytes(${line}, ${e(x.bytes.addr)}, ${e(x.bytes.length)}, (int)(${e(x.bytes.value)} % 256));`);
  if (x.pool !== undefined) {
    for (const field of ['total', 'free', 'resv', 'surplus'] as const) {
      const want = x.pool[field];
      if (want !== undefined) out.push(`hg_x_pool(${line}, ${cString(field)}, (s64)${e(want)});`);
    }
  }
  if (x.refcount !== undefined) model('refcount (a folio\'s reference count)');
  if (x.mapcount !== undefined) model('mapcount (a folio\'s map count)');
  if (x.folio !== undefined) model('folio (raw_hwp_unreliable and the RFC\'s unmap counters are the kernel\'s own)');
  if (x.dmesg !== undefined) {
    for (const d of x.dmesg) {
      const text = d.what.kind === 'line' ? cString(d.what.text) : 'NULL';
      const pattern = d.what.kind === 'line' ? 'NULL' : cString(d.what.source);
      out.push(`hg_x_dmesg(${line}, ${text}, ${pattern}, ${d.count === undefined ? 0 : 1}, (s64)${d.count === undefined ? '0' : e(d.count)});`);
    }
  }
  if (x.signals !== undefined) {
    for (const [name, wants] of x.signals) {
      if (wants.some((w) => 'sigkill' in w)) {
        model(`signals ${name} with SIGKILL (a killed process's signal is seen only as its wait status)`);
        continue;
      }
      const items = wants.map((w) => ('sigkill' in w ? '' : `{ ${w.sigbus}, ${w.si_addr ? 1 : 0}, ${w.si_addr ? e(w.si_addr) : '0'}, ${w.si_addr_lsb ? 1 : 0}, ${w.si_addr_lsb ? `(int)${e(w.si_addr_lsb)}` : '0'} }`));
      out.push('{', `\tstatic struct hg_want_sig want[${Math.max(1, items.length)}];`, '');
      items.forEach((item, i) => out.push(`\twant[${i}] = (struct hg_want_sig)${item};`));
      out.push(`\thg_x_signals(${line}, ${cString(name)}, want, ${items.length});`, '}');
    }
  }
  for (const name of x.alive ?? []) out.push(`hg_x_alive(${line}, ${cString(name)}, 1);`);
  for (const name of x.dead ?? []) out.push(`hg_x_alive(${line}, ${cString(name)}, 0);`);
  if (x.wait_status !== undefined) model('wait_status (the exported program reaps its own processes)');
  if (x.smaps !== undefined) {
    const at = e(x.smaps.at);
    for (const field of SMAPS_FIELDS) {
      const want = x.smaps[field];
      if (want !== undefined) out.push(`hg_x_smaps(${line}, ${at}, ${cString(field)}, (s64)${e(want)});`);
    }
  }
  if (x.pagemap !== undefined) {
    const p = x.pagemap;
    for (const bit of Object.keys(PAGEMAP_BITS) as (keyof typeof PAGEMAP_BITS)[]) {
      const want = p[bit];
      if (want !== undefined) out.push(`hg_x_pagemap(${line}, ${e(p.at)}, ${cString(bit)}, ${PAGEMAP_BITS[bit]}, ${want ? 1 : 0});`);
    }
    if (p.pfn !== undefined) out.push(`hg_x_pagemap_pfn(${line}, ${e(p.at)}, ${e(p.pfn)});`);
  }
  if (x.mf_stats !== undefined) model('mf_stats (read from the node\'s memory_failure counters by the model only)');
  if (x.value !== undefined) out.push(`hg_x_value(${line}, ${cString(x.value.text)}, ${e(x.value.of)}, ${e(x.value.is)});`);
  return out;
}
