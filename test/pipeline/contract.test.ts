// The contract every operator keeps, checked over one table: the same output whatever the
// chunking of the source (per element, odd chunk sizes, one big array); an empty source gives
// an empty output; a failing source's error reaches the consumer unchanged and the source is
// closed; breaking out early closes the source.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  batch, bucketBySequenceLength, cache, chooseFromDatasets, groupByWindow, paddedBatch, rejectionResample, sampleFromDatasets, concat, enumerate, filter, flatMap, interleave, map, pipe, prefetch, repeat, scan, shard, shuffle, skip, take,
  takeWhile, unbatch, unique, window, zip,
} from '../../src/pipeline/index.js';
import { chunked, collect, collectChunks, perElement, range } from './helpers.js';

type AnyOp = (source: AsyncIterable<number>) => AsyncIterable<unknown>;

const ops: Record<string, () => AnyOp> = {
  map: () => map((x: number) => x * 10),
  'map async, concurrency 3': () => map(async (x: number) => x * 10, { concurrency: 3 }),
  'map deterministic: false (sync)': () => map((x: number) => x * 10, { concurrency: 3, deterministic: false }),
  filter: () => filter((x: number) => x % 3 !== 0),
  shuffle: () => shuffle(7, { seed: 5 }),
  batch: () => batch(4),
  'batch dropRemainder': () => batch(4, { dropRemainder: true }),
  prefetch: () => prefetch(3),
  take: () => take(13),
  skip: () => skip(5),
  repeat: () => repeat(2),
  cache: () => cache(),
  shard: () => shard(3, 1),
  interleave: () => interleave((x: number) => [x, x + 0.5], { cycleLength: 3, blockLength: 2 }),
  'interleave numParallelCalls': () => interleave((x: number) => perElement([x, x + 0.5]), { cycleLength: 3, blockLength: 2, numParallelCalls: 2 }),
  zip: () => zip(range(100, 1000)),
  concat: () => concat([-1, -2]),
  'flatMap (arrays)': () => flatMap((x: number) => (x % 4 === 0 ? [] : [x, -x])),
  'flatMap (async inner sources)': () => flatMap((x: number) => perElement([x, x + 0.5])),
  'unbatch (after batch)': () => (s) => unbatch<number[]>()(batch<number>(3)(s)),
  window: () => window(3, { shift: 2 }),
  'window stride, dropRemainder': () => window(3, { shift: 1, stride: 2, dropRemainder: true }),
  'window shift > size': () => window(2, { shift: 5 }),
  scan: () => scan(0, (sum: number, x: number) => [sum + x, sum * 2]),
  enumerate: () => enumerate(3),
  takeWhile: () => takeWhile((x: number) => x < 17),
  unique: () => (s) => unique()(map((x: number) => [x % 7])(s)),
  'paddedBatch (scalars)': () => paddedBatch(4),
  'paddedBatch (sequences)': () => (s) => paddedBatch<number[]>(3, { paddingValues: -1 })(map((x: number) => range(x % 4, x))(s)),
  groupByWindow: () => groupByWindow((x: number) => x % 3, (k, w) => w.batch(2), { windowSize: 2 }),
  bucketBySequenceLength: () => (s) =>
    bucketBySequenceLength((v: number[]) => v.length, [2, 4], [3, 2, 2])(map((x: number) => range(x % 5, x))(s)),
  sampleFromDatasets: () => (s) => sampleFromDatasets([s, range(20, 100)], { weights: [0.999, 0.001], seed: 3 }),
  'sampleFromDatasets, stopOnEmptyDataset': () => (s) => sampleFromDatasets([s, range(20, 100)], { weights: [0.99, 0.01], seed: 3, stopOnEmptyDataset: true }),
  chooseFromDatasets: () => (s) => chooseFromDatasets([range(100, 1000), range(50, -1000)])(map((x: number) => x % 2)(s)),
  'rejectionResample, one pass': () => rejectionResample((x: number) => x % 2, [0.5, 0.5], { initialDist: [0.5, 0.5] }),
  'rejectionResample, two passes': () => rejectionResample((x: number) => x % 2, [0.7, 0.3], { initialDist: [0.5, 0.5], seed: 2 }),
  'rejectionResample, estimated': () => rejectionResample((x: number) => x % 3, [0.2, 0.3, 0.5], { seed: 4 }),
};

/** What an empty source gives where it is not nothing. */
const emptyOutputs: Record<string, unknown[]> = {
  concat: [-1, -2],
  sampleFromDatasets: range(20, 100),
};

/** Operators that read their source more than once per iteration (tf.data builds them so). */
const multiPass = new Set(['rejectionResample, two passes', 'rejectionResample, estimated']);

const N = 23;
const expectedOf = async (op: AnyOp): Promise<unknown[]> => collect(op(range(N) as never));

for (const [name, make] of Object.entries(ops)) {
  test(`${name}: same output for every chunking of the source`, async () => {
    const want = await expectedOf(make());
    assert.ok(want.length > 0);
    assert.deepEqual(await collect(make()(perElement(range(N)))), want);
    assert.deepEqual(await collect(make()(chunked(range(N), [1, 5, 2, 8]))), want);
    assert.deepEqual(await collectChunks(pipe(chunked(range(N), [4, 1]), make()) as never), want);
  });

  test(`${name}: empty source`, async () => {
    const src = chunked<number>([]);
    const out = await collect(make()(src));
    assert.deepEqual(out, emptyOutputs[name] ?? []);
  });

  test(`${name}: a failing source's error reaches the consumer and the source is closed`, async () => {
    for (const src of [perElement(range(N), 9), chunked(range(N), [4], 9)]) {
      await assert.rejects(collect(make()(src)), /source failed at 9/);
      assert.equal(src.closed, src.opened);
    }
  });

  test(`${name}: breaking out early closes the source`, async () => {
    for (const src of [perElement(range(1000)), chunked(range(1000), [16])]) {
      for await (const _ of make()(src)) break;
      if (multiPass.has(name)) assert.ok(src.opened >= 1);
      else assert.equal(src.opened, 1);
      assert.equal(src.closed, src.opened);
      assert.ok(src.pulled < 1000, `${name} pulled ${src.pulled} of 1000 before the break`);
    }
  });
}
