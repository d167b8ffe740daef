// scan(initialState, fn): tf.data's scan. fn may be async; its promise is awaited only when it
// returns one, so a synchronous scan runs over whole chunks without an await per element.
import { fromChunks, type Chunked } from '../../core/chunks.js';
import { wrapError } from '../errors.js';
import { eachChunk, isThenable } from '../source.js';

/** What a scan function returns: the next state and the element to yield. */
export type ScanStep<S, R> = readonly [state: S, output: R];

/**
 * Threads a state through the elements: `fn(state, x)` returns `[newState, output]` and
 * `output` is yielded (tf.data's `scan`). Every iteration starts again from initialState.
 *
 * @example
 * const sums = Dataset.range(5).scan(0, (sum, x) => [sum + x, sum + x]);
 * await sums.toArray(); // [0, 1, 3, 6, 10]
 * const deltas = pipe([3, 5, 9], scan(0, (prev: number, x: number) => [x, x - prev]));
 */
export function scan<T, S, R>(initialState: S, fn: (state: S, value: T, index: number) => ScanStep<S, R> | PromiseLike<ScanStep<S, R>>) {
  return (source: AsyncIterable<T>): Chunked<R> =>
    fromChunks(async function* () {
      let state = initialState;
      let index = 0;
      for await (const chunk of eachChunk(source)) {
        const out = new Array<R>(chunk.length);
        for (let k = 0; k < chunk.length; k++, index++) {
          let step: ScanStep<S, R>;
          try {
            const y = fn(state, chunk[k] as T, index);
            step = isThenable(y) ? await y : y;
          } catch (e) {
            throw wrapError('scan', index, e);
          }
          state = step[0];
          out[k] = step[1];
        }
        yield out;
      }
    });
}
