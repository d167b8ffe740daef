// The detection set: every frame of the eight reference sets (0-3 persons, none dropped), in the
// reference order, with one [xmin, ymin, xmax, ymax] box per person from its polygon (the min and
// max of the 4 vertices, as step 0 boxes the first person).

import { InputError } from '../core/errors.js';
import type { NdArrayLike } from './nd-array.js';
import { checkReferenceSet } from './localization-arrays.js';
import { polygonBox } from './polygon-to-box.js';
import { FRAME_BYTES, FRAME_HEIGHT, FRAME_WIDTH, REFERENCE_ORDER } from './reference-schema.js';
import { readReferenceSets } from './reference-sets.js';

/** Every frame of the eight sets concatenated, with each frame's person boxes. */
export interface DetectionSet {
  /** uint8 (N, 24, 32) */
  images: NdArrayLike;
  /** int64 (N,): persons in the frame */
  numbers: NdArrayLike;
  /** float32 (N, P, 4): [xmin, ymin, xmax, ymax] of person p < numbers[n], zeros after */
  boxes: NdArrayLike;
}

/**
 * Concatenates every frame of the sets in `order` (default REFERENCE_ORDER) and boxes every
 * person's polygon. A count outside 0..P (P = the sets' person slots) is an InputError naming
 * the set and row, since its boxes would be read from the wrong slots.
 *
 * @example
 * const sets = synthesizeThermal({ seed: 1, scale: 0.02 });
 * const det = detectionFromSets(sets);
 * console.log(det.images.shape[0], det.boxes.shape); // every frame, (N, 3, 4)
 */
export function detectionFromSets(
  sets: Readonly<Record<string, Readonly<Record<string, NdArrayLike>>>>,
  order: readonly string[] = REFERENCE_ORDER,
): DetectionSet {
  const parts: Array<{ name: string; n: number; set: Readonly<Record<string, NdArrayLike>> }> = [];
  let total = 0;
  let slots = -1;
  for (const name of order) {
    const set = sets[name];
    if (set === undefined) throw new InputError(`missing set ${name}`);
    const n = checkReferenceSet(set, name);
    const p = set.coordinates!.shape[1]!;
    if (slots >= 0 && p !== slots) throw new InputError(`'coordinates' has ${p} person slots, the sets before it ${slots}`, name);
    slots = p;
    parts.push({ name, n, set });
    total += n;
  }
  const images = new Uint8Array(total * FRAME_BYTES);
  const numbers = new BigInt64Array(total);
  const boxes = new Float32Array(total * Math.max(slots, 0) * 4);
  let at = 0;
  for (const { name, n, set } of parts) {
    images.set((set.images!.data as Uint8Array).subarray(0, n * FRAME_BYTES), at * FRAME_BYTES);
    const counts = set.numbers!.data as ArrayLike<bigint | number>;
    const coords = set.coordinates!.data as ArrayLike<bigint | number>;
    for (let r = 0; r < n; r++, at++) {
      const count = Number(counts[r]);
      if (!Number.isInteger(count) || count < 0 || count > slots) {
        throw new InputError(`row ${r}: 'numbers' is ${count}, not a person count in 0..${slots}`, name);
      }
      numbers[at] = BigInt(count);
      for (let p = 0; p < count; p++) boxes.set(polygonBox(coords, (r * slots + p) * 8), (at * slots + p) * 4);
    }
  }
  return {
    images: { dtype: 'uint8', shape: [total, FRAME_HEIGHT, FRAME_WIDTH], data: images },
    numbers: { dtype: 'int64', shape: [total], data: numbers },
    boxes: { dtype: 'float32', shape: [total, slots, 4], data: boxes },
  };
}

/**
 * The boxes of row `row` of a DetectionSet: count * 4 floats [xmin, ymin, xmax, ymax, ...] (a view).
 *
 * @example
 * const det = detectionFromSets(synthesizeThermal({ seed: 1, scale: 0.02 }));
 * console.log(detectionBoxes(det, 0)); // the first frame's persons
 */
export function detectionBoxes(set: DetectionSet, row: number): Float32Array {
  const slots = set.boxes.shape[1]!;
  const count = Number((set.numbers.data as BigInt64Array)[row]);
  const start = row * slots * 4;
  return (set.boxes.data as Float32Array).subarray(start, start + count * 4);
}

/**
 * The detection set from the eight `dataset{1,2}_{origin,horizon,vertical,vh}.npz` files in `dir`.
 *
 * @example
 * const det = await buildDetectionSet('data');
 * console.log(`${det.images.shape[0]} frames`);
 */
export async function buildDetectionSet(dir: string): Promise<DetectionSet> {
  return detectionFromSets(await readReferenceSets(dir));
}
