import * as tf from '@tensorflow/tfjs';
import { FRAME_HEIGHT, FRAME_WIDTH } from '../transforms/reference-schema.js';
import { SeededDropout } from './seeded-dropout.js';

/** Options of createBackbone: the seed, the input size and (for quick tests) a width multiplier. */
export interface BackboneOptions {
  /** Base seed for initializers and dropout (default 1). */
  seed?: number;
  /** Input height and width (default 24 x 32, the thermal frames). */
  height?: number;
  width?: number;
  /**
   * Multiplies the channel counts of the feature/residual blocks and the dense width
   * (default 1 = the reference; `start` trains at 2, tests of mechanics at less).
   */
  widthMultiplier?: number;
  /** Dropout rate of the feature and residual blocks (default BLOCK_DROPOUT, the reference's 0.3). */
  blockDropout?: number;
  /** Dropout rate after the dense layer (default HEAD_DROPOUT, the reference's 0.2). */
  headDropout?: number;
}

export const L2_WEIGHT = 1e-3;
export const BLOCK_DROPOUT = 0.3;
export const HEAD_DROPOUT = 0.2;

/**
 * The reference "BackBone" localization model (REFERENCE.md §1 step 3), input (24, 32, 1),
 * output (x, y, w, h) in [0, 1] through a sigmoid.
 *
 * Every initializer and dropout layer gets its own seed derived from `seed`, so two models
 * built with the same seed start from identical weights and draw identical dropout masks.
 * Layer names are fixed (not tfjs's global counters) so checkpoints of one run load into a
 * freshly built model of another process.
 *
 * @example
 * const model = createBackbone({ seed: 0 });
 * model.summary();
 */
export function createBackbone(options: BackboneOptions = {}): tf.LayersModel {
  const seed = options.seed ?? 1;
  const height = options.height ?? FRAME_HEIGHT;
  const width = options.width ?? FRAME_WIDTH;
  const m = options.widthMultiplier ?? 1;
  const blockRate = options.blockDropout ?? BLOCK_DROPOUT;
  const headRate = options.headDropout ?? HEAD_DROPOUT;
  const ch = (c: number): number => Math.max(1, Math.round(c * m));
  let layerIndex = 0;
  // Each layer draws from its own seed so inserting a layer later changes only its own draws.
  const nextSeed = (): number => seed * 1000 + ++layerIndex;
  const kernel = () => tf.initializers.glorotUniform({ seed: nextSeed() });
  const l2 = () => tf.regularizers.l2({ l2: L2_WEIGHT });

  const conv = (name: string, filters: number, strides: number, padding: 'same' | 'valid') =>
    tf.layers.conv2d({
      name,
      filters,
      kernelSize: 3,
      strides,
      padding,
      kernelInitializer: kernel(),
      kernelRegularizer: l2(),
    });
  const bn = (name: string) => tf.layers.batchNormalization({ name });
  const relu = (name: string) => tf.layers.activation({ name, activation: 'relu' });
  const dropout = (name: string, rate: number) => new SeededDropout({ name, rate, seed: nextSeed() });

  // FE(f1, f2): conv same -> BN -> ReLU -> dropout -> pad bottom/right -> conv stride 2 valid -> BN.
  const featureBlock = (x: tf.SymbolicTensor, name: string, f1: number, f2: number): tf.SymbolicTensor => {
    let y = conv(`${name}_conv1`, f1, 1, 'same').apply(x) as tf.SymbolicTensor;
    y = bn(`${name}_bn1`).apply(y) as tf.SymbolicTensor;
    y = relu(`${name}_relu1`).apply(y) as tf.SymbolicTensor;
    y = dropout(`${name}_dropout`, blockRate).apply(y) as tf.SymbolicTensor;
    y = tf.layers.zeroPadding2d({ name: `${name}_pad`, padding: [[0, 1], [0, 1]] }).apply(y) as tf.SymbolicTensor;
    y = conv(`${name}_conv2`, f2, 2, 'valid').apply(y) as tf.SymbolicTensor;
    return bn(`${name}_bn2`).apply(y) as tf.SymbolicTensor;
  };
  // RES(f1, f2): a = conv -> BN -> ReLU -> conv -> BN; out = dropout(x) + a (dropout on the skip path).
  const residualBlock = (x: tf.SymbolicTensor, name: string, f1: number, f2: number): tf.SymbolicTensor => {
    let a = conv(`${name}_conv1`, f1, 1, 'same').apply(x) as tf.SymbolicTensor;
    a = bn(`${name}_bn1`).apply(a) as tf.SymbolicTensor;
    a = relu(`${name}_relu1`).apply(a) as tf.SymbolicTensor;
    a = conv(`${name}_conv2`, f2, 1, 'same').apply(a) as tf.SymbolicTensor;
    a = bn(`${name}_bn2`).apply(a) as tf.SymbolicTensor;
    const skip = dropout(`${name}_dropout`, blockRate).apply(x) as tf.SymbolicTensor;
    return tf.layers.add({ name: `${name}_add` }).apply([skip, a]) as tf.SymbolicTensor;
  };

  const input = tf.input({ shape: [height, width, 1], name: 'image' });
  let x = tf.layers
    .conv2dTranspose({
      name: 'upsample',
      filters: 6,
      kernelSize: 3,
      strides: 3,
      padding: 'same',
      kernelInitializer: kernel(),
    })
    .apply(input) as tf.SymbolicTensor;
  const c3 = ch(3);
  const c5 = ch(5);
  x = featureBlock(x, 'fe1', c3, c5);
  x = residualBlock(x, 'res1', c3, c5);
  x = featureBlock(x, 'fe2', c3, c5);
  x = residualBlock(x, 'res2', c3, c5);
  x = featureBlock(x, 'fe3', c3, c3);
  x = tf.layers.flatten({ name: 'flatten' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers
    .dense({ name: 'dense', units: ch(64), activation: 'relu', kernelInitializer: kernel() })
    .apply(x) as tf.SymbolicTensor;
  x = dropout('dense_dropout', headRate).apply(x) as tf.SymbolicTensor;
  const output = tf.layers
    .dense({ name: 'box', units: 4, activation: 'sigmoid', kernelInitializer: kernel() })
    .apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: output, name: 'BackBone' });
}
