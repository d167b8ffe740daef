// createCornerNet: CornerNet (Law and Deng, "CornerNet: Detecting Objects as Paired Keypoints")
// for the 24x32 thermal frames: a small encoder-decoder trunk, a top-left and a bottom-right
// prediction module with corner pooling, and per corner a heatmap, a 1-d embedding and an offset.
import * as tf from '@tensorflow/tfjs';
import { FRAME_HEIGHT, FRAME_WIDTH } from '../transforms/reference-schema.js';
import { HEATMAP_BIAS } from './centernet-model.js';
import { CornerPooling, type CornerPoolDirection } from './corner-pool.js';
import { CORNERNET_STRIDE } from './cornernet-targets.js';
import { detectorLayers, encoderDecoder } from './layers.js';

/** Options of createCornerNet. */
export interface CornerNetOptions {
  /** Seed of every initializer (default 1): the same seed builds the same weights. */
  seed?: number;
  /** Output stride R, 1 or 2 (default CORNERNET_STRIDE): the heads are (24/R) x (32/R). */
  stride?: 1 | 2;
  /** Trunk channels at input resolution; the two coarser levels have 2x and 4x (default 8). */
  channels?: number;
  /** Channels of each prediction module's pooled branches and features (default `channels`). */
  moduleChannels?: number;
  /** Channels of each head's 3x3 conv before its 1x1 output (default moduleChannels). */
  headChannels?: number;
  /** Input height and width (default the thermal frames' 24 x 32); both divisible by 4. */
  height?: number;
  width?: number;
}

/** The model's output names, in its output order (CornerNet's own order of the six maps). */
export const CORNERNET_OUTPUTS = ['topLeft', 'bottomRight', 'topLeftEmbedding', 'bottomRightEmbedding', 'topLeftOffset', 'bottomRightOffset'] as const;

/**
 * CornerNet for 24x32 frames at output stride R (default CORNERNET_STRIDE, 2: every head is
 * (24/R) x (32/R), a corner's cell is floor(corner / R), the offset its position in the cell).
 * The trunk is a three-level encoder-decoder: two 3x3 convs at full resolution (C channels), two
 * at 1/2 (2C) and two at 1/4 (4C), each followed by batch norm and ReLU; the decoder upsamples
 * (nearest) back to 1/R, adding the encoder's features of each level after a 3x3 conv. A unit
 * at 1/4 sees 23 x 23 pixels, more than a person (about 7 x 9).
 *
 * Each prediction module is the paper's: two 3x3 conv-BN-ReLU branches (M channels) from the
 * trunk, corner-pooled ('top' and 'left' for the top-left module: at a cell, the max over
 * everything below and everything to the right; 'bottom' and 'right' for the bottom-right one)
 * and summed, a 3x3 conv-BN added to a 1x1 conv-BN of the trunk, ReLU, and a 3x3 conv-BN-ReLU.
 * Its three heads are each a 3x3 conv + ReLU and a 1x1 conv: the heatmap (1 channel, sigmoid,
 * bias HEATMAP_BIAS so every cell starts at p = 0.1), the embedding (1 channel, linear) and the
 * offset (2 channels: x, y). Outputs in CORNERNET_OUTPUTS order: [topLeft, bottomRight,
 * topLeftEmbedding, bottomRightEmbedding, topLeftOffset, bottomRightOffset].
 *
 * @example
 * const tf = await import('@tensorflow/tfjs');
 * const model = createCornerNet({ seed: 3, channels: 4 });
 * const outputs = model.predict(tf.zeros([1, 24, 32, 1])) as import('@tensorflow/tfjs').Tensor[];
 * console.log(outputs.map((t) => t.shape)); // [1, 12, 16, 1] x 4, then [1, 12, 16, 2] x 2
 */
export function createCornerNet(options: CornerNetOptions = {}): tf.LayersModel {
  const seed = options.seed ?? 1;
  const stride = options.stride ?? CORNERNET_STRIDE;
  if (stride !== 1 && stride !== 2) throw new RangeError(`createCornerNet: stride must be 1 or 2, got ${String(stride)}`);
  const c = options.channels ?? 8;
  const mc = options.moduleChannels ?? c;
  const hc = options.headChannels ?? mc;
  const height = options.height ?? FRAME_HEIGHT;
  const width = options.width ?? FRAME_WIDTH;
  if (height % 4 !== 0 || width % 4 !== 0) throw new RangeError(`createCornerNet: input ${height}x${width} must be divisible by 4`);
  const L = detectorLayers(seed);
  const input = tf.input({ shape: [height, width, 1], name: 'image' });
  const trunk = encoderDecoder(L, input, c, stride);
  const pool = (x: tf.SymbolicTensor, direction: CornerPoolDirection, name: string) => L.apply(new CornerPooling({ direction, name }), x);
  const module = (prefix: string, first: CornerPoolDirection, second: CornerPoolDirection): tf.SymbolicTensor => {
    const a = pool(L.block(trunk, `${prefix}_${first}`, mc), first, `${prefix}_${first}_pool`);
    const b = pool(L.block(trunk, `${prefix}_${second}`, mc), second, `${prefix}_${second}_pool`);
    const pooled = L.convBn(L.apply(tf.layers.add({ name: `${prefix}_pools` }), [a, b]), `${prefix}_merge`, mc);
    const skip = L.convBn(trunk, `${prefix}_skip`, mc, 1);
    const merged = L.apply(tf.layers.activation({ name: `${prefix}_relu`, activation: 'relu' }), L.apply(tf.layers.add({ name: `${prefix}_add` }), [pooled, skip]));
    return L.block(merged, `${prefix}_out`, mc);
  };
  const tl = module('tl', 'top', 'left');
  const br = module('br', 'bottom', 'right');
  const outputs = [
    L.head(tl, 'topLeft', hc, 1, HEATMAP_BIAS),
    L.head(br, 'bottomRight', hc, 1, HEATMAP_BIAS),
    L.head(tl, 'topLeftEmbedding', hc, 1),
    L.head(br, 'bottomRightEmbedding', hc, 1),
    L.head(tl, 'topLeftOffset', hc, 2),
    L.head(br, 'bottomRightOffset', hc, 2),
  ];
  return tf.model({ inputs: input, outputs, name: 'CornerNet' });
}
