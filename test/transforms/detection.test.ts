import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InputError } from '../../src/core/errors.js';
import { encodeExample } from '../../src/io/example.js';
import { detectionBoxes, detectionFromSets, parseDetection, REFERENCE_ORDER, toDetectionExample } from '../../src/transforms/index.js';

type Arr = { dtype: string; shape: number[]; data: Uint8Array | BigInt64Array };

// Set k holds 4 frames with 0, 1, 2 and 3 persons (frame r filled with 10k + r); person p's
// polygon is a rotated quad whose corners span x k+p..k+p+4 (vertex order mixed), y p..p+6.
function tinySets(): Record<string, Record<string, Arr>> {
  const sets: Record<string, Record<string, Arr>> = {};
  REFERENCE_ORDER.forEach((name, k) => {
    const images = new Uint8Array(4 * 768);
    for (let r = 0; r < 4; r++) images.fill(10 * k + r, r * 768, (r + 1) * 768);
    const coordinates = new BigInt64Array(4 * 3 * 8);
    for (let r = 0; r < 4; r++) {
      for (let p = 0; p < r; p++) {
        const x = k + p;
        coordinates.set([x + 2, p, x + 4, p + 3, x + 2, p + 6, x, p + 3].map(BigInt), (r * 3 + p) * 8);
      }
    }
    sets[name] = {
      images: { dtype: 'uint8', shape: [4, 24, 32], data: images },
      filters: { dtype: 'uint8', shape: [4, 24, 32], data: new Uint8Array(4 * 768) },
      numbers: { dtype: 'int64', shape: [4], data: BigInt64Array.of(0n, 1n, 2n, 3n) },
      coordinates: { dtype: 'int64', shape: [4, 3, 8], data: coordinates },
    };
  });
  return sets;
}

test('detectionFromSets keeps every frame in reference order with one box per person', () => {
  const det = detectionFromSets(tinySets());
  assert.deepEqual(det.images.shape, [32, 24, 32]);
  assert.deepEqual(det.boxes.shape, [32, 3, 4]);
  assert.equal(det.boxes.dtype, 'float32');
  const images = det.images.data as Uint8Array;
  for (let k = 0; k < 8; k++) {
    for (let r = 0; r < 4; r++) {
      const row = k * 4 + r;
      assert.equal(images[row * 768 + 5], 10 * k + r);
      assert.equal((det.numbers.data as BigInt64Array)[row], BigInt(r));
      const boxes = Array.from(detectionBoxes(det, row));
      assert.deepEqual(boxes, Array.from({ length: r }, (_, p) => [k + p, p, k + p + 4, p + 6]).flat(), `row ${row}`);
    }
  }
  // Slots past the count stay zero.
  assert.deepEqual(Array.from((det.boxes.data as Float32Array).subarray(0, 12)), Array(12).fill(0));
});

test('detectionFromSets names the set and row of a count that does not fit the person slots', () => {
  const sets = tinySets();
  (sets.dataset2_vertical!.numbers!.data as BigInt64Array)[2] = 4n;
  assert.throws(() => detectionFromSets(sets), (e: unknown) => e instanceof InputError && /dataset2_vertical.*row 2.*'numbers' is 4/.test(e.message));
  const neg = tinySets();
  (neg.dataset1_origin!.numbers!.data as BigInt64Array)[0] = -1n;
  assert.throws(() => detectionFromSets(neg), /dataset1_origin.*row 0/);
  const missing = tinySets();
  delete missing.dataset1_vh;
  assert.throws(() => detectionFromSets(missing), /missing set dataset1_vh/);
});

test('toDetectionExample and parseDetection round-trip frames with 0 to 3 persons', () => {
  const image = Uint8Array.from({ length: 768 }, (_, i) => i % 256);
  for (let count = 0; count <= 3; count++) {
    const boxes = Array.from({ length: count * 4 }, (_, i) => i + 0.5);
    const sample = parseDetection(toDetectionExample({ image, boxes, count }));
    assert.equal(sample.count, count);
    assert.deepEqual(Array.from(sample.boxes), boxes);
    assert.equal(sample.image.length, 768);
    assert.equal(sample.image[255], 1);
    assert.equal(sample.image[0], 0);
  }
});

test('toDetectionExample and parseDetection refuse mismatched boxes and schemas', () => {
  const image = new Uint8Array(768);
  assert.throws(() => toDetectionExample({ image, boxes: [1, 2, 3], count: 1 }), /1 persons need 4 box values, got 3/);
  assert.throws(() => toDetectionExample({ image: new Uint8Array(10), boxes: [], count: 0 }), /768 bytes/);
  assert.throws(() => toDetectionExample({ image, boxes: [], count: -1 }), /count must be an integer/);
  const bad = encodeExample({ image: [image], boxes: Float32Array.of(1, 2, 3, 4), count: BigInt64Array.of(2n) });
  assert.throws(() => parseDetection(bad), (e: unknown) => e instanceof InputError && /'boxes': 4 values, but 'count' 2 needs 8/.test(e.message));
  const noCount = encodeExample({ image: [image], boxes: Float32Array.of() });
  assert.throws(() => parseDetection(noCount), /'count'.*required/);
  const shortImage = encodeExample({ image: [new Uint8Array(5)], boxes: Float32Array.of(), count: BigInt64Array.of(0n) });
  assert.throws(() => parseDetection(shortImage), /5 bytes cannot be reshaped/);
});
