// Protobuf wire-format primitives shared by the hand-written Example and Event codecs.
// Everything works on (lo, hi) uint32 halves for 64-bit varints so that the hot paths never
// allocate a BigInt; BigInt appears only at the public edges.

import { InputError } from '../core/errors.js';

export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_LEN = 2;
export const WIRE_START_GROUP = 3;
export const WIRE_END_GROUP = 4;
export const WIRE_FIXED32 = 5;

/** Thrown for bytes that are not a valid protobuf message. */
export class ProtoDecodeError extends InputError {
  override name = 'ProtoDecodeError';
}

const TWO_32 = 4294967296;

/** protobuf's default recursion limit: messages and groups nested deeper are refused. */
export const MAX_DEPTH = 100;

/** Bytes needed for a uint32 (or non-negative safe integer below 2^35) varint. */
export function varintSize32(v: number): number {
  if (v < 0x80) return 1;
  if (v < 0x4000) return 2;
  if (v < 0x200000) return 3;
  if (v < 0x10000000) return 4;
  return 5;
}

/** Bytes needed for the varint of the 64-bit value with uint32 halves lo, hi. */
export function varintSize64(lo: number, hi: number): number {
  if (hi === 0) return varintSize32(lo);
  // bits above 28 of lo plus hi: the varint needs ceil(bitLength / 7) bytes.
  return Math.ceil((64 - Math.clz32(hi)) / 7);
}

/** A forward-only writer into a buffer whose exact size was computed beforehand. */
export class ProtoWriter {
  pos = 0;
  private dv: DataView | null = null;
  constructor(readonly buf: Uint8Array) {}

  private get view(): DataView {
    return (this.dv ??= new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength));
  }

  /** A non-negative integer below 2^53 as a varint. */
  uint(v: number): void {
    const b = this.buf;
    let p = this.pos;
    while (v >= 0x80) {
      b[p++] = (v & 0x7f) | 0x80;
      v = v >= TWO_32 ? Math.floor(v / 128) : v >>> 7;
    }
    b[p++] = v;
    this.pos = p;
  }

  /** The 64-bit two's-complement value with uint32 halves lo, hi as a varint. */
  varint64(lo: number, hi: number): void {
    const b = this.buf;
    let p = this.pos;
    while (hi !== 0) {
      b[p++] = (lo & 0x7f) | 0x80;
      lo = ((lo >>> 7) | (hi << 25)) >>> 0;
      hi = hi >>> 7;
    }
    while (lo >= 0x80) {
      b[p++] = (lo & 0x7f) | 0x80;
      lo = lo >>> 7;
    }
    b[p++] = lo;
    this.pos = p;
  }

  byte(v: number): void {
    this.buf[this.pos++] = v;
  }

  bytes(src: Uint8Array): void {
    this.buf.set(src, this.pos);
    this.pos += src.length;
  }

  float(v: number): void {
    this.view.setFloat32(this.pos, v, true);
    this.pos += 4;
  }

  double(v: number): void {
    this.view.setFloat64(this.pos, v, true);
    this.pos += 8;
  }
}

/**
 * A cursor over one message. Methods read at `pos` and advance it; `end` bounds the message.
 * Errors name the offset so a bad payload can be located.
 */
export class ProtoReader {
  pos: number;
  end: number;
  /** High half of the last varint64() read. */
  hi = 0;
  /** Messages and groups entered (protobuf refuses nesting deeper than MAX_DEPTH). */
  depth = 0;
  constructor(
    /** The bytes read; decoders re-point one reader at each record instead of allocating. */
    public buf: Uint8Array,
    start = 0,
    end = buf.length,
  ) {
    this.pos = start;
    this.end = end;
  }

  fail(what: string): never {
    throw new ProtoDecodeError(`invalid protobuf: ${what} at byte ${this.pos}`);
  }

  /** A varint that must fit in 32 bits unsigned (tags, lengths); larger values fail. */
  uint32(): number {
    const p = this.pos;
    if (p < this.end) {
      const c = this.buf[p]!;
      if (c < 0x80) {
        this.pos = p + 1;
        return c;
      }
    }
    return this.uint32Slow();
  }

  private uint32Slow(): number {
    const b = this.buf;
    let p = this.pos;
    const end = this.end;
    let v = 0;
    let shift = 0;
    for (;;) {
      if (p >= end) this.fail('truncated varint');
      const c = b[p++]!;
      if (shift === 28) {
        if (c > 0x0f) {
          this.pos = p;
          this.fail('varint too large for a length or tag');
        }
        v += c * 0x10000000;
        break;
      }
      v |= (c & 0x7f) << shift;
      if (c < 0x80) break;
      shift += 7;
    }
    this.pos = p;
    return v >>> 0;
  }

  /** A 64-bit varint: returns the low 32 bits (uint32) and leaves the high 32 bits in `hi`. */
  varint64(): number {
    const b = this.buf;
    let p = this.pos;
    const end = this.end;
    let lo = 0;
    let hi = 0;
    let c = 0;
    let i = 0;
    for (; i < 4; i++) {
      if (p >= end) this.fail('truncated varint');
      c = b[p++]!;
      lo |= (c & 0x7f) << (i * 7);
      if (c < 0x80) {
        this.pos = p;
        this.hi = 0;
        return lo >>> 0;
      }
    }
    // byte 4 carries bits 28..34
    if (p >= end) this.fail('truncated varint');
    c = b[p++]!;
    lo |= (c & 0x0f) << 28;
    hi = (c & 0x7f) >>> 4;
    if (c >= 0x80) {
      for (i = 0; i < 5; i++) {
        if (p >= end) this.fail('truncated varint');
        c = b[p++]!;
        hi |= (c & 0x7f) << (i * 7 + 3);
        if (c < 0x80) break;
      }
      if (c >= 0x80) {
        this.pos = p;
        this.fail('varint longer than 10 bytes');
      }
    }
    this.pos = p;
    this.hi = hi >>> 0;
    return lo >>> 0;
  }

