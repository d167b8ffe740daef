// skip(count): drops the first `count` elements; skip(-1) (any negative count) drops all, as tf.data.
import { fromChunks, type Chunked } from '../../core/chunks.js';
import { InputError } from '../../core/errors.js';
import { eachChunk } from '../source.js';

/**
 * Drops the first `count` elements (a negative count drops all).
 *
 * @example
 * const rest = pipe(range(5), skip<number>(3)); // 3, 4
 */
export function skip<T>(count: number) {
  if (!Number.isInteger(count) && count !== Infinity) throw new InputError(`skip: count must be an integer, got ${count}`);
  const toSkip = count < 0 ? Infinity : count;
  return (source: AsyncIterable<T>): Chunked<T> =>
    fromChunks(async function* () {
      let skipped = 0;
      for await (const chunk of eachChunk(source)) {
        if (skipped >= toSkip) {
          yield chunk;
          continue;
        }
        const rest = toSkip - skipped;
        if (chunk.length <= rest) {
          skipped += chunk.length;
          continue;
        }
        skipped = toSkip;
        yield chunk.slice(rest);
      }
    });
}
