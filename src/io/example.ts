// tf.train.Example codec, hand-written for speed (TensorFlow's own fast parser is hand-written
// too). Encoding is byte-identical to protobuf's deterministic serialization; decoding is lenient
// the way protobuf parsers are (unpacked lists, any order, merged repeats, unknown fields).
//
// Wire layout: Example{1: Features}, Features{1: repeated MapEntry{1: key, 2: Feature}},
// Feature{oneof 1: BytesList, 2: FloatList, 3: Int64List}, each list {1: repeated value}.

import { InputError } from './errors.js';
import {
  ProtoReader,
  ProtoWriter,
  WIRE_LEN,
  compareBytes,
  splitInt64,
  splitSafeInt,
  utf8At,
  utf8Bytes,
  varintSize32,
  varintSize64,
} from './protowire.js';

/** A decoded feature: bytes → zero-copy views, float → Float32Array, int64 → BigInt64Array. */
export type DecodedFeature = Uint8Array[] | Float32Array | BigInt64Array;
export type DecodedFeatures = Record<string, DecodedFeature>;

/** Tagged feature form; `{}` is a Feature with no list set. */
export type TaggedFeature =
  | { bytesList: ArrayLike<Uint8Array | string> }
  | { floatList: ArrayLike<number> }
  | { int64List: ArrayLike<bigint | number> }
  | Record<string, never>;

/**
 * A feature as accepted by encodeExample: bytes `Uint8Array[]` (strings are UTF-8 encoded),
 * float `Float32Array | number[]`, int64 `BigInt64Array | bigint[]` (safe-integer numbers are
 * accepted among bigints), or the tagged form. An empty array is an empty bytes_list.
 */
export type FeatureValue =
  | DecodedFeature
  | readonly (Uint8Array | string)[]
  | readonly number[]
  | readonly (bigint | number)[]
  | TaggedFeature;
export type Features = Record<string, FeatureValue>;

/**
 * The value decodeExample gives a Feature with no list set (rare: `tf.train.Feature()`);
 * encodeExample writes it back as such, so round trips stay exact.
 */
export const NO_KIND: Uint8Array[] = Object.freeze([]) as unknown as Uint8Array[];

const KIND_NONE = 0;
const KIND_BYTES = 1;
const KIND_FLOAT = 2;
const KIND_INT64 = 3;

// ---------------------------------------------------------------------------------------------
// Decoding

const reader = new ProtoReader(new Uint8Array(0));
/** Key strings of recent examples by entry position: most datasets repeat the same keys. */
const keyCache: { bytes: Uint8Array; str: string }[] = [];

function keyAt(buf: Uint8Array, start: number, end: number, slot: number): string {
  const n = end - start;
  if (slot < 64) {
    const c = keyCache[slot];
    if (c !== undefined && c.bytes.length === n) {
      const kb = c.bytes;
      let i = 0;
      while (i < n && kb[i] === buf[start + i]) i++;
      if (i === n) return c.str;
    }
    keyMisses++;
    const str = utf8At(buf, start, end);
    if (n <= 64) keyCache[slot] = { bytes: buf.slice(start, end), str };
    return str;
  }
  keyMisses++;
  return utf8At(buf, start, end);
}

/** Keys of the current record that differed from the key at the same position last time. */
let keyMisses = 0;
/** Entry count of the record decoded before the current one. */
let lastCount = -1;

function setKey(out: DecodedFeatures, key: string, value: DecodedFeature): void {
  if (key === '__proto__') {
    Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    out[key] = value;
  }
}

// Scratch of the record being decoded: keys and values in wire order. decodeExample lets the
// canonical path defer the commonest values (a single float, a single bytes value) as positions:
// a builder generated for the record's shape then allocates them all in one function, where V8
// folds the allocations together.
let recCount = 0;
const recKeys: string[] = [];
const recVals: DecodedFeature[] = [];
const KIND_VALUE = 0; // in recVals
const KIND_F1 = 1; // one float at recPos
const KIND_B1 = 2; // one bytes value at recPos, recLen
const recKind: number[] = [];
const recPos: number[] = [];
const recLen: number[] = [];
let recBuffer: ArrayBufferLike = new ArrayBuffer(0);
let deferOK = false;

