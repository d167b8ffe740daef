// The general (lenient) decoding of Feature values: lists in any layout protobuf allows
// (packed or not, split, merged, with unknown fields), and bit-exact float copies.

import { ProtoReader, WIRE_LEN } from './protowire.js';
import { KIND_BYTES, KIND_FLOAT, KIND_INT64, KIND_NONE, NO_KIND, type DecodedFeature } from './example-types.js';

/** The reader shared by the decoders (decoding is synchronous, so one suffices). */
export const reader = new ProtoReader(new Uint8Array(0));

export function skipField(r: ProtoReader, tag: number): void {
  if (tag >>> 3 === 0) r.fail('field number 0');
  r.skip(tag & 7, tag >>> 3);
}

function kindOf(v: DecodedFeature): number {
  if (v === NO_KIND) return KIND_NONE;
  if (v instanceof Float32Array) return KIND_FLOAT;
  if (v instanceof BigInt64Array) return KIND_INT64;
  return KIND_BYTES;
}

/**
 * Decodes the Feature in [r.pos, end) (the reader bounded by `end`); `prev` is an earlier Feature
 * of the same entry to merge.
 */
export function decodeFeature(r: ProtoReader, end: number, prev: DecodedFeature): DecodedFeature {
  let value = prev;
  let kind = kindOf(prev);
  while (r.pos < end) {
    const tag = r.uint32();
    const field = tag >>> 3;
    if ((tag & 7) !== WIRE_LEN || field < 1 || field > 3) {
      skipField(r, tag);
      continue;
    }
    const lEnd = r.enter();
    // A repeated oneof member merges into the same member; a different member replaces it.
    const base = kind === field ? value : null;
    if (field === KIND_BYTES) value = decodeBytesList(r, lEnd, base as Uint8Array[] | null);
    else if (field === KIND_FLOAT) value = decodeFloatList(r, lEnd, base as Float32Array | null);
    else value = decodeInt64List(r, lEnd, base as BigInt64Array | null);
    kind = field;
    r.leave(end);
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
      const e = r.lenEnd();
      out.push(new Uint8Array(ab, off + r.pos, e - r.pos));
      r.pos = e;
    } else skipField(r, tag);
  }
  return out;
}

// DataView of the last input buffer: records of one chunk share it, and TurboFan inlines
// getFloat32, which beats copying bytes through a scratch array.
let viewBuffer: ArrayBufferLike | null = null;
let view: DataView = new DataView(new ArrayBuffer(0));

/** A DataView over ab (the last one is cached). */
export function dataViewOf(ab: ArrayBufferLike): DataView {
  if (ab !== viewBuffer) {
    viewBuffer = ab;
    view = new DataView(ab);
  }
  return view;
}

/** Float32Array holding the raw little-endian float bits buf[start, start + 4n), bit-exact. */
function floatsFrom(buf: Uint8Array, start: number, n: number): Float32Array {
  return floatsAt(buf, start, n, buf.byteOffset + start, dataViewOf(buf.buffer));
}

/**
 * floatsFrom with the absolute byte position `at` in `view` (the DataView of buf.buffer) given:
 * reading buf.buffer and buf.byteOffset is not free, so the caller does it once per record.
 */
export function floatsAt(buf: Uint8Array, start: number, n: number, at: number, view: DataView): Float32Array {
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
      if ((lEnd - r.pos) & 3) r.fail('packed float list length not a multiple of 4');
      ranges.push(r.pos, lEnd);
      total += (lEnd - r.pos) >>> 2;
      r.pos = lEnd;
    } else if (tag === 0x0d) {
      if (r.pos + 4 > end) r.fail('truncated float');
      ranges.push(r.pos, r.pos + 4);
      total += 1;
      r.pos += 4;
    } else skipField(r, tag);
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

/** The Int64List in [r.pos, end), the reader bounded by `end`; `base` is a list to merge into. */
export function decodeInt64List(r: ProtoReader, end: number, base: BigInt64Array | null): BigInt64Array {
  // Collect (lo, hi) pairs; a packed run is counted first so its pairs land in one array.
  const pairs: number[] = [];
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === 0x0a) {
      const lEnd = r.lenEnd();
      r.end = lEnd;
      while (r.pos < lEnd) {
        const lo = r.varint64();
        pairs.push(lo, r.hi);
      }
      r.end = end;
    } else if (tag === 0x08) {
      const lo = r.varint64();
      pairs.push(lo, r.hi);
    } else skipField(r, tag);
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

