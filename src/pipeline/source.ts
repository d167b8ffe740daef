// How operators read their source: always as an iterator of chunks (arrays of elements), so a
// chunked source (src/io/chunks.ts) costs one await per chunk and a plain async iterable one
// await per element, exactly as before. Also the random-access protocol used by the shuffle
// fallback.
import { CHUNKS, drain, fromChunks, isChunked, type Chunked } from '../core/chunks.js';

/**
 * An operator: the IxJS shape (async iterable in, async iterable out), returning a chunk-aware
 * iterable.
 *
 * @example
 * const double: Operator<number, number> = map((x: number) => x * 2);
 */
export type Operator<T, R> = (source: AsyncIterable<T>) => Chunked<R>;

/**
 * Anything a pipeline can start from: an array, any iterable or async iterable, a Dataset.
 *
 * @example
 * const sources: SourceLike<number>[] = [[1, 2], new Set([3]), range(4), Dataset.range(2)];
 */
export type SourceLike<T> = AsyncIterable<T> | Iterable<T>;

/** Chunk size used when the source is an array or a synchronous iterable. */
export const DEFAULT_CHUNK = 1024;

const DONE: IteratorReturnResult<undefined> = { done: true, value: undefined };

/** An iterator over the chunks of `source` (non-empty arrays; callers must not mutate them). */
export function chunkIterator<T>(source: SourceLike<T>): AsyncIterator<T[]> {
  if (Array.isArray(source)) return arrayChunks(source as T[]);
  if (Symbol.asyncIterator in source) {
    if (isChunked(source)) return source[CHUNKS]();
    return singletonChunks((source as AsyncIterable<T>)[Symbol.asyncIterator]());
  }
  return syncChunks((source as Iterable<T>)[Symbol.iterator]());
}

function arrayChunks<T>(array: readonly T[]): AsyncIterator<T[]> {
  let i = 0;
  return {
    async next() {
      if (i >= array.length) return DONE;
      const chunk = array.slice(i, i + DEFAULT_CHUNK);
      i += chunk.length;
      return { done: false, value: chunk };
    },
    async return() {
      i = array.length;
      return DONE;
    },
  };
}

function syncChunks<T>(it: Iterator<T>): AsyncIterator<T[]> {
  let finished = false;
  return {
    async next() {
      if (finished) return DONE;
      const chunk: T[] = [];
      while (chunk.length < DEFAULT_CHUNK) {
        const r = it.next();
        if (r.done) {
          finished = true;
          break;
        }
        chunk.push(r.value);
      }
      return chunk.length > 0 ? { done: false, value: chunk } : DONE;
    },
    async return() {
      if (!finished) {
        finished = true;
        it.return?.();
      }
      return DONE;
    },
  };
}

function singletonChunks<T>(it: AsyncIterator<T>): AsyncIterator<T[]> {
  let finished = false;
  return {
    async next() {
      if (finished) return DONE;
      const r = await it.next();
      if (r.done) {
        finished = true;
        return DONE;
      }
      return { done: false, value: [r.value] };
    },
    async return() {
      if (!finished) {
        finished = true;
        await it.return?.();
      }
      return DONE;
    },
  };
}

/**
 * The chunks of `source` as an async generator that closes the source however iteration ends
 * (exhausted, broken off by the consumer, or thrown out of), for operators written as generators.
 */
export async function* eachChunk<T>(source: SourceLike<T>): AsyncGenerator<T[], void, undefined> {
  yield* drain(chunkIterator(source));
}

/**
 * A re-iterable chunked view of any array, iterable or async iterable (a chunked source is
 * returned as it is).
 *
 * @example
 * const numbers = from([1, 2, 3]);
 * for await (const x of numbers) console.log(x);
 */
export function from<T>(source: SourceLike<T>): Chunked<T> {
  if (Symbol.asyncIterator in source && isChunked(source as AsyncIterable<T>)) return source as Chunked<T>;
  return fromChunks(() => chunkIterator(source));
}

/** Closes an upstream iterator, ignoring iterators without `return`. */
export async function closeIterator(it: AsyncIterator<unknown> | undefined): Promise<void> {
  await it?.return?.();
}

// ---- random access -------------------------------------------------------------------------

/**
 * Marks a source whose elements can also be read by position (an indexed TFRecord file...);
 * the shuffle fallback shuffles positions instead of buffering payloads.
 *
 * @example
 * const seekable = isRandomAccess(Dataset.fromTFRecord('train.tfrecord').source);
 */
export const RANDOM_ACCESS: unique symbol = Symbol.for('recordflow.randomAccess') as never;

/**
 * An open random-access view; the shape of io's IndexedTFRecord.
 *
 * @example
 * const ra: RandomAccess<Uint8Array> = await openTFRecordIndexed('train.tfrecord');
 * const [first] = await ra.getMany([0]);
 * await ra.close();
 */
export interface RandomAccess<T> {
  readonly length: number;
  /** Total payload bytes, used to estimate what a shuffle buffer would hold. */
  readonly byteLength?: number;
  /** The elements at these indices, in the order asked for. */
  getMany(indices: ArrayLike<number>): Promise<T[]>;
  /** Releases the source (closes its file). */
  close(): Promise<void>;
}

/**
 * An async iterable that can also open a random-access view of the same elements.
 *
 * @example
 * const source = Dataset.fromTFRecord('train.tfrecord').source;
 * if (isRandomAccess(source)) console.log((await source[RANDOM_ACCESS]()).length);
 */
export interface RandomAccessSource<T> extends AsyncIterable<T> {
  /** Opens a random-access view of the same elements, in the same order as iteration. */
  [RANDOM_ACCESS](): Promise<RandomAccess<T>>;
}

/**
 * Whether a source offers a random-access view ({@link RANDOM_ACCESS}).
 *
 * @example
 * isRandomAccess(from([1, 2])); // false
 */
export function isRandomAccess<T>(source: AsyncIterable<T>): source is RandomAccessSource<T> {
  return typeof (source as Partial<RandomAccessSource<T>>)[RANDOM_ACCESS] === 'function';
}

export function isThenable(x: unknown): x is PromiseLike<unknown> {
  return x !== null && (typeof x === 'object' || typeof x === 'function') && typeof (x as PromiseLike<unknown>).then === 'function';
}
