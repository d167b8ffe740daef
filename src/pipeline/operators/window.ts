// window(size, { shift, stride, dropRemainder }): tf.data's window with each window materialized
// as an array. A window starts at every multiple of shift; it takes every stride-th element of
// the (size - 1) * stride + 1 elements from there. Partial windows at the end are kept unless
// dropRemainder; with shift past the window's span the elements in between are skipped.
// tf.data windows a nested element leaf by leaf (a dict of windows, not a window of dicts);
// plain objects are that structure here, so a window of them becomes an object of arrays.
import { fromChunks, type Chunked } from '../../core/chunks.js';
import { InputError } from '../../core/errors.js';
import { OperatorError } from '../errors.js';
import { eachChunk } from '../source.js';

/** Options of {@link window}. */
export interface WindowOptions {
  /** Elements between the starts of consecutive windows (default size). */
  shift?: number;
  /** Elements between the members of one window (default 1). */
  stride?: number;
  /** Drop the windows at the end that hold fewer than size elements (default false). */
  dropRemainder?: boolean;
}

type Typed =
  | Int8Array | Uint8Array | Uint8ClampedArray | Int16Array | Uint16Array | Int32Array | Uint32Array
  | Float32Array | Float64Array | BigInt64Array | BigUint64Array | DataView;

/**
 * What window() yields for elements of type T: an array of them; for a plain object, the same
 * object with a window (array) per component, as tf.data windows nested elements.
 */
export type Windowed<T> = T extends readonly unknown[] | Typed | Date | RegExp | Map<unknown, unknown> | Set<unknown> | ((...args: never[]) => unknown)
  ? T[]
  : T extends object
    ? { -readonly [K in keyof T]: Windowed<T[K]> }
    : T[];

const isPlainObject = (x: unknown): x is Record<string, unknown> => {
  if (x === null || typeof x !== 'object') return false;
  const proto = Object.getPrototypeOf(x) as unknown;
  return proto === Object.prototype || proto === null;
};

/**
 * Sliding windows of `size` elements, each an array (tf.data's `window`, materialized). A
 * window of plain objects is one object holding a window per component (tf.data's nested
 * windows); arrays, typed arrays and other values are whole elements.
 *
 * @example
 * await Dataset.range(7).window(3, { shift: 2, dropRemainder: true }).toArray(); // [[0, 1, 2], [2, 3, 4], [4, 5, 6]]
 * await Dataset.range(7).window(3, { shift: 1, stride: 2, dropRemainder: true }).toArray(); // [[0, 2, 4], [1, 3, 5], [2, 4, 6]]
 * const pairs = pipe(range(5), window(2, { shift: 1 })); // [0, 1], [1, 2], [2, 3], [3, 4], [4]
 * const rows = pipe([{ a: 1, b: 4 }, { a: 2, b: 5 }, { a: 3, b: 6 }], window(2)); // { a: [1, 2], b: [4, 5] }, { a: [3], b: [6] }
 */
export function window<T>(size: number, options: WindowOptions = {}) {
  const shift = options.shift ?? size;
  const stride = options.stride ?? 1;
  for (const [name, v] of [['size', size], ['shift', shift], ['stride', stride]] as const) {
    if (!Number.isInteger(v) || v <= 0) throw new InputError(`window: ${name} must be a positive integer, got ${v}`);
  }
  const dropRemainder = options.dropRemainder ?? false;
  return (source: AsyncIterable<T>): Chunked<Windowed<T>> =>
    fromChunks(async function* () {
      const windows = new Windows<T>(size, shift, stride);
      for await (const chunk of eachChunk(source)) {
        const out = windows.feed(chunk);
        if (out.length > 0) yield out;
      }
      if (dropRemainder) return;
      const out = windows.rest();
      if (out.length > 0) yield out;
    });
}

/**
 * window()'s state between chunks. The per-element loop lives in a method rather than in the
 * async generator's body, where V8 optimizes it far less (measured: most of the operator's time).
 */
