// The chunk protocol: a source may hand out its elements in arrays so that operators pay one
// await per chunk instead of one per element. The public API stays per-element: every chunked
// source is also a plain AsyncIterable<T>.

/**
 * The method key of the chunk protocol: a source that has it hands out its elements in arrays,
 * so operators pay one await per chunk instead of one per element.
 * @example
 * const chunked = [1, 2, 3, 4].map((x) => x); // any source works per element
 * async function* plain() { yield 1; }
 * const hasChunks = CHUNKS in plain(); // false: a plain generator
 */
export const CHUNKS: unique symbol = Symbol.for('recordflow.chunks') as never;

/**
 * A source that is both an AsyncIterable of elements and, under `[CHUNKS]`, an iterator of
 * non-empty arrays of the same elements in the same order (every pipeline source and operator is one).
 */
export interface Chunked<T> extends AsyncIterable<T> {
  /** The same elements, in the same order, grouped in non-empty arrays. */
  [CHUNKS](): AsyncIterator<T[]>;
}

/**
 * Whether `source` speaks the chunk protocol (has a `[CHUNKS]` method).
 * @example
 * async function* numbers() { yield 1; yield 2; }
 * isChunked(numbers()); // false
 */
export function isChunked<T>(source: AsyncIterable<T>): source is Chunked<T> {
  return typeof (source as Partial<Chunked<T>>)[CHUNKS] === 'function';
}

/**
 * Chunks of any async or sync iterable: its own when it is chunked, else one element each.
 *
 * @example
 * for await (const chunk of chunksOf([1, 2, 3])) console.log(chunk.length);
 */
export async function* chunksOf<T>(source: AsyncIterable<T> | Iterable<T>): AsyncGenerator<T[], void, undefined> {
  if (Symbol.asyncIterator in source && isChunked(source)) {
    for await (const chunk of drain(source[CHUNKS]())) if (chunk.length > 0) yield chunk;
  } else if (Symbol.asyncIterator in source) {
    for await (const x of source) yield [x];
  } else {
    const buf: T[] = [];
    for (const x of source as Iterable<T>) {
      buf.push(x);
      if (buf.length === 1024) yield buf.splice(0);
    }
    if (buf.length > 0) yield buf;
  }
}

/**
 * The values of an iterator as an async generator that closes the iterator however iteration
 * ends (exhausted, broken off by the consumer, or thrown out of).
 */
export async function* drain<T>(it: AsyncIterator<T>): AsyncGenerator<T, void, undefined> {
  try {
    for (;;) {
      const r = await it.next();
      if (r.done) return;
      yield r.value;
    }
  } finally {
    await it.return?.();
  }
}

/**
 * A Chunked<T> built from a chunk generator factory. Per-element iteration flattens the chunks
 * with a hand-written iterator (cheaper than an async generator's per-yield machinery).
 */
export function fromChunks<T>(make: () => AsyncIterator<T[]>): Chunked<T> {
  return {
    [CHUNKS]: make,
    [Symbol.asyncIterator](): AsyncIterator<T> {
      const it = make();
      let chunk: T[] = [];
      let i = 0;
      let finished = false;
      return {
        async next(): Promise<IteratorResult<T>> {
          while (i >= chunk.length) {
            if (finished) return { done: true, value: undefined };
            const r = await it.next();
            if (r.done) {
              finished = true;
              return { done: true, value: undefined };
            }
            chunk = r.value;
            i = 0;
          }
          return { done: false, value: chunk[i++] as T };
        },
        async return(): Promise<IteratorResult<T>> {
          if (!finished) {
            finished = true;
            chunk = [];
            await it.return?.();
          }
          return { done: true, value: undefined };
        },
      };
    },
  };
}
