// Encoding tf.train.Example, byte-identical to protobuf's deterministic serialization: map keys
// sorted by UTF-8 bytes, packed numeric lists, every map entry with key and value.

import { InputError } from '../core/errors.js';
import {
  ProtoWriter,
  WIRE_LEN,
  compareBytes,
  splitInt64,
  splitSafeInt,
  utf8Bytes,
  varintSize32,
  varintSize64,
} from './protowire.js';
import { KIND_BYTES, KIND_FLOAT, KIND_INT64, KIND_NONE, NO_KIND, type Features } from './example-types.js';

/** A feature normalized for writing. */
interface Norm {
  key: Uint8Array;
  name: string;
  kind: number;
  /** bytes: the values; float: Float32Array or number[]; int64: Uint32Array of (lo, hi). */
  bytes?: Uint8Array[];
  floats?: ArrayLike<number>;
  floatBytes?: Uint8Array;
  words?: Uint32Array;
  /** Bytes of the packed int64 varints. */
  payload: number;
  listLen: number;
  featLen: number;
  entryLen: number;
}

const keyBytesCache = new Map<string, Uint8Array>();

function keyBytes(key: string): Uint8Array {
  let b = keyBytesCache.get(key);
  if (b === undefined) {
    b = utf8Bytes(key);
    if (keyBytesCache.size >= 4096) keyBytesCache.clear();
    keyBytesCache.set(key, b);
  }
  return b;
}

function bad(key: string, what: string): never {
  throw new InputError(`feature '${key}': ${what}`);
}

function normalize(key: string, v: unknown): Norm {
  // every field initialized up front: one hidden class for all Norms keeps later accesses monomorphic
  const n: Norm = {
    key: keyBytes(key),
    name: key,
    kind: KIND_NONE,
    bytes: undefined,
    floats: undefined,
    floatBytes: undefined,
    words: undefined,
    payload: 0,
    listLen: 0,
    featLen: 0,
    entryLen: 0,
  };
  if (v === NO_KIND) return n;
  if (v instanceof Float32Array || v instanceof Float64Array) {
    n.kind = KIND_FLOAT;
    n.floats = v;
    return n;
  }
  if (v instanceof BigInt64Array) {
    n.kind = KIND_INT64;
    n.words = new Uint32Array(v.buffer, v.byteOffset, v.length * 2);
    return n;
  }
  if (Array.isArray(v)) {
    if (v.length === 0) {
      n.kind = KIND_BYTES;
      n.bytes = [];
      return n;
    }
    const t = typeof v[0];
    if (t === 'number') return asFloats(n, v);
    if (t === 'bigint') return asInt64s(n, v);
    return asBytes(n, v);
  }
  if (ArrayBuffer.isView(v)) {
    bad(key, `a ${v.constructor.name} is not a feature value (bytes need an array: [bytes]; ` +
      'floats a Float32Array or number[]; int64 a BigInt64Array or bigint[])');
  }
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o);
    if (keys.length === 0) return n;
    if (keys.length === 1) {
      const list = o[keys[0]!];
      if (keys[0] === 'bytesList' && isArrayLike(list)) return asBytes(n, Array.from(list));
      if (keys[0] === 'floatList' && isArrayLike(list)) {
        return list instanceof Float32Array ? ((n.kind = KIND_FLOAT), (n.floats = list), n) : asFloats(n, list);
      }
      if (keys[0] === 'int64List' && isArrayLike(list)) {
        if (list instanceof BigInt64Array) return normalize(key, list);
        return asInt64s(n, list);
      }
    }
  }
  bad(key, 'expected Uint8Array[], Float32Array | number[], BigInt64Array | bigint[] or {bytesList|floatList|int64List}');
}

function isArrayLike(x: unknown): x is ArrayLike<unknown> {
  return Array.isArray(x) || (ArrayBuffer.isView(x) && !(x instanceof DataView));
}

