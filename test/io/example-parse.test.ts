// parseExample with FixedLen / VarLen, modelled on tf.io.parse_single_example.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { FixedLen, VarLen, parseExample } from '../../src/io/parse-example.js';
import { encodeExample, NO_KIND } from '../../src/io/example.js';
import { InputError } from '../../src/core/errors.js';

const cases: { name: string; hex: string }[] = JSON.parse(
  readFileSync(new URL('../../golden/example/cases.json', import.meta.url), 'utf8'),
);
const reference = new Uint8Array(Buffer.from(cases.find((c) => c.name === 'reference_shape')!.hex, 'hex'));

test('the reference parse: image FixedLen string, x/y/w/h FixedLen float32', () => {
  const got = parseExample(reference, {
    image: FixedLen([], 'string'),
    x: FixedLen([], 'float32'),
    y: FixedLen([], 'float32'),
    w: FixedLen([], 'float32'),
    h: FixedLen([], 'float32'),
  });
  assert.ok(got.image instanceof Uint8Array);
  assert.equal((got.image as Uint8Array).length, 768);
  assert.deepEqual(Array.from(got.x), [0.40625]);
  assert.deepEqual(Array.from(got.w), [0.1875]);
  assert.deepEqual(Array.from(got.h), [0.25]);
  assert.equal(got.y[0], Math.fround(0.5208333));
});

test('FixedLen shapes, defaults and VarLen', () => {
  const ex = encodeExample({ v: new Float32Array([1, 2, 3, 4, 5, 6]), i: [7n, 8n], s: ['a', 'bc'], none: NO_KIND });
  const got = parseExample(ex, {
    v: FixedLen([2, 3], 'float32'),
    i: VarLen('int64'),
    s: FixedLen([2], 'string'),
    missingF: FixedLen([3], 'float32', 0.5),
    missingI: FixedLen([2], 'int64', [1, 2n]),
    missingS: FixedLen([], 'string', 'dflt'),
    missingV: VarLen('float32'),
    none: VarLen('string'),
  });
  assert.deepEqual(Array.from(got.v), [1, 2, 3, 4, 5, 6]);
  assert.deepEqual(Array.from(got.i), [7n, 8n]);
  assert.deepEqual((got.s as Uint8Array[]).map((b) => Buffer.from(b).toString()), ['a', 'bc']);
  assert.deepEqual(Array.from(got.missingF), [0.5, 0.5, 0.5]);
  assert.deepEqual(Array.from(got.missingI), [1n, 2n]);
  assert.equal(Buffer.from(got.missingS as Uint8Array).toString(), 'dflt');
  assert.equal(got.missingV.length, 0);
  assert.deepEqual(got.none, []);
});

test('errors name the key: missing, wrong type, wrong length', () => {
  const ex = encodeExample({ f: [1, 2], i: [3n] });
  const cases: [Record<string, ReturnType<typeof FixedLen> | ReturnType<typeof VarLen>>, RegExp][] = [
    [{ gone: FixedLen([], 'float32') }, /'gone'.*required/],
    [{ f: FixedLen([2], 'int64') }, /'f'.*float_list.*int64/],
    [{ i: VarLen('string') }, /'i'.*int64_list/],
    [{ f: FixedLen([3], 'float32') }, /'f'.*2 values.*\[3\]/],
    [{ gone: FixedLen([2], 'float32', [1, 2, 3]) }, /'gone'.*default/],
  ];
  for (const [spec, re] of cases) {
    assert.throws(() => parseExample(ex, spec), (e: unknown) => e instanceof InputError && re.test(e.message), String(re));
  }
  assert.throws(() => FixedLen([-1], 'float32'), InputError);
  assert.throws(() => VarLen('float64' as 'float32'), InputError);
});
