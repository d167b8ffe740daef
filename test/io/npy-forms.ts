// A seeded generator of .npy members whose headers take the forms numpy's literal_eval reading
// allows and a few it refuses (not a test file): key spellings (quotes, prefixes, escapes,
// implicit concatenation), comments, line breaks and continuations, repeated keys whose earlier
// values are any literal, Python 2 `L` suffixes, descr aliases and byte orders, Fortran order,
// versions, trailing text, data too short or too long; and mutations of them. It only writes
// bytes: what they mean is left to the oracle (numpy).
import { createRng } from '../../src/core/random.js';
import { Choices } from './differential.js';

const DESCRS = [
  '<f4', 'f4', '=f4', '|f4', '>f4', 'float32', 'f', '<f', 'd', '>f8', '<f8', 'e', '<f2', '>f2', '?', '|b1', 'b1', 'bool',
  'b', 'B', 'u1', '|u1', '>u1', 'uint8', 'i1', '|i1', 'h', 'H', '<i2', '>u2', 'i', 'I', '>i4', '<u4', 'q', 'Q', '<i8',
  '>i8', '<u8', '>u8', 'int64',
  // numpy reads these, recordflow does not; and strings numpy refuses
  '<U1', 'S3', '|O', '<c8', 'g', '<i4,', 'i8 ', '', 'f5', '<x4',
];
const SIZES: Record<string, number> = { f: 4, d: 8, e: 2, '?': 1, b: 1, B: 1, h: 2, H: 2, i: 4, I: 4, q: 8, Q: 8 };

function itemSize(descr: string): number {
  const m = /(\d+)$/.exec(descr);
  if (m) return Math.min(16, Number(m[1]));
  const c = descr.replace(/^[<>=|]/, '');
  return SIZES[c] ?? (descr === 'bool' ? 1 : 4);
}

class NpyGen extends Choices {

  /** Whitespace between tokens inside the braces: spaces, tabs, line breaks, comments, continuations. */
  gap(v3: boolean): string {
    if (!this.chance(0.25)) return this.chance(0.5) ? ' ' : '';
    return this.pick([' ', '  ', '\t', '\n', '\n  ', ' \\\n', ' # note\n', v3 ? ' # é ☃\n' : ' # \xe9\n', '\r\n', '\f']);
  }

  /** A Python spelling of a string: quotes, prefixes, escapes, concatenation. */
  str(s: string, v3: boolean): string {
    const r = this.r.int(10);
    if (r < 5) return `'${s}'`;
    if (r === 5) return `"${s}"`;
    if (r === 6) return s.length > 2 ? `'${s.slice(0, 2)}'${this.pick(['', ' ', '\n'])}"${s.slice(2)}"` : `'${s}'`;
    if (r === 7) return `${this.pick(['u', 'r', 'R', 'U'])}'${s}'`;
    if (r === 8) return s.length > 0 ? `'\\x${s.charCodeAt(0).toString(16).padStart(2, '0')}${s.slice(1)}'` : "''";
    return v3 && s.length > 0 ? `'''${s.slice(0, -1)}\\u${s.charCodeAt(s.length - 1).toString(16).padStart(4, '0')}'''` : `'''${s}'''`;
  }

  /** Any literal, for values a repeated key throws away (some are not literals at all). */
  junk(v1or2: boolean, depth = 0): string {
    const r = this.r.int(depth > 1 ? 10 : 14);
    const atoms = ['1', '-2', '1.5', '1e3', '-0.0', '1j', '1+2j', '-1-2.5j', 'None', 'True', '...', "b'x\\x00'", "'s'", '0x1f', '0o7', '0b1', '1_000', '()', 'set()', '[]', '{}'];
    if (r < 8) return this.pick(atoms);
    if (r === 8) return this.pick(v1or2 ? ['2L', '0x10L', '3 L'] : ['2', '16']);
    if (r === 9) return this.pick(['x', '1+2', '--1', '[1][0]', "f'x'", '1if 1 else 2', '{[]: 1}', '{1, [2]}', '01', 'set(1)']);
    const items = Array.from({ length: this.r.int(3) }, () => this.junk(v1or2, depth + 1));
    if (r === 10) return `(${items.join(', ')}${items.length === 1 ? ',' : ''})`;
    if (r === 11) return `[${items.join(', ')}]`;
    if (r === 12) return items.length > 0 ? `{${items.join(', ')}}` : 'set()';
    return `{${items.map((x, i) => `${i}: ${x}`).join(', ')}}`;
  }

  int(n: number, v1or2: boolean): string {
    const r = this.r.int(12);
    if (r === 0) return `0x${n.toString(16)}`;
    if (r === 1 && v1or2) return `${n}L`;
    if (r === 2 && n >= 10) return `${String(n)[0]}_${String(n).slice(1)}`;
    if (r === 3) return `${n}.0`; // a float: numpy refuses it in a shape
    if (r === 4) return this.pick([`-${n + 1}`, 'True', `${n} `, `(${n})`]);
    return String(n);
  }

