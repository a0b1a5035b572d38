// `npm run bench`: wall time (median of runs) and peak RSS of the built CLI, each beside `node -e 0`
// on the same machine; then the model's own goals in-process (probe throughput, growth exponents),
// each line with its goal and whether it is met or by how much it falls short. Numbers go in closing
// notes, never into tests.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Hostile inputs (issue "A gate that never lies"): 300 tests of 990,000-iteration loops, which the
// stream budget stops (exit 65), and 8,000 aliases, which load in one pass.
const hostile = mkdtempSync(join(tmpdir(), 'hgmsim-bench-'));
const HEAD = 'scenario: b\nkernel: {profile: v6.1, hugepagesz: [2M], nr_hugepages: 2}\n';
const loopsFile = join(hostile, 'loops.yaml');
writeFileSync(loopsFile, `${HEAD}tests:\n${Array.from({ length: 300 }, (_, i) => `  - name: t${i}\n    steps:\n      - for: {k: 1 .. 990000}\n        do:\n          - let: {z: k}\n`).join('')}`);
const aliasText = `${HEAD}let:\n  A: &a 1\n${Array.from({ length: 8000 }, (_, i) => `  B${i}: *a\n`).join('')}tests: []\n`;

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const cli = ['bin/hgmsim.js'];
const cases = [
  { name: 'node -e 0 (baseline)', args: ['-e', '0'] },
  { name: 'bytes 2 x 1 GiB', args: [...cli, 'run', 'bench/bytes-2x1g.yaml', '--hugepagesz', '1G'] },
  { name: 'bytes 2 x 2 MiB', args: [...cli, 'run', 'bench/bytes-2x1g.yaml', '--hugepagesz', '2M'] },
  { name: 'every bundled scenario', args: [...cli, 'run', 'scenarios', '--profile', 'all'] },
  { name: 'RFC mirror 2M (hgm-rfc)', args: [...cli, 'run', 'scenarios/hugetlb-hgm/rfc.yaml', '--hugepagesz', '2M'] },
  { name: 'RFC mirror 1G (hgm-rfc)', goal: 'goal <= 0.5 s, <= 100 MiB', args: [...cli, 'run', 'scenarios/hugetlb-hgm/rfc.yaml', '--hugepagesz', '1G'] },
  { name: 'RFC mirror 2M --trace', args: [...cli, 'run', 'scenarios/hugetlb-hgm/rfc.yaml', '--hugepagesz', '2M', '--trace'] },
  { name: 'show RFC 1G, first poison, SVG', args: [...cli, 'show', 'scenarios/hugetlb-hgm/rfc.yaml', '--hugepagesz', '1G', '--test', 'HGM hwpoison test', '--step', '70', '--svg', '/dev/null'] },
  { name: 'poison storm 10k x 64G', args: [...cli, 'run', 'bench/poison-storm.yaml'] },
  { name: '300 x 990k loops (budget)', args: [...cli, 'run', loopsFile], status: 65 },
];

const timeBin = existsSync('/usr/bin/time') ? '/usr/bin/time' : null;

function once(args, status = 0) {
  const t0 = process.hrtime.bigint();
  const r = timeBin
    ? spawnSync(timeBin, ['-f', '%M', process.execPath, ...args], { encoding: 'utf8', maxBuffer: 2 ** 30 })
    : spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 2 ** 30 });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== status && !(timeBin && r.status === null)) {
    process.stderr.write(r.stdout + r.stderr);
    throw new Error(`${args.join(' ')} exited ${r.status}`);
  }
  const rssKb = timeBin ? Number(r.stderr.trim().split('\n').at(-1)) : NaN;
  return { ms, rssKb };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const rows = [];
for (const c of cases) {
  const runs = Array.from({ length: RUNS }, () => once(c.args, c.status));
  rows.push({ name: c.name, ms: median(runs.map((r) => r.ms)), rssMb: median(runs.map((r) => r.rssKb)) / 1024 });
}
const base = rows[0];
console.log(`hgmsim bench: median of ${RUNS} runs, node ${process.version}`);
for (const r of rows) {
  const over = r === base ? '' : `  (+${(r.ms - base.ms).toFixed(0)} ms over node -e 0)`;
  const rss = Number.isNaN(r.rssMb) ? '' : `  peak RSS ${r.rssMb.toFixed(1)} MiB`;
  const goal = cases.find((c) => c.name === r.name)?.goal;
  console.log(`${r.name.padEnd(26)} ${r.ms.toFixed(0).padStart(6)} ms${rss}${over}${goal ? `  (${goal})` : ''}`);
}

