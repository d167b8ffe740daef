// Python literals as `ast.literal_eval` reads them, for .npy headers (numpy parses its header
// dict with literal_eval, after dropping Python 2 `L` suffixes from versions 1.0 and 2.0). The
// tokenizer follows CPython's for the tokens a literal can hold (numbers with underscores and
// prefixes, strings with prefixes, escapes and implicit concatenation, comments, line
// continuations, the one logical line eval mode allows); the parser accepts exactly the nodes
// literal_eval converts: constants, tuples, lists, sets, dicts, `set()`, a sign on a number and
// a real plus or minus an imaginary literal. Everything else is refused.

import { PyLiteralError, Tokenizer, type PyValue, type Token } from './py-tokens.js';

export { PyLiteralError, type PyValue } from './py-tokens.js';

type Node =
  | { n: 'const'; value: PyValue }
  | { n: 'unary'; op: string; operand: Node }
  | { n: 'binop'; op: string; left: Node; right: Node }
  | { n: 'seq'; type: 'tuple' | 'list' | 'set'; items: Node[] }
  | { n: 'dict'; keys: Node[]; values: Node[] }
  | { n: 'setcall' };

class Parser {
  private i = 0;
  constructor(private readonly tokens: Token[]) {}

  private peek(): Token {
    return this.tokens[this.i]!;
  }
  private fail(why: string): never {
    throw new PyLiteralError(`${why} at character ${this.peek().at}`);
  }
  private isOp(v: string): boolean {
    const t = this.peek();
    return t.kind === 'op' && t.value === v;
  }
  private expect(v: string): void {
    if (!this.isOp(v)) this.fail(`expected '${v}'`);
    this.i++;
  }

  /** The whole input: one expression (a bare comma list is a tuple). */
  top(): Node {
    const node = this.exprList('end');
    if (this.peek().kind !== 'end') this.fail('unexpected token');
    return node;
  }

  /** Expressions separated by commas up to `close`: one without a comma is itself. */
  private exprList(close: string): Node {
    const first = this.expr();
    if (!this.isOp(',')) return first;
    const items = [first];
    while (this.isOp(',')) {
      this.i++;
      if (this.atClose(close)) break;
      items.push(this.expr());
    }
    return { n: 'seq', type: 'tuple', items };
  }

  private atClose(close: string): boolean {
    return close === 'end' ? this.peek().kind === 'end' : this.isOp(close);
  }

  private expr(): Node {
    let left = this.unary();
    while (this.isOp('+') || this.isOp('-')) {
      const op = (this.tokens[this.i++] as { value: string }).value;
      left = { n: 'binop', op, left, right: this.unary() };
    }
    return left;
  }

  private unary(): Node {
    if (this.isOp('+') || this.isOp('-')) {
      const op = (this.tokens[this.i++] as { value: string }).value;
      return { n: 'unary', op, operand: this.unary() };
    }
    return this.atom();
  }

  private items(close: string): Node[] {
    const items: Node[] = [];
    while (!this.isOp(close)) {
      items.push(this.expr());
      if (!this.isOp(',')) break;
      this.i++;
    }
    this.expect(close);
    return items;
  }

  private atom(): Node {
    const t = this.peek();
    if (t.kind === 'num') {
      this.i++;
      return { n: 'const', value: t.value };
    }
    if (t.kind === 'str') {
      // adjacent literals concatenate; bytes and text do not mix
      let value = '';
      const bytes = t.bytes;
      while (this.peek().kind === 'str') {
        const s = this.peek() as Extract<Token, { kind: 'str' }>;
        if (s.bytes !== bytes) this.fail('cannot mix bytes and nonbytes literals');
        value += s.value;
        this.i++;
      }
      return { n: 'const', value: bytes ? { type: 'bytes', value: Uint8Array.from(value, (c) => c.charCodeAt(0)) } : { type: 'str', value } };
    }
    if (t.kind === 'name') {
      this.i++;
      if (t.value === 'True' || t.value === 'False') return { n: 'const', value: { type: 'bool', value: t.value === 'True' } };
      if (t.value === 'None') return { n: 'const', value: { type: 'none' } };
      if (t.value === 'set' && this.isOp('(')) {
        this.i++;
        this.expect(')');
        return { n: 'setcall' };
      }
      this.fail(`the name '${t.value}' is not a literal`);
    }
    if (t.kind === 'op') {
      if (t.value === '...') {
        this.i++;
        return { n: 'const', value: { type: 'ellipsis' } };
      }
      if (t.value === '(') {
        this.i++;
        if (this.isOp(')')) {
          this.i++;
          return { n: 'seq', type: 'tuple', items: [] };
        }
        const inner = this.exprList(')');
        this.expect(')');
        return inner;
      }
      if (t.value === '[') {
        this.i++;
        return { n: 'seq', type: 'list', items: this.items(']') };
      }
      if (t.value === '{') {
        this.i++;
        return this.braces();
      }
    }
    return this.fail('expected a literal');
  }

