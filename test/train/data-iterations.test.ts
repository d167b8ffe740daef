import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chunksOf } from '../../src/core/chunks.js';
import { Dataset } from '../../src/pipeline/index.js';
import type { Batch, BatchSource } from '../../src/train/batch.js';
import { countIterations, iterationsOf, replayIterations } from '../../src/train/data-iterations.js';

/** Stand-in batches whose single field holds the element ids: the order is what is compared. */
const shuffled = () =>
  Dataset.from(Array.from({ length: 12 }, (_, i) => i))
    .shuffle(12, { seed: 5 })
    .prefetch(2)
    .batch(3, { dropRemainder: true })
    .map((ids): Batch => ({ ids: { data: Float32Array.from(ids), shape: [3] } }));

async function order(source: BatchSource): Promise<number[]> {
  const out: number[] = [];
  for await (const chunk of chunksOf(source)) for (const b of chunk) out.push(...b.ids!.data as Float32Array);
  return out;
}

test('only iterations that pull an element are counted', async () => {
  const ds = shuffled();
  const counted = countIterations(ds);
  const idle = (counted as AsyncIterable<Batch>)[Symbol.asyncIterator]();
  await idle.return?.();
  assert.equal(iterationsOf(ds), 0);
  await order(counted);
  await order(counted);
  assert.equal(iterationsOf(ds), 2);
});

test('replaying on a fresh Dataset continues its shuffle where the counted one stood', async () => {
  const original = shuffled();
  const counted = countIterations(original);
  const seen = [await order(counted), await order(counted), await order(counted)];
  assert.notDeepEqual(seen[0], seen[2], 'the Dataset reshuffles each iteration');
  const fresh = shuffled();
  assert.equal(await replayIterations(fresh, 2), 2);
  assert.deepEqual(await order(fresh), seen[2]);
  // The object that made the iterations needs no replay.
  assert.equal(await replayIterations(original, 3), 0);
});

test('arrays and generator objects are never replayed (nothing to advance, or elements to lose)', async () => {
  const batches: Batch[] = [{ ids: { data: Float32Array.of(1), shape: [1] } }];
  assert.equal(await replayIterations(batches, 4), 0);
  async function* once(): AsyncGenerator<Batch> {
    yield* batches;
  }
  const gen = once();
  assert.equal(await replayIterations(gen, 4), 0);
  assert.equal((await order(gen)).length, 1);
});
