// enumerate(start): tf.data's enumerate; the count restarts with every iteration (epoch).
import { fromChunks, type Chunked } from '../../core/chunks.js';
import { InputError } from '../../core/errors.js';
import { eachChunk } from '../source.js';

/**
 * Pairs each element with its position: `[start + i, element]` (tf.data's `enumerate`).
 *
 * @example
 * await Dataset.from([7, 8]).enumerate(5).toArray(); // [[5, 7], [6, 8]]
 * const numbered = pipe(['a', 'b'], enumerate());
 */
export function enumerate<T>(start = 0) {
  if (!Number.isFinite(start)) throw new InputError(`enumerate: start must be a finite number, got ${start}`);
  return (source: AsyncIterable<T>): Chunked<[number, T]> =>
    fromChunks(async function* () {
      let next = start;
      for await (const chunk of eachChunk(source)) {
        const out = new Array<[number, T]>(chunk.length);
        for (let i = 0; i < chunk.length; i++) out[i] = [next++, chunk[i] as T];
        yield out;
      }
    });
}