type Builder = (
  v: DecodedFeature[],
  pos: number[],
  len: number[],
  ab: ArrayBufferLike,
  dv: DataView,
) => DecodedFeatures;
let lastKeys: string[] = [];
let lastKinds: number[] = [];
let lastBuilder: Builder | null = null;
const builders = new Map<string, { keys: string[]; kinds: number[]; build: Builder }>();

/**
 * The builder of output objects for this key sequence and value layout: an object literal with
 * fixed keys is several times cheaper than keyed stores into `{}`, and datasets repeat one shape.
 * Null when a literal cannot express the record (repeated keys, '__proto__', very many keys).
 */
function builderFor(keys: string[], kinds: number[], n: number): Builder | null {
  if (lastBuilder !== null && lastKeys.length === n) {
    let i = 0;
    while (i < n && lastKeys[i] === keys[i] && lastKinds[i] === kinds[i]) i++;
    if (i === n) return lastBuilder;
  }
  const seq = keys.slice(0, n);
  const ks = kinds.slice(0, n);
  const id = `${n}:${seq.join('\u0000')}|${ks.join('')}`;
  let entry = builders.get(id);
  if (entry === undefined) {
    if (n > 64 || new Set(seq).size !== n || seq.includes('__proto__')) return null;
    const pre: string[] = [];
    const fields = seq.map((k, i) => {
      const kind = ks[i];
      if (kind === KIND_F1) {
        pre.push(`const f${i} = new Float32Array(1); f${i}[0] = dv.getFloat32(pos[${i}], true);`);
        return `${JSON.stringify(k)}: f${i}`;
      }
      if (kind === KIND_B1) return `${JSON.stringify(k)}: [new Uint8Array(ab, pos[${i}], len[${i}])]`;
      return `${JSON.stringify(k)}: v[${i}]`;
    });
    // eslint-disable-next-line @typescript-eslint/no-implied-eval
    const build = new Function('v', 'pos', 'len', 'ab', 'dv', `${pre.join(' ')} return { ${fields.join(', ')} };`) as Builder;
    if (builders.size >= 256) builders.clear();
    entry = { keys: seq, kinds: ks, build };
    builders.set(id, entry);
  }
  lastKeys = entry.keys;
  lastKinds = entry.kinds;
  lastBuilder = entry.build;
  return entry.build;
}

/** The value of slot i, allocating a deferred one. */
function materialize(i: number): DecodedFeature {
  const kind = recKind[i];
  if (kind === KIND_F1) {
    const f = new Float32Array(1);
    f[0] = view.getFloat32(recPos[i]!, true);
    return f;
  }
  if (kind === KIND_B1) return [new Uint8Array(recBuffer, recPos[i]!, recLen[i]!)];
  return recVals[i]!;
}

/** Decodes a serialized tf.train.Example into plain typed arrays. */
export function decodeExample(bytes: Uint8Array): DecodedFeatures {
  keyMisses = 0;
  deferOK = true;
  try {
    decodeRecord(bytes);
  } finally {
    deferOK = false;
  }
  const n = recCount;
  // Every key equal to last record's key at its position and the same layout: same builder.
  let same = keyMisses === 0 && n === lastCount && lastBuilder !== null;
  for (let i = 0; same && i < n; i++) same = recKind[i] === lastKinds[i];
  const build = same ? lastBuilder : builderFor(recKeys, recKind, n);
  lastCount = build === null ? -1 : n;
  if (build !== null) return build(recVals, recPos, recLen, recBuffer, view);
  const out: DecodedFeatures = {};
  for (let i = 0; i < n; i++) setKey(out, recKeys[i]!, materialize(i));
  return out;
}

/**
 * Map entries in wire order (a repeated key keeps its first position and its last value), plus
 * whether the Example had a `features` field at all. Used by the JSON mapping.
 */
