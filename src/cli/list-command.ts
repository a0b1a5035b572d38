// `hgmsim list [PATH…]`: one line per (file, test, size, profile) a run covers — FILE<TAB>TEST<TAB>SIZE<TAB>PROFILE,
// sorted by UTF-16 code unit, no header — or one JSON array with --json. `--shard i/n` keeps that
// shard's lines, exactly what `run --shard i/n` runs with the same --profile, --hugepagesz and --check.

import { EXIT } from './exit.js';
import type { ExitCode } from './exit.js';
import type { CommandContext } from './io.js';
import { loadPaths } from './load.js';
import type { ListOptionValues } from './options.js';
import { streamSelection } from './run-command.js';
import { listEntries, listLine, selectShard } from './shard.js';

export async function listCommand(paths: readonly string[], opts: ListOptionValues, ctx: CommandContext): Promise<ExitCode> {
  const got = loadPaths(paths, ctx);
  if (typeof got === 'number') return got;
  const selection = streamSelection(opts);
  const entries = listEntries(got.loaded.scenarios, selection.sizes, selection.profiles);
  const mine = selectShard(entries, opts.shard);
  if (opts.json) ctx.io.out(`${JSON.stringify(mine, null, 2)}\n`);
  else ctx.io.out(mine.map((e) => `${listLine(e)}\n`).join(''));
  return EXIT.OK;
}
