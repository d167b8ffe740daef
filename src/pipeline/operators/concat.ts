// concat(...others): the source's elements, then each other's, in order.
import { fromChunks, type Chunked } from '../../io/chunks.js';
import { chunkIterator, type SourceLike } from '../source.js';

export function concat<T>(...others: SourceLike<T>[]) {
  return (source: AsyncIterable<T>): Chunked<T> =>
    fromChunks(async function* () {
      for (const part of [source, ...others]) {
        const it = chunkIterator(part);
        try {
          for (;;) {
            const r = await it.next();
            if (r.done) break;
            yield r.value;
          }
        } finally {
          await it.return?.();
        }
      }
    });
}
