// encodeExample / decodeExample against python protobuf's deterministic bytes (golden/example,
// made by golden/make_example_golden.py with protoc + google.protobuf, never by our writer).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { InputError } from '../../src/core/errors.js';
import { NO_KIND, decodeExample, encodeExample, type DecodedFeature, type Features } from '../../src/io/example.js';

type SpecValue = { bytes: string[] } | { float: string[] } | { int64: string[] } | { none: true };
interface Row {
  name: string;
  features: [string, SpecValue][] | null;
  hex: string;
  json: string;
}

const dir = new URL('../../golden/example/', import.meta.url);
export const goldenCases: Row[] = JSON.parse(readFileSync(new URL('cases.json', dir), 'utf8'));
export const goldenRandom: Row[] = readFileSync(new URL('random.jsonl', dir), 'utf8')
  .split('\n')
  .filter((l) => l.length > 0)
  .map((l) => JSON.parse(l));

export const hex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.length).toString('hex');
export const unhex = (h: string): Uint8Array => new Uint8Array(Buffer.from(h, 'hex'));

function floatsFromBits(bits: string[]): Float32Array {
  const w = new Uint32Array(bits.map((b) => parseInt(b, 16)));
  return new Float32Array(w.buffer);
}

/** The spec as plain JS features (the form decodeExample gives). */
export function specToFeatures(spec: [string, SpecValue][]): Features {
  const out: Features = {};
  for (const [k, v] of spec) {
    let val: DecodedFeature;
    if ('bytes' in v) val = v.bytes.map(unhex);
    else if ('float' in v) val = floatsFromBits(v.float);
    else if ('int64' in v) val = new BigInt64Array(v.int64.map((x) => BigInt(x)));
    else val = NO_KIND;
    Object.defineProperty(out, k, { value: val, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

function assertFeaturesEqual(actual: Record<string, DecodedFeature>, expected: Features, name: string): void {
  assert.deepEqual(Object.keys(actual).sort(), Object.keys(expected).sort(), name);
  for (const k of Object.keys(expected)) {
    const a = actual[k]!;
    const e = expected[k]!;
    if (e instanceof Float32Array) {
      assert.ok(a instanceof Float32Array, `${name}/${k} float`);
      // compare bits: NaN payloads must survive
      assert.equal(hex(new Uint8Array(a.buffer, a.byteOffset, a.byteLength)), hex(new Uint8Array(e.buffer)), `${name}/${k}`);
    } else if (e instanceof BigInt64Array) {
      assert.ok(a instanceof BigInt64Array, `${name}/${k} int64`);
      assert.deepEqual(Array.from(a), Array.from(e), `${name}/${k}`);
    } else {
      assert.ok(Array.isArray(a), `${name}/${k} bytes`);
      assert.equal(a === NO_KIND, e === NO_KIND, `${name}/${k} kind-less`);
      assert.deepEqual((a as Uint8Array[]).map(hex), (e as Uint8Array[]).map(hex), `${name}/${k}`);
    }
  }
}

test('encodeExample matches python deterministic bytes (hand-picked cases)', () => {
  for (const row of goldenCases) {
    if (row.features === null) continue; // b'' has no plain-JS form; covered by the JSON test
    assert.equal(hex(encodeExample(specToFeatures(row.features))), row.hex, row.name);
  }
});

test('int64 lists take safe JS numbers (among bigints or tagged) as python writes them, and refuse unsafe ones', () => {
  const row = goldenCases.find((r) => r.name === 'int64_edges')!;
  const values = (row.features![0]![1] as { int64: string[] }).int64.map((x) => BigInt(x));
  // Every value that is a safe integer goes in as a number, the rest as bigints.
  const mixed = values.map((v) => (Number.isSafeInteger(Number(v)) && BigInt(Number(v)) === v ? Number(v) : v));
  assert.ok(mixed.filter((v) => typeof v === 'number').length >= 10, 'most edges are numbers');
  assert.equal(typeof mixed[0], 'number', 'a tagged list may start with a number');
  assert.equal(hex(encodeExample({ i: { int64List: mixed } })), row.hex, 'tagged');
  assert.equal(hex(encodeExample({ i: [values[0]!, ...mixed.slice(1)] })), row.hex, 'a bigint first, then numbers');
  for (const unsafe of [2 ** 53, -(2 ** 53), 2 ** 63, 1.5, Number.NaN, Infinity]) {
    assert.throws(
      () => encodeExample({ count: { int64List: [1, unsafe] } }),
      (e: unknown) =>
        e instanceof InputError && new RegExp(`^feature 'count': int64 element 1 \\(${String(unsafe).replace('+', '\\+')}\\) is not a safe integer; use a bigint$`).test(e.message),
      String(unsafe),
    );
  }
  assert.throws(() => encodeExample({ n: [1n, 2 ** 53 + 2] }), /feature 'n': int64 element 1 \(9007199254740994\) is not a safe integer/);
});

test('decodeExample reads python bytes exactly (hand-picked cases)', () => {
  for (const row of goldenCases) {
    const got = decodeExample(unhex(row.hex));
    assertFeaturesEqual(got, row.features === null ? {} : specToFeatures(row.features), row.name);
    if (row.features !== null) assert.equal(hex(encodeExample(got)), row.hex, `${row.name} re-encode`);
  }
});

test('seeded random batch: encode equals python, decode round-trips', () => {
  assert.ok(goldenRandom.length >= 100);
  for (const row of goldenRandom) {
    const features = specToFeatures(row.features!);
    assert.equal(hex(encodeExample(features)), row.hex, row.name);
    const got = decodeExample(unhex(row.hex));
    assertFeaturesEqual(got, features, row.name);
  }
});

test('lenient decoding matches python parse + canonical re-serialization', () => {
  const rows: { name: string; input: string; canonical: string }[] = JSON.parse(
    readFileSync(new URL('lenient.json', dir), 'utf8'),
  );
  assert.ok(rows.length >= 15);
  for (const row of rows) {
    const got = decodeExample(unhex(row.input));
    assert.equal(hex(encodeExample(got)), row.canonical, row.name);
  }
});

test('bytes values are zero-copy views of the input', () => {
  const row = goldenCases.find((r) => r.name === 'reference_shape')!;
  const buf = unhex(row.hex);
  const got = decodeExample(buf);
  const img = (got.image as Uint8Array[])[0]!;
  assert.equal(img.length, 768);
  assert.equal(img.buffer, buf.buffer);
  buf[img.byteOffset - buf.byteOffset] ^= 0xff;
  assert.equal(img[0], buf[img.byteOffset - buf.byteOffset]);
});

test('key order is UTF-8 byte order, not JS string order', () => {
  // U+1F600 is a surrogate pair (0xD83D...) that JS sorts before U+E000; UTF-8 puts it after.
  const enc = encodeExample({ '\u{1F600}': [1n], '\uE000': [2n] });
  const keys = Object.keys(decodeExample(enc));
  assert.deepEqual(keys, ['\uE000', '\u{1F600}']);
  const text = Buffer.from(enc).toString('latin1');
  assert.ok(text.indexOf('\xee\x80\x80') < text.indexOf('\xf0\x9f\x98\x80'));
});

test('TensorFlow-written Examples (golden/tf) re-encode byte for byte, also through JSON', async () => {
  const { readTFRecord } = await import('../../src/io/tfrecord-reader.js');
  const { exampleFromJson, exampleToJson } = await import('../../src/io/example-json.js');
  const golden = new URL('../../golden/tf/', import.meta.url);
  const files = {
    'pwnall-tfrecord__singles.tfrecords': 3,
    'lingvo__wmt14_ende_wpm_32k_test.tfrecord': 100,
    'deepconsensus__human_1m_tf_examples_eval.tfrecord.gz': 65,
  };
  let exact = 0;
  for (const [name, count] of Object.entries(files)) {
    let n = 0;
    for await (const payload of readTFRecord(fileURLToPath(new URL(name, golden)))) {
      const again = encodeExample(decodeExample(payload));
      // TF serializes maps in hash order unless asked to be deterministic (lingvo's file is not):
      // then only the key order may differ
      const keys = Object.keys(JSON.parse(exampleToJson(payload)).features.feature);
      const sorted = keys.every((k, i) => i === 0 || Buffer.compare(Buffer.from(keys[i - 1]!), Buffer.from(k)) < 0);
      if (sorted) {
        assert.equal(hex(again), hex(payload), `${name} record ${n}`);
        exact++;
      } else {
        assert.equal(again.length, payload.length, `${name} record ${n} size`);
        assert.deepEqual(JSON.parse(exampleToJson(again)), JSON.parse(exampleToJson(payload)), `${name} record ${n}`);
      }
      assert.equal(hex(exampleFromJson(exampleToJson(payload))), hex(again), `${name} record ${n} via JSON`);
      n++;
    }
    assert.equal(n, count, name);
  }
  assert.ok(exact >= 3, `exact re-encodings: ${exact}`); // deepconsensus and lingvo wrote maps unsorted
});

test('scalar floats keep exact bits (signalling and payload NaNs) on the deferred fast path', () => {
  for (const bits of [0x7f800001, 0x7fa00000, 0xffc12345, 0x7fc00000, 0x80000000, 0x00000001, 0x7f7fffff]) {
    const f = new Float32Array(new Uint32Array([bits]).buffer);
    const bytes = encodeExample({ image: [new Uint8Array([1, 2, 3])], s: f });
    for (let round = 0; round < 3; round++) {
      // repeated decodes take the cached-builder path after the first
      const got = decodeExample(bytes).s as Float32Array;
      assert.equal(new Uint32Array(got.buffer, got.byteOffset, 1)[0], bits, bits.toString(16));
    }
    assert.equal(hex(encodeExample(decodeExample(bytes))), hex(bytes));
  }
});
