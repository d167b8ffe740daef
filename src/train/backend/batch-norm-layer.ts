import * as tf from '@tensorflow/tfjs';
import { batchNormTrainWithMovingStats } from './batch-norm.js';
import { channelKernelsSupport } from './simd-batch-norm.js';

/**
 * Routes tfjs-layers' BatchNormalization training call through our fused kernel pair
 * (batch-norm.ts) while `isActive()` says the fast backend is running; in every other case
 * (inference, other backends, other axes) the original method runs untouched. The same
 * kernel launch also returns the updated moving mean/variance, computed with the layer's
 * own arithmetic and float32 rounding (moving − (moving − batch)·(1 − momentum)).
 */
type CallFn = (this: BatchNormLike, inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>) => tf.Tensor | tf.Tensor[];
interface LayerVariableLike {
  read(): tf.Tensor;
  write(value: tf.Tensor): void;
}
interface BatchNormLike {
  axis: number;
  momentum: number;
  epsilon: number;
  center: boolean;
  scale: boolean;
  gamma: LayerVariableLike | null;
  beta: LayerVariableLike | null;
  movingMean: LayerVariableLike;
  movingVariance: LayerVariableLike;
}

const PATCHED = Symbol.for('recordflow.batchNormPatched');

export function patchBatchNormalization(isActive: () => boolean): void {
  const proto = Object.getPrototypeOf(tf.layers.batchNormalization({})) as { call: CallFn; [PATCHED]?: boolean };
  if (proto[PATCHED]) return;
  const original = proto.call;
  proto.call = function (this: BatchNormLike, inputs, kwargs) {
    const input = Array.isArray(inputs) ? inputs[0]! : inputs;
    const training = kwargs?.['training'] === true;
    const lastAxis = this.axis === -1 || this.axis === input.rank - 1;
    const channels = input.shape[input.rank - 1]!;
    if (!training || !isActive() || !lastAxis || input.rank < 2 || !channelKernelsSupport(channels) || !this.center || !this.scale || !this.gamma || !this.beta) {
      return original.call(this, inputs, kwargs);
    }
    return tf.tidy(() => {
      const out = batchNormTrainWithMovingStats(
        input, this.gamma!.read(), this.beta!.read(), this.movingMean.read(), this.movingVariance.read(), this.epsilon, this.momentum,
      );
      this.movingMean.write(out.movingMean);
      this.movingVariance.write(out.movingVariance);
      return out.y;
    });
  };
  proto[PATCHED] = true;
}
