// Step 1 per-row math of the reference: box → x, y, w, h (centre and size relative to the 32x24
// frame, computed in float64 and stored as float32), image → float32 in [0, 1].

import { InputError } from '../core/errors.js';
import { kindOf } from './nd-array.js';
import { FRAME_BYTES, FRAME_HEIGHT, FRAME_WIDTH } from './reference-schema.js';
import type { BoxSample } from './polygon-to-box.js';

/** A box relative to the frame: centre (x, y) and size (w, h), each a float32-representable number. */
export interface Xywh {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** A frame as the model takes it (float32 pixels in [0, 1]) with its box as x, y, w, h. */
export interface NormalizedSample extends Xywh {
  image: Float32Array;
}

/**
 * [xmin, ymin, xmax, ymax] in pixels → float32-rounded x, y, w, h as the reference stores them.
 *
 * @example
 * boxToXywh([8, 6, 16, 18]); // { x: 0.375, y: 0.5, w: 0.25, h: 0.5 } of a 32 x 24 frame
 */
export function boxToXywh(box: ArrayLike<number>): Xywh {
  if (box === null || box === undefined || box.length !== 4) {
    throw new InputError(`boxToXywh: box must hold 4 values [xmin, ymin, xmax, ymax], got ${box?.length ?? kindOf(box)}`);
  }
  const xmin = Number(box[0]);
  const ymin = Number(box[1]);
  const xmax = Number(box[2]);
  const ymax = Number(box[3]);
  // float64 arithmetic as numpy does it, then one rounding to float32 when the Example is written.
  const xc = (xmin + xmax) / 2;
  const yc = (ymin + ymax) / 2;
  return {
    x: Math.fround(xc / FRAME_WIDTH),
    y: Math.fround(yc / FRAME_HEIGHT),
    w: Math.fround((xmax - xmin) / FRAME_WIDTH),
    h: Math.fround((ymax - ymin) / FRAME_HEIGHT),
  };
}

// x / 255 for every byte value, rounded to float32 once. Computing in float64 then rounding is
// the correctly rounded float32 quotient (double has more than 2*24+2 bits), i.e. exactly what
// TensorFlow's cast-to-float32-then-divide gives.
const BYTE_TO_UNIT = new Float32Array(256);
for (let v = 0; v < 256; v++) BYTE_TO_UNIT[v] = v / 255;

/** uint8 pixels → Float32Array of value / 255 (into `out` when given). */
export function bytesToUnitFloat(bytes: Uint8Array, out: Float32Array = new Float32Array(bytes.length)): Float32Array {
  if (out.length !== bytes.length) {
    throw new InputError(`bytesToUnitFloat: output holds ${out.length} values, input ${bytes.length}`);
  }
  for (let i = 0; i < bytes.length; i++) out[i] = BYTE_TO_UNIT[bytes[i]!]!;
  return out;
}

/** { image: uint8 frame, box } → { image: Float32Array / 255, x, y, w, h }. */
export function normalize(sample: BoxSample): NormalizedSample {
  const image = sample?.image;
  if (!(image instanceof Uint8Array) || image.length !== FRAME_BYTES) {
    throw new InputError(
      `normalize: image must be a Uint8Array of ${FRAME_BYTES} bytes, got ${kindOf(image)}` +
        (image && typeof (image as Uint8Array).length === 'number' ? ` of length ${(image as Uint8Array).length}` : ''),
    );
  }
  return { image: bytesToUnitFloat(image), ...boxToXywh(sample.box) };
}
