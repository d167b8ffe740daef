// Step 0.2 of the reference: keep the frames with exactly n persons (`numbers == n`).

import { InputError } from '../core/errors.js';
import { kindOf } from './nd-array.js';

/** The npz fields a reference row carries (npzRows gives typed-array views of one row). */
export interface ReferenceRow {
  images: Uint8Array;
  numbers: BigInt64Array | ArrayLike<number>;
  coordinates: BigInt64Array | ArrayLike<number>;
}

/** Person count of a row; accepts int64 (bigint) or any integer typed array. */
export function personCount(row: Pick<ReferenceRow, 'numbers'>): number {
  const numbers = row?.numbers as ArrayLike<bigint | number> | undefined;
  if (numbers === undefined || numbers === null || typeof numbers.length !== 'number' || numbers.length < 1) {
    throw new InputError(`filterCount: row has no 'numbers' value (got ${kindOf(numbers)})`);
  }
  return Number(numbers[0]);
}

/** A predicate for pipeline `filter`: true when the row's person count equals n. */
export function filterCount(n: number): (row: Pick<ReferenceRow, 'numbers'>) => boolean {
  if (!Number.isInteger(n) || n < 0) throw new InputError(`filterCount: n must be an integer ≥ 0, got ${n}`);
  return (row) => personCount(row) === n;
}

/**
 * The indices of rows whose count equals n, for whole arrays (numbers of shape (N,)).
 *
 * @example
 * rowsWithCount([0, 1, 1, 2, 1], 1); // [1, 2, 4]
 */
export function rowsWithCount(numbers: ArrayLike<bigint | number>, n: number): number[] {
  const keep: number[] = [];
  for (let i = 0; i < numbers.length; i++) if (Number(numbers[i]) === n) keep.push(i);
  return keep;
}
