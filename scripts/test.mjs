// `npm test`: run node-tap, pass its TAP through, and end with the plain `N passed, N failed` line CI
// reads (node-tap's own summary is not recognised). Exits with tap's status, so coverage thresholds
// and crashed test files fail the run even when every counted assertion passed.
import { spawn } from 'node:child_process';
import { Parser } from 'tap-parser';

let passed = 0;
let failed = 0;
let skipped = 0;
const parser = new Parser({ bail: false });
// Count the leaf assertions of every subtest, not node-tap's per-file summary points.
parser.on('assert', () => {});
const count = (p) => {
  p.on('result', (res) => {
    if (res.closingTestPoint) return;
    if (res.skip) skipped++;
    else if (res.todo) return;
    else if (res.ok) passed++;
    else failed++;
  });
  p.on('child', count);
};
count(parser);

const args = ['tap', '-R', 'tap', ...process.argv.slice(2)];
const child = spawn('npx', args, { stdio: ['ignore', 'pipe', 'inherit'] });
child.stdout.on('data', (d) => {
  process.stdout.write(d);
  parser.write(d);
});
child.on('close', (code) => {
  parser.end();
  const status = code ?? 1;
  if (status !== 0 && failed === 0) failed = 1; // tap failed without a failing point: coverage, crash
  process.stdout.write(`\n${passed} passed, ${failed} failed, ${skipped} skipped\n`);
  process.exit(status);
});
