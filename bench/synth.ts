// npm run bench:synth [-- --rounds 5 --scale 1]
// How long the synthetic data take: generating the eight sets in memory, and generating and
// writing them as npz files (what `recordflow synth` and the first step of `npm start` do). The
// timing the tests used to assert (under 2 s and 3 s) lives here, where a loaded machine makes a
// number slow instead of a test red. Both measurements run in the same alternating rounds.
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { synthesizeThermal, writeSyntheticSets } from '../src/synth/index.js';
import { report, roundRobin } from './rounds.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

const ROUNDS = arg('rounds', 5);
const SCALE = arg('scale', 1);
const dir = mkdtempSync(join(tmpdir(), 'recordflow-bench-synth-'));
try {
  console.log(`synth bench: scale ${SCALE}, 1 warm-up + ${ROUNDS} rounds each, in turns; node ${process.version}`);
  console.log(`load average: ${loadavg().map((x) => x.toFixed(2)).join(' ')} (a shared machine: medians move with the load)`);
  let k = 0;
  const results = await roundRobin(
    [
      { name: 'synthesizeThermal', run: () => Object.keys(synthesizeThermal({ seed: 0, scale: SCALE })).length },
      { name: 'writeSyntheticSets', run: async () => (await writeSyntheticSets(join(dir, String(k++)), { seed: 0, scale: SCALE })).length },
    ],
    { rounds: ROUNDS, check: (name, sets) => { if (sets !== 8) throw new Error(`${name}: ${sets} sets`); } },
  );
  for (const line of report(results, { baseline: 'synthesizeThermal', unit: 'ms' })) console.log(`  ${line}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
