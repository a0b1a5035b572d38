// The command line declared once, as data (STYLE.md item 12; compare vitest's cli-config.ts): program.ts
// builds the commander program from these tables, and --help is generated from them.

import { InvalidArgumentError } from 'commander';
import { FORMAT_NAMES, HUGEPAGE_SIZES, PROFILE_NAMES } from '../abi/index.js';
import { COLOR_MODES } from './color.js';
import { parseJobs, parseShard, parseStep } from './shard.js';
import type { Shard } from './shard.js';
import { TEMPLATE_NAMES } from './templates.js';
import type { TemplateName } from './templates.js';

export interface OptionSpec {
  readonly flags: string;
  readonly description: string;
  readonly choices?: readonly string[];
  readonly default?: string | boolean;
  /** Other options (by attribute name) this one cannot be combined with. */
  readonly conflicts?: readonly string[];
  /** Repeatable: every occurrence is collected into a list. */
  readonly repeatable?: boolean;
  /** Turns the argument into the option's value; throws commander's InvalidArgumentError (exit 64). */
  readonly parse?: (value: string) => unknown;
}

export interface RunOptionValues {
  readonly profile?: string;
  readonly hugepagesz?: '2M' | '1G';
  readonly test?: readonly string[];
  readonly verbose?: boolean;
  readonly trace?: boolean;
  readonly check?: boolean;
  readonly updateGolden?: boolean;
  readonly format: (typeof FORMAT_NAMES)[number];
  readonly junit?: string;
  readonly json?: string;
  readonly shard?: Shard;
  readonly jobs?: number;
}

const profileSpec: OptionSpec = { flags: '--profile <P[,P...]|all>', description: "kernel profiles to run; 'all' = every profile the verdicts name (default: the file's kernel.profile)" };
const hugepageszSpec: OptionSpec = { flags: '--hugepagesz <size>', description: "run at this hugepage size only (default: each size the file's kernel.hugepagesz lists)", choices: HUGEPAGE_SIZES };
const shardSpec: OptionSpec = { flags: '--shard <i/n>', description: 'only shard i of n of the sorted list (line k goes to shard k mod n + 1)', parse: parseShard };

/** Every run option, keyed by the attribute commander stores it under. */
export const RUN_OPTIONS: { readonly [K in keyof RunOptionValues]-?: OptionSpec } = {
  profile: profileSpec,
  hugepagesz: hugepageszSpec,
  test: { flags: '--test <name>', description: 'run only the test with this name (repeatable)', repeatable: true, conflicts: ['check', 'updateGolden', 'shard'] },
  verbose: { flags: '-v, --verbose', description: 'one # line per step: the call, its return, the signals it delivered' },
  trace: { flags: '--trace', description: "-v plus, under each step, the kernel path the model took ('#   | ' lines: memory_failure's classification, splits, unmaps, refcount check, signals sent or dropped)" },
  check: { flags: '--check', description: 'compare every golden <scenario>.<size>.<profile>.tap beside the scenarios (their streams run whatever --profile/--hugepagesz say); a difference, a missing or a stale golden exits 1 and shows in every format', conflicts: ['updateGolden'] },
  updateGolden: { flags: '--update-golden', description: 'write every golden of the streams run and remove stale ones, all or nothing; refused while a result departs from its verdict' },
  format: { flags: '--format <format>', description: 'output format on stdout', choices: FORMAT_NAMES, default: 'tap' },
  junit: { flags: '--junit <file>', description: 'also write a JUnit XML report to FILE' },
  json: { flags: '--json <file>', description: 'also write the JSON report (schema/results.schema.json) to FILE' },
  shard: { ...shardSpec, conflicts: ['updateGolden'] },
  jobs: { flags: '--jobs <n>', description: 'run streams in n worker threads (silently capped at the CPU cores, os.availableParallelism(), and at the streams); the output order stays the same', parse: parseJobs },
};

export interface ListOptionValues {
  readonly profile?: string;
  readonly hugepagesz?: '2M' | '1G';
  readonly check?: boolean;
  readonly shard?: Shard;
  readonly json?: boolean;
}

/** Every list option: the same selection as run, so `list --shard i/n` names what `run --shard i/n` runs. */
export const LIST_OPTIONS: { readonly [K in keyof ListOptionValues]-?: OptionSpec } = {
  profile: profileSpec,
  hugepagesz: hugepageszSpec,
  check: { flags: '--check', description: 'what run --check covers: also every stream with a golden (each listed size under every profile the verdicts name)' },
  shard: shardSpec,
  json: { flags: '--json', description: 'one JSON array of {file, test, size, profile} instead of lines' },
};

export interface NewOptionValues {
  readonly template: TemplateName;
}

