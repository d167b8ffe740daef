import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InputError } from '../../src/core/errors.js';
import { splitTrainVal, trainCountOf } from '../../src/transforms/index.js';

test('train count is floor(n * 0.7) in float64, as Python int(n * 0.7)', () => {
  // expected values printed by Python: int(360*0.7), int(2588*0.7), ...
  assert.equal(trainCountOf(360), 251);
  assert.equal(trainCountOf(2588), 1811);
  assert.equal(trainCountOf(10), 7);
  assert.equal(trainCountOf(1000), 700);
  assert.equal(trainCountOf(3), 2);
  assert.equal(trainCountOf(361), 252);
  assert.equal(trainCountOf(257), 179);
  const s = splitTrainVal(360, { seed: 1 });
  assert.equal(s.trainCount, 251);
  assert.equal(s.train.length, 251);
  assert.equal(s.val.length, 109);
});

test('the seeded split is a permutation, deterministic per seed, different across seeds', () => {
  const a = splitTrainVal(2588, { seed: 42 });
  const b = splitTrainVal(2588, { seed: 42 });
  const c = splitTrainVal(2588, { seed: 43 });
  assert.deepEqual(a, b);
  assert.notDeepEqual(a.permutation, c.permutation);
  assert.deepEqual([...a.permutation].sort((x, y) => x - y), Array.from({ length: 2588 }, (_, i) => i));
  assert.deepEqual([...a.train, ...a.val], a.permutation);
  assert.notDeepEqual(a.permutation.slice(0, 20), Array.from({ length: 20 }, (_, i) => i));
});

test('a given permutation reproduces a split exactly; bad ones are InputErrors', () => {
  const s = splitTrainVal(5, { permutation: [4, 2, 0, 1, 3] });
  assert.deepEqual(s, { train: [4, 2, 0], val: [1, 3], permutation: [4, 2, 0, 1, 3], trainCount: 3 });
  assert.deepEqual(splitTrainVal(5, { permutation: [4, 2, 0, 1, 3], trainCount: 1 }).val, [2, 0, 1, 3]);
  assert.throws(() => splitTrainVal(5, { permutation: [0, 1, 2, 3] }), /4 indices, expected 5/);
  assert.throws(() => splitTrainVal(3, { permutation: [0, 0, 1] }), /repeats index 0/);
  assert.throws(() => splitTrainVal(3, { permutation: [0, 1, 3] }), /not a row index/);
  assert.throws(() => splitTrainVal(3, { ratio: 1.5 }), InputError);
  assert.throws(() => splitTrainVal(-1), InputError);
});

test('the seeded permutation is close to uniform (chi-square over first positions)', () => {
  // 4000 shuffles of 8 items: counts of which item lands first; df = 7, p = 0.001 bound ≈ 24.3
  const n = 8;
  const trials = 4000;
  const counts = new Array<number>(n).fill(0);
  for (let t = 0; t < trials; t++) counts[splitTrainVal(n, { seed: t }).permutation[0]!]!++;
  const expected = trials / n;
  const chi2 = counts.reduce((s, c) => s + (c - expected) ** 2 / expected, 0);
  assert.ok(chi2 < 24.3, `chi-square ${chi2.toFixed(2)} for counts ${counts.join(',')}`);
});