function asFloats(n: Norm, v: ArrayLike<unknown>): Norm {
  for (let i = 0; i < v.length; i++) {
    if (typeof v[i] !== 'number') bad(n.name, `float list element ${i} is not a number`);
  }
  n.kind = KIND_FLOAT;
  n.floats = v as ArrayLike<number>;
  return n;
}

function asInt64s(n: Norm, v: ArrayLike<unknown>): Norm {
  const words = new Uint32Array(v.length * 2);
  for (let i = 0; i < v.length; i++) {
    const x = v[i];
    let pair: [number, number] | null;
    if (typeof x === 'bigint') {
      pair = splitInt64(x);
      if (pair === null) bad(n.name, `int64 element ${i} (${x}) is outside the int64 range`);
    } else if (typeof x === 'number') {
      if (!Number.isSafeInteger(x)) bad(n.name, `int64 element ${i} (${x}) is not a safe integer; use a bigint`);
      pair = splitSafeInt(x);
    } else {
      bad(n.name, `int64 list element ${i} is not a bigint`);
    }
    words[2 * i] = pair[0];
    words[2 * i + 1] = pair[1];
  }
  n.kind = KIND_INT64;
  n.words = words;
  return n;
}

function asBytes(n: Norm, v: ArrayLike<unknown>): Norm {
  n.kind = KIND_BYTES;
  let allBytes = Array.isArray(v);
  for (let i = 0; allBytes && i < v.length; i++) allBytes = v[i] instanceof Uint8Array;
  if (allBytes) {
    n.bytes = v as Uint8Array[];
    return n;
  }
  const out: Uint8Array[] = new Array(v.length);
  for (let i = 0; i < v.length; i++) {
    const x = v[i];
    if (x instanceof Uint8Array) out[i] = x;
    else if (typeof x === 'string') out[i] = utf8Bytes(x);
    else bad(n.name, `bytes list element ${i} is not a Uint8Array or string`);
  }
  n.kind = KIND_BYTES;
  n.bytes = out;
  return n;
}

function sizeOf(n: Norm): void {
  let list = 0;
  if (n.kind === KIND_BYTES) {
    const b = n.bytes!;
    for (let i = 0; i < b.length; i++) list += 1 + varintSize32(b[i]!.length) + b[i]!.length;
  } else if (n.kind === KIND_FLOAT) {
    const payload = n.floats!.length * 4;
    if (payload > 0) list = 1 + varintSize32(payload) + payload;
  } else if (n.kind === KIND_INT64) {
    const w = n.words!;
    let payload = 0;
    for (let i = 0; i < w.length; i += 2) payload += varintSize64(w[i]!, w[i + 1]!);
    if (payload > 0) list = 1 + varintSize32(payload) + payload;
    n.payload = payload;
  }
  n.listLen = list;
  n.featLen = n.kind === KIND_NONE ? 0 : 1 + varintSize32(list) + list;
  n.entryLen = 1 + varintSize32(n.key.length) + n.key.length + 1 + varintSize32(n.featLen) + n.featLen;
}

const floatScratch = new Float32Array(1);
const floatScratchWord = new Uint32Array(floatScratch.buffer);

function writeFeature(w: ProtoWriter, n: Norm): void {
  w.byte(0x0a);
  w.uint(n.key.length);
  w.bytes(n.key);
  w.byte(0x12);
  w.uint(n.featLen);
  if (n.kind === KIND_NONE) return;
  w.byte(n.kind * 8 + WIRE_LEN);
  w.uint(n.listLen);
  if (n.listLen === 0) return;
  if (n.kind === KIND_BYTES) {
    for (const b of n.bytes!) {
      w.byte(0x0a);
      w.uint(b.length);
      w.bytes(b);
    }
  } else if (n.kind === KIND_FLOAT) {
    const f = n.floats!;
    w.byte(0x0a);
    w.uint(f.length * 4);
    if (f instanceof Float32Array && (f.length > 16 || hasNaN(f))) {
      // Copy raw bits (keeps NaN payloads exactly).
      w.bytes(new Uint8Array(f.buffer, f.byteOffset, f.length * 4));
    } else {
      const b = w.buf;
      for (let i = 0; i < f.length; i++) {
        floatScratch[0] = f[i]!;
        const x = floatScratchWord[0]!;
        const p = w.pos;
        b[p] = x & 0xff;
        b[p + 1] = (x >>> 8) & 0xff;
        b[p + 2] = (x >>> 16) & 0xff;
        b[p + 3] = x >>> 24;
        w.pos = p + 4;
      }
    }
  } else {
    const words = n.words!;
    w.byte(0x0a);
    w.uint(n.payload);
    for (let i = 0; i < words.length; i += 2) w.varint64(words[i]!, words[i + 1]!);
  }
}

