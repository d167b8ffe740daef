// tf.data's documented examples for range, flat_map, unbatch, window, scan, enumerate,
// take_while, unique and reduce, translated to this API, with tf.data's outputs; plus the
// cardinalities tf.data reports and the closing of inner sources.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  Dataset, enumerate, flatMap, InputError, map, OperatorError, pipe, range, reduce, scan, takeWhile, unbatch, unique, window,
} from '../../src/index.js';
import { chunked, collect, perElement } from './helpers.js';

test('Dataset.range: tf.data doc examples and cardinality', async () => {
  assert.deepEqual(await Dataset.range(5).toArray(), [0, 1, 2, 3, 4]);
  assert.deepEqual(await Dataset.range(2, 5).toArray(), [2, 3, 4]);
  assert.deepEqual(await Dataset.range(1, 5, 2).toArray(), [1, 3]);
  assert.deepEqual(await Dataset.range(1, 5, -2).toArray(), []);
  assert.deepEqual(await Dataset.range(5, 1).toArray(), []);
  assert.deepEqual(await Dataset.range(5, 1, -2).toArray(), [5, 3]);
  assert.deepEqual(await Dataset.range(0, 1, 0.25).toArray(), [0, 0.25, 0.5, 0.75]);
  for (const [args, n] of [[[5], 5], [[1, 5, 2], 2], [[1, 5, -2], 0], [[5, 1, -2], 2], [[0, 3000], 3000]] as const) {
    const ds = Dataset.range(...(args as [number, number, number]));
    assert.equal(ds.cardinality, n);
    assert.equal((await ds.toArray()).length, n);
  }
  assert.throws(() => range(0, 5, 0), InputError);
  assert.throws(() => range(0, Infinity), InputError);
});

