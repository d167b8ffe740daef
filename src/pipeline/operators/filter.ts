// filter(predicate): keeps the elements for which predicate is truthy. Synchronous over whole
// chunks; the predicate must be synchronous (use map for async work first).
import { fromChunks, type Chunked } from '../../core/chunks.js';
import { wrapError } from '../errors.js';
import { eachChunk } from '../source.js';

/**
 * The elements for which predicate is truthy (tf.data's `filter`); the predicate is
 * synchronous (do async work in a map first).
 *
 * @example
 * const odd = pipe(range(10), filter((x: number) => x % 2 === 1)); // 1, 3, 5, 7, 9
 */
export function filter<T, S extends T>(predicate: (value: T, index: number) => value is S): (source: AsyncIterable<T>) => Chunked<S>;
export function filter<T>(predicate: (value: T, index: number) => unknown): (source: AsyncIterable<T>) => Chunked<T>;
export function filter<T>(predicate: (value: T, index: number) => unknown) {
  return (source: AsyncIterable<T>): Chunked<T> =>
    fromChunks(async function* () {
      let index = 0;
      for await (const chunk of eachChunk(source)) {
        const out: T[] = [];
        let i = 0;
        try {
          for (; i < chunk.length; i++) {
            const x = chunk[i] as T;
            if (predicate(x, index + i)) out.push(x);
          }
        } catch (e) {
          throw wrapError('filter', index + i, e);
        }
        index += chunk.length;
        if (out.length > 0) yield out;
      }
    });
}