class Windows<T> {
  // The elements from the current window's start on; for a stream of plain objects (decided by
  // its first element) a buffer that checks each element once and gathers windows by component.
  private buf: WindowBuffer<T> | undefined;
  // Elements still to discard when shift reaches past the buffered ones.
  private skip = 0;
  private readonly span: number;
  constructor(private readonly size: number, private readonly shift: number, private readonly stride: number) {
    this.span = (size - 1) * stride + 1;
  }
  /** The windows this chunk completes. */
  feed(chunk: readonly T[]): Windowed<T>[] {
    const out: Windowed<T>[] = [];
    let k = Math.min(this.skip, chunk.length);
    this.skip -= k;
    if (k === chunk.length) return out;
    const buf = (this.buf ??= isPlainObject(chunk[k]) ? new ObjectBuffer<T>(chunk[k] as Record<string, unknown>) : new ElementBuffer<T>());
    const { span, size, stride, shift } = this;
    for (; k < chunk.length; k++) {
      buf.push(chunk[k] as T);
      if (buf.held === span) {
        out.push(buf.take(size, stride));
        const skip = buf.advance(shift);
        if (skip > 0) {
          const n = Math.min(skip, chunk.length - k - 1);
          k += n;
          this.skip = skip - n;
        }
      }
    }
    return out;
  }
  /** The partial windows at the end. */
  rest(): Windowed<T>[] {
    const out: Windowed<T>[] = [];
    const buf = this.buf;
    if (buf === undefined) return out;
    while (buf.held > 0) {
      out.push(buf.take(1 + Math.floor((buf.held - 1) / this.stride), this.stride));
      buf.advance(this.shift);
    }
    return out;
  }
}

/**
 * The elements window() holds from the current window's start on; subclasses make the windows
 * (whole elements, or plain objects by component).
 */
abstract class WindowBuffer<T> {
  protected buf: T[] = [];
  protected head = 0;
  // Stream index of buf[0], so a window's elements can be named in errors.
  protected base = 0;
  /** Elements held from the current window's start. */
  get held(): number {
    return this.buf.length - this.head;
  }
  push(x: T): void {
    this.buf.push(x);
  }
  /** The window of n elements, every stride-th from the start. */
  abstract take(n: number, stride: number): Windowed<T>;
  /** Moves the start by shift; returns how many arriving elements to skip (shift past the held ones). */
  advance(shift: number): number {
    const held = this.held;
    if (shift >= held) {
      this.base += this.buf.length + shift - held;
      this.buf = [];
      this.head = 0;
      return shift - held;
    }
    this.head += shift;
    if (worthCompacting(this.head, this.buf.length)) {
      dropFirst(this.buf, this.head);
      this.base += this.head;
      this.head = 0;
    }
    return 0;
  }
}

/** Whether the first `head` entries of a list of `length` are worth dropping: once they are the larger part. */
const worthCompacting = (head: number, length: number): boolean => head >= 1024 && head * 2 >= length;

/** Drops a list's first `head` entries in place, so that its storage is reused by the next pushes. */
function dropFirst(list: unknown[], head: number): void {
  list.copyWithin(0, head);
  list.length -= head;
}

/** Whole elements: numbers, arrays, typed arrays and any value that is not a plain object. */
class ElementBuffer<T> extends WindowBuffer<T> {
  take(n: number, stride: number): Windowed<T> {
    const w = new Array<T>(n);
    for (let i = 0; i < n; i++) w[i] = this.buf[this.head + i * stride] as T;
    // A stream whose first element was no plain object may still hold some (tf.data would have
    // refused it); such a window is windowed by component as before.
    return (isPlainObject(w[0]) ? byComponent(w, (i) => this.base + this.head + i * stride) : w) as Windowed<T>;
  }
}

/** The component tree of a plain object: its keys and, per key, a subtree or a leaf's number. */
interface Shape {
  keys: string[];
  items: (Shape | number)[];
  path: string;
}

function shapeOf(x: Record<string, unknown>, leaves: { n: number }, path = ''): Shape {
  const keys = Object.keys(x);
  return { keys, path, items: keys.map((k) => (isPlainObject(x[k]) ? shapeOf(x[k] as Record<string, unknown>, leaves, `${path}.${k}`) : leaves.n++)) };
}

type Gather = (elements: readonly unknown[], from: number, n: number, stride: number) => Record<string, unknown>;

/**
 * A function gathering one window object of the shape from whole elements: per leaf an array
 * filled by a named load per element, and the window made as one object literal. Both are what
 * V8 makes fastest; computed keys stored one by one cost as much as the rest of the operator.
 * Undefined for a "__proto__" key (a named load would read the prototype) or where the host
 * refuses code from strings: the keyed gather is used then.
 */
function compileGather(shape: Shape, leafCount: number): Gather | undefined {
  const loads: string[] = [];
  let unsafe = false;
  const literal = (sh: Shape, at: string): string =>
    `{${sh.keys.map((k, i) => {
      if (k === '__proto__') unsafe = true;
      const item = sh.items[i] as Shape | number;
      const path = `${at}[${JSON.stringify(k)}]`;
      if (typeof item === 'number') loads.push(`a${item}[i] = ${path};`);
      return `${JSON.stringify(k)}: ${typeof item === 'number' ? `a${item}` : literal(item, path)}`;
    }).join(', ')}}`;
  const object = literal(shape, 'e');
  if (unsafe) return undefined;
  const arrays = Array.from({ length: leafCount }, (_, i) => `a${i} = new Array(n)`).join(', ');
  try {
    return new Function('b', 'f', 'n', 's', `const ${arrays};\nfor (let i = 0; i < n; i++) {\nconst e = b[f + i * s];\n${loads.join('\n')}\n}\nreturn ${object};`) as Gather;
  } catch {
    return undefined;
  }
}

