// padded_batch, group_by_window and bucket_by_sequence_length: tf.data's documented examples
// translated to this API with tf.data's outputs, and the rules REFERENCE §3 names.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bucketBySequenceLength, Dataset, groupByWindow, InputError, OperatorError, paddedBatch, pipe, range } from '../../src/index.js';
import { collect, perElement, range as numbers } from './helpers.js';

const A = Dataset.range(1, 5).map((x) => Array<number>(x).fill(x));

test('paddedBatch: the tf.data doc examples', async () => {
  assert.deepEqual(await A.paddedBatch(2).toArray(), [[[1, 0], [2, 2]], [[3, 3, 3, 0], [4, 4, 4, 4]]]);
  assert.deepEqual(await A.paddedBatch(2, { paddedShapes: 5 }).toArray(),
    [[[1, 0, 0, 0, 0], [2, 2, 0, 0, 0]], [[3, 3, 3, 0, 0], [4, 4, 4, 4, 0]]]);
  assert.deepEqual(await A.paddedBatch(2, { paddedShapes: [5], paddingValues: -1 }).toArray(),
    [[[1, -1, -1, -1, -1], [2, 2, -1, -1, -1]], [[3, 3, 3, -1, -1], [4, 4, 4, 4, -1]]]);
  const elements = [[[1, 2, 3], [10]], [[4, 5], [11, 12]]];
  assert.deepEqual(await Dataset.from(elements).paddedBatch(2, { paddedShapes: [[4], [-1]], paddingValues: [-1, 100] }).toArray(),
    [[[[1, 2, 3, -1], [4, 5, -1, -1]], [[10, 100], [11, 12]]]]);
  // tf.data's None may be written null.
  assert.deepEqual(await Dataset.from(elements).paddedBatch(2, { paddedShapes: [[4], [null]], paddingValues: [-1, 100] }).toArray(),
    [[[[1, 2, 3, -1], [4, 5, -1, -1]], [[10, 100], [11, 12]]]]);
  assert.deepEqual(await Dataset.from(elements).paddedBatch(2, { paddedShapes: [[4], null], paddingValues: [-1, 100] }).toArray(),
    [[[[1, 2, 3, -1], [4, 5, -1, -1]], [[10, 100], [11, 12]]]]);
  // Components of a tuple (here from zip) are padded independently, with one padding value.
  assert.deepEqual(await A.zip(A).paddedBatch(2, { paddingValues: -1 }).toArray(), [
    [[[1, -1], [2, 2]], [[1, -1], [2, 2]]],
    [[[3, 3, 3, -1], [4, 4, 4, 4]], [[3, 3, 3, -1], [4, 4, 4, 4]]],
  ]);
});

test('paddedBatch: objects, scalars, typed arrays, 2-D components and bigint padding', async () => {
  const rows = [
    { ids: new Int32Array([1, 2, 3]), mask: [1, 1, 1], label: 7, frames: [[1, 2], [3, 4]] },
    { ids: new Int32Array([4]), mask: [1], label: 8, frames: [[5, 6, 7]] },
  ];
  const [b] = await Dataset.from(rows).paddedBatch(2, { paddedShapes: { ids: [-1], mask: [4], label: [], frames: [-1, -1] } }).toArray();
  assert.deepEqual(b, {
    ids: [new Int32Array([1, 2, 3]), new Int32Array([4, 0, 0])],
    mask: [[1, 1, 1, 0], [1, 0, 0, 0]],
    label: [7, 8],
    frames: [[[1, 2, 0], [3, 4, 0]], [[5, 6, 7], [0, 0, 0]]],
  });
  const [big] = await Dataset.from([new BigInt64Array([5n]), new BigInt64Array([6n, 7n])]).paddedBatch(2, { paddingValues: -1 }).toArray();
  assert.deepEqual(big, [new BigInt64Array([5n, -1n]), new BigInt64Array([6n, 7n])]);
  assert.deepEqual(await Dataset.range(5).paddedBatch(2).toArray(), [[0, 1], [2, 3], [4]]);
  const drop = Dataset.range(5).paddedBatch(2, { dropRemainder: true });
  assert.equal(drop.cardinality, 2);
  assert.deepEqual(await drop.toArray(), [[0, 1], [2, 3]]);
  assert.equal(A.paddedBatch(3).cardinality, 2);
  // Empty sequences pad like the others.
  assert.deepEqual(await Dataset.from([[], [1]]).paddedBatch(2).toArray(), [[[0], [1]]]);
});

