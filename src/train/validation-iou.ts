import { toBoxArray, type BoxInput } from './metrics.js';
import { FRAME_HEIGHT, FRAME_WIDTH } from '../transforms/reference-schema.js';

/**
 * The two IoU numbers of the reference study (REFERENCE.md §1 step 4), both on normalized
 * xywh boxes (x, y = centre; w, h = size; all divided by the frame size).
 */

export interface ValidationIoUOptions {
  /** Frame width in pixels (default 32). */
  width?: number;
  /** Frame height in pixels (default 24). */
  height?: number;
  /** The divisor N_VAL (default: the number of gt rows). */
  count?: number;
}

/**
 * The exhaustive validation IoU pass: integer pixel boxes by truncation toward zero, boxes
 * that do not overlap (or only touch) add 0, and the sum is divided by `count`.
 *
 * The reference computed the corners from float32 numpy scalars with numpy 1.x, where
 * `np.float32 / 2` and `* 32` promote to float64: so the inputs are rounded to float32 first
 * (Math.fround, as they came out of float32 tensors) and the corner arithmetic is float64.
 * This matters when a corner lands next to an integer (x=0.35, w=0.2 gives 7.99999976 → 7;
 * pure float64 inputs give 7.999999999999999 → 7, pure float32 math (numpy 2) gives 8).
 * A union of 0 (two degenerate boxes on the same spot) adds 0 rather than NaN.
 *
 * @example
 * validationIoU([[0.5, 0.5, 0.25, 0.5]], [[0.5, 0.5, 0.25, 0.5]]); // 1: the same integer pixel box
 */
export function validationIoU(gt: BoxInput, pred: BoxInput, options: ValidationIoUOptions = {}): number {
  const W = options.width ?? FRAME_WIDTH;
  const H = options.height ?? FRAME_HEIGHT;
  const G = toBoxArray(gt);
  const P = toBoxArray(pred);
  if (G.data.length !== P.data.length) {
    throw new RangeError(`gt and pred hold different numbers of boxes: ${G.data.length / 4} vs ${P.data.length / 4}`);
  }
  const rows = G.data.length / 4;
  const count = options.count ?? rows;
  if (!(count > 0)) throw new RangeError(`count must be > 0, got ${count}`);
  let sum = 0;
  for (let i = 0; i < rows; i++) {
    const [xmin, ymin, xmax, ymax] = pixelBox(G.data, i * 4, W, H);
    const [pxmin, pymin, pxmax, pymax] = pixelBox(P.data, i * 4, W, H);
    if (xmin > pxmax || xmax < pxmin || ymin > pymax || ymax < pymin) continue;
    const inter = (Math.min(xmax, pxmax) - Math.max(xmin, pxmin)) * (Math.min(ymax, pymax) - Math.max(ymin, pymin));
    const union = (xmax - xmin) * (ymax - ymin) + (pxmax - pxmin) * (pymax - pymin) - inter;
    if (union !== 0) sum += inter / union;
  }
  return sum / count;
}

const f = Math.fround;

function pixelBox(d: ArrayLike<number>, o: number, W: number, H: number): [number, number, number, number] {
  const x = f(d[o]!);
  const y = f(d[o + 1]!);
  const hw = f(d[o + 2]!) / 2;
  const hh = f(d[o + 3]!) / 2;
  return [Math.trunc((x - hw) * W), Math.trunc((y - hh) * H), Math.trunc((x + hw) * W), Math.trunc((y + hh) * H)];
}

/**
 * The streaming IoU metric used during training: float corners from `xywh * (W, H)`,
 * clamped overlap, 0 when the union is 0, accumulated over batches and averaged over samples.
 */
export class StreamingIoU {
  private sum = 0;
  private samples = 0;

  constructor(
    readonly width = FRAME_WIDTH,
    readonly height = FRAME_HEIGHT,
  ) {}

  /** Adds a batch: `gt` and `pred` hold `count` rows of xywh each (flat, row-major). */
  update(gt: ArrayLike<number>, pred: ArrayLike<number>): number {
    const n = gt.length / 4;
    if (pred.length !== gt.length) throw new RangeError(`gt and pred lengths differ: ${gt.length} vs ${pred.length}`);
    let batchSum = 0;
    for (let i = 0; i < n; i++) batchSum += sampleIoU(gt, pred, i * 4, this.width, this.height);
    this.sum += batchSum;
    this.samples += n;
    return n > 0 ? batchSum / n : 0;
  }

  /** The mean IoU over every sample so far (0 before any). */
  result(): number {
    return this.samples > 0 ? this.sum / this.samples : 0;
  }

  get count(): number {
    return this.samples;
  }

  /** Starts over (a new epoch). */
  reset(): void {
    this.sum = 0;
    this.samples = 0;
  }
}

function sampleIoU(g: ArrayLike<number>, p: ArrayLike<number>, o: number, W: number, H: number): number {
  const box = (d: ArrayLike<number>): [number, number, number, number] => {
    const x = d[o]! * W;
    const y = d[o + 1]! * H;
    const w = d[o + 2]! * W;
    const h = d[o + 3]! * H;
    return [x - w / 2, y - h / 2, x + w / 2, y + h / 2];
  };
  const [xmin, ymin, xmax, ymax] = box(g);
  const [pxmin, pymin, pxmax, pymax] = box(p);
  const iw = Math.max(Math.min(xmax, pxmax) - Math.max(xmin, pxmin), 0);
  const ih = Math.max(Math.min(ymax, pymax) - Math.max(ymin, pymin), 0);
  const inter = iw * ih;
  const union = (xmax - xmin) * (ymax - ymin) + (pxmax - pxmin) * (pymax - pymin) - inter;
  return union > 0 ? inter / union : 0;
}