/**
 * A stream of plain objects, held whole: each element is checked once against the first
 * element's components as it arrives (one for-in pass when its keys come in the same order, as
 * objects made by one literal or function do), and a window gathers each leaf component into
 * an array (tf.data's nested windows).
 */
class ObjectBuffer<T> extends WindowBuffer<T> {
  private readonly shape: Shape;
  private readonly gather: Gather | undefined;
  constructor(first: Record<string, unknown>) {
    super();
    const leaves = { n: 0 };
    this.shape = shapeOf(first, leaves);
    this.gather = compileGather(this.shape, leaves.n);
  }
  override push(x: T): void {
    if (!sameKeysInOrder(x, this.shape)) this.checkByKey(x, this.shape);
    this.buf.push(x);
  }
  private checkByKey(x: unknown, shape: Shape): void {
    const { keys, items } = shape;
    if (!isPlainObject(x) || Object.keys(x).length !== keys.length) this.mismatch(shape);
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i] as string;
      if (!Object.hasOwn(x, k)) this.mismatch(shape);
      const item = items[i] as Shape | number;
      if (typeof item !== 'number') this.checkByKey(x[k], item);
    }
  }
  private mismatch(shape: Shape): never {
    throw new OperatorError('window', this.base + this.buf.length, new InputError(
      `${shape.path === '' ? 'the element' : `component ${shape.path}`} does not have the components ${shape.keys.join(', ')} of the first element`));
  }
  take(n: number, stride: number): Windowed<T> {
    if (this.gather) return this.gather(this.buf, this.head, n, stride) as Windowed<T>;
    return this.gatherByKey(this.shape, n, stride, (e) => e) as Windowed<T>;
  }
  private gatherByKey(shape: Shape, n: number, stride: number, at: (e: unknown) => unknown): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    shape.keys.forEach((k, i) => {
      const item = shape.items[i] as Shape | number;
      const pick = (e: unknown): unknown => (at(e) as Record<string, unknown>)[k];
      let value: unknown;
      if (typeof item === 'number') {
        const w = new Array<unknown>(n);
        for (let j = 0; j < n; j++) w[j] = pick(this.buf[this.head + j * stride]);
        value = w;
      } else value = this.gatherByKey(item, n, stride, pick);
      Object.defineProperty(out, k, { value, enumerable: true, writable: true, configurable: true });
    });
    return out;
  }
}

/** Whether x has exactly the shape's keys, in its order, recursively (one for-in pass per level). */
function sameKeysInOrder(x: unknown, shape: Shape): boolean {
  if (!isPlainObject(x)) return false;
  const { keys, items } = shape;
  let i = 0;
  for (const k in x) {
    if (k !== keys[i]) return false;
    const item = items[i] as Shape | number;
    if (typeof item !== 'number' && !sameKeysInOrder(x[k], item)) return false;
    i++;
  }
  return i === keys.length;
}

/**
 * A window of plain objects as one object of windows, component by component (recursively);
 * `at(i)` is the stream index of the window's i-th element.
 */
function byComponent(w: readonly unknown[], at: (i: number) => number, path = ''): unknown {
  const first = w[0] as Record<string, unknown>;
  const keys = Object.keys(first);
  const out: Record<string, unknown> = {};
  for (const k of keys) {
    const column = new Array<unknown>(w.length);
    for (let i = 0; i < w.length; i++) {
      const x = w[i];
      if (!isPlainObject(x) || !(k in x) || Object.keys(x).length !== keys.length) {
        throw new OperatorError('window', at(i), new InputError(
          `${path === '' ? 'the element' : `component ${path}`} does not have the components ${keys.join(', ')} of the window's first element`));
      }
      column[i] = x[k];
    }
    out[k] = isPlainObject(column[0]) ? byComponent(column, at, `${path}.${k}`) : column;
  }
  return out;
}

/**
 * Number of windows over n elements: ceil(n / shift), or with dropRemainder
 * floor((n - span) / shift) + 1 where span = (size - 1) * stride + 1 (tf.data's cardinality).
 */
export function windowCount(n: number, size: number, options: WindowOptions): number {
  const shift = options.shift ?? size;
  if (n === Infinity) return Infinity;
  if (!options.dropRemainder) return Math.ceil(n / shift);
  const rest = n - ((size - 1) * (options.stride ?? 1) + 1);
  return rest < 0 ? 0 : Math.floor(rest / shift) + 1;
}
