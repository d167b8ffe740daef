// Routes tfjs-layers' Conv2DTranspose and Conv2D calls through the fused upsample-conv ops
// (kernels/upsample-conv/) on the fast backend while training, by patching the layers' call().
import * as tf from '@tensorflow/tfjs';
import { upsampleConvForwardSupported, upsampleSupported } from '../kernels/upsample-conv/forward.js';
import { upsampleConvOp, upsampleOp } from '../kernels/upsample-conv/ops.js';

interface LayerVariableLike {
  read(): tf.Tensor;
}
interface ConvLayerLike {
  rank: number;
  kernelSize: number[];
  strides: number[];
  padding: string;
  dataFormat: string;
  dilationRate: number | number[];
  activation: { getClassName(): string } | null;
  kernel: LayerVariableLike | null;
  bias: LayerVariableLike | null;
  inboundNodes: { inboundLayers: { getClassName(): string }[] }[];
}
type CallFn = (this: ConvLayerLike, inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>) => tf.Tensor | tf.Tensor[];

const linear = (l: ConvLayerLike): boolean => l.activation == null || l.activation.getClassName() === 'linear';
const unitDilation = (l: ConvLayerLike): boolean =>
  Array.isArray(l.dilationRate) ? l.dilationRate.every((v) => v === 1) : l.dilationRate == null || l.dilationRate === 1;

/** A transposed conv whose windows do not overlap (kernel = stride), fed by an input layer. */
function fusableUpsample(l: ConvLayerLike, x: tf.Tensor): boolean {
  return (
    x.rank === 4 && x.dtype === 'float32' && l.dataFormat === 'channelsLast' && linear(l) && l.bias != null && l.kernel != null &&
    l.kernelSize.length === 2 && l.kernelSize.every((k, i) => k === l.strides[i]) && unitDilation(l) &&
    l.inboundNodes.length === 1 && l.inboundNodes[0]!.inboundLayers.every((p) => p.getClassName() === 'InputLayer')
  );
}

/** A 2-D conv with an odd kernel, stride 1, 'same' padding, bias and no activation. */
function fusableConv(l: ConvLayerLike): boolean {
  return (
    l.rank === 2 && l.dataFormat === 'channelsLast' && l.padding === 'same' && linear(l) && l.bias != null && l.kernel != null &&
    l.strides.every((s) => s === 1) && l.kernelSize.every((k) => k % 2 === 1) && unitDilation(l)
  );
}

const PATCHED = Symbol.for('recordflow.upsampleConvPatched');

/**
 * While `isActive()` and training: Conv2DTranspose layers that qualify remember their output
 * (and input and layer); a Conv2D layer that qualifies and receives such an output runs
 * `upsampleConv`. Everything else, including inference, takes the layers' own calls.
 */
export function patchUpsampleConv(isActive: () => boolean): void {
  const convProto = Object.getPrototypeOf(tf.layers.conv2d({ filters: 1, kernelSize: 1 })) as { call: CallFn; [PATCHED]?: boolean };
  const transposeProto = Object.getPrototypeOf(tf.layers.conv2dTranspose({ filters: 1, kernelSize: 1 })) as { call: CallFn };
  if (convProto[PATCHED]) return;
  const sources = new WeakMap<tf.Tensor, { x: tf.Tensor4D; layer: ConvLayerLike }>();
  const transposeCall = transposeProto.call;
  transposeProto.call = function (this: ConvLayerLike, inputs, kwargs) {
    const x = Array.isArray(inputs) ? inputs[0]! : inputs;
    if (!isActive() || kwargs?.['training'] !== true || !fusableUpsample(this, x)) return transposeCall.call(this, inputs, kwargs);
    const [sH, sW, C, Ci] = this.kernel!.read().shape as number[];
    const out = upsampleSupported(sH!, sW!, C!, Ci!)
      ? tf.tidy(() => upsampleOp(x as tf.Tensor4D, this.kernel!.read() as tf.Tensor4D, this.bias!.read() as tf.Tensor1D))
      : transposeCall.call(this, inputs, kwargs);
    if (!Array.isArray(out)) sources.set(out, { x: x as tf.Tensor4D, layer: this });
    return out;
  };
  const convCall = convProto.call;
  convProto.call = function (this: ConvLayerLike, inputs, kwargs) {
    const u = Array.isArray(inputs) ? inputs[0]! : inputs;
    const source = sources.get(u);
    if (source === undefined || !isActive() || !fusableConv(this)) return convCall.call(this, inputs, kwargs);
    const t = source.layer;
    const [kH, kW, C, Co] = this.kernel!.read().shape as number[];
    const [sH, sW, , Ci] = t.kernel!.read().shape as number[];
    if (!upsampleConvForwardSupported({ sH: sH!, sW: sW!, kH: kH!, kW: kW!, Ci: Ci!, C: C!, Co: Co! })) return convCall.call(this, inputs, kwargs);
    return tf.tidy(() =>
      upsampleConvOp(
        source.x, this.kernel!.read() as tf.Tensor4D, this.bias!.read() as tf.Tensor1D,
        t.kernel!.read() as tf.Tensor4D, t.bias!.read() as tf.Tensor1D,
      ),
    );
  };
  convProto[PATCHED] = true;
}
