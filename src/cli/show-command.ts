// `hgmsim show FILE [--test NAME] [--step N] [--svg OUT]`: run one test of one scenario (one size, one
// profile) up to step N, numbered as `run -v` numbers them (default: the end of the test), and draw
// the state: the text tree on stdout (report/show-text.ts), or JSON, and an SVG with --svg
// (report/show-svg.ts).

import { renderShowSvg, renderShowText } from '../report/index.js';
import { runStream } from '../runner/index.js';
import type { ShowState } from '../runner/index.js';
import { didYouMean } from '../scenario/index.js';
import { stdoutChalk } from './color.js';
import { EXIT, ExitError } from './exit.js';
import type { ExitCode } from './exit.js';
import type { CommandContext } from './io.js';
import { formatRuntimeErrors, loadPaths } from './load.js';
import type { ShowOptionValues } from './options.js';
import { profilesFor } from './run-command.js';
import { writeOutputFile } from './write.js';

export function showCommand(file: string, opts: ShowOptionValues, ctx: CommandContext): ExitCode {
  const { io } = ctx;
  const loaded = loadPaths([file], ctx);
  if (typeof loaded === 'number') return loaded;
  const scenario = loaded.loaded.scenarios[0];
  if (scenario === undefined || loaded.files.length !== 1) {
    throw new ExitError(EXIT.USAGE, `hgmsim: show takes one scenario file (${loaded.files.length} found under ${file})`);
  }
  const profiles = profilesFor(scenario, opts.profile);
  const profile = profiles[0];
  if (profile === undefined || profiles.length !== 1) throw new ExitError(EXIT.USAGE, 'hgmsim: show takes one profile');
  const size = opts.hugepagesz ?? scenario.kernel.hugepagesz[0] ?? '2M';
  const names = scenario.tests.map((t) => t.name);
  const test = opts.test ?? names[0];
  if (test === undefined || !names.includes(test)) {
    throw new ExitError(EXIT.USAGE, `hgmsim: no test '${opts.test ?? ''}' in ${file}${didYouMean(opts.test ?? '', names)}; tests: ${names.join(', ')}`);
  }
  let state: ShowState | undefined;
  const r = runStream(scenario, size, profile, { show: { test, step: opts.step ?? null, take: (s) => { state = s; } } });
  if (!r.ok) {
    io.err(`${formatRuntimeErrors(r.errors, new Map([[scenario.file, scenario.text]]), ctx.chalk.red).join('\n')}\n`);
    return EXIT.DATAERR;
  }
  if (state === undefined) throw new Error(`show: test '${test}' ran but left no state`);
  if (opts.json === true) io.out(`${JSON.stringify(state, null, 2)}\n`);
  else {
    const c = stdoutChalk(ctx.color, io.env);
    io.out(renderShowText(state, { poison: c.red, dim: c.dim, bold: c.bold }));
  }
  if (opts.svg !== undefined) writeOutputFile(opts.svg, renderShowSvg(state), io.cwd);
  return EXIT.OK;
}
