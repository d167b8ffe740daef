// repeat(count?): iterates the source `count` times; no count or a negative one repeats forever.
// Each pass is a new iteration of the source, i.e. a new epoch (a reshuffling shuffle upstream
// gives a new order per pass). An empty source ends the repetition instead of spinning.
import { fromChunks, type Chunked } from '../../io/chunks.js';
import { InputError } from '../../io/errors.js';
import { chunkIterator } from '../source.js';

export function repeat<T>(count?: number) {
  if (count !== undefined && !Number.isInteger(count)) throw new InputError(`repeat: count must be an integer, got ${count}`);
  const passes = count === undefined || count < 0 ? Infinity : count;
  return (source: AsyncIterable<T>): Chunked<T> =>
    fromChunks(async function* () {
      for (let pass = 0; pass < passes; pass++) {
        const it = chunkIterator(source);
        let any = false;
        try {
          for (;;) {
            const r = await it.next();
            if (r.done) break;
            any = true;
            yield r.value;
          }
        } finally {
          await it.return?.();
        }
        if (!any) return;
      }
    });
}
