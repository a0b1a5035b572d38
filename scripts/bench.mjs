// `npm run bench`: wall time (median of runs) and peak RSS of the built CLI, each beside `node -e 0`
// on the same machine. Targets (issue 2): the 2 x 1 GiB byte check well under a second; memory that
// does not grow with the hugepage size. Numbers go in closing notes, never into tests.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const cli = ['bin/hgmsim.js'];
const cases = [
  { name: 'node -e 0 (baseline)', args: ['-e', '0'] },
  { name: 'bytes 2 x 1 GiB', args: [...cli, 'run', 'bench/bytes-2x1g.yaml', '--hugepagesz', '1G'] },
  { name: 'bytes 2 x 2 MiB', args: [...cli, 'run', 'bench/bytes-2x1g.yaml', '--hugepagesz', '2M'] },
  { name: 'every bundled scenario', args: [...cli, 'run', 'scenarios', '--profile', 'all'] },
  { name: 'RFC mirror 2M (hgm-rfc)', args: [...cli, 'run', 'scenarios/hugetlb-hgm/rfc.yaml', '--hugepagesz', '2M'] },
  { name: 'RFC mirror 1G (hgm-rfc)', args: [...cli, 'run', 'scenarios/hugetlb-hgm/rfc.yaml', '--hugepagesz', '1G'] },
  { name: 'RFC mirror 2M --trace', args: [...cli, 'run', 'scenarios/hugetlb-hgm/rfc.yaml', '--hugepagesz', '2M', '--trace'] },
  { name: 'show RFC 1G, first poison, SVG', args: [...cli, 'show', 'scenarios/hugetlb-hgm/rfc.yaml', '--hugepagesz', '1G', '--test', 'HGM hwpoison test', '--step', '70', '--svg', '/dev/null'] },
  { name: 'poison storm 10k x 64G', args: [...cli, 'run', 'bench/poison-storm.yaml'] },
];

const timeBin = existsSync('/usr/bin/time') ? '/usr/bin/time' : null;

function once(args) {
  const t0 = process.hrtime.bigint();
  const r = timeBin
    ? spawnSync(timeBin, ['-f', '%M', process.execPath, ...args], { encoding: 'utf8', maxBuffer: 2 ** 30 })
    : spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 2 ** 30 });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0 && !(timeBin && r.status === null)) {
    process.stderr.write(r.stdout + r.stderr);
    throw new Error(`${args.join(' ')} exited ${r.status}`);
  }
  const rssKb = timeBin ? Number(r.stderr.trim().split('\n').at(-1)) : NaN;
  return { ms, rssKb };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const rows = [];
for (const c of cases) {
  const runs = Array.from({ length: RUNS }, () => once(c.args));
  rows.push({ name: c.name, ms: median(runs.map((r) => r.ms)), rssMb: median(runs.map((r) => r.rssKb)) / 1024 });
}
const base = rows[0];
console.log(`hgmsim bench: median of ${RUNS} runs, node ${process.version}`);
for (const r of rows) {
  const over = r === base ? '' : `  (+${(r.ms - base.ms).toFixed(0)} ms over node -e 0)`;
  const rss = Number.isNaN(r.rssMb) ? '' : `  peak RSS ${r.rssMb.toFixed(1)} MiB`;
  console.log(`${r.name.padEnd(26)} ${r.ms.toFixed(0).padStart(6)} ms${rss}${over}`);
}

// In-process: the model alone (no Node start-up, no module loading), median of RUNS.
const { loadScenario } = await import('../dist/scenario/load.js');
const { runStream } = await import('../dist/runner/run.js');
const { readFileSync } = await import('node:fs');
const file = 'bench/bytes-2x1g.yaml';
const { scenario } = loadScenario(file, readFileSync(file, 'utf8'));
for (const size of ['1G', '2M']) {
  const ms = median(Array.from({ length: RUNS }, () => {
    const t0 = process.hrtime.bigint();
    const r = runStream(scenario, size, 'v6.1');
    if (!r.ok || r.result.exitStatus !== 0) throw new Error(`bench scenario failed at ${size}`);
    return Number(process.hrtime.bigint() - t0) / 1e6;
  }));
  console.log(`${`model only, 2 x ${size}`.padEnd(24)} ${ms.toFixed(1).padStart(6)} ms  (runStream in-process)`);
}
