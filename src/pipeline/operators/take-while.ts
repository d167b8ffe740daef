// takeWhile(predicate): tf.data's take_while. Stops pulling at the first element that fails the
// predicate and closes the source there, so an endless source is fine.
import { fromChunks, type Chunked } from '../../core/chunks.js';
import { wrapError } from '../errors.js';
import { eachChunk } from '../source.js';

/**
 * The elements before the first one for which predicate is falsy (tf.data's `take_while`).
 *
 * @example
 * await Dataset.range(10).takeWhile((x) => x < 5).toArray(); // [0, 1, 2, 3, 4]
 * const head = pipe(range(100), takeWhile((x: number) => x * x < 50));
 */
export function takeWhile<T, S extends T>(predicate: (value: T, index: number) => value is S): (source: AsyncIterable<T>) => Chunked<S>;
export function takeWhile<T>(predicate: (value: T, index: number) => unknown): (source: AsyncIterable<T>) => Chunked<T>;
export function takeWhile<T>(predicate: (value: T, index: number) => unknown) {
  return (source: AsyncIterable<T>): Chunked<T> =>
    fromChunks(async function* () {
      let index = 0;
      for await (const chunk of eachChunk(source)) {
        let i = 0;
        try {
          while (i < chunk.length && predicate(chunk[i] as T, index + i)) i++;
        } catch (e) {
          throw wrapError('takeWhile', index + i, e);
        }
        index += i;
        if (i < chunk.length) {
          if (i > 0) yield chunk.slice(0, i);
          return;
        }
        yield chunk;
      }
    });
}
