// createCenterNet: a small encoder-decoder for the 24x32 thermal frames with CenterNet's three
// heads (Zhou et al., "Objects as Points"): a centre heatmap through a sigmoid, a 2-channel
// sub-cell offset and a 2-channel box size, all at the output stride.
import * as tf from '@tensorflow/tfjs';
import { FRAME_HEIGHT, FRAME_WIDTH } from '../transforms/reference-schema.js';
import { detectorLayers, encoderDecoder } from './layers.js';

/** Options of createCenterNet. */
export interface CenterNetOptions {
  /** Seed of every initializer (default 1): the same seed builds the same weights. */
  seed?: number;
  /** Output stride R, 1 or 2 (default CENTERNET_STRIDE): the heads are (24/R) x (32/R). */
  stride?: 1 | 2;
  /** Channels at input resolution; the two coarser levels have 2x and 4x (default 8). */
  channels?: number;
  /** Channels of each head's 3x3 conv before its 1x1 output (default 2 x channels). */
  headChannels?: number;
  /** Input height and width (default the thermal frames' 24 x 32); both divisible by 4. */
  height?: number;
  width?: number;
}

/**
 * The output stride the detector uses unless told otherwise: 2, a 12 x 16 grid. The offset head
 * places centres within a cell as finely as stride 1 does, and the synthetic sets' persons keep
 * their centres at least 6 px (3 cells) apart; a step takes under half the time of stride 1,
 * which lets `train --task centernet` end by its epochs well inside a 420 s budget.
 */
export const CENTERNET_STRIDE = 2;

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
  const c = options.channels ?? 8;
  const hc = options.headChannels ?? 2 * c;
  const height = options.height ?? FRAME_HEIGHT;
  const width = options.width ?? FRAME_WIDTH;
  if (height % 4 !== 0 || width % 4 !== 0) throw new RangeError(`createCenterNet: input ${height}x${width} must be divisible by 4`);
  const L = detectorLayers(seed);
  const input = tf.input({ shape: [height, width, 1], name: 'image' });
  const x = encoderDecoder(L, input, c, stride);
  const outputs = [L.head(x, 'heatmap', hc, 1, HEATMAP_BIAS), L.head(x, 'offset', hc, 2), L.head(x, 'size', hc, 2)];
  return tf.model({ inputs: input, outputs, name: `CenterNet_s${stride}` });
}
