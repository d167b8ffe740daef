// Step 0 of the reference on arrays in memory: the eight sets in REFERENCE_ORDER, rows with exactly
// one person, the first polygon as an int box. Equivalent to concatenate-then-filter, but each
// set is filtered as it is read, so only the kept rows are ever copied.

import { InputError } from '../core/errors.js';
import { formatShape, product, type NdArrayLike } from './nd-array.js';
import { polygonBox } from './polygon-to-box.js';
import { FRAME_BYTES, FRAME_HEIGHT, FRAME_WIDTH, REFERENCE_ORDER } from './reference-schema.js';

/** Step 0's result, ready for writeNpz as `localization.npz`. */
export interface LocalizationSet {
  /** uint8 (N, 24, 32) */
  images: NdArrayLike;
  /** int64 (N,), all 1 */
  numbers: NdArrayLike;
  /** int64 (N, 4): [xmin, ymin, xmax, ymax] of the first person's polygon */
  coordinates: NdArrayLike;
}

const INTEGER_DTYPES = new Set(['int64', 'int32', 'int16', 'int8', 'uint64', 'uint32', 'uint16', 'uint8']);

/**
 * Checks the arrays step 0 reads from one reference set (`images`, `numbers`, `coordinates`;
 * `filters` is not needed) and returns the row count. `where` names the file in errors.
 */
export function checkReferenceSet(arrays: Readonly<Record<string, NdArrayLike>>, where: string): number {
  for (const key of ['images', 'numbers', 'coordinates']) {
    if (arrays[key] === undefined) {
      throw new InputError(`missing key '${key}' (has: ${Object.keys(arrays).join(', ') || 'nothing'})`, where);
    }
  }
  const { images, numbers, coordinates } = arrays as Record<'images' | 'numbers' | 'coordinates', NdArrayLike>;
  if (images.dtype !== 'uint8') throw new InputError(`'images' must be uint8, got ${images.dtype}`, where);
  if (images.shape.length !== 3 || images.shape[1] !== FRAME_HEIGHT || images.shape[2] !== FRAME_WIDTH) {
    throw new InputError(`'images' must have shape (N, 24, 32), got ${formatShape(images.shape)}`, where);
  }
  const n = images.shape[0]!;
  if (!INTEGER_DTYPES.has(numbers.dtype)) throw new InputError(`'numbers' must be an integer array, got ${numbers.dtype}`, where);
  if (numbers.shape.length !== 1 || numbers.shape[0] !== n) {
    throw new InputError(`'numbers' must have shape (${n},) like 'images', got ${formatShape(numbers.shape)}`, where);
  }
  if (!INTEGER_DTYPES.has(coordinates.dtype)) {
    throw new InputError(`'coordinates' must be an integer array, got ${coordinates.dtype}`, where);
  }
  const cs = coordinates.shape;
  if (cs.length !== 3 || cs[0] !== n || cs[2] !== 8 || cs[1]! < 1) {
    throw new InputError(`'coordinates' must have shape (${n}, P, 8) with P >= 1, got ${formatShape(cs)}`, where);
  }
  for (const [key, a] of Object.entries({ images, numbers, coordinates })) {
    if (a.data.length !== product(a.shape)) {
      throw new InputError(`'${key}' holds ${a.data.length} values but its shape is ${formatShape(a.shape)}`, where);
    }
  }
  return n;
}

/** Step 0 on sets already in memory (keyed by set name, as synthesizeThermal returns them). */
export function localizationFromSets(
  sets: Readonly<Record<string, Readonly<Record<string, NdArrayLike>>>>,
  order: readonly string[] = REFERENCE_ORDER,
): LocalizationSet {
  const kept: Array<{ images: Uint8Array; coords: ArrayLike<bigint | number>; persons: number; rows: number[] }> = [];
  let total = 0;
  for (const name of order) {
    const set = sets[name];
    if (set === undefined) throw new InputError(`missing set ${name}`);
    const n = checkReferenceSet(set, name);
    const numbers = set.numbers!.data as ArrayLike<bigint | number>;
    const rows: number[] = [];
    for (let r = 0; r < n; r++) if (Number(numbers[r]) === 1) rows.push(r);
    kept.push({ images: set.images!.data as Uint8Array, coords: set.coordinates!.data as ArrayLike<bigint | number>, persons: set.coordinates!.shape[1]!, rows });
    total += rows.length;
  }
  const images = new Uint8Array(total * FRAME_BYTES);
  const boxes = new BigInt64Array(total * 4);
  let at = 0;
  for (const part of kept) {
    for (const r of part.rows) {
      images.set(part.images.subarray(r * FRAME_BYTES, (r + 1) * FRAME_BYTES), at * FRAME_BYTES);
      const box = polygonBox(part.coords, r * part.persons * 8);
      for (let k = 0; k < 4; k++) boxes[at * 4 + k] = BigInt(box[k]!);
      at++;
    }
  }
  return {
    images: { dtype: 'uint8', shape: [total, FRAME_HEIGHT, FRAME_WIDTH], data: images },
    numbers: { dtype: 'int64', shape: [total], data: new BigInt64Array(total).fill(1n) },
    coordinates: { dtype: 'int64', shape: [total, 4], data: boxes },
  };
}
