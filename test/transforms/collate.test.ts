import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InputError } from '../../src/core/errors.js';
import { collate } from '../../src/transforms/index.js';

test('collate packs image and label into one Float32Array each, batch first', () => {
  const batch = [0, 1, 2].map((k) => ({
    image: Float32Array.from({ length: 768 }, (_, i) => k + i / 1000),
    label: Float32Array.of(k, k + 0.5, 0.25, 0.125),
  }));
  const out = collate(batch);
  assert.deepEqual(out.image!.shape, [3, 24, 32, 1]);
  assert.deepEqual(out.label!.shape, [3, 4]);
  assert.equal(out.image!.data.length, 3 * 768);
  assert.equal(out.image!.data[768 * 2 + 5], Math.fround(2 + 5 / 1000));
  assert.deepEqual(Array.from(out.label!.data), [0, 0.5, 0.25, 0.125, 1, 1.5, 0.25, 0.125, 2, 2.5, 0.25, 0.125]);
});

test('collate handles numbers, bigint arrays and explicit shapes', () => {
  const out = collate(
    [
      { x: 0.5, ids: BigInt64Array.of(1n, 2n), m: Uint8Array.of(1, 2, 3, 4, 5, 6) },
      { x: 0.25, ids: BigInt64Array.of(3n, 4n), m: Uint8Array.of(7, 8, 9, 10, 11, 12) },
    ],
    { m: [2, 3] },
  );
  assert.deepEqual(out.x, { data: Float32Array.of(0.5, 0.25), shape: [2] });
  assert.deepEqual(out.ids, { data: Float32Array.of(1, 2, 3, 4), shape: [2, 2] });
  assert.deepEqual(out.m!.shape, [2, 2, 3]);
  assert.equal(out.m!.data[11], 12);
});

test('collate rejects empty batches, ragged and missing fields, and wrong shapes', () => {
  assert.throws(() => collate([]), InputError);
  assert.throws(() => collate([{ a: Float32Array.of(1, 2) }, { a: Float32Array.of(1) }]), /element 1 is Float32Array of length 1/);
  assert.throws(() => collate([{ a: Float32Array.of(1) }, { b: Float32Array.of(1) }]), /element 1 has no field 'a'/);
  assert.throws(() => collate([{ a: Float32Array.of(1, 2) }], { a: [3] }), /needs 3/);
  assert.throws(() => collate([{ a: 'x' as never }]), /expected a typed array or number/);
});
