// Decoding tf.train.Example: a fast path for the canonical layout every protobuf writer
// produces, output objects from builders specialized to the record's shape (example-shapes.ts),
// and the general lenient decoder (example-lists.ts) for everything else.

import { ProtoReader, utf8At } from './protowire.js';
import { NO_KIND, type DecodedFeature, type DecodedFeatures } from './example-types.js';
import { dataViewOf, decodeFeature, decodeInt64List, floatsAt, reader, skipField } from './example-lists.js';
import {
  builderFor, fromTemplate, KIND_B1, KIND_F1, KIND_VALUE, lastBuilder, lastKinds, makeTemplate, materialize, recKind, recLen, recPos, recVals,
  templateMissed, templateWanted, tplLength,
} from './example-shapes.js';

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

// The parts of the record scratch only the parser writes (the rest is in example-shapes.ts):
// keys in wire order, how many entries, and the buffer the deferred values sit in.
let recCount = 0;
const recKeys: string[] = [];
let recBuffer: ArrayBufferLike = new ArrayBuffer(0);
let recView: DataView = new DataView(recBuffer);
/** Whether the canonical path may defer single values as positions (decodeExample only). */
let deferOK = false;
/** Whether the last record took the canonical path (only such records make a template). */
let canonicalOK = false;

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
  templateMissed();
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
    if (canonicalOK && templateWanted()) makeTemplate(bytes, n, build);
    return build(recVals, recPos, recLen, recBuffer, recView);
  }
  const out: DecodedFeatures = {};
  for (let i = 0; i < n; i++) setKey(out, recKeys[i]!, materialize(i, recBuffer, recView));
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
    const value = materialize(j, recBuffer, recView);
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
