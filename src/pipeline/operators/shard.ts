// shard(n, i): keeps the elements whose index % n == i (tf.data's shard).
import { fromChunks, type Chunked } from '../../core/chunks.js';
import { InputError } from '../../core/errors.js';
import { eachChunk } from '../source.js';

/**
 * The elements whose index % numShards == index (tf.data's `shard`).
 *
 * @example
 * const mine = pipe(range(10), shard<number>(3, 1)); // 1, 4, 7
 */
export function shard<T>(numShards: number, index: number) {
  if (!Number.isInteger(numShards) || numShards <= 0) throw new InputError(`shard: numShards must be a positive integer, got ${numShards}`);
  if (!Number.isInteger(index) || index < 0 || index >= numShards) {
    throw new InputError(`shard: index must be in [0, ${numShards}), got ${index}`);
  }
  return (source: AsyncIterable<T>): Chunked<T> =>
    fromChunks(async function* () {
      let base = 0; // index of the chunk's first element
      for await (const chunk of eachChunk(source)) {
        const out: T[] = [];
        // first position in this chunk whose global index is ≡ index (mod numShards)
        let k = (((index - base) % numShards) + numShards) % numShards;
        for (; k < chunk.length; k += numShards) out.push(chunk[k] as T);
        base += chunk.length;
        if (out.length > 0) yield out;
      }
    });
}
