// Step 2's parse function of the reference: `image` FixedLen string, `x, y, w, h` FixedLen
// float32; the raw bytes decoded as uint8 and reshaped [24, 32, 1] (HWC), cast to float32 and
// divided by 255; label = stack [x, y, w, h].

import { InputError } from '../core/errors.js';
import { FixedLen, parseExample } from '../io/parse-example.js';
import { kindOf } from './nd-array.js';
import { bytesToUnitFloat } from './normalize.js';
import { FRAME_BYTES } from './reference-schema.js';

/** One parsed training element: image (24*32*1 floats in [0, 1], HWC) and label [x, y, w, h]. */
export interface LocalizationSample {
  image: Float32Array;
  label: Float32Array;
}

/** The reference's feature spec, as tf.io.parse_single_example takes it. */
export const LOCALIZATION_SPEC = {
  image: FixedLen([], 'string'),
  x: FixedLen([], 'float32'),
  y: FixedLen([], 'float32'),
  w: FixedLen([], 'float32'),
  h: FixedLen([], 'float32'),
};

/**
 * Serialized reference Example → { image, label }; schema mismatches are InputErrors.
 *
 * @example
 * const sample = parseLocalization(toExample({ image: new Uint8Array(768), x: 0.5, y: 0.5, w: 0.25, h: 0.5 }));
 * console.log(sample.label); // Float32Array [0.5, 0.5, 0.25, 0.5]
 */
export function parseLocalization(bytes: Uint8Array): LocalizationSample {
  if (!(bytes instanceof Uint8Array)) throw new InputError(`parseLocalization: expected Uint8Array bytes, got ${kindOf(bytes)}`);
  const f = parseExample(bytes, LOCALIZATION_SPEC);
  const raw = f.image as Uint8Array;
  // decode_raw + reshape([24, 32, 1]) fails in TensorFlow when the byte count is not 768.
  if (raw.length !== FRAME_BYTES) {
    throw new InputError(`feature 'image': ${raw.length} bytes cannot be reshaped to [24, 32, 1] (needs ${FRAME_BYTES})`);
  }
  return {
    image: bytesToUnitFloat(raw),
    label: Float32Array.of(f.x[0]!, f.y[0]!, f.w[0]!, f.h[0]!),
  };
}
