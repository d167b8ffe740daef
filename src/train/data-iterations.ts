import { CHUNKS, chunksOf, isChunked } from '../core/chunks.js';
import type { Batch, BatchSource } from './batch.js';

/**
 * How a resumed run sees the same data orders as an uninterrupted one.
 *
 * A reshuffling Dataset draws each iteration's order from how many iterations it started
 * before (shuffle.ts derives the seed from (seed, epoch)), and precise BN and validation
 * iterate too. That count lives in the Dataset object, so a new process starts it at 0. The
 * trainer therefore counts the iterations it starts on each source, saves the counts with the
 * checkpoint, and on resume replays the missing ones on the fresh object before training.
 *
 * Counts are per source object and process, including earlier train() calls on the same
 * object (so resuming with the very object that trained replays nothing). Iterations made
 * outside train() are not seen.
 */
const started = new WeakMap<object, number>();

/** Iterations train() started on `source` in this process (replays included). */
export function iterationsOf(source: BatchSource): number {
  return started.get(source) ?? 0;
}

/**
 * `source`, counting an iteration when it pulls its first element (not when it is created:
 * only a started iteration moves a shuffle on, and that is what a replay reproduces). Arrays
 * always yield the same order and are returned as they are.
 */
export function countIterations(source: BatchSource): BatchSource {
  if (Array.isArray(source)) return source;
  const onStart = (): void => void started.set(source, iterationsOf(source) + 1);
  if (Symbol.asyncIterator in source) {
    const async = source as AsyncIterable<Batch>;
    const counted: AsyncIterable<Batch> = { [Symbol.asyncIterator]: () => countFirstPull(async[Symbol.asyncIterator](), onStart) };
    if (!isChunked(async)) return counted;
    return Object.assign(counted, { [CHUNKS]: () => countFirstPull(async[CHUNKS](), onStart) });
  }
  const sync = source as Iterable<Batch>;
  return { [Symbol.iterator]: () => countFirstPull(sync[Symbol.iterator](), onStart) };
}

/**
 * Starts and closes iterations of `source` until train() has started `total` on it, each
 * pulling one chunk: creating an iterator alone does not reach a shuffle behind batch() or
 * map(), whose stages start on the first pull. With a whole-set shuffle buffer that one pull
 * reads the upstream once: the CLI's chain re-reads and re-parses the training file each time
 * (its cache() fills only on a full pass), 7–14 ms for the 1811 reference frames, so resuming
 * after epoch 90 (two iterations an epoch with precise BN) replays for 1–3 s. Returns how many
 * it made.
 */
export async function replayIterations(source: BatchSource, total: number): Promise<number> {
  // A generator object is its own iterator: pulling would consume the elements training needs.
  if (Array.isArray(source) || typeof (source as { next?: unknown }).next === 'function') return 0;
  const missing = total - iterationsOf(source);
  for (let i = 0; i < missing; i++) {
    const chunks = chunksOf<Batch>(source);
    await chunks.next();
    await chunks.return();
  }
  if (missing > 0) started.set(source, total);
  return Math.max(missing, 0);
}

interface AnyIterator {
  next(...args: unknown[]): unknown;
  return?(value?: unknown): unknown;
  throw?(error?: unknown): unknown;
}

function countFirstPull<I>(it: I, onStart: () => void): I {
  const inner = it as unknown as AnyIterator;
  let pulled = false;
  const wrapped: AnyIterator = {
    next(...args) {
      if (!pulled) {
        pulled = true;
        onStart();
      }
      return inner.next(...args);
    },
  };
  // Bound calls: a generator's own methods reject any other receiver.
  if (inner.return) wrapped.return = (value) => inner.return!(value);
  if (inner.throw) wrapped.throw = (error) => inner.throw!(error);
  return wrapped as unknown as I;
}
