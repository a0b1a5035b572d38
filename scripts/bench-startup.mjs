// Start-up goals for `npm run bench` (scripts/bench.mjs prints them after its table): small commands
// against `node -e 0`, each as a ratio beside its goal, and by how much a goal is missed. The cases
// run interleaved, round after round, so load from elsewhere on the machine falls on all of them alike.
import { spawnSync } from 'node:child_process';

const SMALL = 'scenarios/mainline/second-poison.yaml';
export const STARTUP_GOALS = [
  { name: 'run small scenario', args: ['bin/hgmsim.js', 'run', SMALL, '--hugepagesz', '2M'], goal: 1.5 },
  { name: '--version', args: ['bin/hgmsim.js', '--version'], goal: 1.3 },
  { name: 'validate small scenario', args: ['bin/hgmsim.js', 'validate', SMALL], goal: 1.3 },
];

function wallMs(args) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return ms;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** One line per goal: `NAME  R.RRx node -e 0 (goal <= G.Gx)`, plus the shortfall when R > G. */
export function startupGoalLines(runs) {
  const cases = [{ args: ['-e', '0'] }, ...STARTUP_GOALS];
  const times = cases.map(() => []);
  for (let i = 0; i < runs; i++) cases.forEach((c, k) => times[k].push(wallMs(c.args)));
  const base = median(times[0]);
  return STARTUP_GOALS.map((g, k) => {
    const ms = median(times[k + 1]);
    const ratio = ms / base;
    const miss = ratio <= g.goal ? '' : `; short by ${(ratio - g.goal).toFixed(2)}x, ${(ms - g.goal * base).toFixed(0)} ms`;
    return `${g.name.padEnd(26)} ${ratio.toFixed(2).padStart(5)}x node -e 0 (goal <= ${g.goal}x${miss})  ${ms.toFixed(0)} ms vs ${base.toFixed(0)} ms`;
  });
}
