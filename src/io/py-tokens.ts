// The tokenizer of pyLiteralEval (py-literal.ts): CPython's tokens for what a literal can hold
// (numbers with underscores and prefixes, strings with prefixes and escapes, comments, line
// continuations, brackets), the one logical line that eval mode allows, and the indentation rules
// of its first and last lines. Anything else is refused where it stands.

/** A Python value as literal_eval gives it (only what a header needs is kept in full). */
export type PyValue =
  | { type: 'int'; value: bigint }
  | { type: 'bool'; value: boolean }
  | { type: 'float'; value: number }
  | { type: 'complex' }
  | { type: 'str'; value: string }
  | { type: 'bytes'; value: Uint8Array }
  | { type: 'none' }
  | { type: 'ellipsis' }
  | { type: 'tuple' | 'list' | 'set'; items: PyValue[] }
  | { type: 'dict'; entries: [PyValue, PyValue][] };

/** Why a text is not a Python literal (the message says what and where). */
export class PyLiteralError extends Error {
  override name = 'PyLiteralError';
}

/** CPython refuses to convert decimal integer literals with more digits than this (3.11+). */
const MAX_INT_DIGITS = 4300;

/** A token: a number (already a value), a string (escapes applied), a name or an operator. */
export type Token =
  | { kind: 'num'; value: PyValue; at: number }
  | { kind: 'str'; value: string; bytes: boolean; at: number }
  | { kind: 'name'; value: string; at: number }
  | { kind: 'op'; value: string; at: number }
  | { kind: 'end'; at: number };

