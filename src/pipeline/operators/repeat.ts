// repeat(count?): iterates the source `count` times; no count or a negative one repeats forever.
// Each pass is a new iteration of the source, i.e. a new epoch (a reshuffling shuffle upstream
// gives a new order per pass). An empty source ends the repetition instead of spinning.
import { fromChunks, type Chunked } from '../../core/chunks.js';
import { InputError } from '../../core/errors.js';
import { eachChunk } from '../source.js';

/**
 * Iterates the source `count` times, forever without a count; each pass is a new epoch.
 *
 * @example
 * const twice = pipe([1, 2], repeat<number>(2)); // 1, 2, 1, 2
 */
export function repeat<T>(count?: number) {
  if (count !== undefined && !Number.isInteger(count)) throw new InputError(`repeat: count must be an integer, got ${count}`);
  const passes = count === undefined || count < 0 ? Infinity : count;
  return (source: AsyncIterable<T>): Chunked<T> =>
    fromChunks(async function* () {
      for (let pass = 0; pass < passes; pass++) {
        let any = false;
        for await (const chunk of eachChunk(source)) {
          any = true;
          yield chunk;
        }
        if (!any) return;
      }
    });
}
