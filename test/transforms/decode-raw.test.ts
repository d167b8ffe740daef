import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InputError } from '../../src/core/errors.js';
import { decodeRaw } from '../../src/transforms/index.js';

test('decodeRaw uint8 is a zero-copy view with the given shape', () => {
  const bytes = Uint8Array.from({ length: 768 }, (_, i) => i & 255);
  const r = decodeRaw(bytes, [24, 32, 1]);
  assert.equal(r.dtype, 'uint8');
  assert.deepEqual(r.shape, [24, 32, 1]);
  assert.equal(r.data.buffer, bytes.buffer);
  assert.equal(r.data[300], 300 & 255);
  assert.deepEqual(decodeRaw(bytes, [-1, 32]).shape, [24, 32]);
});

test('decodeRaw reads little-endian wider types, aligned or not (values from numpy)', () => {
  const i32 = decodeRaw(Uint8Array.of(1, 0, 0, 0, 255, 255, 255, 255), [2], 'int32');
  assert.deepEqual(Array.from(i32.data as Int32Array), [1, -1]);
  const f32 = decodeRaw(Uint8Array.of(0, 0, 128, 63, 0, 0, 0, 192), [2, 1], 'float32');
  assert.deepEqual(Array.from(f32.data as Float32Array), [1, -2]);
  // misaligned: a view starting at byte 1
  const raw = Uint8Array.of(9, 1, 2, 3, 4, 5, 6, 7, 8);
  const i64 = decodeRaw(raw.subarray(1), [1], 'int64');
  assert.deepEqual(Array.from(i64.data as BigInt64Array), [578437695752307201n]);
});

test('decodeRaw rejects sizes that do not fit the shape or dtype', () => {
  assert.throws(() => decodeRaw(new Uint8Array(767), [24, 32, 1]), (e: unknown) => e instanceof InputError && /767 values/.test(e.message));
  assert.throws(() => decodeRaw(new Uint8Array(6), [1], 'float32'), /not a whole number of float32/);
  assert.throws(() => decodeRaw(new Uint8Array(8), [-1, -1]), /more than one -1/);
  assert.throws(() => decodeRaw(new Uint8Array(8), [3, -1]), InputError);
  assert.throws(() => decodeRaw(new Uint8Array(8), [8], 'complex64' as never), /unsupported dtype/);
  assert.throws(() => decodeRaw([1, 2] as never, [2]), /Uint8Array/);
});