  shape(dims: number[], v1or2: boolean): string {
    const parts = dims.map((d) => this.int(d, v1or2));
    if (this.chance(0.03)) return `[${parts.join(', ')}]`;
    if (parts.length === 0) return '()';
    return `(${parts.join(', ')}${parts.length === 1 || this.chance(0.3) ? ',' : ''})`;
  }

  /** One .npy member. */
  npy(): Uint8Array {
    const version = this.chance(0.03) ? this.pick([[1, 1], [2, 1], [3, 1], [0, 0], [4, 0]]) : this.pick([[1, 0], [1, 0], [2, 0], [3, 0]]);
    const v1or2 = version[0]! <= 2;
    const v3 = version[0] === 3;
    const descr = this.pick(DESCRS);
    const dims = Array.from({ length: this.r.int(4) }, () => this.r.int(5));
    const fortran = this.chance(0.4);
    const g = () => this.gap(v3);
    const entries: [string, string][] = [
      ['descr', this.chance(0.98) ? this.str(descr, v3) : this.pick(['5', "('<i2', (2,))", "[('a', '<i2')]", 'None'])],
      ['fortran_order', this.chance(0.97) ? String(fortran).replace(/^./, (c) => c.toUpperCase()) : this.pick(['1', '0', 'None'])],
      ['shape', this.shape(dims, v1or2)],
    ];
    if (this.chance(0.2)) entries.splice(this.r.int(4), 0, [this.pick(['shape', 'descr', 'fortran_order']), this.junk(v1or2)]);
    if (this.chance(0.03)) entries.push([this.pick(['x', 'Shape', 'descr ']), '1']);
    if (this.chance(0.02)) entries.splice(this.r.int(entries.length), 1);
    for (let i = entries.length - 1; i > 0; i--) {
      const j = this.r.int(i + 1);
      [entries[i], entries[j]] = [entries[j]!, entries[i]!];
    }
    // (a repeated key's last value counts, junk or not)
    const body = entries.map(([k, v]) => `${g()}${this.str(k, v3)}${g()}:${g()}${v}`).join(',');
    let text = `{${body}${this.chance(0.6) ? ',' : ''}${g()}}`;
    if (this.chance(0.04)) text += this.pick([' xyz', ' {}', ', 1', ' #c', '\n  ', ' \\\n']);
    const pad = this.chance(0.1) ? '' : ' '.repeat(this.r.int(40));
    text += pad + (this.chance(0.9) ? '\n' : '');
    const header = v3 ? Buffer.from(text, 'utf8') : Buffer.from(text, 'latin1');
    const pre = version[0] === 1 ? 10 : 12;
    const head = new Uint8Array(pre);
    head.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version[0]!, version[1]!]);
    const dv = new DataView(head.buffer);
    if (pre === 10) dv.setUint16(8, header.length, true);
    else dv.setUint32(8, header.length, true);
    let n = dims.reduce((a, b) => a * b, 1) * itemSize(descr);
    if (this.chance(0.05)) n = Math.max(0, n - 1 - this.r.int(4));
    else if (this.chance(0.05)) n += 1 + this.r.int(9);
    const data = Uint8Array.from({ length: n }, () => (this.chance(0.05) ? this.pick([0x7f, 0xff, 0x80, 0x01]) : this.r.int(256)));
    return Uint8Array.from([...head, ...header, ...data]);
  }

  mutate(b: Uint8Array): Uint8Array {
    const out = Array.from(b);
    const at = () => this.r.int(Math.max(1, Math.min(out.length, 140)));
    switch (this.r.int(4)) {
      case 0:
        return Uint8Array.from(out.slice(0, at()));
      case 1:
        out[at()] ^= 1 << this.r.int(8);
        return Uint8Array.from(out);
      case 2:
        out.splice(at(), 0, this.pick([0x27, 0x2c, 0x20, 0x0a, 0x23, 0x4c, 0x5c, 0x28, 0x29]));
        return Uint8Array.from(out);
      default:
        out.splice(at(), 1);
        return Uint8Array.from(out);
    }
  }
}

/** `count` generated .npy members from `seed`. */
export function npyForms(seed: number, count: number): Uint8Array[] {
  const g = new NpyGen(createRng(seed));
  return Array.from({ length: count }, () => g.npy());
}

/** Mutations (cuts, bit flips, inserted or removed bytes, mostly in the header) of generated members. */
export function mutatedNpy(seed: number, count: number): Uint8Array[] {
  const g = new NpyGen(createRng(seed));
  return Array.from({ length: count }, () => g.mutate(g.npy()));
}
