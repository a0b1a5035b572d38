// What differs between two boots of the same kernel running the same program, and so between the
// model's stream and a kernel's, without saying anything about memory failure: where mmap placed a
// mapping, which page frames the pool handed out, pids, the printk clock. Each rule rewrites such a
// value into a placeholder on both sides before kernel-view lines are compared (kernel-diff.ts). Only
// what varies from boot to boot is here; everything else a kernel prints is compared as it is. hgmsim
// prints no durations, so there is no timing rule.

interface NoiseRule {
  /** Lines the rule looks at. */
  readonly lines: RegExp;
  readonly find: RegExp;
  readonly replace: string;
}

const ANY = /^/;
const DMESG = /^# dmesg: /;

/** Applied in order: the address rule takes long hex numbers before the dmesg pfn rule sees short ones. */
const NOISE_RULES: readonly NoiseRule[] = [
  // printk's timestamp, if the program kept it: seconds since this boot.
  { lines: DMESG, find: /^# dmesg: \[\s*\d+\.\d+\] /, replace: '# dmesg: ' },
  // A user virtual address (`primary mapping: 0x7f5e7fc00000`, dmesg's `virtual address 0x7f…`): mmap
  // places mappings where ASLR says, the model top-down from a fixed base. 9+ hex digits, so no pfn or
  // small value matches; not after `+` or `-`, so offsets into a named mapping (`P+0x200000`) stay.
  { lines: ANY, find: /(?<![+\-\w])0x[0-9a-f]{9,}\b/g, replace: '<addr>' },
  // MCE lines print addresses with %lx, no 0x: the faulting virtual address (`fault at 7f5e00001000`)
  // and the physical one (`user-access at 40c00008`).
  { lines: DMESG, find: / at [0-9a-f]{5,}$/, replace: ' at <addr>' },
  // A pfn a scenario prints by name (`pfn 0x40a01`, `pfn=0x40a01`): the pool's frames differ per boot
  // and per machine size.
  { lines: ANY, find: /\bpfn([ =])0x[0-9a-f]+\b/g, replace: 'pfn$1<pfn>' },
  // Every other hex number in a dmesg line is a pfn: memory-failure.c and its injectors print pfns
  // with %#lx (`Memory failure: 0x40c00: …`, `Soft offline: 0x…: …`, `on page 0x…`).
  { lines: DMESG, find: /\b0x[0-9a-f]+\b/g, replace: '<pfn>' },
  // comm:pid in dmesg (`Sending SIGBUS to mce:1005`): the model numbers pids from 1000 in creation order.
  { lines: DMESG, find: /([A-Za-z_][\w.-]*):\d+\b/g, replace: '$1:<pid>' },
  // A pid in the model's own lines (`sigbus pid 1234: …`, a finding's `in pid 1234`).
  { lines: ANY, find: /\bpid \d+\b/g, replace: 'pid <n>' },
];

/** A line with every boot-dependent value replaced by its placeholder. */
export function withoutNoise(line: string): string {
  let out = line;
  for (const r of NOISE_RULES) if (r.lines.test(out)) out = out.replace(r.find, r.replace);
  return out;
}
