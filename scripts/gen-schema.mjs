// `npm run schema`: write schema/scenario.schema.json (the editor JSON Schema, draft-07) from the zod
// schemas of src/scenario/schema.ts. Run after `npm run build`; test/scenario.test.ts fails when the
// committed file differs from what this writes.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { scenarioJsonSchemaText } from '../dist/scenario/schema.js';

const out = join(dirname(fileURLToPath(import.meta.url)), '..', 'schema', 'scenario.schema.json');
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, scenarioJsonSchemaText());
console.log(`wrote ${out}`);
