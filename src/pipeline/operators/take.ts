// take(count): the first `count` elements; take(-1) (any negative count) keeps all, as tf.data.
// Stops pulling from upstream as soon as it has enough, and closes it.
import { fromChunks, type Chunked } from '../../core/chunks.js';
import { InputError } from '../../core/errors.js';
import { eachChunk } from '../source.js';

/**
 * The first `count` elements (a negative count keeps all); stops pulling and closes the
 * source as soon as it has them.
 *
 * @example
 * const first = pipe(range(1e9), take<number>(3)); // 0, 1, 2
 */
export function take<T>(count: number) {
  if (!Number.isInteger(count) && count !== Infinity) throw new InputError(`take: count must be an integer, got ${count}`);
  const limit = count < 0 ? Infinity : count;
  return (source: AsyncIterable<T>): Chunked<T> =>
    fromChunks(async function* () {
      if (limit === 0) return;
      let taken = 0;
      for await (const chunk of eachChunk(source)) {
        const room = limit - taken;
        if (chunk.length >= room) {
          yield chunk.length === room ? chunk : chunk.slice(0, room);
          return;
        }
        taken += chunk.length;
        yield chunk;
      }
    });
}