export function decodeExampleEntries(bytes: Uint8Array): {
  hasFeatures: boolean;
  entries: [string, DecodedFeature][];
} {
  const hasFeatures = decodeRecord(bytes);
  lastCount = -1; // the key cache now describes this record, not the last builder's
  const entries: [string, DecodedFeature][] = [];
  for (let j = 0; j < recCount; j++) {
    const key = recKeys[j]!;
    const value = materialize(j);
    let i = 0;
    while (i < entries.length && entries[i]![0] !== key) i++;
    if (i < entries.length) entries[i]![1] = value;
    else entries.push([key, value]);
    recVals[j] = NO_KIND;
  }
  return { hasFeatures, entries };
}

// Fast path for canonical layouts (what every protobuf writer produces): one `features` field,
// key before value, one list per Feature, one packed field per numeric list. Anything else
// returns false and the general decoder below handles it (and reports errors).
let lenPos = 0;

/** A varint length starting at buf[p] of at least 2 bytes; sets lenPos; -1 when malformed. */
function longLen(buf: Uint8Array, p: number, end: number): number {
  // lengths above 2^28 are left to the general decoder
  let v = 0;
  for (let shift = 0; shift < 28; shift += 7) {
    if (p >= end) return -1;
    const c = buf[p++]!;
    v |= (c & 0x7f) << shift;
    if (c < 0x80) {
      lenPos = p;
      return v;
    }
  }
  return -1;
}

function decodeCanonical(buf: Uint8Array): boolean {
  const end = buf.length;
  if (end < 2 || buf[0] !== 0x0a) return false;
  let p = 1;
  let n = buf[p++]!;
  if (n >= 0x80) {
    n = longLen(buf, p - 1, end);
    if (n < 0) return false;
    p = lenPos;
  }
  if (p + n !== end) return false;
  const ab = buf.buffer;
  const off = buf.byteOffset;
  if (ab !== viewBuffer) {
    viewBuffer = ab;
    view = new DataView(ab);
  }
  recBuffer = ab;
  const defer = deferOK;
  let count = 0;
  while (p < end) {
    // map entry
    if (buf[p] !== 0x0a || p + 2 > end) return false;
    n = buf[p + 1]!;
    p += 2;
    if (n >= 0x80) {
      n = longLen(buf, p - 1, end);
      if (n < 0) return false;
      p = lenPos;
    }
    const eEnd = p + n;
    if (n < 0 || eEnd > end || buf[p] !== 0x0a) return false;
    // key
    n = buf[p + 1]!;
    p += 2;
    if (n >= 0x80) {
      n = longLen(buf, p - 1, eEnd);
      if (n < 0) return false;
      p = lenPos;
    }
    const kStart = p;
    const kEnd = p + n;
    p = kEnd;
    if (n < 0 || p + 2 > eEnd || buf[p] !== 0x12) return false;
    // value: Feature
    n = buf[p + 1]!;
    p += 2;
    if (n >= 0x80) {
      n = longLen(buf, p - 1, eEnd);
      if (n < 0) return false;
      p = lenPos;
    }
    if (p + n !== eEnd) return false;
    let value: DecodedFeature = NO_KIND;
    let kindHere = KIND_VALUE;
    let at = 0;
    let size = 0;
    if (n === 0) value = NO_KIND;
    else {
      const kind = buf[p]!;
      if (p + 2 > eEnd) return false;
      n = buf[p + 1]!;
      p += 2;
      if (n >= 0x80) {
        n = longLen(buf, p - 1, eEnd);
        if (n < 0) return false;
        p = lenPos;
      }
      if (p + n !== eEnd) return false;
      if (kind === 0x12) {
        if (n === 0) value = new Float32Array(0);
        else {
          if (buf[p] !== 0x0a || p + 2 > eEnd) return false;
          n = buf[p + 1]!;
          p += 2;
          if (n >= 0x80) {
            n = longLen(buf, p - 1, eEnd);
            if (n < 0) return false;
            p = lenPos;
          }
          if (p + n !== eEnd || (n & 3) !== 0) return false;
          const hi = n === 4 ? view.getUint16(off + p + 2, true) : 0;
          if (defer && n === 4 && !((hi & 0x7fc0) === 0x7f80 && ((hi & 0x3f) !== 0 || view.getUint16(off + p, true) !== 0))) {
            kindHere = KIND_F1;
            at = off + p;
          } else value = floatsAt(buf, p, n >>> 2, off + p);
        }
      } else if (kind === 0x0a) {
        const list: Uint8Array[] = [];
        if (defer && p + 2 <= eEnd && buf[p] === 0x0a) {
          // a single value spanning the list: defer it
          let m = buf[p + 1]!;
          let q = p + 2;
          if (m >= 0x80) {
            m = longLen(buf, p + 1, eEnd);
            q = lenPos;
          }
          if (m >= 0 && q + m === eEnd) {
            kindHere = KIND_B1;
            at = off + q;
            size = m;
            p = eEnd;
          }
        }
        while (p < eEnd) {
          if (buf[p] !== 0x0a || p + 2 > eEnd) return false;
          n = buf[p + 1]!;
          p += 2;
          if (n >= 0x80) {
            n = longLen(buf, p - 1, eEnd);
            if (n < 0) return false;
            p = lenPos;
          }
          if (n < 0 || p + n > eEnd) return false;
          list.push(new Uint8Array(ab, off + p, n));
          p += n;
        }
        value = list;
      } else if (kind === 0x1a) {
        (reader as { buf: Uint8Array }).buf = buf;
        reader.end = eEnd;
        reader.pos = p;
        value = decodeInt64List(reader, eEnd, null);
        reader.end = end;
      } else return false;
    }
    p = eEnd;
    const slot = count++;
    recKeys[slot] = keyAt(buf, kStart, kEnd, slot);
    recVals[slot] = value;
    recKind[slot] = kindHere;
    recPos[slot] = at;
    recLen[slot] = size;
  }
  recCount = count;
  return true;
}

