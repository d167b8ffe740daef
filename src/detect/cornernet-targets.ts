// CornerNet's training targets for one frame: a top-left and a bottom-right corner heatmap with
// CornerNet's Gaussian radius, each corner's sub-cell offset, and the corner cells of every
// object (which pair the two embeddings of one person).
import { InputError } from '../core/errors.js';
import { drawGaussian, gaussianRadius } from './gaussian.js';
import { targetGrid } from './target-grid.js';

/**
 * CornerNet's output stride on the 24 x 32 frames unless told otherwise: 2, a 12 x 16 grid whose
 * offsets carry each corner's position within its cell. A step takes well under half the time
 * of stride 1, which lets `train --task cornernet` end by its epochs inside a 420 s budget.
 */
export const CORNERNET_STRIDE = 2;

/** Options of cornerNetTargets. */
export interface CornerNetTargetOptions {
  /** Output stride R (default CORNERNET_STRIDE). */
  stride?: number;
  /** Input size in pixels (default the frames' 32 x 24). */
  width?: number;
  height?: number;
  /** IoU the Gaussian radius keeps (default 0.7, CornerNet's). */
  minOverlap?: number;
  /** Objects kept per frame, in box order (default 32); more is an InputError. */
  maxObjects?: number;
}

/** One frame's targets over the (H/R) x (W/R) output grid, row-major, channels last. */
export interface CornerNetFrameTargets {
  outWidth: number;
  outHeight: number;
  /** outH * outW each: 1 at each corner cell, Gaussian falloff around it. */
  topLeft: Float32Array;
  bottomRight: Float32Array;
  /** outH * outW * 2 each: at corner cells, corner / R minus the cell (x, y); 0 elsewhere. */
  topLeftOffset: Float32Array;
  bottomRightOffset: Float32Array;
  /** outH * outW each: 1 at corner cells (where the offset counts). */
  topLeftMask: Float32Array;
  bottomRightMask: Float32Array;
  /** maxObjects flat cell indices (y * outW + x) of each object's corners, the first `count` valid. */
  topLeftIndex: Int32Array;
  bottomRightIndex: Int32Array;
  count: number;
}

/**
 * CornerNet's targets for boxes [xmin, ymin, xmax, ymax, ...] in pixels. Boxes are first clipped
 * to the frame (as CornerNet clips its boxes to the image); each corner / R then falls in cell
 * floor(·), kept inside the grid (a right or bottom edge on the frame's border belongs to the
 * last cell, with offset 1). Both heatmaps get a Gaussian of radius
 * max(0, floor(gaussianRadius(ceil(h / R), ceil(w / R), 0.7))) at the object's corner cell;
 * offset = corner / R - cell there. A later object whose corner shares a cell overwrites the
 * earlier one's offset (its embedding pair is kept). A box that is not finite or inverted is an
 * InputError.
 *
 * @example
 * const t = cornerNetTargets([3.5, 4, 10, 12.25], { stride: 1 });
 * const tl = 4 * 32 + 3;
 * const br = 12 * 32 + 10;
 * console.log(t.topLeft[tl], t.topLeftOffset[2 * tl], t.bottomRight[br], t.bottomRightOffset[2 * br + 1]); // 1 0.5 1 0.25
 * console.log(t.topLeftIndex[0], t.bottomRightIndex[0], t.count); // 131 394 1
 */
export function cornerNetTargets(boxes: ArrayLike<number>, options: CornerNetTargetOptions = {}): CornerNetFrameTargets {
  const { R, width, height, maxObjects, minOverlap, count, outWidth, outHeight, cells } = targetGrid('cornerNetTargets', boxes, options, CORNERNET_STRIDE);
  const t: CornerNetFrameTargets = {
    outWidth,
    outHeight,
    topLeft: new Float32Array(cells),
    bottomRight: new Float32Array(cells),
    topLeftOffset: new Float32Array(cells * 2),
    bottomRightOffset: new Float32Array(cells * 2),
    topLeftMask: new Float32Array(cells),
    bottomRightMask: new Float32Array(cells),
    topLeftIndex: new Int32Array(maxObjects),
    bottomRightIndex: new Int32Array(maxObjects),
    count,
  };
  const clip = (v: number, hi: number): number => Math.min(Math.max(v, 0), hi);
  for (let k = 0; k < count; k++) {
    const raw = [boxes[4 * k]!, boxes[4 * k + 1]!, boxes[4 * k + 2]!, boxes[4 * k + 3]!];
    if (!raw.every(Number.isFinite) || raw[2]! < raw[0]! || raw[3]! < raw[1]!) {
      throw new InputError(`cornerNetTargets: box ${k} [${raw.join(', ')}] is not a finite box with xmin <= xmax and ymin <= ymax`);
    }
    const x0 = clip(raw[0]!, width) / R;
    const y0 = clip(raw[1]!, height) / R;
    const x1 = clip(raw[2]!, width) / R;
    const y1 = clip(raw[3]!, height) / R;
    const radius = gaussianRadius(Math.ceil(y1 - y0), Math.ceil(x1 - x0), minOverlap);
    const corner = (heatmap: Float32Array, offset: Float32Array, mask: Float32Array, fx: number, fy: number): number => {
      const ix = Math.min(Math.floor(fx), outWidth - 1);
      const iy = Math.min(Math.floor(fy), outHeight - 1);
      drawGaussian(heatmap, outWidth, outHeight, ix, iy, radius);
      const cell = iy * outWidth + ix;
      offset[2 * cell] = fx - ix;
      offset[2 * cell + 1] = fy - iy;
      mask[cell] = 1;
      return cell;
    };
    t.topLeftIndex[k] = corner(t.topLeft, t.topLeftOffset, t.topLeftMask, x0, y0);
    t.bottomRightIndex[k] = corner(t.bottomRight, t.bottomRightOffset, t.bottomRightMask, x1, y1);
  }
  return t;
}
