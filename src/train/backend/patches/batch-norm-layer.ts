// Makes tfjs-layers' BatchNormalization (and a ReLU after it) run the fused batch-norm kernels on
// the fast backend; every other case keeps the layer's own call.
import * as tf from '@tensorflow/tfjs';
import { BATCH_NORM_TRAIN_GRAD, batchNormTrainWithMovingStats } from '../kernels/batch-norm/batch-norm.js';
import { channelKernelsSupport } from '../simd/batch-norm.js';

/**
 * Routes tfjs-layers' BatchNormalization training call through our fused kernel pair
 * (kernels/batch-norm/batch-norm.ts) while `isActive()` says the fast backend is running; in every other case
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

/** What the patched call computed a training-mode output from (for bnReluLayer below). */
interface Normalized {
  x: tf.Tensor;
  gamma: tf.Tensor;
  beta: tf.Tensor;
  epsilon: number;
  mean: Float32Array;
  variance: Float32Array;
}
const normalized = new WeakMap<tf.Tensor, Normalized>();

/**
 * relu(y) for y from the patched batch norm, differentiable in the batch norm's x, γ and β
 * directly: ONE backward kernel takes the ReLU's output gradient, masks it with y > 0 and
 * runs the batch-norm gradient (stock: a ReLU-gradient pass, then the batch-norm kernel).
 * Forward values are the stock Relu kernel's on y. The batch norm's own tape node stays; it
 * only gets gradient if y feeds something else too, so every path is still counted once.
 */
function bnRelu(y: tf.Tensor, n: Normalized): tf.Tensor {
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [x, gamma] = args as tf.Tensor[];
    (args[3] as tf.GradSaveFunc)([x!, gamma!, y]);
    const gradFunc = (dz: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]): tf.Tensor[] => {
      const [xs, g, relu] = saved as [tf.Tensor, tf.Tensor, tf.Tensor];
      return tf.engine().runKernel(
        BATCH_NORM_TRAIN_GRAD,
        { dy: dz as tf.Tensor, x: xs, gamma: g, mean: tf.tensor1d(n.mean), variance: tf.tensor1d(n.variance), relu } as unknown as tf.NamedTensorMap,
        { epsilon: n.epsilon } as unknown as tf.NamedAttrMap,
      ) as tf.Tensor[];
    };
    return { value: tf.relu(y), gradFunc };
  });
  return op(n.x, n.gamma, n.beta);
}

/** As a named op (profiles list it as bnRelu__op). */
const bnReluOp = tf.op({ bnRelu });

interface ActivationLike {
  activation: { getClassName(): string };
}
type ActivationCall = (this: ActivationLike, inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>) => tf.Tensor | tf.Tensor[];
const RELU_PATCHED = Symbol.for('recordflow.bnReluPatched');

/** Routes a ReLU Activation layer whose input came from the patched batch norm through bnRelu (training, `isActive()`). */
export function patchBatchNormRelu(isActive: () => boolean): void {
  const proto = Object.getPrototypeOf(tf.layers.activation({ activation: 'relu' })) as { call: ActivationCall; [RELU_PATCHED]?: boolean };
  if (proto[RELU_PATCHED]) return;
  const original = proto.call;
  proto.call = function (this: ActivationLike, inputs, kwargs) {
    const input = Array.isArray(inputs) ? inputs[0]! : inputs;
    const source = normalized.get(input);
    if (source === undefined || !isActive() || kwargs?.['training'] !== true || this.activation.getClassName() !== 'relu') {
      return original.call(this, inputs, kwargs);
    }
    return tf.tidy(() => bnReluOp(input, source));
  };
  proto[RELU_PATCHED] = true;
}

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
      const gamma = this.gamma!.read();
      const beta = this.beta!.read();
      const out = batchNormTrainWithMovingStats(input, gamma, beta, this.movingMean.read(), this.movingVariance.read(), this.epsilon, this.momentum);
      this.movingMean.write(out.movingMean);
      this.movingVariance.write(out.movingVariance);
      normalized.set(out.y, {
        x: input, gamma, beta, epsilon: this.epsilon,
        mean: out.mean.dataSync() as Float32Array, variance: out.variance.dataSync() as Float32Array,
      });
      return out.y;
    });
  };
  proto[PATCHED] = true;
}