  /** Start and end of a length-delimited field's payload; moves past it. */
  lenEnd(): number {
    const n = this.uint32();
    const e = this.pos + n;
    if (e > this.end) this.fail(`length ${n} runs past the end of the message`);
    return e;
  }

  /**
   * Enters the embedded message whose tag was just read: reads its length, checks it against the
   * enclosing message, and bounds every read by the new end until `leave`. Returns that end.
   */
  enter(): number {
    const e = this.lenEnd();
    if (++this.depth > MAX_DEPTH) this.fail(`messages nested deeper than ${MAX_DEPTH}`);
    this.end = e;
    return e;
  }

  /** Leaves the message entered last (read to its end); `outer` is the enclosing message's end. */
  leave(outer: number): void {
    this.depth--;
    this.end = outer;
  }

  fixed32At(p: number): number {
    const b = this.buf;
    return (b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24)) >>> 0;
  }

  float(): number {
    if (this.pos + 4 > this.end) this.fail('truncated fixed32');
    const b = this.buf;
    const p = this.pos;
    scratchU8[0] = b[p]!;
    scratchU8[1] = b[p + 1]!;
    scratchU8[2] = b[p + 2]!;
    scratchU8[3] = b[p + 3]!;
    this.pos = p + 4;
    return scratchF32[0]!;
  }

  double(): number {
    if (this.pos + 8 > this.end) this.fail('truncated fixed64');
    const b = this.buf;
    const p = this.pos;
    for (let i = 0; i < 8; i++) scratchU8[i] = b[p + i]!;
    this.pos = p + 8;
    return scratchF64[0]!;
  }

  /** Skips a field whose tag was just read (unknown fields, at any level). */
  skip(wireType: number, fieldNumber: number): void {
    switch (wireType) {
      case WIRE_VARINT:
        this.varint64();
        return;
      case WIRE_FIXED64:
        if (this.pos + 8 > this.end) this.fail('truncated fixed64');
        this.pos += 8;
        return;
      case WIRE_LEN:
        this.pos = this.lenEnd();
        return;
      case WIRE_FIXED32:
        if (this.pos + 4 > this.end) this.fail('truncated fixed32');
        this.pos += 4;
        return;
      case WIRE_START_GROUP:
        if (++this.depth > MAX_DEPTH) this.fail(`groups nested deeper than ${MAX_DEPTH}`);
        for (;;) {
          if (this.pos >= this.end) this.fail('unterminated group');
          const tag = this.uint32();
          const wt = tag & 7;
          if (wt === WIRE_END_GROUP) {
            if (tag >>> 3 !== fieldNumber) this.fail('mismatched end group');
            this.depth--;
            return;
          }
          if (tag >>> 3 === 0) this.fail('field number 0');
          this.skip(wt, tag >>> 3);
        }
      default:
        this.fail(`wire type ${wireType}`);
    }
  }
}

const scratch = new ArrayBuffer(8);
const scratchU8 = new Uint8Array(scratch);
const scratchF32 = new Float32Array(scratch);
const scratchF64 = new Float64Array(scratch);

/** uint32 halves of a bigint in the int64 range (two's complement), or null when outside. */
export function splitInt64(v: bigint): [number, number] | null {
  if (v < -0x8000000000000000n || v > 0x7fffffffffffffffn) return null;
  const u = BigInt.asUintN(64, v);
  return [Number(u & 0xffffffffn), Number(u >> 32n)];
}

/** uint32 halves of a safe integer (two's complement for negatives). */
export function splitSafeInt(v: number): [number, number] {
  const hi = Math.floor(v / TWO_32);
  const lo = v - hi * TWO_32;
  return [lo >>> 0, hi >>> 0];
}

/** The signed int64 with uint32 halves lo, hi as a number when safe, else as a bigint. */
export function joinInt64(lo: number, hi: number): number | bigint {
  const signed = hi | 0;
  if (signed >= -0x200000 && signed < 0x200000) return signed * TWO_32 + lo;
  return BigInt.asIntN(64, (BigInt(hi) << 32n) | BigInt(lo));
}

// As protobuf reads a string field: a leading U+FEFF is text like any other (ignoreBOM keeps it),
// and bytes that are not UTF-8 make the message invalid (fatal), never U+FFFD.
const utf8Decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const utf8Encoder = new TextEncoder();

function decodeUtf8(buf: Uint8Array, start: number, end: number): string {
  try {
    return utf8Decoder.decode(buf.subarray(start, end));
  } catch {
    throw new ProtoDecodeError(`invalid protobuf: a string field holds bytes that are not UTF-8 at byte ${start}`);
  }
}

/** UTF-8 text of buf[start, end) as protobuf reads a string field: an ASCII fast path, else strict. */
export function utf8At(buf: Uint8Array, start: number, end: number): string {
  if (end - start <= 24) {
    let s = '';
    for (let i = start; i < end; i++) {
      const c = buf[i]!;
      if (c >= 0x80) return decodeUtf8(buf, start, end);
      s += String.fromCharCode(c);
    }
    return s;
  }
  return decodeUtf8(buf, start, end);
}

export function utf8Bytes(s: string): Uint8Array {
  return utf8Encoder.encode(s);
}

/** Lexicographic comparison of byte strings (protobuf's deterministic map-key order). */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = a[i]! - b[i]!;
    if (d !== 0) return d;
  }
  return a.length - b.length;
}
