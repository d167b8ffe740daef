// sample_from_datasets, choose_from_datasets and rejection_resample: tf.data's documented
// examples, the stop-on-empty rules, and the distributions (seeded, so every run draws the same).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  chooseFromDatasets, Dataset, InputError, OperatorError, pipe, Random, rejectionResample, sampleFromDatasets,
} from '../../src/index.js';
import { collect, perElement } from './helpers.js';

const frequencies = (xs: readonly number[], k: number): number[] => {
  const f = new Array<number>(k).fill(0);
  for (const x of xs) f[x] = (f[x] as number) + 1;
  return f.map((n) => n / xs.length);
};

test('sampleFromDatasets: the tf.data doc example keeps every element once, each input in order', async () => {
  const ds = Dataset.sampleFromDatasets([Dataset.range(0, 3), Dataset.range(100, 103)], { weights: [0.5, 0.5], seed: 42 });
  const out = await ds.toArray();
  assert.deepEqual([...out].sort((a, b) => a - b), [0, 1, 2, 100, 101, 102]);
  assert.deepEqual(out.filter((x) => x < 100), [0, 1, 2]);
  assert.deepEqual(out.filter((x) => x >= 100), [100, 101, 102]);
  assert.equal(ds.cardinality, 6);
  assert.deepEqual(await ds.toArray(), out); // a seed fixes the draws, epoch after epoch (tf.data's default)
  const re = Dataset.sampleFromDatasets([Dataset.range(0, 50), Dataset.range(100, 150)], { seed: 42, rerandomizeEachIteration: true });
  const [a, b] = [await re.toArray(), await re.toArray()];
  assert.notDeepEqual(a, b);
  const again = Dataset.sampleFromDatasets([Dataset.range(0, 50), Dataset.range(100, 150)], { seed: 42, rerandomizeEachIteration: true });
  assert.deepEqual(await again.toArray(), a);
});

test('sampleFromDatasets: weights hold within 0.02 over 20,000 draws; weight 0 is never opened', async () => {
  const never = perElement([9, 9, 9]);
  const inputs = [0, 1, 2].map((k) => Dataset.from(new Array<number>(20_000).fill(k)));
  const ds = Dataset.sampleFromDatasets([...inputs, never as AsyncIterable<number>], { weights: [0.5, 0.3, 0.2, 0], seed: 7 }).take(20_000);
  const f = frequencies(await ds.toArray(), 3);
  [0.5, 0.3, 0.2].forEach((w, k) => assert.ok(Math.abs((f[k] as number) - w) < 0.02, `input ${k}: ${f[k]} vs ${w}`));
  assert.equal(never.opened, 0);
  assert.equal(ds.cardinality, 20_000);
  // Unnormalised weights mean the same; no weights means uniform.
  const g = frequencies(await Dataset.sampleFromDatasets(inputs, { weights: [5, 3, 2], seed: 8 }).take(20_000).toArray(), 3);
  [0.5, 0.3, 0.2].forEach((w, k) => assert.ok(Math.abs((g[k] as number) - w) < 0.02));
  const u = frequencies(await Dataset.sampleFromDatasets(inputs, { seed: 9 }).take(20_000).toArray(), 3);
  u.forEach((p) => assert.ok(Math.abs(p - 1 / 3) < 0.02));
});

