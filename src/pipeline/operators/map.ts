// map(fn, { concurrency }): applies fn to every element, output in input order.
// Synchronous fns run over whole chunks with no await per element. When fn returns a promise,
// up to `concurrency` calls run at once and results are still emitted in input order
// (tf.data's deterministic parallel map). fn's third argument is an AbortSignal that fires
// when the iteration stops early (break, downstream error), so in-flight work can give up.
// With deterministic: false results go out in completion order (map-unordered.ts).
import { fromChunks, type Chunked } from '../../core/chunks.js';
import { InputError } from '../../core/errors.js';
import { wrapError } from '../errors.js';
import { mapUnordered } from './map-unordered.js';
import {
  chunkIterator, isRandomAccess, isThenable, RANDOM_ACCESS, type RandomAccess, type RandomAccessSource,
} from '../source.js';

/**
 * A map function: the element, its index in the epoch, and a signal that fires when the
 * iteration stops early, so in-flight async work can give up.
 *
 * @example
 * const fetchOne: MapFn<string, number> = async (url, i, signal) => (await fetch(url, { signal })).status;
 */
export type MapFn<T, R> = (value: T, index: number, signal: AbortSignal) => R | PromiseLike<R>;

/** Options of {@link map}. */
export interface MapOptions {
  /** How many async calls may be in flight at once (default 1). */
  concurrency?: number;
  /**
   * Results in input order (default true, as tf.data). false: each result as soon as its call
   * settles, in completion order (the stream then offers no random access).
   */
  deterministic?: boolean;
}

const noop = (): void => {};

interface Slot<R> {
  settled: boolean;
  failed: boolean;
  value: R | undefined;
  error: unknown;
  /** Resolves (never rejects) once the slot is settled. */
  promise: Promise<void> | undefined;
}

function pending<R>(result: PromiseLike<R>, index: number): Slot<R> {
  const slot: Slot<R> = { settled: false, failed: false, value: undefined, error: undefined, promise: undefined };
  slot.promise = Promise.resolve(result).then(
    (v) => {
      slot.settled = true;
      slot.value = v;
    },
    (e: unknown) => {
      slot.settled = true;
      slot.failed = true;
      slot.error = wrapError('map', index, e);
    },
  );
  return slot;
}

function resultOf<R>(slot: Slot<R>): R {
  if (slot.failed) throw slot.error;
  return slot.value as R;
}

/**
 * fn applied to every element, output in input order (tf.data's `map`). Synchronous fns run
 * over whole chunks; async fns run up to `concurrency` at once. Keeps random access.
 *
 * @example
 * await Dataset.from([1, 2, 3]).map((x) => x * 10).toArray(); // [10, 20, 30]
 * const slow = pipe(range(10), map(async (x: number) => x + 1, { concurrency: 4 }));
 * const asReady = Dataset.range(10).map(async (x) => x * 2, { concurrency: 4, deterministic: false });
 */
export function map<T, R>(fn: MapFn<T, R>, options: MapOptions = {}) {
  const concurrency = options.concurrency ?? 1;
  if (!(concurrency >= 1) || !Number.isInteger(concurrency)) {
    throw new InputError(`map: concurrency must be a positive integer, got ${concurrency}`);
  }
  if (options.deterministic === false) {
    return (source: AsyncIterable<T>): Chunked<R> => fromChunks(() => mapUnordered(source, fn, concurrency));
  }
  return (source: AsyncIterable<T>): Chunked<R> => {
    const out = fromChunks(() => mapChunks(source, fn, concurrency));
    if (!isRandomAccess(source)) return out;
    // A 1:1 map keeps random access: read by position, then apply fn (the shuffle fallback
    // relies on this to shuffle an index and still run the maps that follow the source).
    const ra: RandomAccessSource<R> & Chunked<R> = Object.assign(out, {
      [RANDOM_ACCESS]: async () => mapRandomAccess(await source[RANDOM_ACCESS](), fn),
    });
    return ra;
  };
}

async function* mapChunks<T, R>(source: AsyncIterable<T>, fn: MapFn<T, R>, concurrency: number): AsyncGenerator<R[]> {
  const it = chunkIterator(source);
  const abort = new AbortController();
  const signal = abort.signal;
  // In-flight results in input order. A slot settles when its call does, so results that are
  // already there move to the output without an await, and several travel in one chunk.
  const queue: Slot<R>[] = [];
  let chunk: T[] = [];
  let pos = 0;
  let index = 0;
  let sourceDone = false;
  let out: R[] = [];
  try {
    for (;;) {
      while (queue.length < concurrency) {
        if (pos >= chunk.length) {
          if (sourceDone) break;
          if (out.length > 0) {
            yield out;
            out = [];
          }
          const r = await it.next();
          if (r.done) {
            sourceDone = true;
            break;
          }
          chunk = r.value;
          pos = 0;
          continue;
        }
        const i = index++;
        let y: R | PromiseLike<R>;
        try {
          y = fn(chunk[pos++] as T, i, signal);
        } catch (e) {
          throw wrapError('map', i, e);
        }
        if (!isThenable(y)) {
          if (queue.length === 0) out.push(y); // the fast path: nothing pending ahead of it
          else queue.push({ settled: true, failed: false, value: y, error: undefined, promise: undefined });
          continue;
        }
        queue.push(pending(y, i));
      }
      while (queue.length > 0 && (queue[0] as Slot<R>).settled) out.push(resultOf(queue.shift() as Slot<R>));
      if (queue.length === 0) {
        if (sourceDone) break;
        continue;
      }
      if (queue.length < concurrency && !sourceDone) continue; // room to start more calls
      if (out.length > 0) {
        yield out;
        out = [];
      }
      await (queue[0] as Slot<R>).promise;
    }
    if (out.length > 0) yield out;
  } finally {
    abort.abort();
    await it.return?.();
  }
}

function mapRandomAccess<T, R>(inner: RandomAccess<T>, fn: MapFn<T, R>): RandomAccess<R> {
  const abort = new AbortController();
  return {
    length: inner.length,
    byteLength: inner.byteLength,
    async getMany(indices: ArrayLike<number>): Promise<R[]> {
      const values = await inner.getMany(indices);
      const results: unknown[] = new Array(values.length);
      let anyAsync = false;
      for (let k = 0; k < values.length; k++) {
        const i = indices[k] as number;
        try {
          const y = fn(values[k] as T, i, abort.signal);
          if (isThenable(y)) {
            anyAsync = true;
            const p = Promise.resolve(y).then(undefined, (e: unknown) => {
              throw wrapError('map', i, e);
            });
            p.catch(noop);
            results[k] = p;
          } else results[k] = y;
        } catch (e) {
          throw wrapError('map', i, e);
        }
      }
      return (anyAsync ? await Promise.all(results) : results) as R[];
    },
    async close(): Promise<void> {
      abort.abort();
      await inner.close();
    },
  };
}
