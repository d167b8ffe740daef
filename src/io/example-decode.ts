// Decoding tf.train.Example: a fast path for the canonical layout every protobuf writer
// produces, output objects from builders specialized to the record's shape, and the general
// lenient decoder (example-lists.ts) for everything else.

import { ProtoReader, utf8At } from './protowire.js';
import { NO_KIND, type DecodedFeature, type DecodedFeatures } from './example-types.js';
import { dataViewOf, decodeFeature, decodeInt64List, floatsAt, reader, skipField } from './example-lists.js';

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
let recView: DataView = new DataView(recBuffer);
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
  // JSON text names a key list unambiguously (joining with any separator would not: a key may
  // hold the separator).
  const id = JSON.stringify([seq, ks]);
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
    let build: Builder;
    try {
      build = new Function('v', 'pos', 'len', 'ab', 'dv', `${pre.join(' ')} return { ${fields.join(', ')} };`) as Builder;
    } catch {
      return null; // code generation disallowed (--disallow-code-generation-from-strings): generic path
    }
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
    f[0] = recView.getFloat32(recPos[i]!, true);
    return f;
  }
  if (kind === KIND_B1) return [new Uint8Array(recBuffer, recPos[i]!, recLen[i]!)];
  return recVals[i]!;
}

// Template of the last fixed-shape record (every feature a single float or a single bytes
// value, as in image + box datasets): when the next record has the same length and the same
// structural bytes (tags, lengths, keys — everything but the values), it parses the same way,
// so only the values are read. The comparison is cheaper than the parse it replaces.
let tplLength = -1;
let tplWordRel: number[] = [];
let tplWordVal: number[] = [];
let tplByteRel: number[] = [];
let tplByteVal: number[] = [];
let tplCount = 0;
let tplKinds: number[] = [];
let tplRel: number[] = [];
let tplLens: number[] = [];
let tplBuilder: Builder | null = null;
let tplMisses = 0;
let canonicalOK = false;

function fromTemplate(bytes: Uint8Array): DecodedFeatures | null {
  const ab = bytes.buffer;
  const off = bytes.byteOffset;
  const dv = dataViewOf(ab);
  const wr = tplWordRel;
  const wv = tplWordVal;
  for (let k = 0; k < wr.length; k++) if (dv.getInt32(off + wr[k]!, true) !== wv[k]) return null;
  const br = tplByteRel;
  const bv = tplByteVal;
  for (let k = 0; k < br.length; k++) if (dv.getUint8(off + br[k]!) !== bv[k]) return null;
  for (let i = 0; i < tplCount; i++) {
    const at = off + tplRel[i]!;
    if (tplKinds[i] === KIND_F1) {
      const hi = dv.getUint16(at + 2, true);
      if ((hi & 0x7fc0) === 0x7f80 && ((hi & 0x3f) !== 0 || dv.getUint16(at, true) !== 0)) return null;
    }
    recPos[i] = at;
    recLen[i] = tplLens[i]!;
  }
  return tplBuilder!(recVals, recPos, recLen, ab, dv);
}

function makeTemplate(bytes: Uint8Array, n: number, build: Builder): void {
  for (let i = 0; i < n; i++) if (recKind[i] !== KIND_F1 && recKind[i] !== KIND_B1) return;
  const off = bytes.byteOffset;
  const dv = new DataView(bytes.buffer, off, bytes.length);
  const wordRel: number[] = [];
  const wordVal: number[] = [];
  const byteRel: number[] = [];
  const byteVal: number[] = [];
  // structural bytes [a, b): whole int32 words (the last one overlapping back), short runs bytewise
  const cover = (a: number, b: number): void => {
    if (b - a < 4) {
      for (let i = a; i < b; i++) byteRel.push(i), byteVal.push(dv.getUint8(i));
      return;
    }
    for (let i = a; i < b; i += 4) {
      const at = Math.min(i, b - 4);
      wordRel.push(at);
      wordVal.push(dv.getInt32(at, true));
    }
  };
  let prev = 0;
  const rel: number[] = [];
  const lens: number[] = [];
  for (let i = 0; i < n; i++) {
    const start = recPos[i]! - off;
    cover(prev, start);
    prev = start + (recKind[i] === KIND_F1 ? 4 : recLen[i]!);
    rel.push(start);
    lens.push(recLen[i]!);
  }
  cover(prev, bytes.length);
  tplLength = bytes.length;
  tplWordRel = wordRel;
  tplWordVal = wordVal;
  tplByteRel = byteRel;
  tplByteVal = byteVal;
  tplCount = n;
  tplKinds = recKind.slice(0, n);
  tplRel = rel;
  tplLens = lens;
  tplBuilder = build;
  tplMisses = 0;
}

