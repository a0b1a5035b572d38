// `hgmsim export PATH… --c [-o DIR]`: each scenario as a C program per hugepage size (src/export), for
// one profile's kernel. With -o DIR, or when there are several programs, each is written into DIR (the
// current directory by default) as `<stem>.<size>.<profile>.c` (a file that exists is replaced: it is
// generated) and its path printed; a single program without -o goes to stdout.

import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ProfileName } from '../abi/index.js';
import { exportScenario } from '../export/index.js';
import type { ExportedProgram } from '../export/index.js';
import { EXIT } from './exit.js';
import type { ExitCode } from './exit.js';
import type { CommandContext } from './io.js';
import { loadPaths } from './load.js';
import type { ExportOptionValues } from './options.js';
import { writeOutputFile } from './write.js';

/** The file name a program is written under: the stem, and the profile its steps were chosen for. */
export const cFileName = (p: ExportedProgram): string => `${p.stem}.${p.profile}.c`;

export async function exportCommand(paths: readonly string[], opts: ExportOptionValues, ctx: CommandContext): Promise<ExitCode> {
  const got = loadPaths(paths, ctx);
  if (typeof got === 'number') return got;
  const programs = got.loaded.scenarios.flatMap((s) => exportScenario(s, {
    ...(opts.profile !== undefined ? { profile: opts.profile as ProfileName } : {}),
    ...(opts.hugepagesz !== undefined ? { hugepagesz: [opts.hugepagesz] } : {}),
  }));
  if (opts.output === undefined && programs.length === 1) {
    ctx.io.out((programs[0] as ExportedProgram).source);
    return EXIT.OK;
  }
  const dir = opts.output ?? '.';
  try {
    mkdirSync(resolve(ctx.io.cwd, dir), { recursive: true });
  } catch (e) {
    ctx.io.err(`hgmsim export: cannot create ${dir}: ${(e as Error).message}\n`);
    return EXIT.CANTCREAT;
  }
  for (const p of programs) {
    const path = join(dir, cFileName(p));
    writeOutputFile(path, p.source, ctx.io.cwd);
    ctx.io.out(`${path}\n`);
  }
  return EXIT.OK;
}
