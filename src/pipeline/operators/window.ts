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
  const span = (size - 1) * stride + 1;
  return (source: AsyncIterable<T>): Chunked<Windowed<T>> =>
    fromChunks(async function* () {
      // buf[head..] holds the elements from the current window's start; `skip` counts elements
      // still to discard when shift reaches past the buffered ones.
      let buf: T[] = [];
      let head = 0;
      let skip = 0;
      // Stream index of buf[0], so a window's elements can be named in errors.
      let base = 0;
      const advance = (): void => {
        const held = buf.length - head;
        if (shift >= held) {
          skip = shift - held;
          base += buf.length + skip;
          buf = [];
          head = 0;
        } else {
          head += shift;
          if (head >= 1024 && head * 2 >= buf.length) {
            buf = buf.slice(head);
            base += head;
            head = 0;
          }
        }
      };
      const take = (n: number): Windowed<T> => {
        const w = new Array<T>(n);
        for (let i = 0; i < n; i++) w[i] = buf[head + i * stride] as T;
        return (isPlainObject(w[0]) ? byComponent(w, (i) => base + head + i * stride) : w) as Windowed<T>;
      };
      for await (const chunk of eachChunk(source)) {
        const out: Windowed<T>[] = [];
        let k = 0;
        if (skip > 0) {
          k = Math.min(skip, chunk.length);
          skip -= k;
        }
        for (; k < chunk.length; k++) {
          if (skip > 0) {
            skip--;
            continue;
          }
          buf.push(chunk[k] as T);
          if (buf.length - head === span) {
            out.push(take(size));
            advance();
          }
        }
        if (out.length > 0) yield out;
      }
      if (dropRemainder) return;
      const out: Windowed<T>[] = [];
      while (buf.length - head > 0) {
        out.push(take(1 + Math.floor((buf.length - head - 1) / stride)));
        advance();
      }
      if (out.length > 0) yield out;
    });
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
