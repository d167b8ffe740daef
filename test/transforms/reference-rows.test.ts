import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InputError } from '../../src/core/errors.js';
import { concatSets, filterCount, polygonToBox, polygonBox, rowsWithCount, REFERENCE_ORDER } from '../../src/transforms/index.js';

const frame = (fill: number): Uint8Array => new Uint8Array(768).fill(fill);

test('REFERENCE_ORDER is origins first, then each flip, dataset1 before dataset2', () => {
  assert.deepEqual([...REFERENCE_ORDER], [
    'dataset1_origin', 'dataset2_origin', 'dataset1_horizon', 'dataset2_horizon',
    'dataset1_vertical', 'dataset2_vertical', 'dataset1_vh', 'dataset2_vh',
  ]);
});

test('concatSets stacks every key along axis 0 in the reference order', () => {
  const sets: Record<string, Record<string, { dtype: string; shape: number[]; data: Uint8Array | BigInt64Array }>> = {};
  REFERENCE_ORDER.forEach((name, k) => {
    const rows = (k % 3) + 1; // 1, 2 or 3 rows per set
    sets[name] = {
      numbers: { dtype: 'int64', shape: [rows], data: BigInt64Array.from({ length: rows }, (_, i) => BigInt(k * 10 + i)) },
      tags: { dtype: 'uint8', shape: [rows, 2], data: Uint8Array.from({ length: rows * 2 }, () => k) },
    };
  });
  const out = concatSets(sets);
  const expectedNumbers = REFERENCE_ORDER.flatMap((_, k) => Array.from({ length: (k % 3) + 1 }, (_, i) => BigInt(k * 10 + i)));
  assert.deepEqual(out.numbers!.shape, [expectedNumbers.length]);
  assert.deepEqual(Array.from(out.numbers!.data as BigInt64Array), expectedNumbers);
  assert.equal(out.numbers!.dtype, 'int64');
  assert.deepEqual(out.tags!.shape, [expectedNumbers.length, 2]);
  assert.deepEqual(Array.from(out.tags!.data.subarray(0, 8) as Uint8Array), [0, 0, 1, 1, 1, 1, 2, 2]);
  // keys restricts what is concatenated
  assert.deepEqual(Object.keys(concatSets(sets, { keys: ['numbers'] })), ['numbers']);
});

test('concatSets rejects missing sets, missing keys, dtype and shape mismatches with InputError', () => {
  const ok = { images: { dtype: 'uint8', shape: [1, 24, 32], data: frame(1) } };
  const all = Object.fromEntries(REFERENCE_ORDER.map((n) => [n, ok]));
  const { dataset2_vh: _dropped, ...missing } = all;
  assert.throws(() => concatSets(missing), (e: unknown) => e instanceof InputError && /missing set dataset2_vh/.test(e.message));
  assert.throws(() => concatSets({ ...all, dataset1_vh: {} }), (e: unknown) => e instanceof InputError && /dataset1_vh has no key 'images'/.test(e.message));
  assert.throws(
    () => concatSets({ ...all, dataset1_vh: { images: { dtype: 'int64', shape: [1, 24, 32], data: new BigInt64Array(768) } } }),
    (e: unknown) => e instanceof InputError && /dtype int64/.test(e.message),
  );
  assert.throws(
    () => concatSets({ ...all, dataset2_origin: { images: { dtype: 'uint8', shape: [1, 32, 24], data: frame(1) } } }),
    (e: unknown) => e instanceof InputError && /\(1, 32, 24\)/.test(e.message),
  );
});

test('filterCount keeps rows whose numbers equals n (bigint or number)', () => {
  const one = filterCount(1);
  assert.equal(one({ numbers: BigInt64Array.of(1n) }), true);
  assert.equal(one({ numbers: BigInt64Array.of(2n) }), false);
  assert.equal(one({ numbers: BigInt64Array.of(0n) }), false);
  assert.equal(filterCount(0)({ numbers: Int32Array.of(0) }), true);
  assert.deepEqual(rowsWithCount(BigInt64Array.of(1n, 0n, 1n, 3n, 1n), 1), [0, 2, 4]);
  assert.throws(() => filterCount(-1), InputError);
  assert.throws(() => one({ numbers: new BigInt64Array(0) }), InputError);
  assert.throws(() => one({} as never), InputError);
});

test('polygonToBox takes min/max of the first polygon only', () => {
  const image = frame(7);
  // person 0: (5,2) (9,3) (8,11) (4,10); person 1 far away must be ignored
  const coordinates = BigInt64Array.of(5n, 2n, 9n, 3n, 8n, 11n, 4n, 10n, 30n, 20n, 31n, 20n, 31n, 23n, 30n, 23n, 0n, 0n, 0n, 0n, 0n, 0n, 0n, 0n);
  const out = polygonToBox({ images: image, coordinates });
  assert.deepEqual(Array.from(out.box), [4, 2, 9, 11]);
  assert.ok(out.box instanceof Int32Array);
  assert.equal(out.image, image, 'the image view is passed through');
  assert.deepEqual(Array.from(polygonBox([3, 3, 3, 3, 3, 3, 3, 3])), [3, 3, 3, 3]);
});

test('polygonToBox rejects wrong image lengths, dtypes and coordinate counts', () => {
  const coordinates = new BigInt64Array(24);
  assert.throws(() => polygonToBox({ images: new Uint8Array(767), coordinates }), /768 bytes/);
  assert.throws(() => polygonToBox({ images: new Float32Array(768) as never, coordinates }), /Uint8Array/);
  assert.throws(() => polygonToBox({ images: frame(0), coordinates: new BigInt64Array(7) }), (e: unknown) => e instanceof InputError);
  assert.throws(() => polygonToBox({ images: frame(0) } as never), /coordinates/);
});
