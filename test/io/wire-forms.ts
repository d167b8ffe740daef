// A seeded generator of serialized tf.train.Examples in every wire form protobuf parsers accept
// (not a test file): unpacked and packed lists split into runs, empty runs, duplicate map keys,
// value before key, keys or values missing or repeated in an entry, oneof members switching,
// unknown fields of every wire type (groups nested) at every level, non-minimal varints; and
// mutations of them (truncations, bit flips, byte edits). It only writes bytes: what they mean is
// left to the oracle (python's protobuf), so nothing here encodes an expectation.
import { createRng } from '../../src/core/random.js';
import { Choices } from './differential.js';

type Bytes = number[];

/** Keys that trap decoders: a BOM, U+0000 inside, prototype names, non-BMP, a long one. */
const KEYS = [
  '', 'a', 'b', 'image', 'x', '\ufeff', '\ufeffa', 'a\ufeff', 'x\u0000', '\u0000y', '\u0000', 'x', '__proto__',
  'constructor', 'toString', 'hasOwnProperty', '10', '1', '-1', '中文', '\u{1F600}', 'é', 'e\u0301', '\uE000',
  'k'.repeat(70), 'a|b', 'a:b', '\u2028',
];
/** Byte strings no UTF-8 decoder may accept (a lone continuation, a surrogate, overlongs, a cut). */
const BAD_UTF8 = [[0xff], [0x80], [0xed, 0xa0, 0x80], [0xc0, 0x80], [0xe2, 0x82], [0xf4, 0x90, 0x80, 0x80], [0x61, 0xfe]];
const FLOAT_BITS = [0x7f800001, 0xff800001, 0x7fa00000, 0x7fc00000, 0xffc12345, 0x7f800000, 0xff800000, 0x80000000, 0, 1, 0x3f800000];
const INT64S = [0n, 1n, -1n, 127n, 128n, 2n ** 53n + 1n, 2n ** 63n - 1n, -(2n ** 63n), -(2n ** 31n), 2n ** 32n];

const enc = new TextEncoder();

/** Varint of v (mod 2^64), with `pad` extra continuation bytes (non-minimal, at most 10 in all). */
export function varint(v: bigint, pad = 0): Bytes {
  let u = BigInt.asUintN(64, v);
  const out: Bytes = [];
  while (u >= 0x80n) {
    out.push(Number(u & 0x7fn) | 0x80);
    u >>= 7n;
  }
  out.push(Number(u));
  for (let i = 0; i < pad && out.length < 10; i++) {
    out[out.length - 1]! |= 0x80;
    out.push(0);
  }
  return out;
}

class Gen extends Choices {
  /** Lengths and tags: minimal mostly, padded up to 5 bytes sometimes. */
  small(v: number): Bytes {
    const minimal = varint(BigInt(v));
    return this.chance(0.08) ? varint(BigInt(v), 1 + this.r.int(Math.max(1, 5 - minimal.length))) : minimal;
  }
  tag(field: number, wire: number): Bytes {
    return this.small(field * 8 + wire);
  }
  withLength(payload: Bytes): Bytes {
    return [...this.small(payload.length), ...payload];
  }
  ld(field: number, payload: Bytes): Bytes {
    return [...this.tag(field, 2), ...this.withLength(payload)];
  }
  randomBytes(n: number): Bytes {
    return Array.from({ length: n }, () => this.r.int(256));
  }

  /**
   * An unknown field at a level whose known fields are `known` (field → accepted wire types):
   * a number the level does not know, or a known number with a wire type it does not accept.
   */
  unknown(known: Record<number, number[]>, depth = 0): Bytes {
    let field: number;
    let wire: number;
    do {
      field = this.chance(0.3) ? 1 + this.r.int(3) : this.pick([4, 5, 9, 15, 16, 100, 2047, 2048, 536870911]);
      wire = this.pick(depth < 3 ? [0, 1, 2, 5, 3] : [0, 1, 2, 5]);
    } while (known[field]?.includes(wire));
    const t = this.tag(field, wire);
    switch (wire) {
      case 0:
        return [...t, ...varint(this.pick(INT64S), this.chance(0.1) ? 1 : 0)];
      case 1:
        return [...t, ...this.randomBytes(8)];
      case 5:
        return [...t, ...this.randomBytes(4)];
      case 2:
        return [...t, ...this.withLength(this.randomBytes(this.chance(0.3) ? 0 : this.r.int(12)))];
      default: {
        // a group: nested unknown fields (any numbers: a group's contents are not interpreted)
        const inner: Bytes = [];
        for (let n = this.r.int(3); n > 0; n--) inner.push(...this.unknown({}, depth + 1));
        return [...t, ...inner, ...this.tag(field, 4)];
      }
    }
  }
  sprinkle(parts: Bytes[], known: Record<number, number[]>, p: number): Bytes[] {
    const out: Bytes[] = [];
    for (const part of parts) {
      if (this.chance(p)) out.push(this.unknown(known));
      out.push(part);
    }
    if (this.chance(p)) out.push(this.unknown(known));
    return out;
  }

  key(): Bytes {
    if (this.chance(0.03)) return this.pick(BAD_UTF8);
    if (this.chance(0.7)) return [...enc.encode(this.pick(KEYS))];
    return [...enc.encode(Array.from({ length: 1 + this.r.int(5) }, () => 'abcxyz_09'[this.r.int(9)]).join(''))];
  }

