// Folds a ZeroPadding2D into the 'valid' Conv2D after it while training on the fast backend, so the
// backward pass needs no Slice of a padded gradient.
import * as tf from '@tensorflow/tfjs';

/**
 * ZeroPadding2D followed by a 'valid' Conv2D (the BackBone's feature blocks pad bottom/right
 * by one before each stride-2 conv): the conv runs on the UNPADDED input with the padding as
 * explicit conv padding. Same values (the padded zeros are the conv's padding zeros), but the
 * gradient reaches the input straight from the conv's input gradient: no Slice of a padded
 * gradient map in the backward pass. The pad layer still produces its output (nothing reads
 * it then, unless something else consumes it, which then differentiates through it as
 * before), so every gradient path is still counted once. Training on the fast backend only.
 */
interface PadLayerLike {
  padding: [[number, number], [number, number]];
  dataFormat: string;
}
interface ConvLayerLike {
  rank: number;
  strides: number[];
  padding: string;
  dataFormat: string;
  dilationRate: number | number[];
  activation: { getClassName(): string } | null;
  kernel: { read(): tf.Tensor } | null;
  bias: { read(): tf.Tensor } | null;
}
type CallFn<L> = (this: L, inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>) => tf.Tensor | tf.Tensor[];

const PATCHED = Symbol.for('recordflow.paddedConvPatched');

function plainValidConv(l: ConvLayerLike): boolean {
  const dilations = Array.isArray(l.dilationRate) ? l.dilationRate : [l.dilationRate ?? 1];
  const activation = l.activation?.getClassName() ?? 'linear';
  return l.rank === 2 && l.padding === 'valid' && l.dataFormat === 'channelsLast' && activation === 'linear' && l.kernel != null && dilations.every((d) => d === 1);
}

export function patchPaddedConv(isActive: () => boolean): void {
  const padProto = Object.getPrototypeOf(tf.layers.zeroPadding2d({})) as { call: CallFn<PadLayerLike>; [PATCHED]?: boolean };
  const convProto = Object.getPrototypeOf(tf.layers.conv2d({ filters: 1, kernelSize: 1 })) as { call: CallFn<ConvLayerLike> };
  if (padProto[PATCHED]) return;
  const sources = new WeakMap<tf.Tensor, { x: tf.Tensor4D; padding: PadLayerLike['padding'] }>();
  const padCall = padProto.call;
  padProto.call = function (this: PadLayerLike, inputs, kwargs) {
    const out = padCall.call(this, inputs, kwargs);
    const x = Array.isArray(inputs) ? inputs[0]! : inputs;
    if (isActive() && kwargs?.['training'] === true && this.dataFormat === 'channelsLast' && !Array.isArray(out) && x.rank === 4) {
      sources.set(out, { x: x as tf.Tensor4D, padding: this.padding });
    }
    return out;
  };
  const convCall = convProto.call;
  convProto.call = function (this: ConvLayerLike, inputs, kwargs) {
    const padded = Array.isArray(inputs) ? inputs[0]! : inputs;
    const source = sources.get(padded);
    if (source === undefined || !isActive() || !plainValidConv(this)) return convCall.call(this, inputs, kwargs);
    const [[top, bottom], [left, right]] = source.padding;
    return tf.tidy(() =>
      tf.fused.conv2d({
        x: source.x,
        filter: this.kernel!.read() as tf.Tensor4D,
        strides: this.strides as [number, number],
        pad: [[0, 0], [top, bottom], [left, right], [0, 0]],
        bias: this.bias?.read(),
        activation: 'linear',
      }),
    );
  };
  padProto[PATCHED] = true;
}
