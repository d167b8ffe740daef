import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { InputError } from '../../src/core/errors.js';
import { encodeExample } from '../../src/io/example.js';
import { parseLocalization } from '../../src/transforms/index.js';

const golden = JSON.parse(readFileSync(new URL('./fixtures/reference-examples.json', import.meta.url), 'utf8')) as {
  cases: { image_hex: string; xywh: number[]; example_hex: string }[];
};
const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'hex'));

test('parseLocalization: image bytes / 255 in float32 (HWC order) and label [x, y, w, h]', () => {
  for (const c of golden.cases) {
    const { image, label } = parseLocalization(hex(c.example_hex));
    const raw = hex(c.image_hex);
    assert.ok(image instanceof Float32Array && label instanceof Float32Array);
    assert.equal(image.length, 768);
    // [24, 32, 1] in C order is the raw (24, 32) byte order: element (r, c, 0) is raw[r * 32 + c]
    for (const i of [0, 1, 31, 32, 33, 400, 767]) assert.equal(image[i], Math.fround(raw[i]! / 255), `pixel ${i}`);
    assert.deepEqual(Array.from(label), c.xywh);
  }
});

test('parseLocalization rejects records that do not match the schema', () => {
  const good = { image: [new Uint8Array(768)], x: [0.5], y: [0.5], w: [0.25], h: [0.25] };
  const bad = (features: Record<string, unknown>, pattern: RegExp): void =>
    assert.throws(() => parseLocalization(encodeExample(features as never)), (e: unknown) => e instanceof InputError && pattern.test(e.message), String(pattern));
  const { y: _y, ...noY } = good;
  bad(noY, /'y'.*required/);
  bad({ ...good, image: [new Uint8Array(100)] }, /100 bytes cannot be reshaped to \[24, 32, 1\]/);
  bad({ ...good, h: [1n] }, /'h'.*don't match/);
  bad({ ...good, x: [1, 2] }, /'x'/);
  assert.throws(() => parseLocalization(Uint8Array.of(0xff, 0xff, 0xff)), InputError);
  assert.throws(() => parseLocalization(null as never), InputError);
});
