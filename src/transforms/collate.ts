// Batch of per-element typed arrays → one contiguous Float32Array per field with its shape, so
// the trainer builds one tensor per field per batch instead of stacking B small tensors.

import { InputError } from '../core/errors.js';
import { formatShape, kindOf, product, type TypedArray } from './nd-array.js';
import { FRAME_BYTES, IMAGE_SHAPE } from './reference-schema.js';

/** One collated field: `shape[0]` is the batch size. */
export interface CollatedField {
  data: Float32Array;
  shape: number[];
}

/**
 * One element collate stacks: each field a typed array (stacked along a new batch axis) or a number.
 */
export type CollateElement = Record<string, TypedArray | number>;

/** Per-element shape of a field when the caller gives none: the reference image and label. */
function defaultShape(key: string, length: number): number[] {
  if (key === 'image' && length === FRAME_BYTES) return [...IMAGE_SHAPE];
  return [length];
}

/**
 * Collates a batch. `shapes` gives per-element shapes by field (their product must equal each
 * element's length); otherwise `image` of 768 values is [24, 32, 1], numbers are scalars, and other
 * arrays are flat. Every element must have the same fields and lengths.
 *
 * @example
 * const stacked = collate([{ image: new Float32Array(768), label: new Float32Array(4) }, { image: new Float32Array(768), label: new Float32Array(4) }]);
 * console.log(stacked.image.shape); // [2, 24, 32, 1]
 */
export function collate<E extends { [K in keyof E]: TypedArray | number }>(
  batch: readonly E[],
  shapes: Readonly<Partial<Record<keyof E & string, readonly number[]>>> = {} as never,
): Record<keyof E & string, CollatedField> {
  if (!Array.isArray(batch) || batch.length === 0) {
    throw new InputError(`collate: batch must be a non-empty array of elements, got ${kindOf(batch)}${Array.isArray(batch) ? ' of length 0' : ''}`);
  }
  const first = batch[0] as CollateElement;
  if (first === null || typeof first !== 'object') throw new InputError(`collate: element 0 is ${kindOf(first)}, not an object`);
  const keys = Object.keys(first);
  const out: Record<string, CollatedField> = {};
  const b = batch.length;
  for (const key of keys) {
    const v0 = first[key]!;
    const scalar = typeof v0 === 'number';
    if (!scalar && !ArrayBuffer.isView(v0)) {
      throw new InputError(`collate: field '${key}' of element 0 is ${kindOf(v0)}, expected a typed array or number`);
    }
    const len = scalar ? 1 : (v0 as TypedArray).length;
    const given = (shapes as Record<string, readonly number[] | undefined>)[key];
    const elemShape = given ? [...given] : scalar ? [] : defaultShape(key, len);
    if (product(elemShape) !== len) {
      throw new InputError(`collate: field '${key}' has ${len} values per element, shape ${formatShape(elemShape)} needs ${product(elemShape)}`);
    }
    const data = new Float32Array(b * len);
    for (let i = 0; i < b; i++) {
      const el = batch[i] as CollateElement | undefined;
      const v = el?.[key];
      if (v === undefined) throw new InputError(`collate: element ${i} has no field '${key}'`);
      if (scalar) {
        if (typeof v !== 'number') throw new InputError(`collate: field '${key}' of element ${i} is ${kindOf(v)}, expected a number`);
        data[i] = v;
        continue;
      }
      if (!ArrayBuffer.isView(v) || (v as TypedArray).length !== len) {
        throw new InputError(
          `collate: field '${key}' of element ${i} is ${kindOf(v)}` +
            (ArrayBuffer.isView(v) ? ` of length ${(v as TypedArray).length}` : '') +
            `, expected ${len} values like element 0`,
        );
      }
      if (v instanceof BigInt64Array || v instanceof BigUint64Array) {
        const base = i * len;
        for (let k = 0; k < len; k++) data[base + k] = Number(v[k]);
      } else {
        data.set(v as Float32Array, i * len);
      }
    }
    out[key] = { data, shape: [b, ...elemShape] };
  }
  return out as Record<keyof E & string, CollatedField>;
}
