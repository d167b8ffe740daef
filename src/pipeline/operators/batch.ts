// batch(size, { dropRemainder }): groups consecutive elements into arrays of `size`; the last
// N % size elements form a short batch unless dropRemainder (tf.data semantics).
import { fromChunks, type Chunked } from '../../core/chunks.js';
import { InputError } from '../../core/errors.js';
import { chunkIterator } from '../source.js';

/** Options of {@link batch}. */
export interface BatchOptions {
  /** Drop the last batch when it holds fewer than size elements (default false). */
  dropRemainder?: boolean;
}

/**
 * Arrays of `size` consecutive elements; the last N % size form a short batch unless
 * dropRemainder (tf.data's `batch`).
 *
 * @example
 * const batches = pipe(range(5), batch<number>(2)); // [0, 1], [2, 3], [4]
 */
export function batch<T>(size: number, options: BatchOptions = {}) {
  if (!Number.isInteger(size) || size <= 0) throw new InputError(`batch: size must be a positive integer, got ${size}`);
  const dropRemainder = options.dropRemainder ?? false;
  return (source: AsyncIterable<T>): Chunked<T[]> =>
    fromChunks(async function* () {
      const it = chunkIterator(source);
      let current: T[] = [];
      try {
        for (;;) {
          const r = await it.next();
          if (r.done) break;
          const chunk = r.value;
          const out: T[][] = [];
          let i = 0;
          const n = chunk.length;
          // Complete the batch left open by the previous chunk, then slice whole batches.
          while (current.length > 0 && current.length < size && i < n) current.push(chunk[i++] as T);
          if (current.length === size) {
            out.push(current);
            current = [];
          }
          for (; i + size <= n; i += size) out.push(chunk.slice(i, i + size));
          if (i < n) current = chunk.slice(i);
          if (out.length > 0) yield out;
        }
        if (current.length > 0 && !dropRemainder) yield [current];
      } finally {
        await it.return?.();
      }
    });
}