const isDigit = (c: string): boolean => c >= '0' && c <= '9';
const isIdStart = (c: string): boolean => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_';
const isIdChar = (c: string): boolean => isIdStart(c) || isDigit(c);
const STRING_PREFIXES = new Set(['r', 'u', 'b', 'br', 'rb', 'f', 'fr', 'rf']);
const SIMPLE_ESCAPES: Record<string, string> = { '\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };

/** Splits a text into the tokens of one Python literal expression; `run()` returns them. */
export class Tokenizer {
  private pos = 0;
  private depth = 0;
  readonly tokens: Token[] = [];

  constructor(
    private readonly s: string,
    /** numpy's filter for versions 1.0 and 2.0: a NAME `L` right after a NUMBER is dropped. */
    private readonly numpyFilter: boolean,
  ) {}

  private fail(why: string, at = this.pos): never {
    throw new PyLiteralError(`${why} at character ${at}`);
  }

  run(): Token[] {
    const s = this.s;
    let lines = 0; // logical lines with content (eval mode allows one)
    for (;;) {
      // the start of a physical line outside brackets: its indentation, or a blank line
      let col = 0;
      for (; this.pos < s.length; this.pos++) {
        const c = s[this.pos];
        if (c === ' ') col++;
        else if (c === '\t') col = (Math.floor(col / 8) + 1) * 8;
        else if (c === '\f') col = 0;
        else break;
      }
      if (this.pos >= s.length) {
        if (col > 0) this.fail('unexpected indent');
        break;
      }
      const c = s[this.pos]!;
      if (c === '#') {
        this.skipComment();
        if (this.pos < s.length) this.pos++; // the newline
        continue;
      }
      if (c === '\n') {
        this.pos++;
        continue;
      }
      if (col > 0) this.fail('unexpected indent');
      if (lines++ > 0) this.fail('more than one line of content');
      this.logicalLine();
    }
    this.tokens.push({ kind: 'end', at: s.length });
    return this.tokens;
  }

  private skipComment(): void {
    while (this.pos < this.s.length && this.s[this.pos] !== '\n') this.pos++;
  }

  /** Tokens up to the newline that ends the logical line (none inside brackets ends it). */
  private logicalLine(): void {
    const s = this.s;
    while (this.pos < s.length) {
      const c = s[this.pos]!;
      if (c === ' ' || c === '\t' || c === '\f') {
        this.pos++;
      } else if (c === '#') {
        this.skipComment();
      } else if (c === '\\') {
        if (s[this.pos + 1] !== '\n') this.fail('unexpected character after line continuation');
        this.pos += 2;
        if (this.pos >= s.length) this.fail('unexpected end of input after a line continuation');
      } else if (c === '\n') {
        this.pos++;
        if (this.depth === 0) return;
      } else this.token();
    }
    if (this.depth > 0) this.fail('unclosed bracket');
  }

  private token(): void {
    const s = this.s;
    const at = this.pos;
    const c = s[at]!;
    if (isDigit(c) || (c === '.' && isDigit(s[at + 1] ?? ''))) {
      this.tokens.push({ kind: 'num', value: this.number(), at });
      if (this.numpyFilter) this.skipLongSuffix();
      return;
    }
    if (isIdStart(c)) {
      let e = at;
      while (e < s.length && isIdChar(s[e]!)) e++;
      const word = s.slice(at, e);
      if ((s[e] === "'" || s[e] === '"') && STRING_PREFIXES.has(word.toLowerCase())) {
        this.pos = e;
        this.string(word.toLowerCase(), at);
        return;
      }
      this.pos = e;
      this.tokens.push({ kind: 'name', value: word, at });
      return;
    }
    if (c === "'" || c === '"') {
      this.string('', at);
      return;
    }
    if (s.startsWith('...', at)) {
      this.pos += 3;
      this.tokens.push({ kind: 'op', value: '...', at });
      return;
    }
    if ('([{'.includes(c)) this.depth++;
    else if (')]}'.includes(c)) {
      if (this.depth === 0) this.fail(`unmatched '${c}'`);
      this.depth--;
    } else if (!',:+-'.includes(c)) {
      this.fail(c.charCodeAt(0) < 0x20 || c.charCodeAt(0) > 0x7e ? `invalid character U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}` : `'${c}' is not part of a literal`);
    }
    this.pos++;
    this.tokens.push({ kind: 'op', value: c, at });
  }

  /** numpy's _filter_header: after a number, the name `L` (Python 2's long suffix) goes. */
  private skipLongSuffix(): void {
    const s = this.s;
    let p = this.pos;
    for (;;) {
      const c = s[p];
      if (c === ' ' || c === '\t' || c === '\f') p++;
      else if (c === '\\' && s[p + 1] === '\n') p += 2;
      else break;
    }
    if (s[p] === 'L' && !isIdChar(s[p + 1] ?? '')) this.pos = p + 1;
  }

  /** Digits with single underscores between them, in the given radix test. */
  private digits(ok: (c: string) => boolean, required: boolean): string {
    const s = this.s;
    let out = '';
    while (this.pos < s.length) {
      const c = s[this.pos]!;
      if (ok(c)) {
        out += c;
        this.pos++;
      } else if (c === '_' && out.length > 0 && ok(s[this.pos + 1] ?? '')) {
        this.pos++;
      } else break;
    }
    if (required && out.length === 0) this.fail('invalid number literal');
    return out;
  }

  private number(): PyValue {
    const s = this.s;
    const at = this.pos;
    const radix = s[at] === '0' ? (s[at + 1] ?? '').toLowerCase() : '';
    if (radix === 'x' || radix === 'o' || radix === 'b') {
      this.pos += 2;
      if (s[this.pos] === '_') this.pos++; // 0x_1f is valid
      const test = radix === 'x' ? (c: string) => /[0-9a-fA-F]/.test(c) : radix === 'o' ? (c: string) => c >= '0' && c <= '7' : (c: string) => c === '0' || c === '1';
      const d = this.digits(test, true);
      this.endOfNumber();
      return { type: 'int', value: BigInt(`0${radix}${d}`) };
    }
    const intPart = s[at] === '.' ? '' : this.digits(isDigit, true);
    let isFloat = false;
    let frac = '';
    let exp = '';
    if (s[this.pos] === '.') {
      isFloat = true;
      this.pos++;
      frac = isDigit(s[this.pos] ?? '') ? this.digits(isDigit, true) : '';
    }
    if ((s[this.pos] === 'e' || s[this.pos] === 'E') && (isDigit(s[this.pos + 1] ?? '') || ('+-'.includes(s[this.pos + 1] ?? 'x') && isDigit(s[this.pos + 2] ?? '')))) {
      isFloat = true;
      this.pos++;
      const sign = '+-'.includes(s[this.pos]!) ? s[this.pos++]! : '';
      exp = sign + this.digits(isDigit, true);
    }
    if (s[this.pos] === 'j' || s[this.pos] === 'J') {
      this.pos++;
      this.endOfNumber();
      return { type: 'complex' };
    }
    this.endOfNumber();
    if (isFloat) return { type: 'float', value: Number(`${intPart || '0'}.${frac || '0'}${exp ? `e${exp}` : ''}`) };
    if (/^0+$/.test(intPart)) return { type: 'int', value: 0n };
    if (intPart.startsWith('0')) this.fail('leading zeros in a decimal integer literal', at);
    if (intPart.length > MAX_INT_DIGITS) this.fail(`an integer literal of ${intPart.length} digits (Python converts at most ${MAX_INT_DIGITS})`, at);
    return { type: 'int', value: BigInt(intPart) };
  }

  /** CPython refuses a number run into a name ("1x", "0x1g", "1_"). */
  private endOfNumber(): void {
    const c = this.s[this.pos] ?? '';
    if (isIdChar(c) && !(this.numpyFilter && c === 'L' && !isIdChar(this.s[this.pos + 1] ?? ''))) this.fail('invalid number literal');
  }

  private string(prefix: string, at: number): void {
    const s = this.s;
    if (prefix.includes('f')) this.fail('f-strings are not literals', at);
    const raw = prefix.includes('r');
    const bytes = prefix.includes('b');
    const q = s[this.pos]!;
    const triple = s.startsWith(q.repeat(3), this.pos);
    this.pos += triple ? 3 : 1;
    let out = '';
    for (;;) {
      if (this.pos >= s.length) this.fail('unterminated string literal', at);
      const c = s[this.pos]!;
      if (triple ? s.startsWith(q.repeat(3), this.pos) : c === q) {
        this.pos += triple ? 3 : 1;
        break;
      }
      if (c === '\n' && !triple) this.fail('unterminated string literal', at);
      if (bytes && c.charCodeAt(0) > 0x7f) this.fail('bytes can only contain ASCII literal characters', at);
      if (c !== '\\') {
        out += c;
        this.pos++;
        continue;
      }
      const e = s[this.pos + 1];
      if (e === undefined) this.fail('unterminated string literal', at);
      if (bytes && e.charCodeAt(0) > 0x7f) this.fail('bytes can only contain ASCII literal characters', at);
      if (raw) {
        // a backslash keeps the next character from ending the string, and both stay
        out += c + e;
        this.pos += 2;
        continue;
      }
      this.pos += 2;
      if (e === '\n') continue;
      if (SIMPLE_ESCAPES[e] !== undefined) out += SIMPLE_ESCAPES[e];
      else if (e >= '0' && e <= '7') {
        let n = e;
        while (n.length < 3 && /[0-7]/.test(s[this.pos] ?? '')) n += s[this.pos++];
        const v = parseInt(n, 8);
        out += String.fromCharCode(bytes ? v & 0xff : v); // bytes keep the low 8 bits (with a warning)
      } else if (e === 'x' || (!bytes && (e === 'u' || e === 'U'))) {
        const n = e === 'x' ? 2 : e === 'u' ? 4 : 8;
        const hex = s.slice(this.pos, this.pos + n);
        if (!new RegExp(`^[0-9a-fA-F]{${n}}$`).test(hex)) this.fail(`truncated \\${e} escape`, at);
        const v = parseInt(hex, 16);
        if (v > 0x10ffff) this.fail('illegal Unicode character', at);
        out += String.fromCodePoint(v);
        this.pos += n;
      } else if (e === 'N' && !bytes) {
        this.fail('\\N{...} escapes are not supported', at);
      } else out += c + e; // an unknown escape keeps its backslash (with a DeprecationWarning)
    }
    this.tokens.push({ kind: 'str', value: out, bytes, at });
  }
}
