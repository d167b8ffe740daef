// Seeded property tests: random Examples round-trip through encode/decode and through the JSON
// mapping, and non-canonical re-layouts of the same Example (unpacked lists, shuffled entries,
// split lists, unknown fields) decode to the same features.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NO_KIND, decodeExample, encodeExample, type DecodedFeature, type DecodedFeatures } from '../../src/io/example.js';
import { exampleFromJson, exampleToJson } from '../../src/io/example-json.js';
import { rng as prng } from './tfrecord-fixtures.js';

const KEYS = ['image', 'x', 'y', 'label', 'é', '中文', '\uE000', '\u{1F600}', '__proto__', '10', '', 'a/b', 'constructor'];

function randomFeatures(rnd: () => number): DecodedFeatures {
  const out: DecodedFeatures = {};
  const int = (n: number) => Math.floor(rnd() * n);
  for (let k = int(7); k > 0; k--) {
    const key = rnd() < 0.6 ? KEYS[int(KEYS.length)]! : Array.from({ length: 1 + int(6) }, () => 'abz_09'[int(6)]).join('');
    const kind = rnd();
    let v: DecodedFeature;
    if (kind < 0.3) {
      v = Array.from({ length: int(4) }, () => Uint8Array.from({ length: int(40) }, () => int(256)));
    } else if (kind < 0.65) {
      const bits = Uint32Array.from({ length: int(20) }, () => (rnd() < 0.2 ? [0x7fc00000, 0x7f800001, 0xffc12345, 0x80000000, 1][int(5)]! : int(2 ** 32)));
      v = new Float32Array(bits.buffer);
    } else if (kind < 0.97) {
      v = BigInt64Array.from({ length: int(20) }, () => {
        const r = rnd();
        if (r < 0.3) return BigInt(int(600) - 300);
        if (r < 0.4) return [2n ** 63n - 1n, -(2n ** 63n), -1n, 2n ** 53n + 1n][int(4)]!;
        return BigInt.asIntN(64, (BigInt(int(2 ** 32)) << 32n) | BigInt(int(2 ** 32)));
      });
    } else {
      v = NO_KIND;
    }
    Object.defineProperty(out, key, { value: v, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

const hex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');

function same(a: DecodedFeatures, b: DecodedFeatures, msg: string): void {
  assert.deepEqual(Object.keys(a).sort(), Object.keys(b).sort(), msg);
  for (const k of Object.keys(a)) {
    const x = a[k]!;
    const y = b[k]!;
    assert.equal(x.constructor, y.constructor, `${msg} ${k}`);
    assert.equal(x === NO_KIND, y === NO_KIND, `${msg} ${k} kind-less`);
    if (x instanceof Float32Array) {
      const z = y as Float32Array;
      assert.equal(hex(new Uint8Array(x.buffer, x.byteOffset, x.byteLength)), hex(new Uint8Array(z.buffer, z.byteOffset, z.byteLength)), `${msg} ${k}`);
    }
    else if (x instanceof BigInt64Array) assert.deepEqual(Array.from(x), Array.from(y as BigInt64Array), `${msg} ${k}`);
    else assert.deepEqual((x as Uint8Array[]).map(hex), (y as Uint8Array[]).map(hex), `${msg} ${k}`);
  }
}

// --- an independent, deliberately non-canonical writer for the lenient-decoding property ------

function varint(v: bigint): number[] {
  let u = BigInt.asUintN(64, v);
  const out: number[] = [];
  while (u >= 0x80n) {
    out.push(Number(u & 0x7fn) | 0x80);
    u >>= 7n;
  }
  out.push(Number(u));
  return out;
}
const ld = (field: number, payload: number[]): number[] => [...varint(BigInt(field * 8 + 2)), ...varint(BigInt(payload.length)), ...payload];
const unknown = (rnd: () => number): number[] => (rnd() < 0.5 ? [...varint(BigInt(9 * 8)), ...varint(12345n)] : ld(14, [1, 2, 3]));

function messyList(v: DecodedFeature, rnd: () => number): number[] {
  const out: number[] = [];
  if (v instanceof Float32Array) {
    const bytes = Array.from(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
    for (let i = 0; i < v.length; ) {
      const n = 1 + Math.floor(rnd() * 3);
      const part = bytes.slice(i * 4, (i + n) * 4);
      if (rnd() < 0.5) out.push(...ld(1, part));
      else for (let j = 0; j < part.length; j += 4) out.push(0x0d, ...part.slice(j, j + 4));
      i += n;
      if (rnd() < 0.2) out.push(...unknown(rnd));
    }
  } else if (v instanceof BigInt64Array) {
    for (let i = 0; i < v.length; i++) {
      if (rnd() < 0.5) out.push(...ld(1, varint(v[i]!)));
      else out.push(0x08, ...varint(v[i]!));
    }
  } else {
    for (const b of v as Uint8Array[]) out.push(...ld(1, Array.from(b)));
  }
  if (rnd() < 0.3) out.push(...unknown(rnd));
  return out;
}

function messyExample(f: DecodedFeatures, rnd: () => number): Uint8Array {
  const entries = Object.keys(f).map((k) => {
    const v = f[k]!;
    const feature = v === NO_KIND ? [] : ld(v instanceof Float32Array ? 2 : v instanceof BigInt64Array ? 3 : 1, messyList(v, rnd));
    const key = ld(1, Array.from(new TextEncoder().encode(k)));
    const value = ld(2, rnd() < 0.2 ? [...feature, ...unknown(rnd)] : feature);
    return ld(1, rnd() < 0.5 ? [...key, ...value] : [...value, ...key]);
  });
  for (let i = entries.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [entries[i], entries[j]] = [entries[j]!, entries[i]!];
  }
  // split the map across two `features` fields (protobuf merges them) and add unknown fields
  const cut = Math.floor(rnd() * (entries.length + 1));
  const out = [...unknown(rnd), ...ld(1, entries.slice(0, cut).flat()), ...ld(1, entries.slice(cut).flat())];
  return new Uint8Array(out);
}

test('random Examples: decode(encode(f)) == f and encode(decode(b)) == b (seeded)', () => {
  const rnd = prng(1234);
  for (let i = 0; i < 400; i++) {
    const f = randomFeatures(rnd);
    const bytes = encodeExample(f);
    const back = decodeExample(bytes);
    same(back, f, `case ${i}`);
    assert.equal(hex(encodeExample(back)), hex(bytes), `case ${i} re-encode`);
  }
});

test('random Examples: non-canonical layouts decode to the same features (seeded)', () => {
  const rnd = prng(99);
  for (let i = 0; i < 300; i++) {
    const f = randomFeatures(rnd);
    const canonical = encodeExample(f);
    const messy = messyExample(f, rnd);
    same(decodeExample(messy), f, `case ${i}`);
    assert.equal(hex(encodeExample(decodeExample(messy))), hex(canonical), `case ${i} canonical`);
  }
});

test('random Examples: JSON mapping round-trips to identical bytes (seeded)', () => {
  const rnd = prng(7);
  let checked = 0;
  for (let i = 0; i < 300; i++) {
    const f = randomFeatures(rnd);
    // JSON has one NaN; other NaN payloads cannot survive it
    for (const k of Object.keys(f)) {
      const v = f[k]!;
      if (v instanceof Float32Array) for (let j = 0; j < v.length; j++) if (Number.isNaN(v[j])) v[j] = 0.5;
    }
    const bytes = encodeExample(f);
    const json = exampleToJson(bytes);
    assert.doesNotThrow(() => JSON.parse(json));
    assert.equal(hex(exampleFromJson(json)), hex(bytes), `case ${i}: ${json.slice(0, 200)}`);
    checked++;
  }
  assert.equal(checked, 300);
});

test('output objects follow each record\'s own keys whatever was decoded before', () => {
  const a = encodeExample({ a: [1], b: [2] });
  const b = encodeExample({ c: [3], d: [4] });
  const c = encodeExample({ a: [5], z: [6] });
  const d = encodeExample({ a: [7], b: [8], e: [9] });
  assert.deepEqual(Object.keys(decodeExample(a)), ['a', 'b']);
  assert.deepEqual(Object.keys(decodeExample(a)), ['a', 'b']);
  exampleToJson(b); // decodes b through the other entry point
  assert.deepEqual(Object.keys(decodeExample(b)), ['c', 'd']);
  assert.deepEqual(Object.keys(decodeExample(a)), ['a', 'b']);
  assert.deepEqual(Object.keys(decodeExample(c)), ['a', 'z']);
  assert.deepEqual(Object.keys(decodeExample(d)), ['a', 'b', 'e']);
  assert.deepEqual(Object.keys(decodeExample(a)), ['a', 'b']);
  const want = new Map([[a, ['a', 'b']], [b, ['c', 'd']], [c, ['a', 'z']], [d, ['a', 'b', 'e']]]);
  for (const x of [a, b, c, d, a, a, c, c, b, d, b, a]) assert.deepEqual(Object.keys(decodeExample(x)), want.get(x));
  assert.equal((decodeExample(c).z as Float32Array)[0], 6);
});

test('damaged bytes decode or throw InputError, never anything else (seeded)', async () => {
  const { InputError } = await import('../../src/core/errors.js');
  const rnd = prng(4242);
  let errors = 0;
  for (let i = 0; i < 1500; i++) {
    const bytes = encodeExample(randomFeatures(rnd)).slice();
    if (bytes.length < 3) continue;
    const mode = rnd();
    let damaged: Uint8Array;
    if (mode < 0.4) damaged = bytes.subarray(0, Math.floor(rnd() * bytes.length));
    else {
      damaged = bytes;
      for (let k = 1 + Math.floor(rnd() * 3); k > 0; k--) damaged[Math.floor(rnd() * bytes.length)] = Math.floor(rnd() * 256);
    }
    try {
      decodeExample(damaged);
      exampleToJson(damaged);
    } catch (e) {
      assert.ok(e instanceof InputError, `case ${i}: ${(e as Error).stack}`);
      errors++;
    }
  }
  assert.ok(errors > 100, `errors seen: ${errors}`);
});

test('fixed-shape streams (the template path) decode every record exactly (seeded)', () => {
  const rnd = prng(31337);
  const int = (n: number) => Math.floor(rnd() * n);
  // same-length keys and near-equal sizes make records of equal length but different structure
  const keys = ['ab', 'ac', 'zz'];
  for (let i = 0; i < 3000; i++) {
    const f: DecodedFeatures = {};
    const imageLen = 6 + int(2);
    f[rnd() < 0.8 ? 'image' : 'imagf'] = [Uint8Array.from({ length: imageLen }, () => int(256))];
    const nScalars = 1 + int(2);
    for (let k = 0; k < nScalars; k++) {
      const bits = rnd() < 0.05 ? [0x7f800001, 0xffc00001, 0x7fc00000][int(3)]! : int(2 ** 32);
      f[keys[(k + int(2)) % 3]!] = new Float32Array(new Uint32Array([bits]).buffer);
    }
    if (rnd() < 0.1) f.q = [new Uint8Array([1]), new Uint8Array([2])];
    const bytes = encodeExample(f).slice();
    same(decodeExample(bytes), f, `record ${i}`);
  }
});
