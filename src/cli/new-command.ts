// `hgmsim new FILE [--template basic|hgm|uffd-wp|read]`: write a commented scenario to start from
// (templates.ts). `.yaml` is added when FILE ends in neither .yaml nor .yml; an existing file is never overwritten (the
// file is created with O_EXCL). The first line points the YAML language server at the installed
// package's schema/scenario.schema.json, relative to the new file.

import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EXIT, ExitError } from './exit.js';
import type { ExitCode } from './exit.js';
import { hasScenarioSuffix, SCENARIO_SUFFIX, scenarioStem } from './files.js';
import type { CommandContext } from './io.js';
import type { NewOptionValues } from './options.js';
import { NAME_PLACEHOLDER, TEMPLATES } from './templates.js';

/** schema/scenario.schema.json of the package this module belongs to (dist/cli/ or src/cli/ → ../../). */
export const SCHEMA_PATH = fileURLToPath(new URL('../../schema/scenario.schema.json', import.meta.url));

/** FILE with `.yaml` added when it ends in neither `.yaml` nor `.yml`. */
export function scenarioPath(file: string): string {
  return hasScenarioSuffix(file) ? file : `${file}${SCENARIO_SUFFIX}`;
}

/** The scenario name for a file: its base name without `.yaml`/`.yml`, quoted when it is not a plain word. */
function yamlName(file: string): string {
  const name = scenarioStem(file) || 'scenario';
  return /^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name) ? name : JSON.stringify(name);
}

/** The text `new` writes to `abs` (an absolute path) from `template`. */
export function templateText(abs: string, template: keyof typeof TEMPLATES, schemaPath = SCHEMA_PATH): string {
  const rel = relative(dirname(abs), schemaPath).split(sep).join('/');
  return `# yaml-language-server: $schema=${rel}\n${TEMPLATES[template].replace(NAME_PLACEHOLDER, yamlName(abs))}`;
}

export function newCommand(file: string, opts: NewOptionValues, ctx: CommandContext): ExitCode {
  const { io } = ctx;
  const path = scenarioPath(file);
  const abs = resolve(io.cwd, path);
  const text = templateText(abs, opts.template);
  let step = 'mkdir';
  try {
    mkdirSync(dirname(abs), { recursive: true });
    step = 'write';
    writeFileSync(abs, text, { flag: 'wx' });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' && step === 'write') throw new ExitError(EXIT.CANTCREAT, `hgmsim: ${path}: already exists; not overwritten (choose another name or remove it)`);
    throw new ExitError(EXIT.CANTCREAT, `hgmsim: ${path}: cannot create (${code ?? 'error'})`);
  }
  io.err(`hgmsim: wrote ${path} (template ${opts.template}); run it with: hgmsim run ${path} --profile all\n`);
  return EXIT.OK;
}
