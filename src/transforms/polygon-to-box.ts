// Step 0.3 of the reference: the first person's polygon (x0,y0,...,x3,y3) becomes the integer box
// [min(xs), min(ys), max(xs), max(ys)].

import { InputError } from '../core/errors.js';
import { FRAME_BYTES } from './reference-schema.js';
import { kindOf } from './nd-array.js';
import type { ReferenceRow } from './filter-count.js';

/** A frame and its integer box [xmin, ymin, xmax, ymax]. */
export interface BoxSample {
  image: Uint8Array;
  box: Int32Array;
}

/** The box of one 8-value polygon starting at `offset` in `coords`. */
export function polygonBox(coords: ArrayLike<bigint | number>, offset = 0): Int32Array {
  if (coords.length < offset + 8) {
    throw new InputError(`polygonToBox: need 8 polygon values, got ${coords.length - offset}`);
  }
  let xmin = Infinity;
  let ymin = Infinity;
  let xmax = -Infinity;
  let ymax = -Infinity;
  for (let k = 0; k < 8; k += 2) {
    const x = Number(coords[offset + k]);
    const y = Number(coords[offset + k + 1]);
    if (x < xmin) xmin = x;
    if (x > xmax) xmax = x;
    if (y < ymin) ymin = y;
    if (y > ymax) ymax = y;
  }
  return Int32Array.of(xmin, ymin, xmax, ymax);
}

/**
 * Row → { image, box } for pipeline `map`. The image stays the row's view (no copy): npz rows are
 * views of arrays that live as long as the row does.
 */
export function polygonToBox(row: Pick<ReferenceRow, 'images' | 'coordinates'>): BoxSample {
  const image = row?.images;
  if (!(image instanceof Uint8Array)) {
    throw new InputError(`polygonToBox: 'images' must be a Uint8Array (uint8 frame), got ${kindOf(image)}`);
  }
  if (image.length !== FRAME_BYTES) {
    throw new InputError(`polygonToBox: 'images' row must hold ${FRAME_BYTES} bytes (24x32), got ${image.length}`);
  }
  const coords = row.coordinates;
  if (coords === undefined || coords === null || typeof (coords as ArrayLike<number>).length !== 'number') {
    throw new InputError(`polygonToBox: row has no 'coordinates' (got ${kindOf(coords)})`);
  }
  if (coords.length < 8 || coords.length % 8 !== 0) {
    throw new InputError(`polygonToBox: 'coordinates' row must hold P*8 values, got ${coords.length}`);
  }
  return { image, box: polygonBox(coords as ArrayLike<bigint | number>, 0) };
}
