// tf.data semantics of the simpler operators (REFERENCE §3), beyond the shared contract.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  batch, concat, filter, interleave, OperatorError, pipe, repeat, shard, skip, take, zip,
} from '../../src/pipeline/index.js';
import { chunked, collect, perElement, range } from './helpers.js';

test('filter: keeps truthy elements; a throwing predicate names the element', async () => {
  assert.deepEqual(await collect(pipe(chunked(range(10), [3]), filter((x: number) => x % 2))), [1, 3, 5, 7, 9]);
  const isEven = (x: number): x is number => x % 2 === 0;
  assert.deepEqual(await collect(pipe(range(6), filter(isEven))), [0, 2, 4]);
  await assert.rejects(collect(pipe(chunked(range(10), [4]), filter((x: number) => {
    if (x === 5) throw new Error('nope');
    return true;
  }))), (e: unknown) => e instanceof OperatorError && e.operator === 'filter' && e.elementIndex === 5);
});

test('batch: short last batch unless dropRemainder; batches span source chunks', async () => {
  assert.deepEqual(await collect(pipe(chunked(range(10), [3, 1]), batch(4))), [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]);
  assert.deepEqual(await collect(pipe(chunked(range(10), [7]), batch(4, { dropRemainder: true }))), [[0, 1, 2, 3], [4, 5, 6, 7]]);
  assert.deepEqual(await collect(pipe(range(8), batch(4, { dropRemainder: true }))), [[0, 1, 2, 3], [4, 5, 6, 7]]);
  assert.deepEqual(await collect(pipe(range(3), batch(4, { dropRemainder: true }))), []);
  assert.throws(() => batch(0), /size/);
});

test('take / skip: counts, -1 meaning all, and take stops pulling once satisfied', async () => {
  assert.deepEqual(await collect(pipe(range(10), take(3))), [0, 1, 2]);
  assert.deepEqual(await collect(pipe(range(10), take(-1))), range(10));
  assert.deepEqual(await collect(pipe(range(10), take(0))), []);
  assert.deepEqual(await collect(pipe(range(3), take(30))), [0, 1, 2]);
  const src = perElement(range(100));
  await collect(pipe(src, take(5)));
  assert.equal(src.pulled, 5);
  assert.equal(src.closed, 1);
  assert.deepEqual(await collect(pipe(chunked(range(10), [3]), skip(4))), [4, 5, 6, 7, 8, 9]);
  assert.deepEqual(await collect(pipe(range(10), skip(-1))), []);
  assert.deepEqual(await collect(pipe(range(10), skip(0))), range(10));
  assert.deepEqual(await collect(pipe(range(3), skip(30))), []);
});

test('repeat: count passes, forever without a count, an empty source ends', async () => {
  assert.deepEqual(await collect(pipe([1, 2], repeat(3))), [1, 2, 1, 2, 1, 2]);
  assert.deepEqual(await collect(pipe([1, 2], repeat(0))), []);
  assert.deepEqual(await collect(pipe([1, 2], repeat(), take(7))), [1, 2, 1, 2, 1, 2, 1]);
  assert.deepEqual(await collect(pipe([1, 2], repeat(-1), take(3))), [1, 2, 1]);
  assert.deepEqual(await collect(pipe([], repeat())), []);
  const src = perElement([7, 8]);
  await collect(pipe(src, repeat(4)));
  assert.equal(src.opened, 4);
  assert.equal(src.closed, 4);
});

test('shard: elements with index % n == i, across chunk boundaries', async () => {
  assert.deepEqual(await collect(pipe(chunked(range(10), [3, 2]), shard(3, 0))), [0, 3, 6, 9]);
  assert.deepEqual(await collect(pipe(chunked(range(10), [4]), shard(3, 2))), [2, 5, 8]);
  assert.throws(() => shard(3, 3), /index/);
  assert.throws(() => shard(0, 0), /numShards/);
});

test('interleave: the tf.data documentation example (cycle_length=2, block_length=4)', async () => {
  // tf.data.Dataset.range(1, 6).interleave(lambda x: from_tensors(x).repeat(6), cycle_length=2, block_length=4)
  const out = await collect(pipe(range(5, 1), interleave((x: number) => new Array(6).fill(x), { cycleLength: 2, blockLength: 4 })));
  assert.deepEqual(out, [1, 1, 1, 1, 2, 2, 2, 2, 1, 1, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 3, 3, 4, 4, 5, 5, 5, 5, 5, 5]);
  // Inner async iterables and an inner error that names the input element.
  const inner = (x: number): AsyncIterable<number> => perElement([x, x * 10]);
  assert.deepEqual(await collect(pipe(range(3), interleave(inner, { cycleLength: 3 }))), [0, 1, 2, 0, 10, 20]);
  await assert.rejects(collect(pipe(range(3), interleave((x: number) => {
    if (x === 1) throw new Error('no inner');
    return [x];
  }))), (e: unknown) => e instanceof OperatorError && e.operator === 'interleave' && e.elementIndex === 1);
});

test('interleave: a break closes the open inner iterables', async () => {
  const inners = [perElement(range(10)), perElement(range(10)), perElement(range(10))];
  const src = perElement([0, 1, 2]);
  for await (const _ of pipe(src, interleave((i: number) => inners[i] as AsyncIterable<number>, { cycleLength: 2 }))) break;
  assert.equal(src.closed, 1);
  assert.equal(inners[0]?.closed, 1);
  assert.equal(inners[1]?.opened, 0); // never reached: the break came first
});

test('zip: pairs position by position, ends with the shortest and closes the others', async () => {
  const other = perElement(['a', 'b', 'c', 'd']);
  assert.deepEqual(await collect(pipe(chunked(range(3), [2]), zip(other))), [[0, 'a'], [1, 'b'], [2, 'c']]);
  assert.equal(other.closed, 1);
  assert.deepEqual(await collect(pipe(range(3), zip(range(3, 10), ['x', 'y', 'z']))), [[0, 10, 'x'], [1, 11, 'y'], [2, 12, 'z']]);
});

test('concat: sources in order', async () => {
  assert.deepEqual(await collect(pipe(chunked(range(3), [2]), concat([9], perElement([8, 7])))), [0, 1, 2, 9, 8, 7]);
});