// --- start-up goals (scripts/bench-startup.mjs): small commands as ratios to `node -e 0` -----------
{
  const { startupGoalLines } = await import('./bench-startup.mjs');
  console.log(`start-up goals: median of ${Math.max(RUNS, 11)} interleaved runs`);
  for (const line of startupGoalLines(Math.max(RUNS, 11))) console.log(line);
}
// --- end of start-up goals ---------------------------------------------------------------------------

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

const aliasMs = median(Array.from({ length: RUNS }, () => {
  const t0 = process.hrtime.bigint();
  const r = loadScenario('aliases.yaml', aliasText);
  if (r.errors.length > 0) throw new Error('the alias bench file does not load');
  return Number(process.hrtime.bigint() - t0) / 1e6;
}));
console.log(`${'load, 8000 aliases'.padEnd(24)} ${aliasMs.toFixed(1).padStart(6)} ms  (loadScenario in-process)`);

// Model goals (issue "Fast", goals 2 and 3), in-process so start-up does not count: probe steps per
// second through the runner, and the growth of the costs that must stay linear. A growth exponent is
// the least-squares slope of log(time) over log(n): 1 is linear, 2 quadratic.
{
  const MAP = '      - memfd_create: {as: fd, flags: [MFD_HUGETLB]}\n      - ftruncate: {fd: fd, length: hugepagesz}\n' +
    '      - mmap: {as: P, length: hugepagesz, flags: [MAP_SHARED], fd: fd}\n      - memset: {addr: P, length: hugepagesz, value: 1}\n';
  const file = (kernel, steps) => `scenario: g\nkernel: {${kernel}}\ntests:\n  - name: t\n    steps:\n${steps}`;
  const timed = (text, size, profile) => {
    const { scenario } = loadScenario('goal.yaml', text);
    const t0 = process.hrtime.bigint();
    const r = runStream(scenario, size, profile);
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (!r.ok || r.result.exitStatus !== 0) throw new Error(`goal scenario failed: ${text.slice(0, 200)}`);
    return ms;
  };
  const best = (f) => Math.min(...Array.from({ length: Math.min(RUNS, 3) }, f));
  const slope = (pts) => {
    const xs = pts.map(([n]) => Math.log(n));
    const ys = pts.map(([, ms]) => Math.log(ms));
    const mx = xs.reduce((a, b) => a + b) / xs.length;
    const my = ys.reduce((a, b) => a + b) / ys.length;
    return xs.reduce((a, x, i) => a + (x - mx) * (ys[i] - my), 0) / xs.reduce((a, x) => a + (x - mx) ** 2, 0);
  };
  const verdict = (ok, short) => (ok ? 'met' : `short: ${short}`);

  // Goal 2: probe steps (one access each) per second.
  const probes = 200000;
  const probeText = (n) => file('profile: v6.1, hugepagesz: [1G], nr_hugepages: 1',
    `${MAP}      - for: {i: 1 .. ${n}}\n        do:\n          - access: {addr: P + (i % 262144) * PAGE_SIZE, op: read, expect: {value: 1}}\n`);
  const probeMs = best(() => timed(probeText(probes), '1G', 'v6.1')) - best(() => timed(probeText(1), '1G', 'v6.1'));
  const perS = probes / (probeMs / 1000);
  console.log(`${'probe steps/s (access)'.padEnd(26)} ${(perS / 1e6).toFixed(2)} M/s  (goal >= 1 M/s: ${verdict(perS >= 1e6, `${(1e6 / perS).toFixed(1)}x too slow`)})`);

  // Goal 3: poison N raw pages of one 1 GiB hugepage, one injection each.
  const poisonText = (profile, n) => profile === 'v6.1'
    ? file('profile: v6.1, hugepagesz: [1G], nr_hugepages: 1', `${MAP}      - pfn_of: {as: F, fd: fd, offset: 0}\n      - corrupt_pfn: {pfn: F}\n` +
      `      - for: {i: 1 .. ${n - 1}}\n        do:\n          - corrupt_pfn: {pfn: F + i, expect: {errno: EHWPOISON}}\n`)
    : file('profile: hgm-rfc, hugepagesz: [1G], nr_hugepages: 1, switches: {rfc_posted_split_walk_from_head: false}',
      `${MAP}      - for: {i: 0 .. ${n - 1}}\n        do:\n          - madvise: {addr: P + i * PAGE_SIZE, length: PAGE_SIZE, advice: MADV_HWPOISON}\n`);
  for (const profile of ['v6.1', 'hgm-rfc']) {
    const pts = [32768, 65536, 131072, 262144].map((n) => [n, best(() => timed(poisonText(profile, n), '1G', profile))]);
    const all = pts.at(-1)[1];
    const k = slope(pts);
    console.log(`${`poison 262,144 raw pages, ${profile}`.padEnd(26)} ${(all / 1000).toFixed(2)} s, growth n^${k.toFixed(2)}  (goal <= 3 s, linear: ${verdict(all <= 3000 && k < 1.2, all > 3000 ? `${(all / 3000).toFixed(1)}x over` : `exponent ${k.toFixed(2)}`)})`);
  }

  // Goal 3: N shared VMAs of one file under hgm-rfc, each touched, then one poison that splits them all.
  const vmaText = (n) => file('profile: hgm-rfc, hugepagesz: [2M], nr_hugepages: 1',
    '      - memfd_create: {as: fd, flags: [MFD_HUGETLB]}\n      - ftruncate: {fd: fd, length: hugepagesz}\n' +
    `      - for: {i: 1 .. ${n}}\n        do:\n          - mmap: {as: Q, length: hugepagesz, flags: [MAP_SHARED], fd: fd}\n          - memset: {addr: Q, length: PAGE_SIZE, value: 1}\n` +
    `          - madvise: {addr: Q, length: PAGE_SIZE, advice: MADV_HWPOISON, when: {holds: i == ${n}}}\n`);
  const vpts = [250, 500, 1000].map((n) => [n, best(() => timed(vmaText(n), '2M', 'hgm-rfc'))]);
  const vk = slope(vpts);
  console.log(`${'1,000 VMAs, hgm-rfc'.padEnd(26)} ${vpts.at(-1)[1].toFixed(0)} ms, growth n^${vk.toFixed(2)}  (goal: linear: ${verdict(vk < 1.2, `exponent ${vk.toFixed(2)}`)})`);
}

