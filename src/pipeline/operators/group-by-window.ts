// groupByWindow(keyFn, reduceFn, { windowSize | windowSizeFn }): tf.data's group_by_window. The
// reducer gets each window as a Dataset (so `window.batch(n)` reads as in tf.data); this file
// may import Dataset because Dataset builds its own method on group-windows.ts, not on this.
import { type Chunked } from '../../core/chunks.js';
import { Dataset } from '../dataset.js';
import { type SourceLike } from '../source.js';
import { groupWindows, windowSizeRule, type WindowSizeOptions } from './group-windows.js';

export type { WindowSizeOptions } from './group-windows.js';

/**
 * Groups consecutive elements by key into windows of up to windowSize elements (per key, or
 * windowSizeFn(key)) and replaces each window by what `reduceFn(key, window)` yields (tf.data's
 * `group_by_window`). A window is reduced as soon as it is full; at the end of the input the
 * partial windows are reduced in ascending key order.
 *
 * @example
 * const byParity = Dataset.range(10).groupByWindow((x) => x % 2, (key, w) => w.batch(5), { windowSize: 5 });
 * await byParity.toArray(); // [[0, 2, 4, 6, 8], [1, 3, 5, 7, 9]]
 * const sums = pipe(range(10), groupByWindow((x: number) => x % 3, (key, w) => [key], { windowSize: 2 }));
 */
export function groupByWindow<T, R>(
  keyFn: (value: T, index: number) => number,
  reduceFn: (key: number, window: Dataset<T>) => SourceLike<R>,
  options: WindowSizeOptions,
): (source: AsyncIterable<T>) => Chunked<R> {
  const sizeOf = windowSizeRule('groupByWindow', options);
  return groupWindows<T, R>('groupByWindow', keyFn, (key, items) => reduceFn(key, new Dataset(items, items.length)), sizeOf);
}