test('flatMap: the tf.data doc example; Datasets, generators and errors', async () => {
  // Dataset.from_tensor_slices([[1, 2, 3], [4, 5, 6], [7, 8, 9]]).flat_map(from_tensor_slices)
  const ds = Dataset.from([[1, 2, 3], [4, 5, 6], [7, 8, 9]]).flatMap((x) => Dataset.from(x));
  assert.deepEqual(await ds.toArray(), [1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.equal(ds.cardinality, undefined);
  function* twice(x: number): Generator<number> {
    yield x;
    yield x;
  }
  assert.deepEqual(await collect(pipe(range(3), flatMap(twice))), [0, 0, 1, 1, 2, 2]);
  // Large inner sources pass through whole.
  assert.equal((await collect(pipe([0, 1], flatMap(() => range(5000))))).length, 10000);
  await assert.rejects(collect(pipe(range(5), flatMap((x: number) => {
    if (x === 3) throw new Error('no');
    return [x];
  }))), (e: unknown) => e instanceof OperatorError && e.operator === 'flatMap' && e.elementIndex === 3);
});

test('flatMap: a break and an inner error close the inner source and the outer one', async () => {
  const inners: ReturnType<typeof perElement<number>>[] = [];
  const outer = perElement([0, 1, 2]);
  for await (const x of pipe(outer, flatMap((i: number) => {
    const s = perElement([i * 10, i * 10 + 1, i * 10 + 2]);
    inners.push(s);
    return s;
  }))) if (x === 11) break;
  assert.equal(outer.closed, 1);
  assert.deepEqual(inners.map((s) => [s.opened, s.closed]), [[1, 1], [1, 1]]);
  const failing = perElement([1, 2, 3], 1);
  const outer2 = chunked([0, 1]);
  await assert.rejects(collect(pipe(outer2, flatMap(() => failing))), /source failed at 1/);
  assert.equal(failing.closed, 1);
  assert.equal(outer2.closed, 1);
});

test('unbatch: the tf.data doc example, typed arrays, objects, and what cannot be split', async () => {
  const ds = Dataset.from([[1, 2, 3], [1, 2], [1, 2, 3, 4]]).unbatch();
  assert.deepEqual(await ds.toArray(), [1, 2, 3, 1, 2, 1, 2, 3, 4]);
  assert.deepEqual(await Dataset.from([new Int32Array([4, 5]), new Int32Array([6])]).unbatch().toArray(), [4, 5, 6]);
  const rows = await Dataset.from([{ a: [1, 2], b: { c: new Float32Array([3, 4]) } }]).unbatch().toArray();
  assert.deepEqual(rows, [{ a: 1, b: { c: 3 } }, { a: 2, b: { c: 4 } }]);
  // Round trip with batch.
  assert.deepEqual(await Dataset.range(7).batch(3).unbatch().toArray(), [0, 1, 2, 3, 4, 5, 6]);
  await assert.rejects(Dataset.from([[1], 2 as never]).unbatch().toArray(),
    (e: unknown) => e instanceof OperatorError && e.elementIndex === 1 && /scalar/.test(e.message));
  await assert.rejects(Dataset.from([{ a: [1, 2], b: [3] }]).unbatch().toArray(), /\.a has 2, \.b has 1/);
});

test('window: the tf.data doc examples', async () => {
  const r7 = Dataset.range(7);
  assert.deepEqual(await r7.window(3).toArray(), [[0, 1, 2], [3, 4, 5], [6]]);
  assert.deepEqual(await r7.window(3, { dropRemainder: true }).toArray(), [[0, 1, 2], [3, 4, 5]]);
  assert.deepEqual(await r7.window(3, { shift: 2, stride: 1, dropRemainder: true }).toArray(), [[0, 1, 2], [2, 3, 4], [4, 5, 6]]);
  assert.deepEqual(await r7.window(3, { shift: 1, stride: 2, dropRemainder: true }).toArray(), [[0, 2, 4], [1, 3, 5], [2, 4, 6]]);
  const sliding = r7.window(3, { shift: 1, dropRemainder: true });
  assert.deepEqual(await sliding.toArray(), [[0, 1, 2], [1, 2, 3], [2, 3, 4], [3, 4, 5], [4, 5, 6]]);
  assert.equal(sliding.cardinality, 5);
  // "Flatten a dataset of windows": flat_map(lambda w: w.batch(3)) — a window already is the batch.
  assert.deepEqual(await sliding.flatMap((w) => Dataset.from(w).batch(3)).toArray(), await sliding.toArray());
  // A dict element gives a dict of windows, as tf.data's nested windows.
  const dicts = Dataset.from([1, 2, 3]).map((_, i) => ({ a: [1, 2, 3][i] as number, b: [4, 5, 6][i] as number, c: [7, 8, 9][i] as number }));
  assert.deepEqual(await dicts.window(2).toArray(), [{ a: [1, 2], b: [4, 5], c: [7, 8] }, { a: [3], b: [6], c: [9] }]);
  // Arrays are whole elements (tensors): a window of pairs is an array of pairs.
  const pairs = await Dataset.from([1, 2, 3, 4, 5]).zip([6, 7, 8, 9, 10]).window(2).toArray();
  assert.deepEqual(pairs, [[[1, 6], [2, 7]], [[3, 8], [4, 9]], [[5, 10]]]);
});

test('window: objects window component by component, nested objects too; a component missing is an error naming the element', async () => {
  const rows = [0, 1, 2, 3, 4].map((i) => ({ x: [i, i], meta: { id: i, tag: `t${i}` }, v: new Float32Array([i]) }));
  const out = await Dataset.from(rows).window(2, { shift: 1, stride: 2, dropRemainder: true }).toArray();
  assert.deepEqual(out, [0, 1, 2].map((k) => ({
    x: [[k, k], [k + 2, k + 2]],
    meta: { id: [k, k + 2], tag: [`t${k}`, `t${k + 2}`] },
    v: [new Float32Array([k]), new Float32Array([k + 2])],
  })));
  await assert.rejects(Dataset.from<Record<string, number>>([{ a: 1 }, { a: 2 }, { a: 3 }, { b: 4 }, { a: 5 }]).window(2).toArray(),
    (e: unknown) => e instanceof OperatorError && e.operator === 'window' && e.elementIndex === 3);
  await assert.rejects(collect(pipe(range(10), map((i: number) => (i < 9 ? { a: i } : { a: i, b: i })), window(3, { shift: 4 }))),
    (e: unknown) => e instanceof OperatorError && e.elementIndex === 9);
  await assert.rejects(collect(pipe(range(3000), map((i: number) => (i === 2500 ? { b: i } : { a: i })), window(4, { shift: 1 }))),
    (e: unknown) => e instanceof OperatorError && e.elementIndex === 2500);
});

test('window: partial tail windows, shift past the span, stride, and the cardinality tf.data reports', async () => {
  assert.deepEqual(await Dataset.range(5).window(3, { shift: 1 }).toArray(), [[0, 1, 2], [1, 2, 3], [2, 3, 4], [3, 4], [4]]);
  assert.deepEqual(await Dataset.range(10).window(2, { shift: 4 }).toArray(), [[0, 1], [4, 5], [8, 9]]);
  assert.deepEqual(await Dataset.range(9).window(2, { shift: 4 }).toArray(), [[0, 1], [4, 5], [8]]);
  assert.deepEqual(await Dataset.range(7).window(3, { shift: 1, stride: 2 }).toArray(),
    [[0, 2, 4], [1, 3, 5], [2, 4, 6], [3, 5], [4, 6], [5], [6]]);
  for (const n of [0, 1, 2, 5, 7, 9, 10, 23, 2500]) {
    for (const [size, o] of [[3, {}], [3, { shift: 1 }], [2, { shift: 4 }], [3, { shift: 2, stride: 3 }], [4, { shift: 3, stride: 2 }]] as const) {
      for (const dropRemainder of [false, true]) {
        const ds = Dataset.range(n).window(size, { ...o, dropRemainder });
        const got = await ds.toArray();
        assert.equal(got.length, ds.cardinality, `n=${n} size=${size} ${JSON.stringify(o)} drop=${dropRemainder}`);
        const shift = (o as { shift?: number }).shift ?? size;
        const stride = (o as { stride?: number }).stride ?? 1;
        got.forEach((w, k) => {
          const want = [];
          for (let i = 0; i < size && k * shift + i * stride < n; i++) want.push(k * shift + i * stride);
          assert.deepEqual(w, want);
        });
      }
    }
  }
  assert.equal(Dataset.range(3).repeat().window(2).cardinality, Infinity);
  assert.throws(() => window(0), InputError);
  assert.throws(() => window(2, { stride: 0 }), InputError);
});

test('window of objects: the columns match windowing the whole elements, whatever the key order, chunking, shift or stride', async () => {
  // Element i: nested components, keys in the first element's order except every 5th element.
  const rows = Array.from({ length: 57 }, (_, i) => (i % 5 === 4
    ? { meta: { tag: `t${i}`, id: i }, v: new Float32Array([i]), x: [i, -i] }
    : { x: [i, -i], meta: { id: i, tag: `t${i}` }, v: new Float32Array([i]) }));
  const byHand = (idx: number[]) => ({
    x: idx.map((i) => [i, -i]), meta: { id: idx, tag: idx.map((i) => `t${i}`) }, v: idx.map((i) => new Float32Array([i])),
  });
  for (const [size, o] of [[3, {}], [4, { shift: 1 }], [2, { shift: 7 }], [3, { shift: 2, stride: 3 }], [5, { shift: 11, stride: 2 }]] as const) {
    for (const sizes of [[1], [4, 9, 2], [64]]) {
      for (const dropRemainder of [false, true]) {
        const got = await collect(pipe(chunked(rows, sizes), window(size, { ...o, dropRemainder })));
        const shift = (o as { shift?: number }).shift ?? size;
        const stride = (o as { stride?: number }).stride ?? 1;
        const want = [];
        for (let start = 0; start < rows.length; start += shift) {
          const idx = [];
          for (let i = 0; i < size && start + i * stride < rows.length; i++) idx.push(start + i * stride);
          if (!dropRemainder || idx.length === size) want.push(byHand(idx));
        }
        assert.deepEqual(got, want, `size=${size} ${JSON.stringify(o)} chunks=${sizes} drop=${dropRemainder}`);
      }
    }
  }
  // An own "__proto__" component is windowed like any other (and never read as the prototype).
  const protoRows = [0, 1, 2].map((i) => JSON.parse(`{"__proto__": ${i}, "a": ${10 + i}}`) as Record<string, number>);
  const protoWindows = await collect(pipe(chunked(protoRows, [2]), window(2)));
  assert.deepEqual(protoWindows.map((w) => [Object.getOwnPropertyDescriptor(w, '__proto__')?.value, (w as Record<string, unknown>).a]), [[[0, 1], [10, 11]], [[2], [12]]]);
  assert.equal(Object.getPrototypeOf(protoWindows[0]), Object.prototype);
  // A nested component missing, or one too many, is named by the element, in either key order.
  const bad = (i: number) => (i === 6 ? { x: [i], meta: { id: i } } : i === 8 ? { meta: { id: i, tag: 'x', extra: 1 }, x: [i] } : { x: [i], meta: { id: i, tag: 'x' } });
  await assert.rejects(collect(pipe(chunked(Array.from({ length: 10 }, (_, i) => bad(i)), [4]), window(2))),
    (e: unknown) => e instanceof OperatorError && e.elementIndex === 6 && /component \.meta/.test(String(e.message)));
  await assert.rejects(collect(pipe(chunked(Array.from({ length: 10 }, (_, i) => (i === 6 ? { x: [i], meta: { id: i, tag: 'x' } } : bad(i))), [4]), window(2))),
    (e: unknown) => e instanceof OperatorError && e.elementIndex === 8);
});

test('scan, enumerate, takeWhile, unique, reduce: the tf.data doc examples', async () => {
  const sums = Dataset.range(10).scan(0, (state, i) => [state + i, state + i]);
  assert.deepEqual(await sums.toArray(), [0, 1, 3, 6, 10, 15, 21, 28, 36, 45]);
  assert.equal(sums.cardinality, 10);
  assert.deepEqual(await Dataset.from([1, 2, 3]).enumerate(5).toArray(), [[5, 1], [6, 2], [7, 3]]);
  assert.deepEqual(await Dataset.from([[7, 8], [9, 10]]).enumerate().toArray(), [[0, [7, 8]], [1, [9, 10]]]);
  assert.equal(Dataset.range(4).enumerate().cardinality, 4);
  assert.deepEqual(await Dataset.range(10).takeWhile((x) => x < 5).toArray(), [0, 1, 2, 3, 4]);
  const uniq = await Dataset.from([1, 37, 2, 37, 2, 1]).unique().toArray();
  assert.deepEqual([...uniq].sort((a, b) => a - b), [1, 2, 37]);
  assert.deepEqual(uniq, [1, 37, 2]); // first appearances, in order
  assert.equal(await Dataset.range(5).reduce(0, (x) => x + 1), 5);
  assert.equal(await Dataset.range(5).reduce(0, (x, y) => x + y), 10);
});

test('scan and reduce: async functions, errors naming the element; each epoch starts afresh', async () => {
  const ds = Dataset.range(4).scan(100, async (s, x) => [s - x, s]);
  assert.deepEqual(await ds.toArray(), [100, 100, 99, 97]);
  assert.deepEqual(await ds.toArray(), [100, 100, 99, 97]);
  await assert.rejects(collect(pipe(range(5), scan(0, (s: number, x: number) => {
    if (x === 2) throw new Error('x');
    return [s, x];
  }))), (e: unknown) => e instanceof OperatorError && e.operator === 'scan' && e.elementIndex === 2);
  assert.equal(await reduce(1, async (p: number, x: number) => p * (x + 1))(range(5)), 120);
  await assert.rejects(reduce(0, (s: number, x: number) => {
    if (x === 3) throw new Error('x');
    return s;
  })(range(5)), (e: unknown) => e instanceof OperatorError && e.operator === 'reduce' && e.elementIndex === 3);
  const src = perElement([1, 2, 3], 2);
  await assert.rejects(reduce(0, (s: number, x: number) => s + x)(src), /source failed/);
  assert.equal(src.closed, 1);
  assert.equal(await reduce(7, (s: number) => s + 1)([]), 7);
});

test('takeWhile stops pulling at the first failure; enumerate restarts per epoch', async () => {
  const src = perElement(Array.from({ length: 100 }, (_, i) => i));
  assert.deepEqual(await collect(pipe(src, takeWhile((x: number) => x !== 3))), [0, 1, 2]);
  assert.equal(src.pulled, 4);
  assert.equal(src.closed, 1);
  const ds = Dataset.from(['a', 'b']).pipe(enumerate<string>());
  assert.deepEqual(await ds.toArray(), [[0, 'a'], [1, 'b']]);
  assert.deepEqual(await ds.toArray(), [[0, 'a'], [1, 'b']]);
});

test('unique: by value, arrays and typed arrays by content', async () => {
  const values = [
    [1, 2], [1, 2], [2, 1], new Uint8Array([1, 2]), new Uint8Array([1, 2]), new Int8Array([1, 2]),
    { a: 1, b: [2] }, { b: [2], a: 1 }, 'x', 'x', NaN, NaN, 0, -0, null, null, 3n, 3n, '[1,2]',
  ];
  const out = await collect(pipe(values, unique()));
  assert.deepEqual(out, [[1, 2], [2, 1], new Uint8Array([1, 2]), new Int8Array([1, 2]), { a: 1, b: [2] }, 'x', NaN, 0, null, 3n, '[1,2]']);
});
