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
  // The buffer holds the elements from the current window's start on: whole elements, or for a
  // stream of plain objects one column per leaf component, filled as elements arrive so that
  // each element is read once however many windows hold it. Made from the first element.
  private buf: Buffer<T> | undefined;
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
    const buf = (this.buf ??= isPlainObject(chunk[k]) ? new ColumnBuffer<T>(chunk[k] as Record<string, unknown>) : new ElementBuffer<T>());
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

/** The elements window() holds from the current window's start on. */
interface Buffer<T> {
  /** Elements held from the current window's start. */
  readonly held: number;
  push(x: T): void;
  /** The window of n elements, every stride-th from the start. */
  take(n: number, stride: number): Windowed<T>;
  /** Moves the start by shift; returns how many arriving elements to skip (shift past the held ones). */
  advance(shift: number): number;
}

/** Drops the first `head` entries of a list once they are the larger part of it. */
const compacted = <X>(list: X[], head: number): X[] | undefined => (head >= 1024 && head * 2 >= list.length ? list.slice(head) : undefined);

/** Whole elements: numbers, arrays, typed arrays and any value that is not a plain object. */
class ElementBuffer<T> implements Buffer<T> {
  private buf: T[] = [];
  private head = 0;
  // Stream index of buf[0], so a window's elements can be named in errors.
  private base = 0;
  get held(): number {
    return this.buf.length - this.head;
  }
  push(x: T): void {
    this.buf.push(x);
  }
  take(n: number, stride: number): Windowed<T> {
    const w = new Array<T>(n);
    for (let i = 0; i < n; i++) w[i] = this.buf[this.head + i * stride] as T;
    // A stream whose first element was no plain object may still hold some (tf.data would have
    // refused it); such a window is windowed by component as before.
    return (isPlainObject(w[0]) ? byComponent(w, (i) => this.base + this.head + i * stride) : w) as Windowed<T>;
  }
  advance(shift: number): number {
    const held = this.held;
    if (shift >= held) {
      this.base += this.buf.length + shift - held;
      this.buf = [];
      this.head = 0;
      return shift - held;
    }
    this.head += shift;
    const rest = compacted(this.buf, this.head);
    if (rest) {
      this.buf = rest;
      this.base += this.head;
      this.head = 0;
    }
    return 0;
  }
}

/** The component tree of a plain object: its keys and, per key, a subtree or a leaf's column number. */
interface Shape {
  keys: string[];
  items: (Shape | number)[];
  path: string;
}

function shapeOf(x: Record<string, unknown>, leaves: { n: number }, path = ''): Shape {
  const keys = Object.keys(x);
  return { keys, path, items: keys.map((k) => (isPlainObject(x[k]) ? shapeOf(x[k] as Record<string, unknown>, leaves, `${path}.${k}`) : leaves.n++)) };
}

/**
 * A stream of plain objects, held as one column per leaf component: each element is checked
 * against the first element's components and split into the columns once, and a window is a
 * slice of each column (tf.data's nested windows).
 */
class ColumnBuffer<T> implements Buffer<T> {
  private readonly shape: Shape;
  private columns: unknown[][];
  private length = 0;
  private head = 0;
  // Stream index of the columns' first entries, so elements can be named in errors.
  private base = 0;
  constructor(first: Record<string, unknown>) {
    const leaves = { n: 0 };
    this.shape = shapeOf(first, leaves);
    this.columns = Array.from({ length: leaves.n }, () => []);
  }
  get held(): number {
    return this.length - this.head;
  }
  push(x: T): void {
    if (!this.pushInOrder(x, this.shape)) {
      // Undo what the fast path pushed of this element, then check and push it key by key.
      for (const column of this.columns) column.length = this.length;
      this.pushByKey(x, this.shape);
    }
    this.length++;
  }
  /**
   * The fast path: an element whose keys come in the first element's order (as objects made by
   * one literal or function do) is checked and split in one for-in pass, whose loads V8 serves
   * from the object's cached key list. False as soon as anything differs.
   */
  private pushInOrder(x: unknown, shape: Shape): boolean {
    if (!isPlainObject(x)) return false;
    const { keys, items } = shape;
    let i = 0;
    for (const k in x) {
      if (k !== keys[i]) return false;
      const item = items[i] as Shape | number;
      if (typeof item === 'number') (this.columns[item] as unknown[]).push(x[k]);
      else if (!this.pushInOrder(x[k], item)) return false;
      i++;
    }
    return i === keys.length;
  }
  /** Keys in another order, or a mismatch to name. */
  private pushByKey(x: unknown, shape: Shape): void {
    const { keys, items } = shape;
    if (!isPlainObject(x) || Object.keys(x).length !== keys.length) this.mismatch(shape);
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i] as string;
      if (!Object.hasOwn(x, k)) this.mismatch(shape);
      const item = items[i] as Shape | number;
      if (typeof item === 'number') (this.columns[item] as unknown[]).push(x[k]);
      else this.pushByKey(x[k], item);
    }
  }
  private mismatch(shape: Shape): never {
    throw new OperatorError('window', this.base + this.length, new InputError(
      `${shape.path === '' ? 'the element' : `component ${shape.path}`} does not have the components ${shape.keys.join(', ')} of the first element`));
  }
  take(n: number, stride: number): Windowed<T> {
    return this.build(this.shape, n, stride) as Windowed<T>;
  }
  // Methods, not closures made per window: a closure per call costs far more than the slices.
  private build(shape: Shape, n: number, stride: number): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (let i = 0; i < shape.keys.length; i++) {
      const item = shape.items[i] as Shape | number;
      out[shape.keys[i] as string] = typeof item === 'number' ? this.slice(this.columns[item] as unknown[], n, stride) : this.build(item, n, stride);
    }
    return out;
  }
  private slice(column: unknown[], n: number, stride: number): unknown[] {
    const from = this.head;
    if (stride === 1) return column.slice(from, from + n);
    const w = new Array<unknown>(n);
    for (let i = 0; i < n; i++) w[i] = column[from + i * stride];
    return w;
  }
  advance(shift: number): number {
    const held = this.held;
    if (shift >= held) {
      this.base += this.length + shift - held;
      this.columns = this.columns.map(() => []);
      this.length = 0;
      this.head = 0;
      return shift - held;
    }
    this.head += shift;
    if (compacted(this.columns[0] ?? [], this.head)) {
      this.columns = this.columns.map((c) => c.slice(this.head));
      this.length -= this.head;
      this.base += this.head;
      this.head = 0;
    }
    return 0;
  }
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