/**
 * Decodes a serialized tf.train.Example into plain typed arrays.
 *
 * @example
 * const features = decodeExample(encodeExample({ x: [0.5], label: [1n] }));
 * const x = features['x']; // Float32Array [0.5]
 */
export function decodeExample(bytes: Uint8Array): DecodedFeatures {
  if (bytes.length === tplLength) {
    const hit = fromTemplate(bytes);
    if (hit !== null) return hit;
  }
  tplMisses++;
  keyMisses = 0;
  // Until this record decodes, no builder describes the key cache: a record that throws halfway
  // has already put some of its keys there.
  const before = lastCount;
  lastCount = -1;
  deferOK = true;
  try {
    decodeRecord(bytes);
  } finally {
    deferOK = false;
  }
  const n = recCount;
  // Every key equal to last record's key at its position and the same layout: same builder.
  let same = keyMisses === 0 && n === before && lastBuilder !== null;
  for (let i = 0; same && i < n; i++) same = recKind[i] === lastKinds[i];
  const build = same ? lastBuilder : builderFor(recKeys, recKind, n);
  lastCount = build === null ? -1 : n;
  if (build !== null) {
    // (re)learn the template now and then, not on every record of a varying dataset
    if (canonicalOK && (tplBuilder === null || tplMisses >= 8)) makeTemplate(bytes, n, build);
    return build(recVals, recPos, recLen, recBuffer, recView);
  }
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
  lastCount = -1; // the key cache is about to describe this record, not the last builder's
  const hasFeatures = decodeRecord(bytes);
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

/**
 * The varint length at buf[p] of a field inside a message ending at `end`: sets lenPos past it;
 * -1 when it is malformed or does not end before `end`. (Whether the payload fits is the caller's
 * check: each knows what its field must span.)
 */
function lenAt(buf: Uint8Array, p: number, end: number): number {
  if (p >= end) return -1;
  const n = buf[p]!;
  if (n < 0x80) {
    lenPos = p + 1;
    return n;
  }
  return longLen(buf, p, end);
}

function decodeCanonical(buf: Uint8Array): boolean {
  const end = buf.length;
  if (buf[0] !== 0x0a) return false;
  let n = lenAt(buf, 1, end);
  let p = lenPos;
  if (n < 0 || p + n !== end) return false;
  const ab = buf.buffer;
  const off = buf.byteOffset;
  const view = dataViewOf(ab);
  recBuffer = ab;
  recView = view;
  const defer = deferOK;
  let count = 0;
  while (p < end) {
    // map entry: key first
    if (buf[p] !== 0x0a) return false;
    n = lenAt(buf, p + 1, end);
    p = lenPos;
    const eEnd = p + n;
    if (n < 0 || eEnd > end || buf[p] !== 0x0a) return false;
    n = lenAt(buf, p + 1, eEnd);
    const kStart = lenPos;
    const kEnd = kStart + n;
    p = kEnd;
    if (n < 0 || p >= eEnd || buf[p] !== 0x12) return false;
    // value: Feature, spanning the rest of the entry
    n = lenAt(buf, p + 1, eEnd);
    p = lenPos;
    if (n < 0 || p + n !== eEnd) return false;
    let value: DecodedFeature = NO_KIND;
    let kindHere = KIND_VALUE;
    let at = 0;
    let size = 0;
    if (n > 0) {
      // one list spanning the Feature
      const kind = buf[p]!;
      n = lenAt(buf, p + 1, eEnd);
      p = lenPos;
      if (n < 0 || p + n !== eEnd) return false;
      if (kind === 0x12) {
        if (n === 0) value = new Float32Array(0);
        else {
          // one packed run spanning the FloatList
          if (buf[p] !== 0x0a) return false;
          n = lenAt(buf, p + 1, eEnd);
          p = lenPos;
          if (n < 0 || p + n !== eEnd || (n & 3) !== 0) return false;
          const hi = n === 4 ? view.getUint16(off + p + 2, true) : 0;
          if (defer && n === 4 && !((hi & 0x7fc0) === 0x7f80 && ((hi & 0x3f) !== 0 || view.getUint16(off + p, true) !== 0))) {
            kindHere = KIND_F1;
            at = off + p;
          } else value = floatsAt(buf, p, n >>> 2, off + p, view);
        }
      } else if (kind === 0x0a) {
        const list: Uint8Array[] = [];
        if (defer && p < eEnd && buf[p] === 0x0a) {
          // a single value spanning the list: defer it
          const m = lenAt(buf, p + 1, eEnd);
          if (m >= 0 && lenPos + m === eEnd) {
            kindHere = KIND_B1;
            at = off + lenPos;
            size = m;
            p = eEnd;
          }
        }
        while (p < eEnd) {
          if (buf[p] !== 0x0a) return false;
          n = lenAt(buf, p + 1, eEnd);
          p = lenPos;
          if (n < 0 || p + n > eEnd) return false;
          list.push(new Uint8Array(ab, off + p, n));
          p += n;
        }
        value = list;
      } else if (kind === 0x1a) {
        reader.buf = buf;
        reader.end = eEnd;
        reader.pos = p;
        reader.depth = 4; // Features, entry, Feature, Int64List: as deep as protobuf counts here
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

/**
 * Parses bytes into recKeys/recVals/recCount; returns whether a `features` field was seen. Every
 * nested length is checked against its enclosing message (the reader's `end` is narrowed at each
 * level), as protobuf's own parsers do.
 */
function decodeRecord(bytes: Uint8Array): boolean {
  canonicalOK = decodeCanonical(bytes);
  if (canonicalOK) return true;
  const r = reader;
  r.buf = bytes;
  r.pos = 0;
  r.end = bytes.length;
  r.depth = 0;
  recCount = 0;
  let hasFeatures = false;
  while (r.pos < r.end) {
    const tag = r.uint32();
    if (tag !== 0x0a) {
      skipField(r, tag);
      continue;
    }
    hasFeatures = true;
    const fEnd = r.enter();
    while (r.pos < fEnd) {
      const ftag = r.uint32();
      if (ftag !== 0x0a) skipField(r, ftag);
      else decodeEntry(r, bytes);
    }
    r.leave(bytes.length);
  }
  return hasFeatures;
}

/** One map entry at r.pos (its tag read): key and value in any order, repeated, or missing. */
function decodeEntry(r: ProtoReader, bytes: Uint8Array): void {
  const outer = r.end;
  const eEnd = r.enter();
  let kStart = 0;
  let kEnd = 0;
  let value: DecodedFeature = NO_KIND;
  let valueSeen = false;
  while (r.pos < eEnd) {
    const etag = r.uint32();
    if (etag === 0x0a) {
      // a repeated key replaces the one before, which must still have been valid UTF-8
      if (kEnd > kStart) utf8At(bytes, kStart, kEnd);
      kEnd = r.lenEnd();
      kStart = r.pos;
      r.pos = kEnd;
    } else if (etag === 0x12) {
      // a repeated value merges into the one before (message semantics)
      const vEnd = r.enter();
      value = decodeFeature(r, vEnd, valueSeen ? value : NO_KIND);
      valueSeen = true;
      r.leave(eEnd);
    } else {
      skipField(r, etag);
    }
  }
  r.leave(outer);
  const slot = recCount++;
  recKeys[slot] = keyAt(bytes, kStart, kEnd, slot);
  recVals[slot] = value;
  recKind[slot] = KIND_VALUE;
}
