// The reference Example schema of step 1: `image` = bytes_list holding the 768 raw bytes of the
// (24, 32) frame; `x`, `y`, `w`, `h` = float_list with one value each.

import { InputError } from '../core/errors.js';
import { decodeExample, encodeExample } from '../io/example.js';
import { kindOf } from './nd-array.js';
import { boxToXywh, type Xywh } from './normalize.js';
import { FRAME_BYTES } from './reference-schema.js';

/** What the reference writes per row: the frame and either its int box or x, y, w, h. */
export type ExampleInput = { image: Uint8Array } & ({ box: ArrayLike<number> } | Xywh);

/** A decoded reference Example: the raw frame (a view into the record) and x, y, w, h. */
export interface LocalizationRecord extends Xywh {
  image: Uint8Array;
}

/**
 * Serializes one reference row as tf.train.Example bytes (deterministic, like TensorFlow's).
 *
 * @example
 * const bytes = toExample({ image: new Uint8Array(768), x: 0.5, y: 0.5, w: 0.25, h: 0.5 });
 * const row = fromExample(bytes); // the same fields back
 */
export function toExample(sample: ExampleInput): Uint8Array {
  const image = sample?.image;
  if (!(image instanceof Uint8Array) || image.length !== FRAME_BYTES) {
    throw new InputError(
      `toExample: image must be a Uint8Array of ${FRAME_BYTES} bytes, got ${kindOf(image)}` +
        (ArrayBuffer.isView(image) ? ` of length ${(image as Uint8Array).length}` : ''),
    );
  }
  const xywh = 'box' in sample ? boxToXywh(sample.box) : sample;
  for (const k of ['x', 'y', 'w', 'h'] as const) {
    if (typeof xywh[k] !== 'number') throw new InputError(`toExample: '${k}' must be a number, got ${kindOf(xywh[k])}`);
  }
  return encodeExample({
    image: [image],
    x: Float32Array.of(xywh.x),
    y: Float32Array.of(xywh.y),
    w: Float32Array.of(xywh.w),
    h: Float32Array.of(xywh.h),
  });
}

function oneFloat(features: Record<string, unknown>, key: 'x' | 'y' | 'w' | 'h'): number {
  const v = features[key];
  if (v === undefined) throw new InputError(`reference Example has no feature '${key}'`);
  if (!(v instanceof Float32Array)) throw new InputError(`reference Example feature '${key}' must be a float_list, got ${listKind(v)}`);
  if (v.length !== 1) throw new InputError(`reference Example feature '${key}' must hold 1 float, got ${v.length}`);
  return v[0]!;
}

function listKind(v: unknown): string {
  if (v instanceof Float32Array) return 'float_list';
  if (v instanceof BigInt64Array) return 'int64_list';
  if (Array.isArray(v)) return 'bytes_list';
  return kindOf(v);
}

/** Reads a reference Example back; any schema mismatch is an InputError naming the feature. */
export function fromExample(bytes: Uint8Array): LocalizationRecord {
  if (!(bytes instanceof Uint8Array)) throw new InputError(`fromExample: expected Uint8Array bytes, got ${kindOf(bytes)}`);
  const features = decodeExample(bytes) as Record<string, unknown>;
  const image = features.image;
  if (image === undefined) throw new InputError("reference Example has no feature 'image'");
  if (!Array.isArray(image)) throw new InputError(`reference Example feature 'image' must be a bytes_list, got ${listKind(image)}`);
  if (image.length !== 1) throw new InputError(`reference Example feature 'image' must hold 1 bytes value, got ${image.length}`);
  const raw = image[0] as Uint8Array;
  if (raw.length !== FRAME_BYTES) {
    throw new InputError(`reference Example feature 'image' must hold ${FRAME_BYTES} bytes (24x32 uint8), got ${raw.length}`);
  }
  return { image: raw, x: oneFloat(features, 'x'), y: oneFloat(features, 'y'), w: oneFloat(features, 'w'), h: oneFloat(features, 'h') };
}
