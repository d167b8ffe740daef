// The part of Dataset that does not make new Datasets: the source and its cardinality, iteration,
// and the steps that end a pipeline (toArray, forEach, reduce). dataset.ts adds the operators.
import { CHUNKS, type Chunked } from '../core/chunks.js';
import { abortable } from './operators/abortable.js';
import { reduce } from './operators/reduce.js';
import { from, type SourceLike } from './source.js';

/**
 * Elements per epoch: a count, Infinity (repeats forever) or undefined (unknown).
 *
 * @example
 * const n: Cardinality = Dataset.range(10).batch(3).cardinality; // 4
 */
export type Cardinality = number | undefined;

/**
 * A chunked source with its cardinality, iteration and the terminal steps; every Dataset is one.
 *
 * @example
 * const base: DatasetBase<number> = Dataset.range(3);
 * await base.toArray(); // [0, 1, 2]
 */
export class DatasetBase<T> implements Chunked<T> {
  /** Number of elements per epoch: a count, Infinity (repeat forever) or undefined (unknown). */
  readonly cardinality: Cardinality;
  /** The chunked stream this Dataset iterates. */
  readonly source: Chunked<T>;

  /**
   * Wraps any source; give the cardinality when it is known.
   *
   * @example
   * const ds = new Dataset([1, 2, 3], 3);
   */
  constructor(source: SourceLike<T>, cardinality?: Cardinality) {
    this.source = from(source);
    this.cardinality = cardinality;
  }

  /** The chunk protocol: the same elements in arrays, one await per array. */
  [CHUNKS](): AsyncIterator<T[]> {
    return this.source[CHUNKS]();
  }

  /** One epoch, element by element. */
  [Symbol.asyncIterator](): AsyncIterator<T> {
    return this.source[Symbol.asyncIterator]();
  }

  /**
   * Folds one epoch into a value (tf.data's `reduce`).
   *
   * @example
   * await Dataset.range(5).reduce(0, (sum, x) => sum + x); // 10
   */
  reduce<R>(initial: R, fn: (state: R, value: T, index: number) => R | PromiseLike<R>): Promise<R> {
    return reduce(initial, fn)(this.source);
  }

  /**
   * All elements of one epoch.
   *
   * @example
   * const all = await Dataset.range(3).toArray(); // [0, 1, 2]
   */
  async toArray(options: { signal?: AbortSignal } = {}): Promise<T[]> {
    const src = options.signal ? abortable<T>(options.signal)(this.source) : this.source;
    const out: T[] = [];
    const it = src[CHUNKS]();
    try {
      for (;;) {
        const r = await it.next();
        if (r.done) return out;
        for (const x of r.value) out.push(x);
      }
    } finally {
      await it.return?.();
    }
  }

  /**
   * Calls fn on every element of one epoch (awaiting it when it returns a promise).
   *
   * @example
   * await Dataset.range(3).forEach((x, i) => console.log(i, x));
   */
  async forEach(fn: (value: T, index: number) => unknown, options: { signal?: AbortSignal } = {}): Promise<void> {
    const src = options.signal ? abortable<T>(options.signal)(this.source) : this.source;
    const it = src[CHUNKS]();
    let index = 0;
    try {
      for (;;) {
        const r = await it.next();
        if (r.done) return;
        for (const x of r.value) {
          const y = fn(x, index++);
          if (y !== null && typeof y === 'object' && typeof (y as PromiseLike<unknown>).then === 'function') await y;
          // fn may have fired the signal: the rest of this chunk must not reach it.
          options.signal?.throwIfAborted();
        }
      }
    } finally {
      await it.return?.();
    }
  }
}
