// createCenterNet: a small encoder-decoder for the 24x32 thermal frames with CenterNet's three
// heads (Zhou et al., "Objects as Points"): a centre heatmap through a sigmoid, a 2-channel
// sub-cell offset and a 2-channel box size, all at the output stride.
import * as tf from '@tensorflow/tfjs';
import { FRAME_HEIGHT, FRAME_WIDTH } from '../transforms/reference-schema.js';

/** Options of createCenterNet. */
export interface CenterNetOptions {
  /** Seed of every initializer (default 1): the same seed builds the same weights. */
  seed?: number;
  /** Output stride R, 1 or 2 (default CENTERNET_STRIDE): the heads are (24/R) x (32/R). */
  stride?: 1 | 2;
  /** Channels at input resolution; the two coarser levels have 2x and 4x (default 16). */
  channels?: number;
  /** Channels of each head's 3x3 conv before its 1x1 output (default 2 x channels). */
  headChannels?: number;
  /** Input height and width (default the thermal frames' 24 x 32); both divisible by 4. */
  height?: number;
  width?: number;
}

/** The output stride the detector uses unless told otherwise. */
export const CENTERNET_STRIDE = 1;

/** The heatmap head's initial bias: -log((1 - 0.1) / 0.1), so every cell starts at p = 0.1 (the paper's -2.19). */
export const HEATMAP_BIAS = -Math.log((1 - 0.1) / 0.1);

/** The model's output names, in its output order. */
export const CENTERNET_OUTPUTS = ['heatmap', 'offset', 'size'] as const;

/**
 * CenterNet for 24x32 frames. The trunk is a three-level encoder-decoder: two 3x3 convs at full
 * resolution (C channels), two at 1/2 (2C) and two at 1/4 (4C), each conv followed by batch
 * norm and ReLU; the decoder upsamples (nearest) back to the output stride, adding the encoder's
 * features of that level after a 3x3 conv. At 1/4 resolution a unit sees 23 x 23 input pixels
 * (taller than any person), which the size head needs at the centre. Each head is a 3x3 conv +
 * ReLU and a 1x1 conv: `heatmap` (1 channel, sigmoid, bias HEATMAP_BIAS), `offset` (2: the
 * centre's sub-cell position x, y) and `size` (2: box width and height in output cells).
 * Outputs are [heatmap, offset, size], each (24/R, 32/R) for the output stride R.
 *
 * @example
 * const tf = await import('@tensorflow/tfjs');
 * const model = createCenterNet({ seed: 3, stride: 1 });
 * const [heatmap, offset, size] = model.predict(tf.zeros([1, 24, 32, 1])) as import('@tensorflow/tfjs').Tensor[];
 * console.log(heatmap!.shape, offset!.shape, size!.shape); // [1, 24, 32, 1] [1, 24, 32, 2] [1, 24, 32, 2]
 */
export function createCenterNet(options: CenterNetOptions = {}): tf.LayersModel {
  const seed = options.seed ?? 1;
  const stride = options.stride ?? CENTERNET_STRIDE;
  if (stride !== 1 && stride !== 2) throw new RangeError(`createCenterNet: stride must be 1 or 2, got ${String(stride)}`);
  const c = options.channels ?? 16;
  const hc = options.headChannels ?? 2 * c;
  const height = options.height ?? FRAME_HEIGHT;
  const width = options.width ?? FRAME_WIDTH;
  if (height % 4 !== 0 || width % 4 !== 0) throw new RangeError(`createCenterNet: input ${height}x${width} must be divisible by 4`);
  let layerIndex = 0;
  // Each layer draws from its own seed so adding a layer later changes only its own draws.
  const nextSeed = (): number => seed * 1000 + ++layerIndex;
  const conv = (name: string, filters: number, kernelSize: number, strides = 1, bias?: number) =>
    tf.layers.conv2d({
      name,
      filters,
      kernelSize,
      strides,
      padding: 'same',
      kernelInitializer: tf.initializers.heNormal({ seed: nextSeed() }),
      ...(bias !== undefined ? { biasInitializer: tf.initializers.constant({ value: bias }) } : {}),
    });
  const apply = (layer: tf.layers.Layer, x: tf.SymbolicTensor | tf.SymbolicTensor[]) => layer.apply(x) as tf.SymbolicTensor;
  // conv → BN → ReLU: the BN's shift makes the conv's bias redundant, the fast path fuses BN + ReLU.
  const block = (x: tf.SymbolicTensor, name: string, filters: number, strides = 1): tf.SymbolicTensor => {
    let y = apply(conv(`${name}_conv`, filters, 3, strides), x);
    y = apply(tf.layers.batchNormalization({ name: `${name}_bn` }), y);
    return apply(tf.layers.activation({ name: `${name}_relu`, activation: 'relu' }), y);
  };
  const up = (x: tf.SymbolicTensor, skip: tf.SymbolicTensor, name: string, filters: number): tf.SymbolicTensor => {
    const u = apply(tf.layers.upSampling2d({ name: `${name}_up`, size: [2, 2] }), x);
    const y = block(u, `${name}_fuse`, filters);
    return apply(tf.layers.add({ name: `${name}_add` }), [y, skip]);
  };

  const input = tf.input({ shape: [height, width, 1], name: 'image' });
  const f1 = block(block(input, 'enc1a', c), 'enc1b', c);
  const f2 = block(block(f1, 'enc2a', 2 * c, 2), 'enc2b', 2 * c);
  const f3 = block(block(f2, 'enc3a', 4 * c, 2), 'enc3b', 4 * c);
  let x = up(f3, f2, 'dec2', 2 * c);
  if (stride === 1) x = up(x, f1, 'dec1', c);
  const head = (name: string, channels: number, bias?: number, activation?: 'sigmoid'): tf.SymbolicTensor => {
    let y = apply(conv(`${name}_conv`, hc, 3), x);
    y = apply(tf.layers.activation({ name: `${name}_relu`, activation: 'relu' }), y);
    y = apply(conv(`${name}_out`, channels, 1, 1, bias), y);
    return activation ? apply(tf.layers.activation({ name, activation }), y) : apply(tf.layers.activation({ name, activation: 'linear' }), y);
  };
  const outputs = [head('heatmap', 1, HEATMAP_BIAS, 'sigmoid'), head('offset', 2), head('size', 2)];
  return tf.model({ inputs: input, outputs, name: `CenterNet_s${stride}` });
}
