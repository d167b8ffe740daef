// cornerPool: CornerNet's corner pooling as a differentiable tfjs op over NHWC tensors, and the
// Keras layer that puts it in a model (saved and loaded by its class name).
import * as tf from '@tensorflow/tfjs';
import { InputError } from '../core/errors.js';
import { CORNER_POOL, CORNER_POOL_DIRECTIONS, ensureCornerPoolKernels, type CornerPoolDirection } from '../train/backend/kernels/corner-pool.js';

export { CORNER_POOL_DIRECTIONS, type CornerPoolDirection };

/**
 * CornerNet's corner pooling of an NHWC tensor: a reverse cumulative max along one axis, per
 * image and channel. 'top' gives at row i the max over rows i..H-1 (everything below), 'left'
 * at column j the max over columns j..W-1 (everything to the right); 'bottom' (rows 0..i) and
 * 'right' (columns 0..j) mirror them. The gradient of each output goes to its arg-max; among
 * equal maxima, to the one nearest the output (for 'top', the highest row at or below it), the
 * same rule forward and backward on every backend. NaN propagates (as Math.max).
 *
 * One kernel each way: SIMD on the fast backend, a plain loop on cpu, stock wasm and any other
 * backend that can hand its data to JavaScript (registered on first use). Non-float32 input is
 * cast first.
 *
 * @example
 * const tf = await import('@tensorflow/tfjs');
 * const x = tf.tensor4d([1, 3, 2, 0], [1, 4, 1, 1]);
 * console.log(Array.from(cornerPool(x, 'top').dataSync())); // [3, 3, 2, 0]
 * console.log(Array.from(cornerPool(x, 'bottom').dataSync())); // [1, 3, 3, 3]
 * const dx = tf.grad((t) => cornerPool(t as import('@tensorflow/tfjs').Tensor4D, 'top').sum())(x);
 * console.log(Array.from(dx.dataSync())); // [0, 2, 1, 1]: rows 0 and 1 both take row 1's value
 */
export function cornerPool(x: tf.Tensor4D, direction: CornerPoolDirection): tf.Tensor4D {
  if (!CORNER_POOL_DIRECTIONS.includes(direction)) throw new InputError(`cornerPool: direction must be top, left, bottom or right, got ${String(direction)}`);
  if (x.rank !== 4) throw new InputError(`cornerPool: expected an NHWC tensor of rank 4, got shape [${x.shape.join(', ')}]`);
  ensureCornerPoolKernels(tf.getBackend());
  if (x.dtype === 'float32') return tf.engine().runKernel(CORNER_POOL, { x }, { direction }) as tf.Tensor4D;
  return tf.tidy(() => tf.engine().runKernel(CORNER_POOL, { x: tf.cast(x, 'float32') }, { direction }) as tf.Tensor4D);
}

/** Config of a CornerPooling layer. */
export interface CornerPoolingConfig {
  direction: CornerPoolDirection;
  name?: string;
}

/**
 * cornerPool as a Keras layer (no weights; output shape = input shape), so models using it
 * save and load through tfjs's layers format under the class name 'CornerPooling'.
 *
 * @example
 * const tf = await import('@tensorflow/tfjs');
 * const input = tf.input({ shape: [24, 32, 8] });
 * const pooled = new CornerPooling({ direction: 'left' }).apply(input) as import('@tensorflow/tfjs').SymbolicTensor;
 * console.log(tf.model({ inputs: input, outputs: pooled }).outputs[0]!.shape); // [null, 24, 32, 8]
 */
export class CornerPooling extends tf.layers.Layer {
  static readonly className = 'CornerPooling';
  readonly direction: CornerPoolDirection;

  constructor(config: CornerPoolingConfig) {
    // The rest of the config (name, trainable, dtype when loading) is the base Layer's.
    const { direction: _direction, ...layerArgs } = config;
    super(layerArgs);
    if (!CORNER_POOL_DIRECTIONS.includes(config.direction)) throw new InputError(`CornerPooling: direction must be top, left, bottom or right, got ${String(config.direction)}`);
    this.direction = config.direction;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    return inputShape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0]! : inputs;
    return cornerPool(x as tf.Tensor4D, this.direction);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), direction: this.direction };
  }
}

tf.serialization.registerClass(CornerPooling);
