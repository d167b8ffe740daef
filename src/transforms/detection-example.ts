// The detection Example schema: `image` = bytes_list with the 768 raw bytes of the (24, 32)
// frame, `boxes` = float_list of [xmin, ymin, xmax, ymax] per person, `count` = int64 persons.

import { InputError } from '../core/errors.js';
import { encodeExample } from '../io/example.js';
import { FixedLen, VarLen, parseExample } from '../io/parse-example.js';
import { kindOf } from './nd-array.js';
import { bytesToUnitFloat } from './normalize.js';
import { FRAME_BYTES } from './reference-schema.js';

/** One detection frame as written: the raw frame and its person boxes. */
export interface DetectionRecord {
  /** 768 uint8 pixels, row-major (24 rows of 32). */
  image: Uint8Array;
  /** count * 4 values: [xmin, ymin, xmax, ymax] per person, in pixels. */
  boxes: ArrayLike<number>;
  count: number;
}

/** One parsed detection frame: pixels / 255 (HWC, 24x32x1) and the boxes. */
export interface DetectionSample {
  image: Float32Array;
  /** count * 4 floats: [xmin, ymin, xmax, ymax] per person. */
  boxes: Float32Array;
  count: number;
}

/** The detection Example's feature spec, as tf.io.parse_single_example takes it. */
export const DETECTION_SPEC = {
  image: FixedLen([], 'string'),
  boxes: VarLen('float32'),
  count: FixedLen([], 'int64'),
};

/**
 * Serializes one detection frame as tf.train.Example bytes. `boxes` must hold 4 values per
 * person (`count`), else an InputError.
 *
 * @example
 * const bytes = toDetectionExample({ image: new Uint8Array(768), boxes: [3, 4, 9, 12], count: 1 });
 * console.log(parseDetection(bytes).boxes); // Float32Array [3, 4, 9, 12]
 */
export function toDetectionExample(record: DetectionRecord): Uint8Array {
  const image = record?.image;
  if (!(image instanceof Uint8Array) || image.length !== FRAME_BYTES) {
    throw new InputError(`toDetectionExample: image must be a Uint8Array of ${FRAME_BYTES} bytes, got ${kindOf(image)}`);
  }
  const count = record.count;
  if (!Number.isInteger(count) || count < 0) throw new InputError(`toDetectionExample: count must be an integer >= 0, got ${String(count)}`);
  if (record.boxes?.length !== count * 4) {
    throw new InputError(`toDetectionExample: ${count} persons need ${count * 4} box values, got ${record.boxes?.length ?? kindOf(record.boxes)}`);
  }
  // A Float32Array stays a float_list even when empty (a plain [] would be an empty bytes_list).
  return encodeExample({ image: [image], boxes: Float32Array.from(record.boxes), count: BigInt64Array.of(BigInt(count)) });
}

/**
 * Serialized detection Example → { image / 255, boxes, count }. A schema mismatch, or a box
 * list that is not 4 values per counted person, is an InputError naming the feature.
 *
 * @example
 * const sample = parseDetection(toDetectionExample({ image: new Uint8Array(768).fill(255), boxes: [], count: 0 }));
 * console.log(sample.image[0], sample.count); // 1 0
 */
export function parseDetection(bytes: Uint8Array): DetectionSample {
  if (!(bytes instanceof Uint8Array)) throw new InputError(`parseDetection: expected Uint8Array bytes, got ${kindOf(bytes)}`);
  const f = parseExample(bytes, DETECTION_SPEC);
  const raw = f.image as Uint8Array;
  if (raw.length !== FRAME_BYTES) {
    throw new InputError(`feature 'image': ${raw.length} bytes cannot be reshaped to [24, 32, 1] (needs ${FRAME_BYTES})`);
  }
  const count = Number(f.count[0]);
  if (!(count >= 0) || f.boxes.length !== count * 4) {
    throw new InputError(`feature 'boxes': ${f.boxes.length} values, but 'count' ${count} needs ${count * 4}`);
  }
  return { image: bytesToUnitFloat(raw), boxes: f.boxes, count };
}
