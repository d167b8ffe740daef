// CenterNet's training loss from the train room's losses: focal on the heatmap, L1 on the
// offset and 0.1 x L1 on the size, both only at centre cells.
import * as tf from '@tensorflow/tfjs';
import { SIZE_LOSS_WEIGHT, focalLoss, offsetLoss, sizeLoss } from '../train/losses.js';

/** The model's three outputs, or their targets (with the centre mask), as tensors. */
export interface CenterNetTensors {
  heatmap: tf.Tensor;
  offset: tf.Tensor;
  size: tf.Tensor;
}

/** The loss and its three terms (each a scalar tensor; `total` = focal + offset + 0.1 · size). */
export interface CenterNetLossTerms {
  total: tf.Scalar;
  focal: tf.Scalar;
  offset: tf.Scalar;
  size: tf.Scalar;
}

/**
 * focal(heatmap) + L1(offset) + 0.1 · L1(size), the L1 terms averaged over the centre cells
 * (`mask`, [batch, h, w]); returns the terms too, for logging. Differentiable in `pred`.
 *
 * @example
 * const tf = await import('@tensorflow/tfjs');
 * const pred = { heatmap: tf.fill([1, 24, 32, 1], 0.1), offset: tf.zeros([1, 24, 32, 2]), size: tf.zeros([1, 24, 32, 2]) };
 * const t = centerNetTargets([3, 4, 10, 12], { stride: 1 });
 * const target = { heatmap: tf.tensor4d(t.heatmap, [1, 24, 32, 1]), offset: tf.tensor4d(t.offset, [1, 24, 32, 2]), size: tf.tensor4d(t.size, [1, 24, 32, 2]) };
 * const terms = centerNetLossTerms(pred, target, tf.tensor3d(t.mask, [1, 24, 32]));
 * console.log(terms.size.dataSync()[0]); // 7.5: the mean |0 - (7, 8)|
 */
export function centerNetLossTerms(pred: CenterNetTensors, target: CenterNetTensors, mask: tf.Tensor): CenterNetLossTerms {
  return tf.tidy(() => {
    const focal = focalLoss(pred.heatmap, target.heatmap);
    const offset = offsetLoss(pred.offset, target.offset, mask);
    const size = sizeLoss(pred.size, target.size, mask);
    const total = tf.addN([focal, offset, tf.mul(SIZE_LOSS_WEIGHT, size)]) as tf.Scalar;
    return { total, focal, offset, size };
  });
}
