// Structural array types used inside the transforms room. They match io's NdArray
// ({ dtype, shape, data }) by shape, so io's values flow in without this room re-exporting (and
// clashing with) io's names.

export type TypedArray =
  | Uint8Array
  | Uint8ClampedArray
  | Int8Array
  | Uint16Array
  | Int16Array
  | Uint32Array
  | Int32Array
  | Float32Array
  | Float64Array
  | BigInt64Array
  | BigUint64Array;

/** An n-dimensional array in C order: `data.length` is the product of `shape`. */
export interface NdArrayLike {
  dtype: string;
  shape: number[];
  data: TypedArray;
}

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
