// The commander program, built from the option tables in options.ts. Usage errors surface as
// CommanderError (exitOverride); main.ts maps them to exit 64, help and version to 0. Each command's
// module is imported when its action runs, not before: `--version` or `validate` never load the model,
// the reports or tap-parser (start-up is most of a small command's time).

import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { colorMode, stderrChalk } from './color.js';
import type { ColorMode } from './color.js';
import { EXIT_TABLE } from './exit.js';
import type { ExitCode } from './exit.js';
import type { CommandContext, Io } from './io.js';
import {
  DIFF_OPTIONS, EXAMPLES, EXPORT_OPTIONS, GLOBAL_OPTIONS, KERNEL_OPTIONS, KERNEL_VIEW_HELP, LIST_OPTIONS, NEW_OPTIONS, RUN_OPTIONS, SHOW_OPTIONS,
} from './options.js';
import type {
  DiffOptionValues, ExportOptionValues, KernelOptionValues, ListOptionValues, NewOptionValues, OptionSpec, RunOptionValues, ShowOptionValues,
} from './options.js';

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
  return pkg.version ?? '0.0.0';
}

function toOption(spec: OptionSpec): Option {
  const o = new Option(spec.flags, spec.description);
  if (spec.choices) o.choices(spec.choices);
  if (spec.default !== undefined) o.default(spec.default);
  if (spec.conflicts) o.conflicts([...spec.conflicts]);
  if (spec.repeatable) o.argParser((value: string, prev: string[] | undefined) => [...(prev ?? []), value]);
  if (spec.parse) o.argParser(spec.parse);
  return o;
}

const columns = (rows: readonly (readonly [string, string])[]): string => {
  const width = Math.max(...rows.map(([a]) => a.length));
  return rows.map(([a, b]) => `  ${a.padEnd(width)}  ${b}`).join('\n');
};

export function helpTrailer(): string {
  return [
    '',
    'Examples:',
    EXAMPLES.map(([cmd, what]) => `  ${cmd}\n      ${what}`).join('\n'),
    '',
    'Exit status:',
    columns(EXIT_TABLE.map(([code, text]) => [String(code), text] as const)),
    '',
  ].join('\n');
}

/** The table of steps `run --help` ends with, from the step registry (steps-help.ts, loaded only for help). */
export function stepsHelpTable(steps: readonly (readonly [string, string])[]): string {
  return ['', 'Scenario steps:', columns(steps), ''].join('\n');
}

/**
 * The program; the chosen command's exit status is handed to `done`. `stepsHelp` is the text `run --help`
 * ends with: main.ts loads it when the arguments may ask for help, so other commands skip the registry.
 */
