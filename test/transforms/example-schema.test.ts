import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { InputError } from '../../src/core/errors.js';
import { encodeExample } from '../../src/io/example.js';
import { boxToXywh, fromExample, toExample } from '../../src/transforms/index.js';

interface GoldenCase {
  box: number[];
  image_hex: string;
  xywh: number[];
  example_hex: string;
}
// Produced by numpy + python protobuf (fixtures/make_reference_examples.py), not by recordflow.
const golden = JSON.parse(readFileSync(new URL('./fixtures/reference-examples.json', import.meta.url), 'utf8')) as { cases: GoldenCase[] };
const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'hex'));

test('toExample writes byte-identical reference Examples to python protobuf', () => {
  assert.equal(golden.cases.length, 5);
  for (const c of golden.cases) {
    const image = hex(c.image_hex);
    assert.deepEqual(Object.values(boxToXywh(c.box)), c.xywh, `xywh of box ${c.box}`);
    assert.deepEqual(toExample({ image, box: Int32Array.from(c.box) }), hex(c.example_hex), `box ${c.box}`);
    const [x, y, w, h] = c.xywh as [number, number, number, number];
    assert.deepEqual(toExample({ image, x, y, w, h }), hex(c.example_hex));
  }
});

test('fromExample reads the python-written Examples back', () => {
  for (const c of golden.cases) {
    const r = fromExample(hex(c.example_hex));
    assert.deepEqual(r.image, hex(c.image_hex));
    assert.deepEqual([r.x, r.y, r.w, r.h], c.xywh);
  }
});

test('fromExample names the feature that breaks the schema', () => {
  const image = new Uint8Array(768);
  const good = { image: [image], x: [0.5], y: [0.5], w: [0.25], h: [0.25] };
  const bad = (features: Record<string, unknown>, pattern: RegExp): void =>
    assert.throws(() => fromExample(encodeExample(features as never)), (e: unknown) => e instanceof InputError && pattern.test(e.message));
  const { h: _h, ...noH } = good;
  bad(noH, /no feature 'h'/);
  const { image: _i, ...noImage } = good;
  bad(noImage, /no feature 'image'/);
  bad({ ...good, image: [new Uint8Array(767)] }, /768 bytes.*got 767/);
  bad({ ...good, image: [image, image] }, /1 bytes value, got 2/);
  bad({ ...good, x: [0.5, 0.5] }, /'x' must hold 1 float, got 2/);
  bad({ ...good, w: [1n] }, /'w' must be a float_list, got int64_list/);
  bad({ ...good, image: Float32Array.of(1) }, /'image' must be a bytes_list, got float_list/);
  assert.throws(() => toExample({ image: new Uint8Array(5), box: [0, 0, 1, 1] }), /768 bytes/);
  assert.throws(() => fromExample('x' as never), InputError);
});
