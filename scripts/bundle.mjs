// `npm run build`, second half: the CLI users run (bin/hgmsim.js), bundled by esbuild, because loading
// ~290 modules was most of a small command's time (start-up was ~4x `node -e 0`).
//
// dist/bundle/index.cjs is the CLI as one minified CommonJS file. CommonJS because Node 20 can reuse V8's
// compiled code only for scripts (vm.Script cachedData), not ES modules: the shim compiles the bundle
// with dist/bundle/index.cjs.cache, written below by running one small scenario, so a command skips
// most of parsing and compiling. The commands' dynamic imports (program.ts) stay lazy: esbuild wraps
// those modules in functions that run on first import, so `--version` never evaluates zod or the model.
//
// dist/bundle/stream-worker.js is the `run --jobs N` worker, an ES module of its own: stream-pool.ts
// starts `./stream-worker.js` beside its own module, here the bundle. Both sit two levels under the
// package root, as dist/cli/ does, so `../../package.json` and `../../schema/` resolve the same. tsc's
// dist/ stays for the tests and scripts that import modules one by one.
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { build } from 'esbuild';
import { stripNodeModules } from './strip-map.mjs';

const common = { bundle: true, minify: true, platform: 'node', target: 'node20', legalComments: 'none', logLevel: 'warning' };
rmSync('dist/bundle', { recursive: true, force: true });
await build({
  ...common,
  entryPoints: ['src/cli/index.ts'],
  outfile: 'dist/bundle/index.cjs',
  format: 'cjs',
  // A CommonJS file has no import.meta: the URL of the bundle stands in for it.
  define: { 'import.meta.url': '__hgmsimUrl' },
  // The file is the function the shim compiles, byte for byte: V8's offsets into it (coverage, the
  // source map to src/) are then offsets into the file.
  banner: { js: "(function(exports,require,module,__filename,__dirname){'use strict';var __hgmsimUrl=require('node:url').pathToFileURL(__filename).href;" },
  footer: { js: '})' },
  sourcemap: true,
});
await build({
  ...common,
  entryPoints: ['src/cli/stream-worker.ts'],
  outfile: 'dist/bundle/stream-worker.js',
  format: 'esm',
  // commander is CommonJS and requires Node built-ins; an ESM bundle has no `require` of its own.
  banner: { js: "import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);" },
});

// The source map leads coverage (tests spawn the CLI) back to src/; node_modules/ is not ours to count.
const mapFile = 'dist/bundle/index.cjs.map';
writeFileSync(mapFile, JSON.stringify(stripNodeModules(JSON.parse(readFileSync(mapFile, 'utf8')))));

// The code cache: V8's compiled code after a small run, so it holds the functions a run compiles.
const r = spawnSync(process.execPath, ['bin/hgmsim.js', 'run', 'scenarios/mainline/second-poison.yaml', '--hugepagesz', '2M'], {
  env: { ...process.env, HGMSIM_WRITE_CODE_CACHE: '1' },
  stdio: ['ignore', 'ignore', 'inherit'],
});
if (r.status !== 0) throw new Error(`the bundle's warm-up run exited ${r.status}`);
