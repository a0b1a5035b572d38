#!/usr/bin/env node
// Checked-in shim: the CLI is compiled to dist/ by `npm run build`.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const entry = fileURLToPath(new URL('../dist/cli/index.js', import.meta.url));
if (!existsSync(entry)) {
  process.stderr.write('hgmsim: dist/ is missing: run npm run build\n');
  process.exit(70);
}
await import(pathToFileURL(entry).href);