test('paddedBatch: a value longer than its padded shape is an error naming the element, never truncated', async () => {
  await assert.rejects(A.paddedBatch(2, { paddedShapes: [3] }).toArray(), (e: unknown) =>
    e instanceof OperatorError && e.operator === 'paddedBatch' && e.elementIndex === 3 && /4 long along axis 0, more than its padded shape 3/.test(e.message));
  await assert.rejects(Dataset.from([{ a: [1, 2] }, { a: [1, 2, 3] }]).paddedBatch(2, { paddedShapes: { a: [2] } }).toArray(),
    (e: unknown) => e instanceof OperatorError && e.elementIndex === 1 && /component \.a/.test(e.message));
  await assert.rejects(Dataset.from([[[1, 2], [3]]]).paddedBatch(1, { paddedShapes: [-1, -1] }).toArray(), /not rectangular/);
  await assert.rejects(Dataset.from([[1], [[2]]] as unknown[]).paddedBatch(2).toArray(), /element 1/);
  assert.throws(() => paddedBatch(2, { paddedShapes: [-2] }), InputError);
  assert.throws(() => paddedBatch(0), InputError);
});

test('groupByWindow: the tf.data doc example; the reducer gets the key and a Dataset', async () => {
  const ds = Dataset.range(10).groupByWindow((x) => x % 2, (key, w) => w.batch(5), { windowSize: 5 });
  assert.deepEqual(await ds.toArray(), [[0, 2, 4, 6, 8], [1, 3, 5, 7, 9]]);
  const tagged = await collect(pipe(range(7), groupByWindow((x: number) => x % 3, (key, w) => w.map((x) => [key, x, w.cardinality]), { windowSize: 2 })));
  assert.deepEqual(tagged, [[0, 0, 2], [0, 3, 2], [1, 1, 2], [1, 4, 2], [2, 2, 2], [2, 5, 2], [0, 6, 1]]);
});

test('groupByWindow: full windows come out at once; leftovers at the end in ascending key order', async () => {
  // keys: 5→-2, 3→0, 9→0, 1→-1, 8→-2, 7→-1, 2→-2: the -2 window fills last; then -1 and 0.
  const out = Dataset.from([5, 3, 9, 1, 8, 7, 2]).groupByWindow((x) => -(x % 3), (key, w) => w.batch(10), { windowSize: 3 });
  assert.deepEqual(await out.toArray(), [[5, 8, 2], [1, 7], [3, 9]]);
  const seen: string[] = [];
  const logged = pipe([1, 3, 2, 5, 4], groupByWindow((x: number) => {
    seen.push(`key ${x}`);
    return x % 2;
  }, (key, w) => w.map((x) => {
    seen.push(`out ${x}`);
    return x;
  }), { windowSize: 2 }));
  assert.deepEqual(await collect(logged), [1, 3, 2, 4, 5]);
  assert.deepEqual(seen, ['key 1', 'key 3', 'out 1', 'out 3', 'key 2', 'key 5', 'key 4', 'out 2', 'out 4', 'out 5']);
  const sized = Dataset.range(9).groupByWindow((x) => x % 2, (k, w) => w.batch(9), { windowSizeFn: (k) => (k === 0 ? 2 : 3) });
  assert.deepEqual(await sized.toArray(), [[0, 2], [1, 3, 5], [4, 6], [8], [7]]);
  assert.throws(() => Dataset.range(3).groupByWindow((x) => x, (k, w) => w, {}), InputError);
  assert.throws(() => Dataset.range(3).groupByWindow((x) => x, (k, w) => w, { windowSize: 0 }), InputError);
  await assert.rejects(Dataset.range(3).groupByWindow(() => NaN, (k, w) => w, { windowSize: 1 }).toArray(),
    (e: unknown) => e instanceof OperatorError && e.elementIndex === 0);
  await assert.rejects(Dataset.range(3).groupByWindow((x) => x, () => {
    throw new Error('reducer');
  }, { windowSize: 1 }).toArray(), (e: unknown) => e instanceof OperatorError && e.operator === 'groupByWindow' && e.elementIndex === 0);
});

