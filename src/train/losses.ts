// CenterNet-style keypoint losses (tensors in, scalar tensors out) and the reference's MSE.
import * as tf from '@tensorflow/tfjs';

/** The exponents of focalLoss (CenterNet's alpha = 2, beta = 4) and its clipping epsilon. */
export interface FocalLossOptions {
  alpha?: number;
  beta?: number;
  epsilon?: number;
}

/**
 * CenterNet's penalty-reduced focal loss: pred is a heatmap of probabilities in (0, 1), gt the Gaussian-splatted
 * target where keypoints are exactly 1. Positives add `-(1-p)^alpha * log(p)`, negatives add
 * `-(1-gt)^beta * p^alpha * log(1-p)`; the sum is divided by the number of keypoints (or
 * taken as is when there are none). Predictions are clipped to [eps, 1-eps] so a saturated
 * sigmoid gives a large finite loss instead of Infinity.
 *
 * @example
 * import * as tf from '@tensorflow/tfjs';
 * const gt = tf.tensor4d([0, 1, 0, 0.5], [1, 2, 2, 1]);
 * const loss = focalLoss(tf.fill([1, 2, 2, 1], 0.5), gt).dataSync()[0];
 */
export function focalLoss(pred: tf.Tensor, gt: tf.Tensor, options: FocalLossOptions = {}): tf.Scalar {
  const alpha = options.alpha ?? 2;
  const beta = options.beta ?? 4;
  const eps = options.epsilon ?? 1e-7;
  return tf.tidy(() => {
    const p = tf.clipByValue(pred, eps, 1 - eps);
    const pos = tf.cast(tf.equal(gt, 1), 'float32');
    const neg = tf.sub(1, pos);
    const posLoss = tf.mul(tf.mul(tf.log(p), tf.pow(tf.sub(1, p), alpha)), pos);
    const negLoss = tf.mul(tf.mul(tf.mul(tf.log(tf.sub(1, p)), tf.pow(p, alpha)), tf.pow(tf.sub(1, gt), beta)), neg);
    const numPos = tf.sum(pos);
    const total = tf.add(tf.sum(posLoss), tf.sum(negLoss));
    // -total / max(numPos, 1) equals the CenterNet rule: divide by numPos, or not at all when 0.
    return tf.neg(tf.div(total, tf.maximum(numPos, 1))) as tf.Scalar;
  });
}

/**
 * L1 loss over the keypoint locations only: `sum(|pred - target| * mask) / max(sum(mask), 1)`
 * where mask is 1 at keypoints (broadcast over the last, per-keypoint channel axis).
 * Used for the sub-pixel offset (weight 1) and the box size (weight 0.1) heads.
 */
export function maskedL1Loss(pred: tf.Tensor, target: tf.Tensor, mask: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    const m = mask.rank < pred.rank ? tf.expandDims(mask, -1) : mask;
    const diff = tf.mul(tf.abs(tf.sub(pred, target)), m);
    return tf.div(tf.sum(diff), tf.maximum(tf.sum(m), 1)) as tf.Scalar;
  });
}

/** The offset head's loss: maskedL1Loss (weight 1). */
export const offsetLoss = maskedL1Loss;
/** The size head's loss: maskedL1Loss, weighted by SIZE_LOSS_WEIGHT. */
export const sizeLoss = maskedL1Loss;
export const SIZE_LOSS_WEIGHT = 0.1;

export interface CenterNetTargets {
  heatmap: tf.Tensor;
  offset: tf.Tensor;
  size: tf.Tensor;
  /** 1 at keypoint pixels, 0 elsewhere; shape of heatmap without its channel axis. */
  mask: tf.Tensor;
}

/** focal + offset L1 + 0.1 * size L1. */
export function centerNetLoss(pred: Omit<CenterNetTargets, 'mask'>, target: CenterNetTargets): tf.Scalar {
  return tf.tidy(() =>
    tf.addN([
      focalLoss(pred.heatmap, target.heatmap),
      offsetLoss(pred.offset, target.offset, target.mask),
      tf.mul(SIZE_LOSS_WEIGHT, sizeLoss(pred.size, target.size, target.mask)),
    ]) as tf.Scalar,
  );
}

/** Mean squared error over all elements. */
export function meanSquaredError(pred: tf.Tensor, target: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.mean(tf.squaredDifference(pred, target)) as tf.Scalar);
}
