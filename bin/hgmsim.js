#!/usr/bin/env node
// Checked-in shim: the CLI is bundled into dist/bundle/ by `npm run build` (scripts/bundle.mjs).
import module from 'node:module';
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const entry = fileURLToPath(new URL('../dist/bundle/index.js', import.meta.url));
if (!existsSync(entry)) {
  process.stderr.write('hgmsim: dist/ is missing: run npm run build\n');
  process.exit(70);
}
// Node >= 22.1 keeps V8's compiled code between runs; older Nodes have no such call and skip it.
module.enableCompileCache?.();
await import(pathToFileURL(entry).href);
