#!/usr/bin/env node
// Checked-in shim: the CLI is bundled into dist/bundle/ by `npm run build` (scripts/bundle.mjs).
// The bundle is compiled with the code cache the build wrote beside it: V8 then skips most parsing and
// compiling. A cache from another Node (or other V8 flags) is rejected by V8 and the code compiles as
// usual. HGMSIM_WRITE_CODE_CACHE=1 is the build's: it writes the cache when the command ends.
import module, { createRequire } from 'node:module';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';

// Node >= 22.1 also keeps compiled ES modules (the --jobs worker) between runs; older Nodes skip it.
module.enableCompileCache?.();

const entry = fileURLToPath(new URL('../dist/bundle/index.cjs', import.meta.url));
if (!existsSync(entry)) {
  process.stderr.write('hgmsim: dist/ is missing: run npm run build\n');
  process.exit(70);
}
const cacheFile = `${entry}.cache`;
const writeCache = process.env.HGMSIM_WRITE_CODE_CACHE === '1';
let cachedData;
if (!writeCache && existsSync(cacheFile)) cachedData = readFileSync(cacheFile);
// The bundle is one function expression taking CommonJS's arguments (scripts/bundle.mjs).
const script = new vm.Script(readFileSync(entry, 'utf8'), { filename: entry, cachedData });
if (writeCache) {
  process.on('exit', () => {
    writeFileSync(`${cacheFile}.tmp`, script.createCachedData());
    renameSync(`${cacheFile}.tmp`, cacheFile);
  });
}
const cjs = { exports: {} };
script.runInThisContext()(cjs.exports, createRequire(entry), cjs, entry, dirname(entry));
