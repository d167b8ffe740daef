// reduce(initial, fn): tf.data's reduce, a terminal step: one pass over the source, then the
// final state. fn may be async; it is awaited only when it returns a promise.
import { wrapError } from '../errors.js';
import { eachChunk, isThenable } from '../source.js';

/**
 * Folds every element into a state, `fn(state, x, index)`, and resolves to the final state
 * (tf.data's `reduce`). The source is closed however the pass ends.
 *
 * @example
 * const total = await reduce(0, (sum: number, x: number) => sum + x)(range(5)); // 10
 * const count = await Dataset.range(5).reduce(0, (n) => n + 1); // 5
 */
export function reduce<T, R>(initial: R, fn: (state: R, value: T, index: number) => R | PromiseLike<R>) {
  return async (source: AsyncIterable<T> | Iterable<T>): Promise<R> => {
    let state = initial;
    let index = 0;
    for await (const chunk of eachChunk(source)) {
      for (const x of chunk) {
        try {
          const y = fn(state, x, index);
          state = isThenable(y) ? await y : y;
        } catch (e) {
          throw wrapError('reduce', index, e);
        }
        index++;
      }
    }
    return state;
  };
}
