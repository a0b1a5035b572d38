// The command line declared once, as data (STYLE.md item 12; compare vitest's cli-config.ts): program.ts
// builds the commander program from these tables, and --help is generated from them.

import { FORMAT_NAMES } from '../report/index.js';
import { HUGEPAGE_SIZES } from '../scenario/types.js';
import { COLOR_MODES } from './color.js';

export interface OptionSpec {
  readonly flags: string;
  readonly description: string;
  readonly choices?: readonly string[];
  readonly default?: string | boolean;
  /** Other options (by attribute name) this one cannot be combined with. */
  readonly conflicts?: readonly string[];
  /** Repeatable: every occurrence is collected into a list. */
  readonly repeatable?: boolean;
}

export interface RunOptionValues {
  readonly profile?: string;
  readonly hugepagesz?: '2M' | '1G';
  readonly test?: readonly string[];
  readonly verbose?: boolean;
  readonly check?: boolean;
  readonly updateGolden?: boolean;
  readonly format: (typeof FORMAT_NAMES)[number];
}

/** Every run option, keyed by the attribute commander stores it under. */
export const RUN_OPTIONS: { readonly [K in keyof RunOptionValues]-?: OptionSpec } = {
  profile: { flags: '--profile <P[,P...]|all>', description: "kernel profiles to run; 'all' = every profile the verdicts name (default: the file's kernel.profile)" },
  hugepagesz: { flags: '--hugepagesz <size>', description: "run at this hugepage size only (default: each size the file's kernel.hugepagesz lists)", choices: HUGEPAGE_SIZES },
  test: { flags: '--test <name>', description: 'run only the test with this name (repeatable)', repeatable: true, conflicts: ['check', 'updateGolden'] },
  verbose: { flags: '-v, --verbose', description: 'one # line per step: the call, its return, the signals it delivered' },
  check: { flags: '--check', description: 'compare each stream with its golden <scenario>.<size>.<profile>.tap; a difference exits 1', conflicts: ['updateGolden'] },
  updateGolden: { flags: '--update-golden', description: 'write every golden (atomically); refused while a result departs from its verdict' },
  format: { flags: '--format <format>', description: 'output format', choices: FORMAT_NAMES, default: 'tap' },
};

export const GLOBAL_OPTIONS: { readonly color: OptionSpec } = {
  color: { flags: '--color <when>', description: 'colour on stderr (never in TAP); NO_COLOR is honoured in auto', choices: COLOR_MODES, default: 'auto' },
};

export const EXAMPLES: readonly (readonly [string, string])[] = [
  ['hgmsim run', 'every scenario under ./scenarios, each under its kernel.profile'],
  ['hgmsim run scenarios/mainline/x.yaml --profile all', 'one file under every profile its verdicts name'],
  ['hgmsim run x.yaml --hugepagesz 1G --test "HGM hwpoison test" -v', 'one test at 1G, step by step'],
  ['hgmsim run --check', 'the CI gate: results and goldens'],
  ['hgmsim run --update-golden', 'rewrite goldens after a reviewed change'],
  ['hgmsim validate scenarios', 'every error in every file, positioned'],
];