test('groupByWindow: a break closes the source and the reducer\'s open source', async () => {
  const src = perElement([1, 2, 3, 4, 5, 6]);
  const inners: ReturnType<typeof perElement<number>>[] = [];
  for await (const _ of pipe(src, groupByWindow((x: number) => x % 2, (k, w) => {
    const s = perElement([k, k]);
    inners.push(s);
    void w;
    return s;
  }, { windowSize: 2 }))) break;
  assert.equal(src.closed, 1);
  assert.equal(inners.length, 1);
  assert.equal(inners[0]?.closed, 1);
});

const seqs = [[0], [1, 2, 3, 4], [5, 6, 7], [7, 8, 9, 10, 11], [13, 14, 15, 16, 19, 20], [21, 22]];

test('bucketBySequenceLength: the tf.data doc examples', async () => {
  const ds = Dataset.from(seqs).bucketBySequenceLength((s) => s.length, [3, 5], [2, 2, 2]);
  assert.deepEqual(await ds.toArray(), [
    [[1, 2, 3, 4], [5, 6, 7, 0]],
    [[7, 8, 9, 10, 11, 0], [13, 14, 15, 16, 19, 20]],
    [[0, 0], [21, 22]],
  ]);
  const bounded = Dataset.from(seqs).bucketBySequenceLength((s) => s.length, [4, 7], [2, 2, 2], { padToBucketBoundary: true, paddingValues: -1 });
  assert.deepEqual(await bounded.toArray(), [
    [[0, -1, -1], [5, 6, 7]],
    [[1, 2, 3, 4, -1, -1], [7, 8, 9, 10, 11, -1]],
    [[21, 22, -1]],
    [[13, 14, 15, 16, 19, 20]],
  ]);
});

test('bucketBySequenceLength: boundary lengths go up, padToBucketBoundary refuses the last bucket, noPadding and dropRemainder', async () => {
  const items = [2, 3, 4, 5, 1].map((n) => numbers(n));
  const out = await collect(pipe(items, bucketBySequenceLength((s: number[]) => s.length, [3], [10, 10], { noPadding: true })));
  assert.deepEqual(out, [[numbers(2), numbers(1)], [numbers(3), numbers(4), numbers(5)]]);
  assert.equal(out[0]?.[0], items[0]); // the elements themselves, unpadded
  await assert.rejects(Dataset.from(seqs).bucketBySequenceLength((s) => s.length, [3, 5], [2, 2, 2], { padToBucketBoundary: true }).toArray(),
    (e: unknown) => e instanceof OperatorError && e.operator === 'bucketBySequenceLength' && e.elementIndex === 3 && /last boundary 5/.test(e.message));
  const dropped = Dataset.from(seqs).bucketBySequenceLength((s) => s.length, [3, 5], [2, 2, 2], { dropRemainder: true });
  assert.deepEqual(await dropped.toArray(), [[[1, 2, 3, 4], [5, 6, 7, 0]], [[7, 8, 9, 10, 11, 0], [13, 14, 15, 16, 19, 20]], [[0, 0], [21, 22]]]);
  const dropped3 = Dataset.from(seqs).bucketBySequenceLength((s) => s.length, [3, 5], [3, 3, 3], { dropRemainder: true });
  assert.deepEqual(await dropped3.toArray(), []);
  // Errors name the element even though buckets are not contiguous.
  await assert.rejects(Dataset.from(seqs).bucketBySequenceLength((s) => s.length, [3, 5], [2, 2, 2], { paddedShapes: [5] }).toArray(),
    (e: unknown) => e instanceof OperatorError && e.elementIndex === 4);
  assert.throws(() => bucketBySequenceLength((s: number[]) => s.length, [3, 5], [2, 2]), InputError);
  assert.throws(() => bucketBySequenceLength((s: number[]) => s.length, [5, 3], [2, 2, 2]), InputError);
});