function hasNaN(f: Float32Array): boolean {
  for (let i = 0; i < f.length; i++) if (f[i] !== f[i]) return true;
  return false;
}

/** Normalized features sorted by UTF-8 key bytes (protobuf's deterministic map order). */
function normalizeAll(features: Features): Norm[] {
  if (features === null || typeof features !== 'object') {
    throw new InputError('encodeExample: features must be an object of feature values');
  }
  const names = Object.keys(features);
  const norms: Norm[] = new Array(names.length);
  let sorted = true;
  for (let i = 0; i < names.length; i++) {
    const n = normalize(names[i]!, features[names[i]!]);
    sizeOf(n);
    norms[i] = n;
    if (i > 0 && sorted && compareBytes(norms[i - 1]!.key, n.key) > 0) sorted = false;
  }
  if (!sorted) {
    if (norms.length <= 16) {
      // insertion sort: cheaper than Array.prototype.sort's setup for a handful of keys
      for (let i = 1; i < norms.length; i++) {
        const x = norms[i]!;
        let j = i - 1;
        while (j >= 0 && compareBytes(norms[j]!.key, x.key) > 0) {
          norms[j + 1] = norms[j]!;
          j--;
        }
        norms[j + 1] = x;
      }
    } else norms.sort((a, b) => compareBytes(a.key, b.key));
  }
  return norms;
}

// Output buffers come from a slab, as Node's Buffer pool does: a fresh ArrayBuffer per record
// costs more than encoding it. Slabs are never reused, so every result stays valid.
const SLAB_SIZE = 1 << 20;
let slab = new ArrayBuffer(0);
let slabUsed = 0;

function allocOutput(n: number): Uint8Array {
  if (n > SLAB_SIZE >>> 4) return new Uint8Array(n);
  if (slabUsed + n > slab.byteLength) {
    slab = new ArrayBuffer(SLAB_SIZE);
    slabUsed = 0;
  }
  const out = new Uint8Array(slab, slabUsed, n);
  slabUsed += (n + 7) & ~7;
  return out;
}

/**
 * Serializes features as a tf.train.Example, byte-identical to protobuf's deterministic
 * serialization. `hasFeatures: false` with no features gives the empty message (b'').
 * Small results are views into a shared slab (like pooled Node Buffers); copy with .slice()
 * if you need an ArrayBuffer of your own.
 *
 * @example
 * const bytes = encodeExample({ image: [new Uint8Array(768)], x: [0.5], id: [7n], name: ['frame'] });
 */
export function encodeExample(features: Features, options?: { hasFeatures?: boolean }): Uint8Array {
  const norms = normalizeAll(features);
  let featuresLen = 0;
  for (const n of norms) featuresLen += 1 + varintSize32(n.entryLen) + n.entryLen;
  if (norms.length === 0 && options?.hasFeatures === false) return new Uint8Array(0);
  const total = 1 + varintSize32(featuresLen) + featuresLen;
  const w = new ProtoWriter(allocOutput(total));
  w.byte(0x0a);
  w.uint(featuresLen);
  for (const n of norms) {
    w.byte(0x0a);
    w.uint(n.entryLen);
    writeFeature(w, n);
  }
  if (w.pos !== total) throw new Error(`encodeExample: size mismatch ${w.pos} != ${total}`);
  return w.buf;
}