// A real kernel beside the model: one scenario at 2M on Debian's 6.12 under QEMU (one guest boot, its
// program compiled first) against the model's run of it, each the whole CLI. Only with QEMU and the 6.12
// kernel already cached (hgmsim kernel … --kernel 6.12 fetches it once): the bench never downloads.
{
  const { readdirSync, rmSync } = await import('node:fs');
  const scenarioFile = 'scenarios/mainline/hwpoison-shared.yaml';
  const kernels = join(process.env.HGMSIM_CACHE || '.cache/hgmsim', 'kernels');
  const cached = existsSync(kernels) && readdirSync(kernels).some((n) => /^linux-image-6\.12\.\d+\+deb\d+-amd64-unsigned$/.test(n) && existsSync(join(kernels, n, 'kernel.json')));
  const qemu = (process.env.PATH ?? '').split(':').some((d) => d && existsSync(join(d, 'qemu-system-x86_64')));
  const label = 'QEMU vs model, hwpoison-shared 2M, 6.12';
  if (!qemu || !cached) {
    console.log(`${label}: skipped (${!qemu ? 'no qemu-system-x86_64 on PATH' : `no cached 6.12 kernel under ${kernels}: run hgmsim kernel ${scenarioFile} --kernel 6.12 once`})`);
  } else {
    const out = mkdtempSync(join(tmpdir(), 'hgmsim-bench-kernel-'));
    const kernelRuns = Math.min(RUNS, 3);
    const kernelMs = median(Array.from({ length: kernelRuns }, () => once([...cli, 'kernel', scenarioFile, '--kernel', '6.12', '--hugepagesz', '2M', '-o', out]).ms));
    const modelMs = median(Array.from({ length: RUNS }, () => once([...cli, 'run', scenarioFile, '--hugepagesz', '2M', '--profile', 'v6.12']).ms));
    rmSync(out, { recursive: true, force: true });
    console.log(`${label}: QEMU ${(kernelMs / 1000).toFixed(1)} s per scenario (median of ${kernelRuns}), model ${(modelMs / 1000).toFixed(2)} s (median of ${RUNS}): ${(kernelMs / modelMs).toFixed(0)}x`);
  }
}
