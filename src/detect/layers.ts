// The building blocks the detectors' models share: seeded convs, conv-BN-ReLU blocks, the
// three-level encoder-decoder trunk for the 24x32 frames, and the keypoint heads.
import * as tf from '@tensorflow/tfjs';

/** Layer factories of one model; every conv draws its initializer from the model's seed. */
export interface DetectorLayers {
  /** A 'same' conv; `bias` sets a constant bias initializer. */
  conv(name: string, filters: number, kernelSize: number, strides?: number, bias?: number): tf.layers.Layer;
  /** Applies a layer to one or more symbolic tensors. */
  apply(layer: tf.layers.Layer, x: tf.SymbolicTensor | tf.SymbolicTensor[]): tf.SymbolicTensor;
  /** conv → BN (names `NAME_conv`, `NAME_bn`). */
  convBn(x: tf.SymbolicTensor, name: string, filters: number, kernelSize?: number, strides?: number): tf.SymbolicTensor;
  /** conv → BN → ReLU (`NAME_conv`, `NAME_bn`, `NAME_relu`): the fast path fuses BN + ReLU. */
  block(x: tf.SymbolicTensor, name: string, filters: number, strides?: number): tf.SymbolicTensor;
  /** Nearest 2x upsampling, a block, plus the skip features (`NAME_up`, `NAME_fuse_*`, `NAME_add`). */
  up(x: tf.SymbolicTensor, skip: tf.SymbolicTensor, name: string, filters: number): tf.SymbolicTensor;
  /**
   * A keypoint head: 3x3 conv (`hidden` channels) + ReLU and a 1x1 conv to `channels`, ending in
   * an activation layer named `name` (sigmoid when `bias` is given, as a heatmap's; else linear).
   */
  head(x: tf.SymbolicTensor, name: string, hidden: number, channels: number, bias?: number): tf.SymbolicTensor;
}

/**
 * The layer factories of a model seeded with `seed`: conv k (in creation order) gets He-normal
 * weights from seed · 1000 + k, so adding a layer later changes only its own draws.
 * Internal to the detectors (not exported from the package root).
 */
export function detectorLayers(seed: number): DetectorLayers {
  let layerIndex = 0;
  const conv: DetectorLayers['conv'] = (name, filters, kernelSize, strides = 1, bias) =>
    tf.layers.conv2d({
      name,
      filters,
      kernelSize,
      strides,
      padding: 'same',
      kernelInitializer: tf.initializers.heNormal({ seed: seed * 1000 + ++layerIndex }),
      ...(bias !== undefined ? { biasInitializer: tf.initializers.constant({ value: bias }) } : {}),
    });
  const apply: DetectorLayers['apply'] = (layer, x) => layer.apply(x) as tf.SymbolicTensor;
  const activation = (x: tf.SymbolicTensor, name: string, kind: 'relu' | 'sigmoid' | 'linear') => apply(tf.layers.activation({ name, activation: kind }), x);
  const convBn: DetectorLayers['convBn'] = (x, name, filters, kernelSize = 3, strides = 1) =>
    apply(tf.layers.batchNormalization({ name: `${name}_bn` }), apply(conv(`${name}_conv`, filters, kernelSize, strides), x));
  const block: DetectorLayers['block'] = (x, name, filters, strides = 1) => activation(convBn(x, name, filters, 3, strides), `${name}_relu`, 'relu');
  const up: DetectorLayers['up'] = (x, skip, name, filters) => {
    const u = apply(tf.layers.upSampling2d({ name: `${name}_up`, size: [2, 2] }), x);
    return apply(tf.layers.add({ name: `${name}_add` }), [block(u, `${name}_fuse`, filters), skip]);
  };
  const head: DetectorLayers['head'] = (x, name, hidden, channels, bias) => {
    const h = activation(apply(conv(`${name}_conv`, hidden, 3), x), `${name}_relu`, 'relu');
    return activation(apply(conv(`${name}_out`, channels, 1, 1, bias), h), name, bias !== undefined ? 'sigmoid' : 'linear');
  };
  return { conv, apply, convBn, block, up, head };
}

/**
 * The detectors' trunk: two 3x3 conv-BN-ReLU blocks at full resolution (C channels, `enc1a`,
 * `enc1b`), two at 1/2 (2C, the first strided) and two at 1/4 (4C); then the decoder upsamples
 * back to 1/`stride` of the input (`dec2` to 1/2, `dec1` to full), adding the encoder's features
 * of each level after a 3x3 block. A unit at 1/4 sees 23 x 23 input pixels.
 * Internal to the detectors.
 */
export function encoderDecoder(L: DetectorLayers, input: tf.SymbolicTensor, channels: number, stride: 1 | 2): tf.SymbolicTensor {
  const c = channels;
  const f1 = L.block(L.block(input, 'enc1a', c), 'enc1b', c);
  const f2 = L.block(L.block(f1, 'enc2a', 2 * c, 2), 'enc2b', 2 * c);
  const f3 = L.block(L.block(f2, 'enc3a', 4 * c, 2), 'enc3b', 4 * c);
  const x = L.up(f3, f2, 'dec2', 2 * c);
  return stride === 1 ? L.up(x, f1, 'dec1', c) : x;
}