  private braces(): Node {
    if (this.isOp('}')) {
      this.i++;
      return { n: 'dict', keys: [], values: [] };
    }
    const first = this.expr();
    if (!this.isOp(':')) {
      // a set display
      const items = [first];
      while (this.isOp(',')) {
        this.i++;
        if (this.isOp('}')) break;
        items.push(this.expr());
      }
      this.expect('}');
      return { n: 'seq', type: 'set', items };
    }
    const keys = [first];
    const values: Node[] = [];
    for (;;) {
      this.expect(':');
      values.push(this.expr());
      if (!this.isOp(',')) break;
      this.i++;
      if (this.isOp('}')) break;
      keys.push(this.expr());
    }
    this.expect('}');
    return { n: 'dict', keys, values };
  }
}

function hashable(v: PyValue): boolean {
  if (v.type === 'list' || v.type === 'set' || v.type === 'dict') return false;
  return v.type !== 'tuple' || v.items.every(hashable);
}

/** literal_eval's conversion of a parsed node (its _convert). */
function convert(node: Node): PyValue {
  switch (node.n) {
    case 'const':
      return node.value;
    case 'setcall':
      return { type: 'set', items: [] };
    case 'seq': {
      const items = node.items.map(convert);
      if (node.type === 'set' && !items.every(hashable)) throw new PyLiteralError('unhashable item in a set');
      return { type: node.type, items };
    }
    case 'dict': {
      const keys = node.keys.map(convert);
      const values = node.values.map(convert);
      if (!keys.every(hashable)) throw new PyLiteralError('unhashable dict key');
      return { type: 'dict', entries: keys.map((k, i) => [k, values[i]!]) };
    }
    case 'unary':
      return signedNumber(node);
    case 'binop': {
      // only a real number plus or minus an imaginary literal: complex
      const left = signedNumber(node.left);
      if (node.right.n !== 'const' || node.right.value.type !== 'complex' || left.type === 'complex') {
        throw new PyLiteralError('an operator outside a complex literal');
      }
      return { type: 'complex' };
    }
  }
}

/** A number constant, or a sign on one (never on a bool or anything else). */
function signedNumber(node: Node): PyValue {
  const num = (n: Node): PyValue => {
    if (n.n === 'const' && (n.value.type === 'int' || n.value.type === 'float' || n.value.type === 'complex')) return n.value;
    throw new PyLiteralError('malformed node: a sign or operator on something other than a number');
  };
  if (node.n !== 'unary') return num(node);
  const v = num(node.operand);
  if (node.op === '+') return v;
  if (v.type === 'int') return { type: 'int', value: -v.value };
  if (v.type === 'float') return { type: 'float', value: -v.value };
  return v;
}

/**
 * `ast.literal_eval(text)` as CPython 3.11 does it. With `numpyFilter`, first what numpy's
 * `_filter_header` does to headers of versions 1.0 and 2.0 (a tokenize/untokenize round trip):
 * the `L` of Python 2 longs after a number goes, and so does a last line of only whitespace
 * (which yields no token). Throws PyLiteralError.
 */
export function pyLiteralEval(text: string, options: { numpyFilter?: boolean } = {}): PyValue {
  if (text.includes('\0')) throw new PyLiteralError('source code cannot contain null bytes');
  // literal_eval strips leading spaces and tabs; the tokenizer reads \r\n and \r as \n
  let src = text.replace(/^[ \t]+/, '').replace(/\r\n?/g, '\n');
  if (options.numpyFilter === true) src = src.replace(/\n[ \t\f]+$/, '\n');
  const tokens = new Tokenizer(src, options.numpyFilter === true).run();
  if (tokens.length === 1) throw new PyLiteralError('no expression');
  return convert(new Parser(tokens).top());
}