test('sampleFromDatasets: an input that runs out is dropped and the rest renormalised, or ends the output', async () => {
  const short = () => Dataset.from(new Array<number>(100).fill(0));
  const rest = [1, 2].map((k) => Dataset.from(new Array<number>(20_300).fill(k)));
  const out = await Dataset.sampleFromDatasets([short(), ...rest], { weights: [0.5, 0.3, 0.2], seed: 3 }).take(20_300).toArray();
  assert.equal(out.filter((x) => x === 0).length, 100);
  const tail = out.slice(out.lastIndexOf(0) + 1);
  const f = frequencies(tail, 3);
  assert.ok(Math.abs((f[1] as number) - 0.6) < 0.02 && Math.abs((f[2] as number) - 0.4) < 0.02, `after the end: ${f}`);
  // Finite inputs: everything comes out.
  const all = await Dataset.sampleFromDatasets([short(), Dataset.range(1, 1001)], { seed: 4 }).toArray();
  assert.equal(all.length, 1100);
  // stopOnEmptyDataset: the output ends at the first draw of the exhausted input.
  const stopped = await Dataset.sampleFromDatasets([short(), Dataset.range(1, 1001)], { seed: 4, stopOnEmptyDataset: true }).toArray();
  assert.equal(stopped.filter((x) => x === 0).length, 100);
  assert.ok(stopped.length < 1100 && stopped.length >= 100);
  assert.equal(Dataset.sampleFromDatasets([short(), Dataset.range(5)], { stopOnEmptyDataset: true }).cardinality, undefined);
  assert.deepEqual(await Dataset.sampleFromDatasets([Dataset.range(3)], { weights: [0] }).toArray(), []);
});

test('sampleFromDatasets: weights from a source, one vector per draw; bad weights are refused', async () => {
  const weights = Dataset.from([[1, 0], [0, 1], [0, 1], [1, 0]]);
  assert.deepEqual(await Dataset.sampleFromDatasets([Dataset.range(10), Dataset.range(100, 110)], { weights, seed: 1 }).toArray(), [0, 100, 101, 1]);
  assert.throws(() => sampleFromDatasets([[1]], { weights: [1, 2] }), InputError);
  assert.throws(() => sampleFromDatasets([[1], [2]], { weights: [1, -2] }), InputError);
  assert.throws(() => sampleFromDatasets([]), InputError);
  await assert.rejects(collect(sampleFromDatasets([[1], [2]], { weights: [[1, 1], [1]], seed: 1 })),
    (e: unknown) => e instanceof OperatorError && e.elementIndex === 1);
});

test('chooseFromDatasets: the tf.data doc example; exhausted inputs and out-of-range choices', async () => {
  const words = ['foo', 'bar', 'baz'].map((w) => Dataset.from([w]).repeat());
  const ds = Dataset.chooseFromDatasets(words, Dataset.range(3).repeat(3));
  assert.deepEqual(await ds.toArray(), ['foo', 'bar', 'baz', 'foo', 'bar', 'baz', 'foo', 'bar', 'baz']);
  assert.equal(ds.cardinality, 9);
  const inputs = () => [Dataset.from(['a', 'b']), Dataset.from(['x'])];
  // Default: stop when a chosen input has run out.
  assert.deepEqual(await Dataset.chooseFromDatasets(inputs(), [0, 1, 1, 0, 0]).toArray(), ['a', 'x']);
  // stopOnEmptyDataset false: the choice is skipped; the output ends once every input ran out.
  assert.deepEqual(await Dataset.chooseFromDatasets(inputs(), [0, 1, 1, 0, 0], { stopOnEmptyDataset: false }).toArray(), ['a', 'x', 'b']);
  assert.deepEqual(await Dataset.chooseFromDatasets(inputs(), Dataset.range(2).repeat(), { stopOnEmptyDataset: false }).toArray(), ['a', 'x', 'b']);
  await assert.rejects(Dataset.chooseFromDatasets(inputs(), [0, 2]).toArray(),
    (e: unknown) => e instanceof OperatorError && e.operator === 'chooseFromDatasets' && e.elementIndex === 1 && /not an index in \[0, 2\)/.test(e.message));
  await assert.rejects(collect(pipe([0.5], chooseFromDatasets([[1]]))), OperatorError);
  const a = perElement([1, 2, 3]);
  const b = perElement([4]);
  for await (const _ of pipe([0, 1, 0], chooseFromDatasets<number>([a, b]))) break;
  assert.deepEqual([a.opened, a.closed, b.opened, b.closed], [1, 1, 0, 0]);
});

