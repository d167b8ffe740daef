import { test } from 'node:test';
import assert from 'node:assert/strict';
import { from as ixFrom } from 'ix/asynciterable';
import { map as ixMap } from 'ix/asynciterable/operators';
import { CHUNKS, isChunked } from '../../src/core/chunks.js';
import { Dataset, map, pipe } from '../../src/pipeline/index.js';
import { collect, perElement, range } from './helpers.js';

test('Dataset: fluent chain, chunked, iterable again for a new epoch', async () => {
  const ds = Dataset.from(range(100)).map((x) => x * 2).filter((x) => x % 3 === 0).batch(5).take(3);
  assert.ok(isChunked(ds));
  const first = await collect(ds);
  assert.deepEqual(first, [[0, 6, 12, 18, 24], [30, 36, 42, 48, 54], [60, 66, 72, 78, 84]]);
  assert.deepEqual(await collect(ds), first);
  const it = ds[CHUNKS]();
  assert.ok(((await it.next()).value as number[][]).length > 0);
  await it.return?.();
});

test('Dataset: cardinality where known', () => {
  const ds = Dataset.from(range(100));
  assert.equal(ds.cardinality, 100);
  assert.equal(ds.map((x) => x).cardinality, 100);
  assert.equal(ds.filter((x) => x > 3).cardinality, undefined);
  assert.equal(ds.batch(32).cardinality, 4);
  assert.equal(ds.batch(32, { dropRemainder: true }).cardinality, 3);
  assert.equal(ds.take(10).cardinality, 10);
  assert.equal(ds.take(-1).cardinality, 100);
  assert.equal(ds.take(1000).cardinality, 100);
  assert.equal(ds.skip(30).cardinality, 70);
  assert.equal(ds.skip(300).cardinality, 0);
  assert.equal(ds.skip(-1).cardinality, 0);
  assert.equal(ds.repeat(3).cardinality, 300);
  assert.equal(ds.repeat().cardinality, Infinity);
  assert.equal(ds.repeat().take(5).cardinality, 5);
  assert.equal(ds.repeat().batch(7).cardinality, Infinity);
  assert.equal(Dataset.from([]).repeat().cardinality, 0);
  assert.equal(ds.shard(3, 0).cardinality, 34);
  assert.equal(ds.shard(3, 2).cardinality, 33);
  assert.equal(ds.shuffle(10, { seed: 1 }).prefetch(2).cache().cardinality, 100);
  assert.equal(ds.zip(range(40)).cardinality, 40);
  assert.equal(ds.concatenate(range(5)).cardinality, 105);
  assert.equal(Dataset.from(perElement(range(3))).cardinality, undefined);
  assert.equal(Dataset.from(perElement(range(3))).take(2).cardinality, undefined);
  assert.equal(Dataset.from(perElement(range(3))).take(0).cardinality, 0);
  assert.equal(Dataset.from(perElement(range(3))).repeat(0).cardinality, 0);
  assert.equal(Dataset.from(perElement(range(3))).repeat().cardinality, undefined);
  assert.equal(ds.pipe(map((x: number) => x)).cardinality, undefined);
  assert.equal(ds.pipe(map((x: number) => x), 100).cardinality, 100);
});

test('Dataset: cardinality matches what iteration produces', async () => {
  const ds = Dataset.from(range(23));
  for (const d of [ds.batch(4), ds.batch(4, { dropRemainder: true }), ds.skip(5).take(9), ds.shard(4, 3), ds.repeat(2).batch(5)] as Dataset<unknown>[]) {
    assert.equal((await d.toArray()).length, d.cardinality);
  }
});

test('Dataset: cache() fills on the first complete pass only', async () => {
  let pulls = 0;
  const ds = Dataset.from(range(10)).map((x) => {
    pulls++;
    return x;
  }).cache();
  for await (const _ of ds) break; // partial pass: not cached
  assert.deepEqual(await ds.toArray(), range(10));
  const filled = pulls;
  assert.deepEqual(await ds.toArray(), range(10));
  assert.equal(pulls, filled);
});

test('Dataset: forEach awaits async callbacks; interleave and zip', async () => {
  const seen: number[] = [];
  await Dataset.from(range(5)).forEach(async (x, i) => {
    await new Promise((r) => setTimeout(r, 0));
    seen.push(x * 10 + i);
  });
  assert.deepEqual(seen, [0, 11, 22, 33, 44]);
  assert.deepEqual(await Dataset.from([1, 2]).interleave((x) => [x, x], { cycleLength: 2 }).toArray(), [1, 2, 1, 2]);
  assert.deepEqual(await Dataset.from([1, 2]).zip(Dataset.from(['a', 'b'])).toArray(), [[1, 'a'], [2, 'b']]);
});

test('pipe works with ix operators and ix sources (the IxJS shape)', async () => {
  const out = await collect(pipe(ixFrom([1, 2, 3]), ixMap((x: number) => x + 1), map((x: number) => x * 10)));
  assert.deepEqual(out, [20, 30, 40]);
  const viaIx = await collect(ixFrom(Dataset.from(range(4)).map((x) => x + 1)).pipe(ixMap((x: number) => -x)));
  assert.deepEqual(viaIx, [-1, -2, -3, -4]);
});
