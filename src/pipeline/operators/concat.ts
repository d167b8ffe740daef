// concat(...others): the source's elements, then each other's, in order.
import { fromChunks, type Chunked } from '../../core/chunks.js';
import { eachChunk, type SourceLike } from '../source.js';

/**
 * The source's elements, then each other source's, in order (tf.data's `concatenate`).
 *
 * @example
 * const all = pipe(range(2), concat([7, 8])); // 0, 1, 7, 8
 */
export function concat<T>(...others: SourceLike<T>[]) {
  return (source: AsyncIterable<T>): Chunked<T> =>
    fromChunks(async function* () {
      for (const part of [source, ...others]) yield* eachChunk(part);
    });
}
