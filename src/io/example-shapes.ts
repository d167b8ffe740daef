// Output objects shaped like the record (example-decode.ts parses, this file builds): the scratch
// the parser fills, a builder generated per key sequence and value layout, and the template of
// the last fixed-shape record, which lets a record of the same structure skip the parse.
import type { DecodedFeature, DecodedFeatures } from './example-types.js';
import { dataViewOf } from './example-lists.js';

// Scratch of the record being decoded: values in wire order. decodeExample lets the canonical
// path defer the commonest values (a single float, a single bytes value) as positions: a builder
// generated for the record's shape then allocates them all in one function, where V8 folds the
// allocations together. The parser writes these arrays in place.
/** Values by entry (KIND_VALUE slots). */
export const recVals: DecodedFeature[] = [];
/** How slot i holds its value: in recVals, or deferred as a position. */
export const KIND_VALUE = 0; // in recVals
export const KIND_F1 = 1; // one float at recPos
export const KIND_B1 = 2; // one bytes value at recPos, recLen
export const recKind: number[] = [];
export const recPos: number[] = [];
export const recLen: number[] = [];

/** Builds one record's output object from the scratch. */
export type Builder = (
  v: DecodedFeature[],
  pos: number[],
  len: number[],
  ab: ArrayBufferLike,
  dv: DataView,
) => DecodedFeatures;
let lastKeys: string[] = [];
/** The layout and builder builderFor returned last (the parser reuses them for an equal record). */
export let lastKinds: number[] = [];
export let lastBuilder: Builder | null = null;
const builders = new Map<string, { keys: string[]; kinds: number[]; build: Builder }>();

/**
 * The builder of output objects for this key sequence and value layout: an object literal with
 * fixed keys is several times cheaper than keyed stores into `{}`, and datasets repeat one shape.
 * Null when a literal cannot express the record (repeated keys, '__proto__', very many keys).
 */
export function builderFor(keys: string[], kinds: number[], n: number): Builder | null {
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

/** The value of slot i, allocating a deferred one (its bytes in `buffer`, seen through `view`). */
export function materialize(i: number, buffer: ArrayBufferLike, view: DataView): DecodedFeature {
  const kind = recKind[i];
  if (kind === KIND_F1) {
    const f = new Float32Array(1);
    f[0] = view.getFloat32(recPos[i]!, true);
    return f;
  }
  if (kind === KIND_B1) return [new Uint8Array(buffer, recPos[i]!, recLen[i]!)];
  return recVals[i]!;
}

// Template of the last fixed-shape record (every feature a single float or a single bytes
// value, as in image + box datasets): when the next record has the same length and the same
// structural bytes (tags, lengths, keys — everything but the values), it parses the same way,
// so only the values are read. The comparison is cheaper than the parse it replaces.
/** Byte length of the template's record (-1: none): only a record of this length can match. */
export let tplLength = -1;
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

/** A record that did not match the template. */
export function templateMissed(): void {
  tplMisses++;
}

/** Whether to (re)learn the template: none yet, or 8 misses since (not on every record of a varying dataset). */
export function templateWanted(): boolean {
  return tplBuilder === null || tplMisses >= 8;
}

/** The record's output when it has the template's structure (only values differ), else null. */
export function fromTemplate(bytes: Uint8Array): DecodedFeatures | null {
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

/** Learns the template from a record just parsed into the scratch (all n slots deferred), built by `build`. */
export function makeTemplate(bytes: Uint8Array, n: number, build: Builder): void {
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