/** Every new option. */
export const NEW_OPTIONS: { readonly [K in keyof NewOptionValues]-?: OptionSpec } = {
  template: { flags: '--template <name>', description: 'basic (v6.1 poison and probe), read (v6.1 pread around a poisoned page), uffd-wp (v6.1 markers), hgm (hgm-rfc split, CONTINUE, poison one raw page)', choices: TEMPLATE_NAMES, default: 'basic' },
};

export interface ShowOptionValues {
  readonly test?: string;
  readonly step?: number;
  readonly svg?: string;
  readonly json?: boolean;
  readonly profile?: string;
  readonly hugepagesz?: '2M' | '1G';
}

/** Every show option. */
export const SHOW_OPTIONS: { readonly [K in keyof ShowOptionValues]-?: OptionSpec } = {
  test: { flags: '--test <name>', description: 'the test to show (default: the first)' },
  step: { flags: '--step <n>', description: 'stop after step n, numbered as run -v numbers them (default: the end of the test)', parse: parseStep },
  svg: { flags: '--svg <file>', description: 'also draw the state as SVG into FILE' },
  json: { flags: '--json', description: 'print the state as JSON instead of the text tree' },
  profile: { flags: '--profile <P>', description: "the kernel profile (default: the file's kernel.profile)" },
  hugepagesz: { flags: '--hugepagesz <size>', description: "the hugepage size (default: the first of the file's kernel.hugepagesz)", choices: HUGEPAGE_SIZES },
};

export interface ExportOptionValues {
  readonly c?: boolean;
  readonly profile?: string;
  readonly hugepagesz?: '2M' | '1G';
  readonly output?: string;
}

export const EXPORT_OPTIONS: { readonly [K in keyof ExportOptionValues]-?: OptionSpec } = {
  c: { flags: '--c', description: 'a C program per scenario and size (C99, libc and pthreads; the only export format)' },
  profile: { flags: '--profile <P>', description: "the kernel the program is for: its `when: {profile}` steps are chosen for it (default: the file's kernel.profile)", choices: PROFILE_NAMES },
  hugepagesz: { flags: '--hugepagesz <size>', description: "only this hugepage size (default: each size the file's kernel.hugepagesz lists)", choices: HUGEPAGE_SIZES },
  output: { flags: '-o, --output <dir>', description: 'write <stem>.<size>.<profile>.c files into DIR (default: a single program to stdout, several into the current directory)' },
};

export interface DiffOptionValues {
  readonly kernelView?: boolean;
}

/** Every diff option. */
export const DIFF_OPTIONS: { readonly [K in keyof DiffOptionValues]-?: OptionSpec } = {
  kernelView: {
    flags: '--kernel-view',
    description: 'compare EXPECTED as a model stream and ACTUAL as a kernel recording in kernel view, whatever their header comments say ' +
      '(without it, a pair whose headers read "profile P" and "kernel R" is compared so)',
  },
};

/** diff --help's closing text: how a model stream and a kernel recording are compared (README "Comparing model and kernel"). */
export const KERNEL_VIEW_HELP = [
  '',
  'Model against kernel:',
  '  A golden (# hgmsim S 2M, profile v6.12) against a recording of its exported program on a real kernel',
  '  (# hgmsim S 2M, kernel 6.12.118+deb12-amd64) is compared in kernel view, - the model and + the kernel:',
  '    header          profile P agrees with kernel R when P models R (6.1.* -> v6.1, 6.12.* -> v6.12)',
  '    mapped X: ...   hwpoison, none, migration and marker entries read as not-present (pagemap cannot',
  '                    tell them apart on hugetlb), regrouped: present first, larger sizes first',
  '    dump runs       the same kinds, adjacent equal runs merged with xN recounted',
  '    sigbus...:      no (N dropped): a dropped signal never reaches the process',
  '    killed: C by S  no si_code: a wait status carries none',
  '    not observable  raw_hwp_list(...) and "... N more poisoned folios" segments, folio(...) dumps,',
  '                    basis:, switches: and finding: lines, the kernel\'s "# not observable on a kernel:"',
  '                    notes, and every line of a test the kernel reports "# SKIP not performable on a kernel"',
  '    noise           user addresses (0x + 9 or more hex digits, not after + or -) -> <addr>; pfns -> <pfn>;',
  '                    pid N -> pid <n>; comm:pid in dmesg -> comm:<pid>; printk timestamps dropped',
  '  It ends with "kernel view: N lines agree, M differ, K not observable" and exits 0 when M is 0, else 1.',
  '',
].join('\n');

export interface KernelOptionValues {
  readonly kernel?: readonly string[];
  readonly modules?: string;
  readonly profile?: string;
  readonly hugepagesz?: '2M' | '1G';
  readonly output?: string;
  readonly jobs?: number;
  readonly timeout?: number;
}

