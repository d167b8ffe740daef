// zip(...others): tuples [a, b, ...] of the source's and the others' elements, position by
// position; ends with the shortest input (tf.data's zip), closing all of them.
import { fromChunks, type Chunked } from '../../core/chunks.js';
import { chunkIterator, type SourceLike } from '../source.js';

type Sources<O extends unknown[]> = { [K in keyof O]: SourceLike<O[K]> };

interface Cursor {
  it: AsyncIterator<unknown[]>;
  chunk: unknown[];
  pos: number;
}

/**
 * Tuples of the source's and the others' elements, position by position; ends with the
 * shortest input and closes the others (tf.data's `zip`).
 *
 * @example
 * const pairs = pipe(range(3), zip(['a', 'b', 'c'])); // [0, 'a'], [1, 'b'], [2, 'c']
 */
export function zip<T, O extends unknown[]>(...others: Sources<O>) {
  return (source: AsyncIterable<T>): Chunked<[T, ...O]> =>
    fromChunks(async function* () {
      const cursors: Cursor[] = [source, ...(others as SourceLike<unknown>[])].map((s) => ({
        it: chunkIterator(s as SourceLike<unknown>), chunk: [], pos: 0,
      }));
      try {
        for (;;) {
          // Refill every exhausted cursor (concurrently); any finished input ends the zip.
          const refills = cursors.filter((c) => c.pos >= c.chunk.length);
          if (refills.length > 0) {
            const results = await Promise.all(refills.map((c) => c.it.next()));
            for (let k = 0; k < refills.length; k++) {
              const r = results[k] as IteratorResult<unknown[]>;
              if (r.done) return;
              const c = refills[k] as Cursor;
              c.chunk = r.value;
              c.pos = 0;
            }
          }
          let n = Infinity;
          for (const c of cursors) n = Math.min(n, c.chunk.length - c.pos);
          const out = new Array<[T, ...O]>(n);
          for (let i = 0; i < n; i++) {
            const tuple = new Array(cursors.length);
            for (let k = 0; k < cursors.length; k++) {
              const c = cursors[k] as Cursor;
              tuple[k] = c.chunk[c.pos + i];
            }
            out[i] = tuple as [T, ...O];
          }
          for (const c of cursors) c.pos += n;
          if (n > 0) yield out;
        }
      } finally {
        await Promise.all(cursors.map((c) => c.it.return?.()));
      }
    });
}
