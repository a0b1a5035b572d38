// `npm run docs`: write docs/scenarios.md, the scenario language generated from the zod schemas'
// descriptions (src/scenario/schema.ts) and the step table (src/runner/steps.ts). Run after
// `npm run build`; test/scenario.test.ts fails when the committed file differs from what this writes.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { scenarioDocsText } from '../dist/runner/docs.js';

const dir = join(dirname(fileURLToPath(import.meta.url)), '..', 'docs');
mkdirSync(dir, { recursive: true });
const path = join(dir, 'scenarios.md');
writeFileSync(path, scenarioDocsText());
console.log(`wrote ${path}`);