/** --timeout: whole seconds, 1 to a day. */
export function parseSeconds(text: string): number {
  if (!/^[1-9]\d{0,4}$/.test(text.trim()) || Number(text) > 86400) throw new InvalidArgumentError('expected whole seconds from 1 to 86400');
  return Number(text);
}

/** Every kernel option. */
export const KERNEL_OPTIONS: { readonly [K in keyof KernelOptionValues]-?: OptionSpec } = {
  kernel: { flags: '--kernel <6.1|6.12|PATH>', description: "the kernel (repeatable): a Debian line, fetched once with apt-get download into .cache/hgmsim/kernels ($HGMSIM_CACHE) and never installed, exported under its profile (6.1 -> v6.1, 6.12 -> v6.12); or a bzImage/vmlinux path (needs --profile)", repeatable: true },
  modules: { flags: '--modules <dir>', description: 'where the modules of a --kernel PATH are (searched for hwpoison-inject.ko and the like)' },
  profile: { flags: '--profile <P>', description: "the profile to export the programs for (default: the Debian line's)" },
  hugepagesz: { ...hugepageszSpec, description: "export at this hugepage size only (default: each size the file's kernel.hugepagesz lists)" },
  output: { flags: '-o, --output <dir>', description: 'write the kernel TAP files into DIR (default: beside each scenario)' },
  jobs: { flags: '--jobs <n>', description: 'guests at once (default 2); a guest waits while those running hold 20 GiB of guest memory', parse: parseJobs },
  timeout: { flags: '--timeout <seconds>', description: "each boot's time limit; a guest still running then is killed and its unfinished tests reported (default 300)", parse: parseSeconds },
};

export const GLOBAL_OPTIONS: { readonly color: OptionSpec; readonly noColor: OptionSpec } = {
  color: {
    flags: '--color <when>',
    description: "colour for people: stderr, and diff's output (never in TAP, KTAP, JUnit or JSON). auto: colour on a terminal, " +
      'unless NO_COLOR is set (not empty); FORCE_COLOR=1|2|3 colours even off a terminal, FORCE_COLOR=0 never; always and never override both',
    choices: COLOR_MODES,
    default: 'auto',
  },
  noColor: { flags: '--no-color', description: 'the same as --color never' },
};

export const EXAMPLES: readonly (readonly [string, string])[] = [
  ['hgmsim run', 'every scenario under ./scenarios, each under its kernel.profile'],
  ['hgmsim run scenarios/mainline/x.yaml --profile all', 'one file under every profile its verdicts name'],
  ['hgmsim run x.yaml --hugepagesz 1G --test "HGM hwpoison test" -v', 'one test at 1G, step by step'],
  ['hgmsim run --check', 'the CI gate: results and goldens'],
  ['hgmsim run --update-golden', 'rewrite goldens after a reviewed change'],
  ['hgmsim run --format junit > results.xml', 'a JUnit report (one testsuite per stream)'],
  ['hgmsim run --check --shard 2/4 --junit results.xml', 'one job of a 4-job CI matrix, TAP on stdout'],
  ['hgmsim list --shard 1/4', 'what shard 1 of 4 runs: FILE<TAB>TEST<TAB>SIZE<TAB>PROFILE'],
  ['hgmsim diff expected.tap actual.tap', 'what differs between two TAP streams (ours, kselftest, runner-nested)'],
  ['hgmsim export scenarios/mainline/hwpoison-shared.yaml --c --hugepagesz 2M > t.c', 'the scenario as a C program that runs its steps on a real kernel and prints the same TAP'],
  ['hgmsim diff x.2M.v6.12.tap x.2M.kernel-6.12.118+deb12-amd64.tap', 'a golden against a real kernel\'s recording, in kernel view'],
  ['hgmsim validate scenarios', 'every error in every file, positioned'],
  ['hgmsim new my-test --template hgm', 'start a scenario: writes my-test.yaml (never overwrites)'],
  ['hgmsim show scenarios/hugetlb-hgm/rfc.yaml --hugepagesz 1G --test "HGM hwpoison test" --step 70 --svg s.svg', 'the page tables and folios after the first injection, as a text tree and an SVG'],
  ['hgmsim run x.yaml --test "HGM hwpoison test" --trace', 'each step with the kernel path the model took'],
  ['hgmsim kernel scenarios/mainline --kernel 6.1 --kernel 6.12', 'run every mainline scenario on Debian\'s 6.1 and 6.12 kernels under QEMU; writes <scenario>.<size>.kernel-<uname -r>.tap beside each'],
  ['hgmsim profiles', "every profile's switches (kernel.switches in a scenario overrides the boolean ones)"],
];