export function buildProgram(io: Io, done: (code: ExitCode) => void, stepsHelp: () => string = () => ''): Command {
  const program = new Command('hgmsim');
  const context = (cmd: Command): CommandContext => {
    const mode = colorMode((cmd.optsWithGlobals() as { color?: ColorMode | false }).color);
    return { io, chalk: stderrChalk(mode, io.env), color: mode };
  };
  program
    .description("Replay the Linux kernel's HugeTLB memory-failure selftests against an in-process model of the kernel")
    .version(version(), '--version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .addOption(toOption(GLOBAL_OPTIONS.color))
    .addOption(toOption(GLOBAL_OPTIONS.noColor))
    .exitOverride()
    .showHelpAfterError('(hgmsim --help for usage)')
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) })
    .addHelpText('after', helpTrailer());

  const run = program
    .command('run')
    .description('run scenarios and print kselftest-shaped TAP on stdout')
    .argument('[paths...]', 'scenario files or directories, searched for *.yaml and *.yml (default: ./scenarios)')
    .addHelpText('after', () => stepsHelp());
  for (const spec of Object.values(RUN_OPTIONS)) run.addOption(toOption(spec));
  run.action(async (paths: string[], opts: RunOptionValues, cmd: Command) => {
    const { runCommand } = await import('./run-command.js');
    done(await runCommand(paths, opts, context(cmd)));
  });

  const list = program
    .command('list')
    .description('print FILE<TAB>TEST<TAB>SIZE<TAB>PROFILE for every test a run covers, sorted by code unit, no header')
    .argument('[paths...]', 'scenario files or directories (default: ./scenarios)');
  for (const spec of Object.values(LIST_OPTIONS)) list.addOption(toOption(spec));
  list.action(async (paths: string[], opts: ListOptionValues, cmd: Command) => {
    const { listCommand } = await import('./list-command.js');
    done(await listCommand(paths, opts, context(cmd)));
  });

  const diff = program
    .command('diff')
    .description("compare two TAP streams (ours, kselftest's, runner-nested): plan, each test's result and its # lines; exit 0 same, 1 different, 65 not TAP")
    .argument('<expected>', "a TAP file, or '-' for stdin")
    .argument('<actual>', "a TAP file, or '-' for stdin")
    .addHelpText('after', KERNEL_VIEW_HELP);
  for (const spec of Object.values(DIFF_OPTIONS)) diff.addOption(toOption(spec));
  diff.action(async (expected: string, actual: string, opts: DiffOptionValues, cmd: Command) => {
    const { diffCommand } = await import('./diff-command.js');
    done(await diffCommand(expected, actual, opts, context(cmd)));
  });

  program
    .command('profiles')
    .description("print the kernel profiles' switch table (a column per profile) and each profile's summary; a scenario overrides boolean switches with kernel.switches")
    .action(async (_opts: unknown, cmd: Command) => {
      const { profilesCommand } = await import('./profiles-command.js');
      done(profilesCommand(context(cmd)));
    });

  program
    .command('validate')
    .description('check scenario files; print every error in every file, positioned')
    .argument('[paths...]', 'scenario files or directories (default: ./scenarios)')
    .action(async (paths: string[], _opts: unknown, cmd: Command) => {
      const { validateCommand } = await import('./validate-command.js');
      done(await validateCommand(paths, context(cmd)));
    });

  const exportCmd = program
    .command('export')
    .description('write each scenario as a C program per hugepage size that performs its steps on a real kernel and prints the TAP run prints, for what a kernel lets a process observe')
    .argument('<paths...>', 'scenario files or directories');
  for (const spec of Object.values(EXPORT_OPTIONS)) exportCmd.addOption(toOption(spec));
  exportCmd.action(async (paths: string[], opts: ExportOptionValues, cmd: Command) => {
    const { exportCommand } = await import('./export-command.js');
    done(await exportCommand(paths, opts, context(cmd)));
  });

  const show = program
    .command('show')
    .description('run one test up to a step and draw the state: each VMA\'s page table (PUD -> PMD -> PTE, equal entries folded) and the folios it maps')
    .argument('<file>', 'the scenario file');
  for (const spec of Object.values(SHOW_OPTIONS)) show.addOption(toOption(spec));
  show.action(async (file: string, opts: ShowOptionValues, cmd: Command) => {
    const { showCommand } = await import('./show-command.js');
    done(showCommand(file, opts, context(cmd)));
  });

  const create = program
    .command('new')
    .description('write a commented scenario to start from; adds .yaml when FILE ends in neither .yaml nor .yml, never overwrites (exit 73)')
    .argument('<file>', 'the scenario file to create');
  for (const spec of Object.values(NEW_OPTIONS)) create.addOption(toOption(spec));
  create.action(async (file: string, opts: NewOptionValues, cmd: Command) => {
    const { newCommand } = await import('./new-command.js');
    done(newCommand(file, opts, context(cmd)));
  });

  const kernel = program
    .command('kernel')
    .description("run scenarios on a real kernel: each is exported as a C program per hugepage size, compiled with gcc -static and run in one QEMU guest (TCG) " +
      'per program; writes <scenario>.<size>.kernel-<uname -r>.tap and prints its path. Tests that fail inside that TAP are data, not an exit status: ' +
      'exit 0 when every guest ran all its tests, 1 when one timed out or crashed, 69 when a tool or package is missing')
    .argument('[paths...]', 'scenario files or directories (default: ./scenarios)');
  for (const spec of Object.values(KERNEL_OPTIONS)) kernel.addOption(toOption(spec));
  kernel.action(async (paths: string[], opts: KernelOptionValues, cmd: Command) => {
    const { kernelCommand } = await import('./kernel-command.js');
    done(await kernelCommand(paths, opts, context(cmd)));
  });
  return program;
}
