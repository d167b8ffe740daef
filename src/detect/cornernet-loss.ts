// CornerNet's training loss: focal on both corner heatmaps, the pull/push embedding loss that
// pairs an object's two corners, and L1 on the corner offsets.
import * as tf from '@tensorflow/tfjs';
import { focalLoss, maskedL1Loss } from '../train/losses.js';
import type { CornerNetFrameTargets } from './cornernet-targets.js';

/** The model's six outputs (createCornerNet's order and names). */
export interface CornerNetTensors {
  topLeft: tf.Tensor;
  bottomRight: tf.Tensor;
  topLeftEmbedding: tf.Tensor;
  bottomRightEmbedding: tf.Tensor;
  topLeftOffset: tf.Tensor;
  bottomRightOffset: tf.Tensor;
}

/** A batch's targets as tensors (from cornerNetTargets of each frame). */
export interface CornerNetTargetTensors {
  /** [batch, h, w, 1] Gaussian corner heatmaps. */
  topLeft: tf.Tensor;
  bottomRight: tf.Tensor;
  /** [batch, h, w, 2] offsets, and [batch, h, w] masks of the corner cells where they count. */
  topLeftOffset: tf.Tensor;
  bottomRightOffset: tf.Tensor;
  topLeftMask: tf.Tensor;
  bottomRightMask: tf.Tensor;
  /**
   * [batch, K, h * w] one-hot rows picking object k's corner cell (all zero past the frame's
   * objects): the embeddings are read by a product with them, whose gradient every backend has.
   */
  topLeftSelect: tf.Tensor;
  bottomRightSelect: tf.Tensor;
  /** 1 for the frame's objects (shape batch x K). */
  objectMask: tf.Tensor;
}

/** Weights of the embedding and offset terms (CornerNet's: 0.1, 0.1, 1). */
export interface CornerNetLossWeights {
  pull?: number;
  push?: number;
  offset?: number;
}

/** The loss and its terms (scalar tensors); `total` = focal + pull·wPull + push·wPush + offset·wOffset. */
export interface CornerNetLossTerms {
  total: tf.Scalar;
  focal: tf.Scalar;
  pull: tf.Scalar;
  push: tf.Scalar;
  offset: tf.Scalar;
}

/**
 * The associative-embedding loss over a batch of objects' corner embeddings (`topLeft`,
 * `bottomRight`, `mask`: [batch, K]). Per image with N objects of mean embedding
 * ē_k = (e_tl + e_br) / 2: pull = (1/N) Σ_k (e_tl,k - ē_k)² + (e_br,k - ē_k)², and push =
 * (1 / (N (N - 1))) Σ_{j ≠ k} max(0, 1 - |ē_j - ē_k|) over ordered pairs (margin 1; 0 for
 * N < 2). Both are summed over the images of the batch, as CornerNet's `_ae_loss` does (its
 * diagonal terms and 1e-4 guards cancel to this, up to a constant for one-object images).
 *
 * @example
 * const tf = await import('@tensorflow/tfjs');
 * const { pull, push } = embeddingLoss(tf.tensor2d([[0, 2]]), tf.tensor2d([[1, 2]]), tf.tensor2d([[1, 1]]));
 * console.log(pull.dataSync()[0], push.dataSync()[0]); // 0.25 (= (0.25 + 0.25) / 2), 0 (means 1.5 apart)
 */
export function embeddingLoss(topLeft: tf.Tensor, bottomRight: tf.Tensor, mask: tf.Tensor): { pull: tf.Scalar; push: tf.Scalar } {
  return tf.tidy(() => {
    const n = tf.sum(mask, 1); // [batch]
    const mean = tf.mul(tf.add(topLeft, bottomRight), 0.5);
    const spread = tf.add(tf.square(tf.sub(topLeft, mean)), tf.square(tf.sub(bottomRight, mean)));
    const pull = tf.sum(tf.div(tf.sum(tf.mul(spread, mask), 1), tf.maximum(n, 1))) as tf.Scalar;
    const k = mask.shape[1]!;
    // Ordered pairs of two different objects of the same image.
    const pairs = tf.mul(tf.mul(tf.expandDims(mask, 2), tf.expandDims(mask, 1)), tf.sub(1, tf.eye(k)));
    const gap = tf.abs(tf.sub(tf.expandDims(mean, 2), tf.expandDims(mean, 1)));
    const hinge = tf.mul(tf.relu(tf.sub(1, gap)), pairs);
    const push = tf.sum(tf.div(tf.sum(hinge, [1, 2]), tf.maximum(tf.mul(n, tf.sub(n, 1)), 1))) as tf.Scalar;
    return { pull, push };
  });
}

