// interleave(fn, { cycleLength, blockLength }): maps each input element to an inner iterable
// and cycles over `cycleLength` of them, taking `blockLength` elements from each in turn
// (tf.data's deterministic interleave). When an inner iterable ends, the next input element
// opens in the same slot, and the cycle continues from that slot. With numParallelCalls the
// inner iterables are pulled concurrently by core's concurrentInterleave, in the same order
// unless deterministic is false.
import { fromChunks, type Chunked } from '../../core/chunks.js';
import { InputError } from '../../core/errors.js';
import { concurrentInterleave } from '../../core/interleave.js';
import { wrapError } from '../errors.js';
import { chunkIterator, eachChunk, type SourceLike } from '../source.js';

/** Options of {@link interleave}. */
export interface InterleaveOptions {
  /** Inner iterables open at once (default 1: a fixed default keeps the order machine-independent). */
  cycleLength?: number;
  /** Consecutive elements taken from one inner iterable (default 1). */
  blockLength?: number;
  /**
   * Inner iterables pulled at once (default: none, the sequential interleave). With it, every
   * open inner iterable (and up to cycleLength opened ahead) is pulled in the background, at
   * most this many at a time.
   */
  numParallelCalls?: number;
  /** With numParallelCalls: keep the sequential order (default true), or take whatever inner iterable is ready. */
  deterministic?: boolean;
}

interface Slot<R> {
  it: AsyncIterator<R[]>;
  chunk: R[];
  pos: number;
}

/**
 * Maps each element to a source and cycles over `cycleLength` of them, `blockLength`
 * elements at a time (tf.data's `interleave`).
 *
 * @example
 * const mixed = pipe(['a', 'b'], interleave((s: string) => [s + 1, s + 2], { cycleLength: 2 })); // a1, b1, a2, b2
 * const files = ['a.tfrecord.gz', 'b.tfrecord.gz', 'c.tfrecord.gz'];
 * const records = pipe(files, interleave((f: string) => readTFRecord(f), { cycleLength: 3, numParallelCalls: 3 }));
 */
export function interleave<T, R>(fn: (value: T, index: number) => SourceLike<R>, options: InterleaveOptions = {}) {
  const cycleLength = options.cycleLength ?? 1;
  const blockLength = options.blockLength ?? 1;
  const parallel = options.numParallelCalls;
  for (const [name, v] of [['cycleLength', cycleLength], ['blockLength', blockLength], ['numParallelCalls', parallel ?? 1]] as const) {
    if (!Number.isInteger(v) || v <= 0) throw new InputError(`interleave: ${name} must be a positive integer, got ${v}`);
  }
  if (parallel !== undefined) {
    const engine = { cycleLength, blockLength, parallelism: parallel, deterministic: options.deterministic ?? true };
    return (source: AsyncIterable<T>): Chunked<R> => fromChunks(() => concurrentInterleave(innerStreams(source, fn), engine));
  }
  return (source: AsyncIterable<T>): Chunked<R> =>
    fromChunks(async function* () {
      const input = chunkIterator(source);
      let inChunk: T[] = [];
      let inPos = 0;
      let inIndex = 0;
      let endOfInput = false;
      const slots: (Slot<R> | undefined)[] = new Array(cycleLength).fill(undefined);
      let open = 0;
      let cycle = 0;
      let block = 0;
      let out: R[] = [];
      try {
        while (!endOfInput || open > 0) {
          const slot = slots[cycle];
          if (slot) {
            if (slot.pos >= slot.chunk.length) {
              if (out.length > 0) {
                yield out;
                out = [];
              }
              const r = await slot.it.next();
              if (r.done) {
                slots[cycle] = undefined;
                open--;
                cycle = (cycle + 1) % cycleLength;
                block = 0;
              } else {
                slot.chunk = r.value;
                slot.pos = 0;
              }
              continue;
            }
            out.push(slot.chunk[slot.pos++] as R);
            if (++block === blockLength) {
              block = 0;
              cycle = (cycle + 1) % cycleLength;
            }
            if (out.length >= 1024) {
              yield out;
              out = [];
            }
          } else if (!endOfInput) {
            if (inPos >= inChunk.length) {
              if (out.length > 0) {
                yield out;
                out = [];
              }
              const r = await input.next();
              if (r.done) {
                endOfInput = true;
                continue;
              }
              inChunk = r.value;
              inPos = 0;
            }
            const i = inIndex++;
            let inner: SourceLike<R>;
            try {
              inner = fn(inChunk[inPos++] as T, i);
            } catch (e) {
              throw wrapError('interleave', i, e);
            }
            slots[cycle] = { it: chunkIterator(inner), chunk: [], pos: 0 };
            open++;
          } else {
            cycle = (cycle + 1) % cycleLength;
            block = 0;
          }
        }
        if (out.length > 0) yield out;
      } finally {
        await Promise.all([input.return?.(), ...slots.map((s) => s?.it.return?.())]);
      }
    });
}

/** The chunk iterators of fn's inner sources, one per input element, opened as they are pulled. */
async function* innerStreams<T, R>(source: AsyncIterable<T>, fn: (value: T, index: number) => SourceLike<R>): AsyncGenerator<AsyncIterator<R[]>> {
  let index = 0;
  for await (const chunk of eachChunk(source)) {
    for (const x of chunk) {
      const i = index++;
      let inner: SourceLike<R>;
      try {
        inner = fn(x, i);
      } catch (e) {
        throw wrapError('interleave', i, e);
      }
      yield chunkIterator(inner);
    }
  }
}
