// decodeCenterNet: CenterNet's decoding over typed arrays — peaks of the centre heatmap (cells
// equal to their 3x3 max), the top K by score, each a box from its offset and size.
import { InputError } from '../core/errors.js';
import { CENTERNET_STRIDE } from './centernet-model.js';
import type { DetectedBox } from './detected-box.js';

/** The three heads of a batch of frames, as the model outputs them (NHWC, row-major). */
export interface CenterNetOutputs {
  /** batch * height * width centre scores in [0, 1]. */
  heatmap: ArrayLike<number>;
  /** batch * height * width * 2: sub-cell centre offset (x, y), in cells. */
  offset: ArrayLike<number>;
  /** batch * height * width * 2: box width and height, in cells. */
  size: ArrayLike<number>;
  /** Output grid height and width (the frame's divided by the stride). */
  height: number;
  width: number;
  /** Output stride R: boxes are scaled by it into pixels (default CENTERNET_STRIDE). */
  stride?: number;
}

/** Options of decodeCenterNet. */
export interface DecodeCenterNetOptions {
  /** Peaks kept per frame, highest scores first (default 100). */
  topK?: number;
  /** Peaks scoring below this are dropped (default 0: keep all top K). */
  threshold?: number;
}

/**
 * Decodes every frame of a batch: a cell is a peak when its score equals the maximum of its
 * 3x3 neighbourhood (a 3x3 max-pool, stride 1, pad 1: a plateau keeps all its cells); the
 * topK peaks by score (ties: lower cell index first) at or above `threshold` become boxes
 * centre ± size / 2 with centre = cell + offset, all times the stride. Sizes below 0 count as
 * 0, so every box is well formed. Returns one list per frame, best first.
 *
 * @example
 * const heatmap = new Float32Array(24 * 32);
 * const offset = new Float32Array(24 * 32 * 2);
 * const size = new Float32Array(24 * 32 * 2);
 * const cell = 8 * 32 + 6;
 * heatmap[cell] = 0.9;
 * offset.set([0.5, 0], 2 * cell);
 * size.set([7, 8], 2 * cell);
 * const [frame] = decodeCenterNet({ heatmap, offset, size, height: 24, width: 32, stride: 1 });
 * console.log(frame![0]); // { box: [3, 4, 10, 12], score: 0.9 } (as float32 arithmetic gives it)
 */
export function decodeCenterNet(outputs: CenterNetOutputs, options: DecodeCenterNetOptions = {}): DetectedBox[][] {
  const { heatmap, offset, size, height: H, width: W } = outputs;
  const R = outputs.stride ?? CENTERNET_STRIDE;
  const topK = options.topK ?? 100;
  const threshold = options.threshold ?? 0;
  if (!Number.isInteger(H) || !Number.isInteger(W) || H < 1 || W < 1) throw new InputError(`decodeCenterNet: output grid ${H} x ${W} is not a grid`);
  if (!Number.isInteger(topK) || topK < 0) throw new InputError(`decodeCenterNet: topK must be an integer >= 0, got ${topK}`);
  const cells = H * W;
  const batch = heatmap.length / cells;
  if (!Number.isInteger(batch)) throw new InputError(`decodeCenterNet: heatmap holds ${heatmap.length} values, not a multiple of ${H} x ${W}`);
  for (const [name, a] of [['offset', offset], ['size', size]] as const) {
    if (a.length !== heatmap.length * 2) throw new InputError(`decodeCenterNet: ${name} holds ${a.length} values, expected ${heatmap.length * 2} (2 per cell)`);
  }
  const frames: DetectedBox[][] = [];
  const peaks: number[] = [];
  for (let b = 0; b < batch; b++) {
    const base = b * cells;
    peaks.length = 0;
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const v = heatmap[base + y * W + x]!;
        if (!(v >= threshold)) continue;
        if (isPeak(heatmap, base, W, H, x, y, v)) peaks.push(y * W + x);
      }
    }
    // Stable: equal scores keep cell order.
    peaks.sort((i, j) => heatmap[base + j]! - heatmap[base + i]! || i - j);
    const kept = peaks.length > topK ? peaks.slice(0, topK) : peaks;
    frames.push(
      kept.map((cell) => {
        const at = 2 * (base + cell);
        const cx = (cell % W) + offset[at]!;
        const cy = Math.floor(cell / W) + offset[at + 1]!;
        const hw = Math.max(0, size[at]!) / 2;
        const hh = Math.max(0, size[at + 1]!) / 2;
        return { box: [(cx - hw) * R, (cy - hh) * R, (cx + hw) * R, (cy + hh) * R], score: heatmap[base + cell]! };
      }),
    );
  }
  return frames;
}

/** v equals the max of its 3x3 neighbourhood (cells outside the grid do not count). */
function isPeak(heatmap: ArrayLike<number>, base: number, W: number, H: number, x: number, y: number, v: number): boolean {
  for (let yy = Math.max(0, y - 1); yy <= Math.min(H - 1, y + 1); yy++) {
    for (let xx = Math.max(0, x - 1); xx <= Math.min(W - 1, x + 1); xx++) {
      if (heatmap[base + yy * W + xx]! > v) return false;
    }
  }
  return true;
}
