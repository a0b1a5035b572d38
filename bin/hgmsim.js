#!/usr/bin/env node
// Checked-in shim: the CLI is bundled into dist/bundle/ by `npm run build` (scripts/bundle.mjs).
// The bundle is compiled with the code cache the build wrote beside it: V8 then skips most parsing and
// compiling. A cache from another Node (or other V8 flags) is rejected by V8 and the code compiles as
// usual. HGMSIM_WRITE_CODE_CACHE=1 is the build's: it writes the cache when the command ends.
//
// CommonJS (bin/package.json): Node runs a CommonJS entry without starting its ES module loader, a few
// milliseconds of every command.
'use strict';
const module_ = require('node:module');
const { existsSync, readFileSync, renameSync, writeFileSync } = require('node:fs');
const { dirname, join } = require('node:path');
const vm = require('node:vm');

// Node >= 22.1 also keeps compiled ES modules (the --jobs worker) between runs; older Nodes skip it.
module_.enableCompileCache?.();

const entry = join(__dirname, '..', 'dist', 'bundle', 'index.cjs');
if (!existsSync(entry)) {
  process.stderr.write('hgmsim: dist/ is missing: run npm run build\n');
  process.exit(70);
}

/**
 * `hgmsim --version` alone, answered here as commander answers it (src/cli/program.ts: the version in
 * package.json, a newline, exit 0) without reading and compiling the bundle, most of its time.
 */
function printVersion() {
  const pkg = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8'));
  // A closed stdout ends quietly, as src/cli/index.ts has it.
  process.stdout.on('error', (e) => {
    if (e.code === 'EPIPE') return;
    process.stderr.write(`hgmsim: cannot write to stdout: ${e.message}\n`);
    process.exit(74); // EX_IOERR
  });
  process.stdout.write(`${pkg.version ?? '0.0.0'}\n`);
}

if (process.argv.length === 3 && process.argv[2] === '--version') {
  printVersion();
} else {
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
  script.runInThisContext()(cjs.exports, module_.createRequire(entry), cjs, entry, dirname(entry));
}
