// CenterNet's training targets for one frame: the Gaussian-splatted centre heatmap, and at each
// centre cell the sub-cell offset and the box size, with the cell's index and a mask.
import { InputError } from '../core/errors.js';
import { CENTERNET_STRIDE } from './centernet-model.js';
import { drawGaussian, gaussianRadius } from './gaussian.js';
import { targetGrid } from './target-grid.js';

/** Options of centerNetTargets. */
export interface CenterNetTargetOptions {
  /** Output stride R (default CENTERNET_STRIDE). */
  stride?: number;
  /** Input size in pixels (default the frames' 32 x 24). */
  width?: number;
  height?: number;
  /** IoU the Gaussian radius keeps (default 0.7, CenterNet's). */
  minOverlap?: number;
  /** Objects kept per frame, in box order (default 32); more is an InputError. */
  maxObjects?: number;
}

/** One frame's targets, dense over the (H/R) x (W/R) output grid, row-major, channels last. */
export interface CenterNetFrameTargets {
  /** Output grid size. */
  outWidth: number;
  outHeight: number;
  /** outH * outW: 1 at each centre cell, Gaussian falloff around it. */
  heatmap: Float32Array;
  /** outH * outW * 2: at centre cells, centre / R minus the cell (x, y); 0 elsewhere. */
  offset: Float32Array;
  /** outH * outW * 2: at centre cells, box width and height / R; 0 elsewhere. */
  size: Float32Array;
  /** outH * outW: 1 at centre cells. */
  mask: Float32Array;
  /** maxObjects flat centre-cell indices (y * outW + x), the first `count` valid. */
  indices: Int32Array;
  count: number;
}

/**
 * CenterNet's targets for boxes [xmin, ymin, xmax, ymax, ...] in pixels: each centre
 * ((xmin + xmax) / 2, (ymin + ymax) / 2) / R falls in integer cell floor(·); the heatmap gets a
 * Gaussian there of radius max(0, floor(gaussianRadius(h / R, w / R, 0.7))); offset = centre / R -
 * cell and size = (w, h) / R at that cell (a later box sharing a cell overwrites an earlier
 * one, as CenterNet does). A box that is not finite, inverted or whose centre is outside the
 * frame is an InputError.
 *
 * @example
 * const t = centerNetTargets([3, 4, 10, 12], { stride: 1 });
 * const cell = 8 * 32 + 6; // centre (6.5, 8)
 * console.log(t.heatmap[cell], t.offset[2 * cell], t.size[2 * cell], t.size[2 * cell + 1]); // 1 0.5 7 8
 */
export function centerNetTargets(boxes: ArrayLike<number>, options: CenterNetTargetOptions = {}): CenterNetFrameTargets {
  const { R, width, height, maxObjects, minOverlap, count, outWidth, outHeight, cells } = targetGrid('centerNetTargets', boxes, options, CENTERNET_STRIDE);
  const t: CenterNetFrameTargets = {
    outWidth,
    outHeight,
    heatmap: new Float32Array(cells),
    offset: new Float32Array(cells * 2),
    size: new Float32Array(cells * 2),
    mask: new Float32Array(cells),
    indices: new Int32Array(maxObjects),
    count,
  };
  for (let k = 0; k < count; k++) {
    const [x0, y0, x1, y1] = [boxes[4 * k]!, boxes[4 * k + 1]!, boxes[4 * k + 2]!, boxes[4 * k + 3]!];
    const w = (x1 - x0) / R;
    const h = (y1 - y0) / R;
    const cx = (x0 + x1) / 2 / R;
    const cy = (y0 + y1) / 2 / R;
    if (![w, h, cx, cy].every(Number.isFinite) || w < 0 || h < 0 || cx < 0 || cy < 0 || cx >= outWidth || cy >= outHeight) {
      throw new InputError(`centerNetTargets: box ${k} [${x0}, ${y0}, ${x1}, ${y1}] is not a box with its centre inside the ${width} x ${height} frame`);
    }
    const ix = Math.floor(cx);
    const iy = Math.floor(cy);
    drawGaussian(t.heatmap, outWidth, outHeight, ix, iy, gaussianRadius(Math.ceil(h), Math.ceil(w), minOverlap));
    const cell = iy * outWidth + ix;
    t.offset[2 * cell] = cx - ix;
    t.offset[2 * cell + 1] = cy - iy;
    t.size[2 * cell] = w;
    t.size[2 * cell + 1] = h;
    t.mask[cell] = 1;
    t.indices[k] = cell;
  }
  return t;
}