/** Parses bytes into recKeys/recVals/recCount; returns whether a `features` field was seen. */
function decodeRecord(bytes: Uint8Array): boolean {
  if (decodeCanonical(bytes)) return true;
  const r = reader;
  (r as { buf: Uint8Array }).buf = bytes;
  r.pos = 0;
  r.end = bytes.length;
  recCount = 0;
  let hasFeatures = false;
  while (r.pos < r.end) {
    const tag = r.uint32();
    if (tag !== 0x0a) {
      skipField(r, tag);
      continue;
    }
    hasFeatures = true;
    const fEnd = r.lenEnd();
    // Features message
    while (r.pos < fEnd) {
      const ftag = r.uint32();
      if (ftag !== 0x0a) {
        r.end = fEnd;
        skipField(r, ftag);
        r.end = bytes.length;
        continue;
      }
      const eEnd = r.lenEnd();
      let kStart = 0;
      let kEnd = 0;
      let value: DecodedFeature = NO_KIND;
      let valueSeen = false;
      const outerEnd = r.end;
      r.end = eEnd;
      while (r.pos < eEnd) {
        const etag = r.uint32();
        if (etag === 0x0a) {
          kEnd = r.lenEnd();
          kStart = r.pos;
          r.pos = kEnd;
        } else if (etag === 0x12) {
          const vEnd = r.lenEnd();
          value = decodeFeature(r, vEnd, valueSeen ? value : NO_KIND);
          valueSeen = true;
          r.pos = vEnd;
        } else {
          skipField(r, etag);
        }
      }
      r.end = outerEnd;
      const slot = recCount++;
      recKeys[slot] = keyAt(bytes, kStart, kEnd, slot);
      recVals[slot] = value;
      recKind[slot] = KIND_VALUE;
    }
  }
  return hasFeatures;
}

function skipField(r: ProtoReader, tag: number): void {
  if (tag >>> 3 === 0) r.fail('field number 0');
  r.skip(tag & 7, tag >>> 3);
}

