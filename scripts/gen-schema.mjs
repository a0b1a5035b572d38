// `npm run schema`: write the JSON Schemas (draft-07) generated from the zod shapes — the editor schema
// schema/scenario.schema.json from src/scenario/schema.ts, and the result document's
// schema/results.schema.json from src/report/json.ts. Run after `npm run build`; tests fail when a
// committed file differs from what this writes.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { resultsJsonSchemaText } from '../dist/report/json.js';
import { scenarioJsonSchemaText } from '../dist/scenario/schema.js';

const dir = join(dirname(fileURLToPath(import.meta.url)), '..', 'schema');
mkdirSync(dir, { recursive: true });
for (const [name, text] of [['scenario.schema.json', scenarioJsonSchemaText()], ['results.schema.json', resultsJsonSchemaText()]]) {
  writeFileSync(join(dir, name), text);
  console.log(`wrote ${join(dir, name)}`);
}
