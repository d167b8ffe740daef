// abortable(signal): ends the stream with signal.reason when the signal fires, even while
// waiting on a slow upstream, and closes upstream (which stops its producers, closes files).
import { fromChunks, type Chunked } from '../../core/chunks.js';
import { chunkIterator } from '../source.js';

/**
 * Ends the stream with signal.reason when the signal fires, even while upstream is slow, and
 * closes upstream.
 *
 * @example
 * const stop = AbortSignal.timeout(60_000);
 * const bounded = pipe(range(1e9), abortable<number>(stop));
 */
export function abortable<T>(signal: AbortSignal) {
  return (source: AsyncIterable<T>): Chunked<T> =>
    fromChunks(async function* () {
      signal.throwIfAborted();
      const it = chunkIterator(source);
      let onAbort: (() => void) | undefined;
      const aborted = new Promise<never>((_, reject) => {
        onAbort = () => reject(signal.reason);
        signal.addEventListener('abort', onAbort, { once: true });
      });
      aborted.catch(() => {});
      try {
        for (;;) {
          const r = await Promise.race([it.next(), aborted]);
          if (r.done) return;
          signal.throwIfAborted();
          yield r.value;
        }
      } finally {
        signal.removeEventListener('abort', onAbort as () => void);
        // Do not wait for an upstream stuck in next(): ask it to close and move on.
        const closing = it.return?.();
        if (!signal.aborted) await closing;
        else closing?.catch(() => {});
      }
    });
}