function kindOf(v: DecodedFeature): number {
  if (v === NO_KIND) return KIND_NONE;
  if (v instanceof Float32Array) return KIND_FLOAT;
  if (v instanceof BigInt64Array) return KIND_INT64;
  return KIND_BYTES;
}

/** Decodes the Feature in [r.pos, end); `prev` is an earlier Feature of the same entry to merge. */
function decodeFeature(r: ProtoReader, end: number, prev: DecodedFeature): DecodedFeature {
  let value = prev;
  let kind = kindOf(prev);
  while (r.pos < end) {
    const tag = r.uint32();
    const field = tag >>> 3;
    if ((tag & 7) !== WIRE_LEN || field < 1 || field > 3) {
      skipField(r, tag);
      continue;
    }
    const lEnd = r.lenEnd();
    // A repeated oneof member merges into the same member; a different member replaces it.
    const base = kind === field ? value : null;
    if (field === KIND_BYTES) value = decodeBytesList(r, lEnd, base as Uint8Array[] | null);
    else if (field === KIND_FLOAT) value = decodeFloatList(r, lEnd, base as Float32Array | null);
    else value = decodeInt64List(r, lEnd, base as BigInt64Array | null);
    kind = field;
    r.pos = lEnd;
  }
  return value;
}

function decodeBytesList(r: ProtoReader, end: number, base: Uint8Array[] | null): Uint8Array[] {
  const out: Uint8Array[] = base === null ? [] : base.slice();
  const buf = r.buf;
  const ab = buf.buffer;
  const off = buf.byteOffset;
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === 0x0a) {
      const n = r.uint32();
      const s = r.pos;
      if (s + n > end) r.fail(`length ${n} runs past the end of the message`);
      out.push(new Uint8Array(ab, off + s, n));
      r.pos = s + n;
    } else {
      const e = r.end;
      r.end = end;
      skipField(r, tag);
      r.end = e;
    }
  }
  return out;
}

// DataView of the last input buffer: records of one chunk share it, and TurboFan inlines
// getFloat32, which beats copying bytes through a scratch array.
let viewBuffer: ArrayBufferLike | null = null;
let view: DataView = new DataView(new ArrayBuffer(0));

/** Float32Array holding the raw little-endian float bits buf[start, start + 4n), bit-exact. */
function floatsFrom(buf: Uint8Array, start: number, n: number): Float32Array {
  const ab = buf.buffer;
  if (ab !== viewBuffer) {
    viewBuffer = ab;
    view = new DataView(ab);
  }
  return floatsAt(buf, start, n, buf.byteOffset + start);
}

/**
 * floatsFrom with the absolute byte position `at` in `view` (the DataView of buf.buffer) given:
 * reading buf.buffer and buf.byteOffset is not free, so the caller does it once per record.
 */
function floatsAt(buf: Uint8Array, start: number, n: number, at: number): Float32Array {
  if (n === 1) {
    // the common scalar feature; a constant length lets V8 inline the allocation
    const hi = view.getUint16(at + 2, true);
    if ((hi & 0x7fc0) === 0x7f80 && ((hi & 0x3f) !== 0 || view.getUint16(at, true) !== 0)) {
      return floatsBytewise(buf, start, 1);
    }
    const one = new Float32Array(1);
    one[0] = view.getFloat32(at, true);
    return one;
  }
  if (n <= 16) {
    // Small lists: element-wise (avoids materializing an ArrayBuffer per list); signalling
    // NaNs, whose bits a float conversion might change, take the byte path.
    const dv = view;
    const out = new Float32Array(n);
    let p = at;
    for (let i = 0; i < n; i++, p += 4) {
      const hi = dv.getUint16(p + 2, true);
      if ((hi & 0x7fc0) === 0x7f80 && ((hi & 0x3f) !== 0 || dv.getUint16(p, true) !== 0)) {
        return floatsBytewise(buf, start, n);
      }
      out[i] = dv.getFloat32(p, true);
    }
    return out;
  }
  return floatsBytewise(buf, start, n);
}

