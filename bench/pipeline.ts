// npm run bench:pipeline [-- --n 1000000 --rounds 5 --warmup 1 --part all|core|tfdata|reads --shard-records 20000]
// 1M small objects through map → filter → batch(32) and shuffle(10000) → batch(32), side by side
// in one process: recordflow (chunked operators), @tensorflow/tfjs-data, the published `ix`
// package, and hand-written per-element async generators (the floor without chunking).
// Every side gets the same untimed warm-up and the same counted rounds, in rotating turns
// (bench/rounds.ts); prints the median ns per input element with its spread, and each peer's
// time as a multiple of recordflow's (median of the per-round ratios, with their range).
import '@tensorflow/tfjs-backend-cpu';
import * as tfc from '@tensorflow/tfjs-core';
import * as tfd from '@tensorflow/tfjs-data';
import { from as ixFrom } from 'ix/asynciterable';
import { buffer as ixBuffer, filter as ixFilter, map as ixMap } from 'ix/asynciterable/operators';
import { batch, filter, map, pipe, shuffle } from '../src/pipeline/index.js';
import { parallelReads, tfdataChains } from './pipeline-tfdata.js';
import { count, genBatch, genFilter, genFrom, genMap, genShuffle, sameCount, type Item } from './generators.js';
import { report, roundRobin } from './rounds.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

const N = arg('n', 1_000_000);
const ROUNDS = arg('rounds', 5);
const WARMUP = arg('warmup', 1);
const PART = process.argv.includes('--part') ? String(process.argv[process.argv.indexOf('--part') + 1]) : 'all';
const SHUFFLE = 10_000;
const items: Item[] = Array.from({ length: N }, (_, i) => ({ id: i, value: i * 0.5 }));
const mapFn = (x: Item): Item => ({ id: x.id, value: x.value * 2 });
const keep = (x: Item): boolean => x.id % 4 !== 3;

type Runner = () => Promise<number>; // returns a count so nothing is optimised away

// ---- tfjs-data: batch() stacks numeric fields into tensors, which are disposed here ----
async function tfdCount(ds: tfd.Dataset<tfc.TensorContainer>): Promise<number> {
  let n = 0;
  await ds.forEachAsync((b) => {
    const t = (b as { id: tfc.Tensor }).id;
    n += t.shape[0] as number;
    tfc.dispose(b);
  });
  return n;
}

const cases: { name: string; runners: Record<string, Runner> }[] = [
  {
    name: 'map → filter → batch(32)',
    runners: {
      recordflow: () => count(pipe(items, map(mapFn), filter(keep), batch<Item>(32))),
      'tfjs-data': () => tfdCount(tfd.array(items as unknown as tfc.TensorContainer[]).map((x) => mapFn(x as unknown as Item) as unknown as tfc.TensorContainer).filter((x) => keep(x as unknown as Item)).batch(32)),
      ix: () => count(ixFrom(items).pipe(ixMap(mapFn), ixFilter(keep), ixBuffer(32))),
      'async generators': () => count(genBatch(genFilter(genMap(genFrom(items), mapFn), keep), 32)),
    },
  },
  {
    name: `shuffle(${SHUFFLE}) → batch(32)`,
    runners: {
      recordflow: () => count(pipe(items, shuffle<Item>(SHUFFLE, { seed: 1 }), batch<Item>(32))),
      'tfjs-data': () => tfdCount(tfd.array(items as unknown as tfc.TensorContainer[]).shuffle(SHUFFLE, '1').batch(32)),
      'ix (+ generator shuffle)': () => count(ixFrom(items).pipe((s) => ixFrom(genShuffle(s, SHUFFLE)), ixBuffer(32))),
      'async generators': () => count(genBatch(genShuffle(genFrom(items), SHUFFLE), 32)),
    },
  },
];

async function main(): Promise<void> {
  await tfc.setBackend('cpu');
  console.log(`recordflow pipeline bench: ${N.toLocaleString('en')} objects; every side ${WARMUP} warm-up + ${ROUNDS} counted rounds, in turns; node ${process.version}`);
  console.log(`load average: ${(await import('node:os')).loadavg().map((x) => x.toFixed(2)).join(' ')} (a shared machine: read the ratios, not the absolute times)`);
  for (const c of PART === 'all' || PART === 'core' ? cases : []) {
    console.log(`\n${c.name}`);
    const sides = Object.entries(c.runners).map(([name, run]) => ({ name, run }));
    const results = await roundRobin(sides, { rounds: ROUNDS, warmup: WARMUP, check: sameCount() });
    for (const line of report(results, { baseline: 'recordflow', per: N / 1e6, unit: 'ns/element' })) console.log(`  ${line}`);
  }
  if (PART === 'all' || PART === 'tfdata') await tfdataChains({ items, rounds: ROUNDS, warmup: WARMUP });
  if (PART === 'all' || PART === 'reads') await parallelReads({ records: arg('shard-records', 20_000), rounds: ROUNDS, warmup: WARMUP });
}

await main();
