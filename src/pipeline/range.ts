// range(stop) / range(start, stop, step): tf.data's Dataset.range as a chunked source. Each number
// is computed as start + i * step (never by repeated addition), so fractional steps do not drift.
import { fromChunks, type Chunked } from '../core/chunks.js';
import { InputError } from '../core/errors.js';
import { DEFAULT_CHUNK } from './source.js';

/**
 * How many numbers `range(start, stop, step)` yields: ceil((stop - start) / step), or 0 when the
 * step points away from stop (tf.data's rule).
 */
export function rangeLength(start: number, stop: number, step: number): number {
  return Math.max(0, Math.ceil((stop - start) / step));
}

/**
 * The numbers from start (inclusive, default 0) to stop (exclusive) by step (default 1; negative
 * steps count down), as tf.data's `Dataset.range`. Re-iterable, chunked, known length.
 *
 * @example
 * await Dataset.from(range(5)).toArray();       // [0, 1, 2, 3, 4]
 * await Dataset.from(range(5, 1, -2)).toArray(); // [5, 3]
 */
export function range(stop: number): Chunked<number>;
export function range(start: number, stop: number, step?: number): Chunked<number>;
export function range(a: number, b?: number, c?: number): Chunked<number> {
  const [start, stop, step] = b === undefined ? [0, a, 1] : [a, b, c ?? 1];
  for (const [name, v] of [['start', start], ['stop', stop], ['step', step]] as const) {
    if (!Number.isFinite(v)) throw new InputError(`range: ${name} must be a finite number, got ${v}`);
  }
  if (step === 0) throw new InputError('range: step must not be 0');
  const n = rangeLength(start, stop, step);
  return fromChunks(() => {
    let i = 0;
    return {
      async next(): Promise<IteratorResult<number[]>> {
        if (i >= n) return { done: true, value: undefined };
        const end = Math.min(n, i + DEFAULT_CHUNK);
        const chunk = new Array<number>(end - i);
        for (let k = 0; i < end; k++, i++) chunk[k] = start + i * step;
        return { done: false, value: chunk };
      },
      async return(): Promise<IteratorResult<number[]>> {
        i = n;
        return { done: true, value: undefined };
      },
    };
  });
}
