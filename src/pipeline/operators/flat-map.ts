// flatMap(fn): tf.data's flat_map. Arrays returned by fn are copied into the output chunk with
// no await; any other source (async iterable, chunked stream, Dataset) is drained chunk by chunk
// before the next input element is read, and closed however iteration ends. Elements already
// gathered go out before every await, so nothing waits on a slow source.
import { fromChunks, type Chunked } from '../../core/chunks.js';
import { wrapError } from '../errors.js';
import { chunkIterator, DEFAULT_CHUNK, eachChunk, type SourceLike } from '../source.js';

/**
 * Maps each element to a source (an array, any iterable or async iterable, a Dataset) and
 * yields that source's elements in order, one source after another (tf.data's `flat_map`).
 *
 * @example
 * const words = Dataset.from(['a b', 'c']).flatMap((line) => line.split(' '));
 * await words.toArray(); // ['a', 'b', 'c']
 * const flat = pipe([[1, 2], [3]], flatMap((xs: number[]) => xs));
 */
export function flatMap<T, R>(fn: (value: T, index: number) => SourceLike<R>) {
  return (source: AsyncIterable<T>): Chunked<R> =>
    fromChunks(async function* () {
      const it = chunkIterator(source);
      let index = 0;
      let out: R[] = [];
      try {
        for (;;) {
          // Whatever is ready goes out before any await, so a slow source never holds it back.
          if (out.length > 0) {
            yield out;
            out = [];
          }
          const r = await it.next();
          if (r.done) break;
          for (const x of r.value) {
            const i = index++;
            let inner: SourceLike<R>;
            try {
              inner = fn(x, i);
            } catch (e) {
              throw wrapError('flatMap', i, e);
            }
            if (Array.isArray(inner)) {
              for (const y of inner as R[]) out.push(y);
              if (out.length >= DEFAULT_CHUNK) {
                yield out;
                out = [];
              }
              continue;
            }
            if (out.length > 0) {
              yield out;
              out = [];
            }
            yield* eachChunk(inner);
          }
        }
        if (out.length > 0) yield out;
      } finally {
        await it.return?.();
      }
    });
}
