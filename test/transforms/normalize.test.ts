import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InputError } from '../../src/core/errors.js';
import { boxToXywh, bytesToUnitFloat, normalize } from '../../src/transforms/index.js';

test('boxToXywh: centre and size over 32 and 24, rounded to float32 (values from numpy)', () => {
  // [3, 4, 10, 16]: xc = 6.5, yc = 10, w = 7, h = 12
  const r = boxToXywh(Int32Array.of(3, 4, 10, 16));
  assert.equal(r.x, 0.203125);
  assert.equal(r.y, 0.4166666567325592); // np.float32(10/24)
  assert.equal(r.w, 0.21875);
  assert.equal(r.h, 0.5);
  // odd sums: xc = 7.5 → 7.5/24 in y direction for the second check
  const s = boxToXywh([0, 7, 1, 8]);
  assert.equal(s.y, 0.3125); // (7+8)/2/24
  assert.equal(s.x, 0.015625);
  assert.equal(s.w, 0.03125);
  assert.equal(s.h, Math.fround(1 / 24));
  assert.throws(() => boxToXywh([1, 2, 3]), InputError);
});

test('normalize divides pixels by 255 in float32 and adds x, y, w, h', () => {
  const image = new Uint8Array(768);
  image[0] = 255;
  image[1] = 1;
  image[2] = 128;
  const out = normalize({ image, box: Int32Array.of(3, 4, 10, 16) });
  assert.ok(out.image instanceof Float32Array);
  assert.equal(out.image.length, 768);
  assert.equal(out.image[0], 1);
  assert.equal(out.image[1], 0.003921568859368563); // np.float32(1/255)
  assert.equal(out.image[2], 0.501960813999176); // np.float32(128/255)
  assert.equal(out.image[3], 0);
  assert.equal(out.x, 0.203125);
  assert.equal(out.h, 0.5);
});

test('bytesToUnitFloat matches Math.fround(v / 255) for every byte value', () => {
  const all = Uint8Array.from({ length: 256 }, (_, i) => i);
  const f = bytesToUnitFloat(all);
  for (let v = 0; v < 256; v++) assert.equal(f[v], Math.fround(v / 255));
  assert.throws(() => bytesToUnitFloat(all, new Float32Array(3)), InputError);
});

test('normalize rejects a wrong image', () => {
  assert.throws(() => normalize({ image: new Uint8Array(10), box: Int32Array.of(0, 0, 1, 1) }), /768 bytes/);
  assert.throws(() => normalize({ image: new Float32Array(768) as never, box: Int32Array.of(0, 0, 1, 1) }), InputError);
});
