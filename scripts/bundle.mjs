// `npm run build`, second half: the CLI users run (bin/hgmsim.js) as a few minified ESM files, so a
// command loads one entry (plus the chunks it imports) instead of ~290 modules; start-up was ~4x
// `node -e 0`, most of it module loading. Code splitting keeps the commands' dynamic imports lazy
// (program.ts): `--version` loads neither the model nor zod. The `run --jobs N` worker is its own entry:
// stream-pool.ts starts `./stream-worker.js` beside its own module, which in the bundle is dist/bundle/.
// Everything sits two levels under the package root, as dist/cli/ does, so `../../package.json` and
// `../../schema/` resolve the same. tsc's dist/ stays for the tests and scripts that import modules.
import { build } from 'esbuild';

await build({
  entryPoints: { index: 'src/cli/index.ts', 'stream-worker': 'src/cli/stream-worker.ts' },
  outdir: 'dist/bundle',
  bundle: true,
  splitting: true,
  chunkNames: 'chunk-[hash]',
  minify: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // commander is CommonJS and requires Node built-ins; an ESM bundle has no `require` of its own.
  banner: { js: "import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);" },
  legalComments: 'none',
  logLevel: 'warning',
});
