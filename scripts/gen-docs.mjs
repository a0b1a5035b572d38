// `npm run docs`: write docs/scenarios.md, the scenario language generated from the zod schemas'
// descriptions (src/scenario/schema.ts) and the step registry (src/scenario/steps/), and
// docs/show-rfc-1g.svg, the README's picture of `hgmsim show` (the RFC's 1 GiB hwpoison test after its
// first injection). Run after `npm run build`; the tests fail when a committed file differs from what
// this writes.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import { scenarioDocsText } from '../dist/report/docs.js';

const dir = join(dirname(fileURLToPath(import.meta.url)), '..', 'docs');
mkdirSync(dir, { recursive: true });
const path = join(dir, 'scenarios.md');
writeFileSync(path, scenarioDocsText());
console.log(`wrote ${path}`);

/** The README's show example, drawn: the same command the README prints. */
const SHOW_EXAMPLE = ['show', 'scenarios/hugetlb-hgm/rfc.yaml', '--hugepagesz', '1G', '--test', 'HGM hwpoison test', '--step', '70', '--svg', 'docs/show-rfc-1g.svg'];
const root = join(dir, '..');
const r = spawnSync(process.execPath, [join(root, 'bin/hgmsim.js'), ...SHOW_EXAMPLE], { cwd: root, encoding: 'utf8' });
if (r.status !== 0) throw new Error(`hgmsim ${SHOW_EXAMPLE.join(' ')} exited ${r.status}: ${r.stderr}`);
console.log(`wrote ${join(root, 'docs/show-rfc-1g.svg')}`);
