// Array helpers of the transforms room. The array type is io's NdArray; this room does not
// re-export it from its index (src/index.ts already exports io's names).

import type { NdArray, TypedArray } from '../io/npy.js';

export type { TypedArray };
/** io's NdArray ({ dtype, shape, data }, C order), under the name this room uses. */
export type NdArrayLike = NdArray;

export function product(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Human-readable shape for error messages: (2588, 24, 32). */
export function formatShape(shape: readonly number[]): string {
  return `(${shape.join(', ')}${shape.length === 1 ? ',' : ''})`;
}

/** The typed-array constructor name of an array, for error messages. */
export function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (ArrayBuffer.isView(value)) return value.constructor.name;
  if (Array.isArray(value)) return 'Array';
  return typeof value;
}