  bytesList(): Bytes {
    const parts: Bytes[] = [];
    for (let n = this.r.int(4); n > 0; n--) parts.push(this.ld(1, this.randomBytes(this.chance(0.1) ? 130 + this.r.int(200) : this.r.int(9))));
    return this.sprinkle(parts, { 1: [2] }, 0.1).flat();
  }

  floatBits(): Bytes {
    const bits = this.chance(0.25) ? this.pick(FLOAT_BITS) : this.r.int(2 ** 32);
    return [bits & 255, (bits >>> 8) & 255, (bits >>> 16) & 255, bits >>> 24];
  }

  /** A numeric list: runs of values, each run packed (maybe empty) or unpacked (`wire` per value). */
  numericList(value: () => Bytes, wire: number, maxRun: number): Bytes {
    const parts: Bytes[] = [];
    for (let runs = this.r.int(4); runs > 0; runs--) {
      const n = this.chance(0.1) ? 0 : 1 + this.r.int(this.chance(0.1) ? maxRun : 4);
      if (this.chance(0.5)) {
        const run: Bytes = [];
        for (let i = 0; i < n; i++) run.push(...value());
        parts.push(this.ld(1, run));
      } else for (let i = 0; i < n; i++) parts.push([...this.tag(1, wire), ...value()]);
    }
    return this.sprinkle(parts, { 1: [2, wire] }, 0.1).flat();
  }

  int64(): Bytes {
    const v = this.chance(0.3) ? this.pick(INT64S) : BigInt.asIntN(64, (BigInt(this.r.int(2 ** 32)) << BigInt(this.r.int(33))) | BigInt(this.r.int(2 ** 32)));
    const bytes = varint(v, this.chance(0.05) ? 1 + this.r.int(3) : 0);
    // a 10-byte varint's last byte carries one bit of the value; parsers drop the others
    if (bytes.length === 10 && this.chance(0.2)) bytes[9] = bytes[9]! | (2 * (1 + this.r.int(63)));
    return bytes;
  }

  /** A Feature: usually one list, sometimes several (same member merges, another replaces). */
  feature(): Bytes {
    const parts: Bytes[] = [];
    const kind = 1 + this.r.int(3);
    const lists = this.chance(0.08) ? 0 : this.chance(0.85) ? 1 : 2 + this.r.int(2);
    for (let i = 0; i < lists; i++) {
      const k = this.chance(0.7) ? kind : 1 + this.r.int(3);
      parts.push(
        this.ld(k, k === 1 ? this.bytesList() : k === 2 ? this.numericList(() => this.floatBits(), 5, 40) : this.numericList(() => this.int64(), 0, 30)),
      );
    }
    return this.sprinkle(parts, { 1: [2], 2: [2], 3: [2] }, 0.08).flat();
  }

  /** A map entry: key and value in either order, either missing or repeated sometimes. */
  entry(key: Bytes): Bytes {
    const parts: Bytes[] = [];
    if (!this.chance(0.04)) parts.push(this.ld(1, key));
    if (this.chance(0.03)) parts.push(this.ld(1, this.key()));
    if (!this.chance(0.04)) parts.push(this.ld(2, this.feature()));
    if (this.chance(0.05)) parts.push(this.ld(2, this.feature()));
    if (this.chance(0.25)) parts.reverse();
    return this.sprinkle(parts, { 1: [2], 2: [2] }, 0.06).flat();
  }

  features(): Bytes {
    const parts: Bytes[] = [];
    const keys: Bytes[] = [];
    for (let n = this.r.int(7); n > 0; n--) {
      // a key used before comes back now and then: the later entry replaces the earlier one
      const key = keys.length > 0 && this.chance(0.12) ? this.pick(keys) : this.key();
      keys.push(key);
      parts.push(this.ld(1, this.entry(key)));
    }
    return this.sprinkle(parts, { 1: [2] }, 0.05).flat();
  }

  example(): Bytes {
    const parts: Bytes[] = [];
    // no `features` at all, one, or the map split across several (which merge)
    const n = this.chance(0.05) ? 0 : this.chance(0.85) ? 1 : 2 + this.r.int(2);
    for (let i = 0; i < n; i++) parts.push(this.ld(1, this.features()));
    return this.sprinkle(parts, { 1: [2] }, 0.08).flat();
  }

  /** The same bytes damaged: cut, bits flipped, a byte changed, inserted or removed. */
  mutate(b: Bytes): Bytes {
    const out = b.slice();
    const at = () => this.r.int(Math.max(1, out.length));
    switch (this.r.int(6)) {
      case 0:
        return out.slice(0, at());
      case 1:
      case 2:
        for (let k = 1 + this.r.int(2); k > 0 && out.length > 0; k--) out[at()] ^= 1 << this.r.int(8);
        return out;
      case 3:
        if (out.length > 0) out[at()] = this.r.int(256);
        return out;
      case 4:
        out.splice(at(), 0, this.r.int(256));
        return out;
      default:
        out.splice(at(), 1);
        return out;
    }
  }
}

/** `count` generated Examples (valid wire forms, a few with invalid UTF-8 keys) from `seed`. */
export function exampleWireForms(seed: number, count: number): Uint8Array[] {
  const g = new Gen(createRng(seed));
  return Array.from({ length: count }, () => Uint8Array.from(g.example()));
}

/** Mutations of generated Examples, two per source. */
export function mutatedExamples(seed: number, count: number): Uint8Array[] {
  const g = new Gen(createRng(seed));
  const out: Uint8Array[] = [];
  while (out.length < count) {
    const b = g.example();
    out.push(Uint8Array.from(g.mutate(b)));
    if (out.length < count) out.push(Uint8Array.from(g.mutate(g.mutate(b))));
  }
  return out;
}