/** Labels 0..k-1 drawn with the given probabilities (seeded). */
function labels(n: number, probs: readonly number[], seed: number): number[] {
  const rng = new Random(seed);
  return Array.from({ length: n }, () => {
    let u = rng.next();
    for (let k = 0; k < probs.length; k++) if ((u -= probs[k] as number) < 0) return k;
    return probs.length - 1;
  });
}

test('rejectionResample: the tf.data doc example reaches the target within 0.05', async () => {
  const elems = labels(20_000, [0.6, 0.4], 11);
  const initial = frequencies(elems, 2);
  assert.ok(Math.abs((initial[0] as number) - 0.6) < 0.02);
  for (const options of [{ initialDist: [0.6, 0.4], seed: 1 }, { seed: 2 }]) {
    const out = await Dataset.from(elems).rejectionResample((x) => x, [0.5, 0.5], options).toArray();
    for (const [c, x] of out) assert.equal(c, x);
    const f = frequencies(out.map(([, x]) => x), 2);
    assert.ok(Math.abs((f[0] as number) - 0.5) < 0.05, `${JSON.stringify(options)}: ${f}`);
    assert.ok(out.length > 10_000, `${out.length} elements`);
  }
});

test('rejectionResample: three classes, estimated or given; elements repeat; seeded runs repeat', async () => {
  const elems = labels(30_000, [0.7, 0.2, 0.1], 12).map((c, i) => ({ c, i }));
  for (const options of [{ initialDist: [0.7, 0.2, 0.1], seed: 5 }, { seed: 6 }]) {
    const ds = Dataset.from(elems).rejectionResample((e) => e.c, [1 / 3, 1 / 3, 1 / 3], options);
    const out = await ds.toArray();
    const f = frequencies(out.map(([c]) => c), 3);
    f.forEach((p) => assert.ok(Math.abs(p - 1 / 3) < 0.05, `${JSON.stringify(options)}: ${f}`));
    const ids = new Set(out.map(([, e]) => e.i));
    assert.ok(ids.size < out.length, 'the two passes give some elements twice');
    assert.deepEqual((await ds.toArray()).slice(0, 50), out.slice(0, 50));
  }
  // Target equal to the initial distribution: the input as it is.
  const sameDs = Dataset.from([0, 1, 1]).rejectionResample((x) => x, [1 / 3, 2 / 3], { initialDist: [1 / 3, 2 / 3] });
  assert.deepEqual(await sameDs.toArray(), [[0, 0], [1, 1], [1, 1]]);
  assert.equal(sameDs.cardinality, 3); // tf.data maps the input then: its cardinality stays
  assert.equal(Dataset.from([0, 1, 1]).rejectionResample((x) => x, [0.5, 0.5], { initialDist: [1 / 3, 2 / 3] }).cardinality, undefined);
  // A class of target 0 never comes out.
  const none = await Dataset.from(labels(2000, [0.5, 0.5], 3)).rejectionResample((x) => x, [0, 1], { initialDist: [0.5, 0.5], seed: 3 }).toArray();
  assert.ok(none.length > 0 && none.every(([c]) => c === 1));
});

test('rejectionResample: bad distributions and classes are refused; every pass is closed', async () => {
  assert.throws(() => rejectionResample((x: number) => x, [0.5, 0.6]), InputError);
  assert.throws(() => rejectionResample((x: number) => x, [0.5, 0.5], { initialDist: [1] }), InputError);
  await assert.rejects(Dataset.from([0, 1, 2]).rejectionResample((x) => x, [0.5, 0.5], { seed: 1 }).toArray(),
    (e: unknown) => e instanceof OperatorError && e.operator === 'rejectionResample' && e.elementIndex === 2);
  const src = perElement(labels(500, [0.8, 0.2], 4));
  let n = 0;
  for await (const _ of pipe(src, rejectionResample((x: number) => x, [0.5, 0.5], { seed: 1 }))) if (++n === 10) break;
  assert.ok(src.opened >= 2);
  assert.equal(src.closed, src.opened);
});
