// decodeCornerNet: CornerNet's decoding over typed arrays — peaks of both corner heatmaps, the
// top K of each, and every top-left/bottom-right pair that can be one object's box.
import { InputError } from '../core/errors.js';
import { CORNERNET_STRIDE } from './cornernet-targets.js';
import type { DetectedBox } from './detected-box.js';
import { heatmapPeaks } from './peaks.js';

/** The six heads of a batch of frames, as the model outputs them (NHWC, row-major). */
export interface CornerNetOutputs {
  /** batch * height * width corner scores in [0, 1] each. */
  topLeft: ArrayLike<number>;
  bottomRight: ArrayLike<number>;
  /** batch * height * width 1-d embeddings each. */
  topLeftEmbedding: ArrayLike<number>;
  bottomRightEmbedding: ArrayLike<number>;
  /** batch * height * width * 2 each: the corner's sub-cell position (x, y), in cells. */
  topLeftOffset: ArrayLike<number>;
  bottomRightOffset: ArrayLike<number>;
  /** Output grid height and width (the frame's divided by the stride). */
  height: number;
  width: number;
  /** Output stride R: boxes are scaled by it into pixels (default CORNERNET_STRIDE). */
  stride?: number;
}

/** Options of decodeCornerNet. */
export interface DecodeCornerNetOptions {
  /** Corners kept per heatmap and boxes kept per frame, best first (default 100). */
  topK?: number;
  /** Largest |e_tl - e_br| of a pair (default 0.5, CornerNet's). */
  embeddingThreshold?: number;
}

interface Corner {
  x: number;
  y: number;
  score: number;
  embedding: number;
}

/**
 * Decodes every frame of a batch as CornerNet does: on each heatmap the peaks (cells equal to
 * their 3x3 max-pool) and of those the topK by score (ties: lower cell first), each at
 * (cell + offset) · stride. Every top-left corner strictly left of and above a bottom-right
 * corner (one class here) whose embeddings differ by at most `embeddingThreshold` makes a box
 * scored by the mean of the two corner scores; each frame keeps its topK boxes by score
 * (ties: the better top-left corner, then the better bottom-right one). Returns one list per
 * frame, best first.
 *
 * @example
 * const cells = 24 * 32;
 * const out = {
 *   topLeft: new Float32Array(cells), bottomRight: new Float32Array(cells),
 *   topLeftEmbedding: new Float32Array(cells), bottomRightEmbedding: new Float32Array(cells),
 *   topLeftOffset: new Float32Array(cells * 2), bottomRightOffset: new Float32Array(cells * 2),
 *   height: 24, width: 32, stride: 1,
 * };
 * out.topLeft[4 * 32 + 3] = 0.8;
 * out.bottomRight[12 * 32 + 10] = 0.6;
 * out.topLeftOffset[2 * (4 * 32 + 3)] = 0.5;
 * const [frame] = decodeCornerNet(out, { topK: 10 });
 * console.log(frame![0]); // { box: [3.5, 4, 10, 12], score: 0.7 } (as float32 arithmetic gives it)
 */
export function decodeCornerNet(outputs: CornerNetOutputs, options: DecodeCornerNetOptions = {}): DetectedBox[][] {
  const { height: H, width: W } = outputs;
  const R = outputs.stride ?? CORNERNET_STRIDE;
  const topK = options.topK ?? 100;
  const threshold = options.embeddingThreshold ?? 0.5;
  if (!Number.isInteger(H) || !Number.isInteger(W) || H < 1 || W < 1) throw new InputError(`decodeCornerNet: output grid ${H} x ${W} is not a grid`);
  if (!Number.isInteger(topK) || topK < 0) throw new InputError(`decodeCornerNet: topK must be an integer >= 0, got ${topK}`);
  if (!(threshold >= 0)) throw new InputError(`decodeCornerNet: embeddingThreshold must be a number >= 0, got ${threshold}`);
  const cells = H * W;
  const batch = outputs.topLeft.length / cells;
  if (!Number.isInteger(batch)) throw new InputError(`decodeCornerNet: topLeft holds ${outputs.topLeft.length} values, not a multiple of ${H} x ${W}`);
  const per = { bottomRight: 1, topLeftEmbedding: 1, bottomRightEmbedding: 1, topLeftOffset: 2, bottomRightOffset: 2 } as const;
  for (const [name, n] of Object.entries(per) as [keyof typeof per, number][]) {
    const got = outputs[name].length;
    if (got !== batch * cells * n) throw new InputError(`decodeCornerNet: ${name} holds ${got} values, expected ${batch * cells * n} (${n} per cell)`);
  }
  const corners = (heatmap: ArrayLike<number>, embedding: ArrayLike<number>, offset: ArrayLike<number>, base: number): Corner[] =>
    heatmapPeaks(heatmap, base, W, H, topK).map((cell) => ({
      x: ((cell % W) + offset[2 * (base + cell)]!) * R,
      y: (Math.floor(cell / W) + offset[2 * (base + cell) + 1]!) * R,
      score: heatmap[base + cell]!,
      embedding: embedding[base + cell]!,
    }));
  const frames: DetectedBox[][] = [];
  for (let b = 0; b < batch; b++) {
    const base = b * cells;
    const tl = corners(outputs.topLeft, outputs.topLeftEmbedding, outputs.topLeftOffset, base);
    const br = corners(outputs.bottomRight, outputs.bottomRightEmbedding, outputs.bottomRightOffset, base);
    const boxes: DetectedBox[] = [];
    for (const a of tl) {
      for (const c of br) {
        if (a.x < c.x && a.y < c.y && Math.abs(a.embedding - c.embedding) <= threshold) {
          boxes.push({ box: [a.x, a.y, c.x, c.y], score: (a.score + c.score) / 2 });
        }
      }
    }
    // Stable: equal scores keep the corners' rank order.
    boxes.sort((p, q) => q.score - p.score);
    frames.push(boxes.length > topK ? boxes.slice(0, topK) : boxes);
  }
  return frames;
}