/**
 * CornerNet's loss: focal (alpha 2, beta 4) on each corner heatmap (each normalised by its
 * corners), the embedding loss on the embeddings read at each object's corner cells, and L1 on
 * each offset averaged over its corner cells. Differentiable in `pred`; returns the terms too.
 *
 * @example
 * const tf = await import('@tensorflow/tfjs');
 * const t = cornerNetTargets([3, 4, 10, 12], { stride: 1 });
 * const target = cornerNetTargetTensors([t]);
 * const pred = {
 *   topLeft: tf.fill([1, 24, 32, 1], 0.1), bottomRight: tf.fill([1, 24, 32, 1], 0.1),
 *   topLeftEmbedding: tf.zeros([1, 24, 32, 1]), bottomRightEmbedding: tf.zeros([1, 24, 32, 1]),
 *   topLeftOffset: tf.zeros([1, 24, 32, 2]), bottomRightOffset: tf.zeros([1, 24, 32, 2]),
 * };
 * const terms = cornerNetLossTerms(pred, target);
 * console.log(terms.pull.dataSync()[0], terms.offset.dataSync()[0]); // 0 0 (equal embeddings, integer corners)
 */
export function cornerNetLossTerms(pred: CornerNetTensors, target: CornerNetTargetTensors, weights: CornerNetLossWeights = {}): CornerNetLossTerms {
  return tf.tidy(() => {
    const focal = tf.add(focalLoss(pred.topLeft, target.topLeft), focalLoss(pred.bottomRight, target.bottomRight)) as tf.Scalar;
    const read = (map: tf.Tensor, select: tf.Tensor): tf.Tensor => {
      const [batch, h, w] = map.shape as number[];
      return tf.squeeze(tf.matMul(select as tf.Tensor3D, tf.reshape(map, [batch!, h! * w!, 1]) as tf.Tensor3D), [2]);
    };
    const { pull, push } = embeddingLoss(read(pred.topLeftEmbedding, target.topLeftSelect), read(pred.bottomRightEmbedding, target.bottomRightSelect), target.objectMask);
    const offset = tf.add(
      maskedL1Loss(pred.topLeftOffset, target.topLeftOffset, target.topLeftMask),
      maskedL1Loss(pred.bottomRightOffset, target.bottomRightOffset, target.bottomRightMask),
    ) as tf.Scalar;
    const total = tf.addN([focal, tf.mul(weights.pull ?? 0.1, pull), tf.mul(weights.push ?? 0.1, push), tf.mul(weights.offset ?? 1, offset)]) as tf.Scalar;
    return { total, focal, pull, push, offset };
  });
}

/**
 * The tensors of a batch of frames' targets (all frames from the same grid), K = the most
 * objects any of them holds (at least 1).
 *
 * @example
 * const target = cornerNetTargetTensors([cornerNetTargets([3, 4, 10, 12]), cornerNetTargets([])]);
 * console.log(target.topLeftSelect.shape, Array.from(target.objectMask.dataSync())); // [2, 1, 192] [1, 0]
 */
export function cornerNetTargetTensors(frames: readonly CornerNetFrameTargets[]): CornerNetTargetTensors {
  const batch = frames.length;
  const h = frames[0]?.outHeight ?? 0;
  const w = frames[0]?.outWidth ?? 0;
  const cells = h * w;
  const k = Math.max(1, ...frames.map((f) => f.count));
  const stack = (pick: (f: CornerNetFrameTargets) => Float32Array, per: number) => {
    const out = new Float32Array(batch * cells * per);
    frames.forEach((f, i) => out.set(pick(f), i * cells * per));
    return out;
  };
  const select = (pick: (f: CornerNetFrameTargets) => Int32Array) => {
    const out = new Float32Array(batch * k * cells);
    frames.forEach((f, i) => {
      for (let o = 0; o < f.count; o++) out[(i * k + o) * cells + pick(f)[o]!] = 1;
    });
    return tf.tensor3d(out, [batch, k, cells]);
  };
  const objectMask = new Float32Array(batch * k);
  frames.forEach((f, i) => objectMask.fill(1, i * k, i * k + f.count));
  return {
    topLeft: tf.tensor4d(stack((f) => f.topLeft, 1), [batch, h, w, 1]),
    bottomRight: tf.tensor4d(stack((f) => f.bottomRight, 1), [batch, h, w, 1]),
    topLeftOffset: tf.tensor4d(stack((f) => f.topLeftOffset, 2), [batch, h, w, 2]),
    bottomRightOffset: tf.tensor4d(stack((f) => f.bottomRightOffset, 2), [batch, h, w, 2]),
    topLeftMask: tf.tensor3d(stack((f) => f.topLeftMask, 1), [batch, h, w]),
    bottomRightMask: tf.tensor3d(stack((f) => f.bottomRightMask, 1), [batch, h, w]),
    topLeftSelect: select((f) => f.topLeftIndex),
    bottomRightSelect: select((f) => f.bottomRightIndex),
    objectMask: tf.tensor2d(objectMask, [batch, k]),
  };
}
