// prefetch(n): a producer task pulls from upstream while the consumer works, keeping up to n
// elements ready (at least one upstream chunk, since chunks are not split). With a 1 ms
// producer and a 1 ms consumer per element, each element costs ~1 ms instead of 2.
// Stopping the consumer (break, error) stops the producer and closes upstream.
import { type Chunked } from '../../core/chunks.js';
import { fromChunks } from '../../core/chunks.js';
import { InputError } from '../../core/errors.js';
import { chunkIterator } from '../source.js';

type Entry<T> = { chunk: T[] } | { error: unknown } | { end: true };

/**
 * Pulls from upstream while the consumer works, keeping up to n elements ready (at least one
 * upstream chunk). Stopping the consumer stops the producer and closes upstream.
 *
 * @example
 * const ahead = pipe(range(100), map(async (x: number) => x * 2), prefetch<number>(16));
 */
export function prefetch<T>(n: number) {
  if (!(n >= 1) || !Number.isInteger(n)) throw new InputError(`prefetch: n must be a positive integer, got ${n}`);
  return (source: AsyncIterable<T>): Chunked<T> => fromChunks(() => prefetchIterator(source, n));
}

function prefetchIterator<T>(source: AsyncIterable<T>, n: number): AsyncIterator<T[]> {
  const queue: Entry<T>[] = [];
  let buffered = 0; // elements in queue
  let stopped = false;
  let finished = false;
  let wakeProducer: (() => void) | undefined;
  let wakeConsumer: (() => void) | undefined;
  let producer: Promise<void> | undefined;

  const upstream = chunkIterator(source);

  async function produce(): Promise<void> {
    try {
      while (!stopped) {
        if (buffered >= n) {
          await new Promise<void>((resolve) => (wakeProducer = resolve));
          wakeProducer = undefined;
          continue;
        }
        const r = await upstream.next();
        if (stopped) break;
        if (r.done) {
          queue.push({ end: true });
          break;
        }
        queue.push({ chunk: r.value });
        buffered += r.value.length;
        wakeConsumer?.();
      }
    } catch (error) {
      queue.push({ error });
    } finally {
      wakeConsumer?.();
      try {
        await upstream.return?.();
      } catch {
        // already failed or stopping: nothing to report
      }
    }
  }

  return {
    async next(): Promise<IteratorResult<T[]>> {
      if (finished) return { done: true, value: undefined };
      producer ??= produce();
      while (queue.length === 0) {
        await new Promise<void>((resolve) => (wakeConsumer = resolve));
        wakeConsumer = undefined;
      }
      const entry = queue.shift() as Entry<T>;
      if ('chunk' in entry) {
        buffered -= entry.chunk.length;
        wakeProducer?.();
        return { done: false, value: entry.chunk };
      }
      finished = true;
      await producer;
      if ('error' in entry) throw entry.error;
      return { done: true, value: undefined };
    },
    async return(): Promise<IteratorResult<T[]>> {
      if (!finished) {
        finished = true;
        stopped = true;
        queue.length = 0;
        wakeProducer?.();
        if (producer) await producer;
        else await upstream.return?.();
      }
      return { done: true, value: undefined };
    },
  };
}
