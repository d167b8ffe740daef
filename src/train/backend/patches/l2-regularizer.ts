// Makes tfjs-layers' L2 regularizers and LayersModel.calculateLosses use the one-launch L2 penalty
// kernels (kernels/l2-penalty.ts) on the fast backend.
import * as tf from '@tensorflow/tfjs';
import { L2_PENALTIES } from '../kernels/l2-penalty.js';

interface L1L2Like {
  l1: number;
  l2: number;
  apply(x: tf.Tensor): tf.Scalar;
}

const PATCHED = Symbol.for('recordflow.l2PenaltyPatched');

/** Σ l2·Σw² over the weights, one launch. */
function penalties(weights: { x: tf.Tensor; l2: number }[]): tf.Scalar {
  const inputs = weights.map((w) => w.x) as unknown as tf.NamedTensorMap;
  return tf.engine().runKernel(L2_PENALTIES, inputs, { l2s: weights.map((w) => w.l2) } as unknown as tf.NamedAttrMap) as tf.Scalar;
}

/** Weights whose penalties a patched calculateLosses is gathering (null: not gathering). */
let gathered: { x: tf.Tensor; l2: number }[] | null = null;
/** What a gathered apply() hands back; calculateLosses removes it before anyone sees it. */
let placeholder: tf.Scalar | null = null;

/**
 * Routes tf.regularizers.l2(...).apply through L2_PENALTIES while `isActive()`, and makes a
 * LayersModel's calculateLosses (the regularization terms tfjs-layers and our trainer add to
 * the loss) return all pure-L2 penalties as ONE L2_PENALTIES tensor: while the stock method
 * runs, each such apply() records its weight instead of launching a kernel.
 */
export function patchL2Regularizer(isActive: () => boolean): void {
  const proto = Object.getPrototypeOf(tf.regularizers.l2({ l2: 1 })) as L1L2Like & { [PATCHED]?: boolean };
  if (proto[PATCHED]) return;
  const original = proto.apply;
  proto.apply = function (this: L1L2Like, x: tf.Tensor): tf.Scalar {
    if (!isActive() || this.l1 !== 0 || this.l2 === 0 || x.dtype !== 'float32') return original.call(this, x);
    if (gathered !== null) {
      gathered.push({ x, l2: this.l2 });
      placeholder ??= tf.keep(tf.scalar(0));
      return placeholder;
    }
    return penalties([{ x, l2: this.l2 }]);
  };
  const model = tf.LayersModel.prototype as unknown as { calculateLosses(): tf.Scalar[] };
  const calculateLosses = model.calculateLosses;
  model.calculateLosses = function (this: unknown): tf.Scalar[] {
    // Nested models gather into the outermost call.
    if (!isActive() || gathered !== null) return calculateLosses.call(this);
    gathered = [];
    let losses: tf.Scalar[];
    let weights: { x: tf.Tensor; l2: number }[];
    try {
      losses = calculateLosses.call(this);
    } finally {
      weights = gathered;
      gathered = null;
    }
    const others = losses.filter((l) => l !== placeholder);
    if (weights.length === 0) return others;
    return [penalties(weights), ...others];
  };
  proto[PATCHED] = true;
}
