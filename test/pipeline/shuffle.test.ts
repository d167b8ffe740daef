import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Dataset, pipe, shuffle } from '../../src/pipeline/index.js';
import { chunked, collect, perElement, range } from './helpers.js';
import { chiSquareBound, chiSquareOverPositions } from './stats.js';

test('shuffle: bufferSize must be a positive integer', () => {
  for (const bad of [0, -1, 2.5, Number.NaN]) assert.throws(() => shuffle(bad), /bufferSize must be a positive integer/);
});

test('shuffle: output is a permutation of the input', async () => {
  const out = await collect(pipe(chunked(range(1000), [7, 300]), shuffle<number>(64, { seed: 3 })));
  assert.deepEqual([...out].sort((a, b) => a - b), range(1000));
  assert.notDeepEqual(out, range(1000));
});

test('shuffle: fills the buffer before the first output, then emits only buffered elements', async () => {
  const size = 10;
  const src = perElement(range(200));
  const it = shuffle<number>(size, { seed: 1 })(src)[Symbol.asyncIterator]();
  const first = await it.next();
  assert.equal(first.done, false);
  assert.ok(src.pulled >= size, `first output after ${src.pulled} pulls`);
  await it.return?.();
  const out = await collect(shuffle<number>(size, { seed: 2 })(range(200) as never));
  // The k-th output must come from the first k + size inputs.
  out.forEach((x, k) => assert.ok(x < k + size, `output ${k} is input ${x}`));
  // bufferSize 1 is the identity.
  assert.deepEqual(await collect(shuffle<number>(1, { seed: 9 })(range(50) as never)), range(50));
});

test('shuffle: a seed fixes the order; each epoch reshuffles, deterministically from the seed', async () => {
  const a = Dataset.from(range(100)).shuffle(30, { seed: 42 });
  const b = Dataset.from(range(100)).shuffle(30, { seed: 42 });
  const a1 = await a.toArray();
  const a2 = await a.toArray();
  assert.deepEqual(await b.toArray(), a1);
  assert.deepEqual(await b.toArray(), a2);
  assert.notDeepEqual(a1, a2);
  const other = await Dataset.from(range(100)).shuffle(30, { seed: 43 }).toArray();
  assert.notDeepEqual(other, a1);
  const fixed = Dataset.from(range(100)).shuffle(30, { seed: 42, reshuffleEachIteration: false });
  assert.deepEqual(await fixed.toArray(), a1);
  assert.deepEqual(await fixed.toArray(), a1);
});

test('shuffle: repeat after a reshuffling shuffle gives a new order per pass', async () => {
  const out = await Dataset.from(range(20)).shuffle(20, { seed: 7 }).repeat(2).toArray();
  const [p1, p2] = [out.slice(0, 20), out.slice(20)];
  assert.deepEqual([...p1].sort((x, y) => x - y), range(20));
  assert.deepEqual([...p2].sort((x, y) => x - y), range(20));
  assert.notDeepEqual(p1, p2);
});

test('shuffle: a buffer covering the dataset gives a uniform permutation (chi-square over positions)', async () => {
  const n = 8;
  const ds = Dataset.from(range(n)).shuffle(n, { seed: 2024 });
  const orders: number[][] = [];
  for (let epoch = 0; epoch < 2000; epoch++) orders.push(await ds.toArray());
  const { statistic, df } = chiSquareOverPositions(orders, n);
  assert.ok(statistic < chiSquareBound(df), `chi-square ${statistic.toFixed(1)} with df ${df}`);
  // The test has teeth: a small buffer (not a full shuffle) fails it by far.
  const partial = Dataset.from(range(n)).shuffle(2, { seed: 2024 });
  const biased: number[][] = [];
  for (let epoch = 0; epoch < 1000; epoch++) biased.push(await partial.toArray());
  assert.ok(chiSquareOverPositions(biased, n).statistic > 10 * chiSquareBound(df));
});