function floatsBytewise(buf: Uint8Array, start: number, n: number): Float32Array {
  const bytes = new Uint8Array(new ArrayBuffer(n * 4));
  bytes.set(buf.subarray(start, start + n * 4));
  return new Float32Array(bytes.buffer);
}

function decodeFloatList(r: ProtoReader, end: number, base: Float32Array | null): Float32Array {
  const buf = r.buf;
  // Fast path: a single packed field spanning the whole list.
  if (base === null && r.pos < end && buf[r.pos] === 0x0a) {
    const save = r.pos;
    r.pos++;
    const n = r.uint32();
    if (r.pos + n === end && (n & 3) === 0) {
      const out = floatsFrom(buf, r.pos, n >>> 2);
      r.pos = end;
      return out;
    }
    r.pos = save;
  }
  // General path: collect byte ranges of every value (packed or not), then copy once.
  const ranges: number[] = [];
  let total = 0;
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === 0x0a) {
      const lEnd = r.lenEnd();
      if (lEnd > end) r.fail('packed floats run past the list');
      if ((lEnd - r.pos) & 3) r.fail('packed float list length not a multiple of 4');
      ranges.push(r.pos, lEnd);
      total += (lEnd - r.pos) >>> 2;
      r.pos = lEnd;
    } else if (tag === 0x0d) {
      if (r.pos + 4 > end) r.fail('truncated float');
      ranges.push(r.pos, r.pos + 4);
      total += 1;
      r.pos += 4;
    } else {
      const e = r.end;
      r.end = end;
      skipField(r, tag);
      r.end = e;
    }
  }
  const baseLen = base === null ? 0 : base.length;
  const bytes = new Uint8Array(new ArrayBuffer((baseLen + total) * 4));
  if (base !== null) bytes.set(new Uint8Array(base.buffer, base.byteOffset, baseLen * 4));
  let q = baseLen * 4;
  for (let i = 0; i < ranges.length; i += 2) {
    const s = ranges[i]!;
    const e = ranges[i + 1]!;
    bytes.set(buf.subarray(s, e), q);
    q += e - s;
  }
  return new Float32Array(bytes.buffer);
}

function decodeInt64List(r: ProtoReader, end: number, base: BigInt64Array | null): BigInt64Array {
  // Collect (lo, hi) pairs; a packed run is counted first so its pairs land in one array.
  const pairs: number[] = [];
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === 0x0a) {
      const lEnd = r.lenEnd();
      if (lEnd > end) r.fail('packed int64s run past the list');
      const outer = r.end;
      r.end = lEnd;
      while (r.pos < lEnd) {
        const lo = r.varint64();
        pairs.push(lo, r.hi);
      }
      r.end = outer;
    } else if (tag === 0x08) {
      const outer = r.end;
      r.end = end;
      const lo = r.varint64();
      pairs.push(lo, r.hi);
      r.end = outer;
    } else {
      const e = r.end;
      r.end = end;
      skipField(r, tag);
      r.end = e;
    }
  }
  const baseLen = base === null ? 0 : base.length;
  const n = pairs.length >>> 1;
  if (baseLen + n > 16) {
    const ab = new ArrayBuffer((baseLen + n) * 8);
    const words = new Uint32Array(ab);
    const out = new BigInt64Array(ab);
    if (base !== null) out.set(base);
    const o = baseLen * 2;
    for (let i = 0; i < pairs.length; i++) words[o + i] = pairs[i]!;
    return out;
  }
  const out = new BigInt64Array(baseLen + n);
  if (base !== null) out.set(base);
  for (let i = 0; i < n; i++) {
    const lo = pairs[2 * i]!;
    const hi = pairs[2 * i + 1]!;
    const s = hi | 0;
    out[baseLen + i] =
      s >= -0x200000 && s < 0x200000 ? BigInt(s * 4294967296 + lo) : BigInt.asIntN(64, (BigInt(hi) << 32n) | BigInt(lo));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Encoding

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
