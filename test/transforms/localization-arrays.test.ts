import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InputError } from '../../src/core/errors.js';
import { localizationFromSets, REFERENCE_ORDER } from '../../src/transforms/index.js';

type Arr = { dtype: string; shape: number[]; data: Uint8Array | BigInt64Array };

// Set k has two frames filled with 10k and 10k+1; numbers alternate so that each set keeps one
// row, and the kept row's first polygon is (k, 1)-(k+2, 5) and a second polygon far away.
function tinySets(): Record<string, Record<string, Arr>> {
  const sets: Record<string, Record<string, Arr>> = {};
  REFERENCE_ORDER.forEach((name, k) => {
    const images = new Uint8Array(2 * 768);
    images.fill(10 * k, 0, 768);
    images.fill(10 * k + 1, 768);
    const keep = k % 2; // which of the two rows has numbers == 1
    const numbers = keep === 0 ? BigInt64Array.of(1n, 2n) : BigInt64Array.of(0n, 1n);
    const coordinates = new BigInt64Array(2 * 2 * 8);
    const poly = [k, 1, k + 2, 1, k + 2, 5, k, 5].map(BigInt);
    coordinates.set(poly, keep * 16);
    coordinates.set([20n, 20n, 25n, 20n, 25n, 22n, 20n, 22n], keep * 16 + 8);
    sets[name] = {
      images: { dtype: 'uint8', shape: [2, 24, 32], data: images },
      filters: { dtype: 'uint8', shape: [2, 24, 32], data: new Uint8Array(2 * 768) },
      numbers: { dtype: 'int64', shape: [2], data: numbers },
      coordinates: { dtype: 'int64', shape: [2, 2, 8], data: coordinates },
    };
  });
  return sets;
}

test('localizationFromSets keeps one-person rows in reference order with first-polygon boxes', () => {
  const loc = localizationFromSets(tinySets());
  assert.deepEqual(loc.images.shape, [8, 24, 32]);
  assert.deepEqual(loc.numbers.shape, [8]);
  assert.deepEqual(loc.coordinates.shape, [8, 4]);
  assert.equal(loc.coordinates.dtype, 'int64');
  assert.deepEqual(Array.from(loc.numbers.data as BigInt64Array), Array(8).fill(1n));
  const images = loc.images.data as Uint8Array;
  for (let k = 0; k < 8; k++) {
    assert.equal(images[k * 768], 10 * k + (k % 2), `frame ${k}`);
    assert.equal(images[k * 768 + 767], 10 * k + (k % 2));
    assert.deepEqual(Array.from(loc.coordinates.data.subarray(k * 4, k * 4 + 4) as BigInt64Array), [k, 1, k + 2, 5].map(BigInt));
  }
});

test('localizationFromSets names the set and key of bad input', () => {
  const check = (mutate: (s: Record<string, Record<string, Arr>>) => void, pattern: RegExp): void => {
    const sets = tinySets();
    mutate(sets);
    assert.throws(() => localizationFromSets(sets), (e: unknown) => e instanceof InputError && pattern.test(e.message), String(pattern));
  };
  check((s) => delete s.dataset1_vh, /missing set dataset1_vh/);
  check((s) => delete s.dataset2_origin!.numbers, /dataset2_origin: missing key 'numbers'/);
  check((s) => (s.dataset1_origin!.images = { dtype: 'int64', shape: [2, 24, 32], data: new BigInt64Array(1536) }), /'images' must be uint8/);
  check((s) => (s.dataset1_origin!.images!.shape = [2, 32, 24]), /\(N, 24, 32\), got \(2, 32, 24\)/);
  check((s) => (s.dataset1_vertical!.numbers = { dtype: 'int64', shape: [3], data: new BigInt64Array(3) }), /'numbers' must have shape \(2,\)/);
  check((s) => (s.dataset2_vh!.coordinates!.shape = [2, 4, 4]), /'coordinates' must have shape \(2, P, 8\)/);
  check((s) => (s.dataset2_vh!.coordinates!.dtype = 'float32'), /'coordinates' must be an integer array/);
});
