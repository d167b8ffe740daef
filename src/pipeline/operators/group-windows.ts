// The engine of group_by_window, shared by groupByWindow (which hands each window to the user's
// reducer as a Dataset) and bucketBySequenceLength (which pads each window into one batch).
// tf.data's order: a group is reduced as soon as it holds its window size, and the reducer's
// output is drained before the next input element is read; when the input ends, the groups
// left over are reduced in ascending key order.
import { fromChunks, type Chunked } from '../../core/chunks.js';
import { InputError } from '../../core/errors.js';
import { OperatorError, wrapError } from '../errors.js';
import { expandEach, type Outbox, type StepResult } from '../expand.js';
import { eachChunk, type SourceLike } from '../source.js';

/** How many elements make a window: one size for every key, or a size per key. */
export interface WindowSizeOptions {
  /** Elements per window, the same for every key. */
  windowSize?: number;
  /** Elements per window of a key (asked once per key). Exclusive with windowSize. */
  windowSizeFn?: (key: number) => number;
}

/** A window reducer that also gets each element's index in the stream. */
export type WindowReducer<T, R> = (key: number, window: T[], indices: number[]) => SourceLike<R>;

interface Group<T> {
  items: T[];
  indices: number[];
  size: number;
}

/** The window size rule, checked once when the operator is made. */
export function windowSizeRule(operator: string, options: WindowSizeOptions): (key: number) => number {
  const { windowSize, windowSizeFn } = options;
  if ((windowSize === undefined) === (windowSizeFn === undefined)) {
    throw new InputError(`${operator}: give exactly one of windowSize and windowSizeFn`);
  }
  const check = (n: number, key?: number): number => {
    if (!Number.isInteger(n) || n <= 0) {
      throw new InputError(`${operator}: window size${key === undefined ? '' : ` of key ${key}`} must be a positive integer, got ${n}`);
    }
    return n;
  };
  if (windowSize !== undefined) {
    check(windowSize);
    return () => windowSize;
  }
  return (key) => check((windowSizeFn as (key: number) => number)(key), key);
}

/**
 * Groups elements by `keyFn` into windows of the rule's size and replaces each window by the
 * elements of `reduceFn(key, window, indices)`.
 */
export function groupWindows<T, R>(
  operator: string, keyFn: (value: T, index: number) => number, reduceFn: WindowReducer<T, R>, sizeOf: (key: number) => number,
) {
  return (source: AsyncIterable<T>): Chunked<R> =>
    fromChunks(() => {
      const groups = new Map<number, Group<T>>();
      // An array's elements go into the outbox; any other source is drained whole.
      const reduceGroup = (key: number, g: Group<T>, out: Outbox<R>): StepResult<R> => {
        let inner: SourceLike<R>;
        try {
          inner = reduceFn(key, g.items, g.indices);
        } catch (e) {
          throw wrapError(operator, g.indices[g.indices.length - 1] as number, e);
        }
        if (!Array.isArray(inner)) return eachChunk(inner);
        for (const y of inner as R[]) out.items.push(y);
        return undefined;
      };
      async function* leftovers(out: Outbox<R>): AsyncGenerator<R[]> {
        for (const key of [...groups.keys()].sort((a, b) => a - b)) {
          const g = groups.get(key) as Group<T>;
          if (g.items.length === 0) continue;
          const more = reduceGroup(key, g, out);
          if (more === undefined) continue;
          yield* out.flush();
          yield* more;
        }
      }
      return expandEach<T, R>(source, (x, i, out) => {
        let key: number;
        let g: Group<T> | undefined;
        try {
          key = keyFn(x, i);
          if (typeof key !== 'number' || !Number.isFinite(key)) throw new InputError(`the key must be a finite number, got ${String(key)}`);
          g = groups.get(key);
          if (!g) {
            g = { items: [], indices: [], size: sizeOf(key) };
            groups.set(key, g);
          }
        } catch (e) {
          throw e instanceof OperatorError ? e : new OperatorError(operator, i, e);
        }
        g.items.push(x);
        g.indices.push(i);
        if (g.items.length < g.size) return undefined;
        groups.set(key, { items: [], indices: [], size: g.size });
        return reduceGroup(key, g, out);
      }, leftovers);
    });
}
