// flatMap(fn): tf.data's flat_map. Arrays returned by fn are copied into the output chunk with
// no await; any other source (async iterable, chunked stream, Dataset) is drained chunk by chunk
// before the next input element is read, and closed however iteration ends. Elements already
// gathered go out before every await (expand.ts), so nothing waits on a slow source.
import { fromChunks, type Chunked } from '../../core/chunks.js';
import { wrapError } from '../errors.js';
import { expandEach } from '../expand.js';
import { eachChunk, type SourceLike } from '../source.js';

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
    fromChunks(() =>
      expandEach<T, R>(source, (x, i, out) => {
        let inner: SourceLike<R>;
        try {
          inner = fn(x, i);
        } catch (e) {
          throw wrapError('flatMap', i, e);
        }
        if (!Array.isArray(inner)) return eachChunk(inner);
        for (const y of inner as R[]) out.items.push(y);
        return undefined;
      }));
}
