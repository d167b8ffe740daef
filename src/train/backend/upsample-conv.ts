import * as tf from '@tensorflow/tfjs';
import { UPSAMPLE, UPSAMPLE_CONV_FORWARD, upsampleConvForwardSupported, upsampleSupported } from './upsample-conv-forward.js';

/**
 * The BackBone's first two layers, an upsampling Conv2DTranspose whose kernel equals its
 * stride (x: [B, H, W, Ci] → u: [B, sH·H, sW·W, C], every u pixel fed by one x pixel) and a
 * stride-1 'same' Conv2D on u (→ y: [B, sH·H, sW·W, Co]), differentiated together.
 *
 * Stock backprop materialises du (= the input gradient of the conv, the largest map of the
 * step, 7·72·96·6 floats) and then reduces it twice (the transposed conv's kernel and bias
 * gradients), and computes the conv's kernel gradient from u: ~25% of a fast step. But u is
 * an affine function of the small x, so all four weight gradients are small contractions of
 * ONE correlation of dy with x. With P = (k − 1)/2 and R = s + k − 1 (per axis):
 *   T[r, s', co, q] = Σ_{b,i,j} dy[b, sH·i − P + r, sW·j − P + s', co] · x̃[b, i, j, q]
 * where x̃ = x with a channel of ones appended (q = Ci). That is a Conv2DBackpropFilter with
 * a R×R window, stride = the upsampling factor and padding P: ~0.4 M multiply-adds here
 * instead of ~24 M. With r = a − kh + 2P and O[kh, kw, co] = Σ_{a,b} T[r, s', co, Ci]:
 *   dWt[a, b, c, ci] = Σ_{kh,kw,co} W[kh, kw, c, co] · T[r, s', co, ci]
 *   dbt[c]           = Σ_{kh,kw,co} W[kh, kw, c, co] · O[kh, kw, co]
 *   dW[kh, kw, c, co] = Σ_{a,b,ci} Wt[a, b, c, ci] · T[r, s', co, ci] + bt[c] · O[kh, kw, co]
 *   db[co]           = O[P, P, co]  (= Σ dy)
 * (Wt: the transposed conv's kernel [sH, sW, C, Ci], bt its bias; W, b: the conv's.) The
 * forward pass computes y from x too (upsample-conv-forward.ts); the transposed conv layer still
 * produces u, which nothing then reads. x itself gets no gradient, so the pair is only fused
 * when x comes straight from an input layer.
 */
export interface UpsampleConvShape {
  /** Upsampling factor = the transposed conv's kernel size, per axis. */
  sH: number;
  sW: number;
  /** The conv's (odd) kernel size. */
  kH: number;
  kW: number;
  /** Channels: x, u, y. */
  Ci: number;
  C: number;
  Co: number;
}

/** The R×R window of T per axis. */
export function correlationWindow(d: UpsampleConvShape): [number, number] {
  return [d.sH + d.kH - 1, d.sW + d.kW - 1];
}

/**
 * The four weight gradients from T (Conv2DBackpropFilter layout [RH, RW, Co, Ci + 1]), the
 * conv kernel W [kH, kW, C, Co], the transposed conv's kernel Wt [sH, sW, C, Ci] and bias bt.
 * Sums in float64.
 */
export function upsampleConvGradients(
  d: UpsampleConvShape, T: ArrayLike<number>, W: ArrayLike<number>, Wt: ArrayLike<number>, bt: ArrayLike<number>,
): { dW: Float32Array; db: Float32Array; dWt: Float32Array; dbt: Float32Array } {
  const { sH, sW, kH, kW, Ci, C, Co } = d;
  const [, RW] = correlationWindow(d);
  const Q = Ci + 1;
  const PH = (kH - 1) / 2;
  const PW = (kW - 1) / 2;
  const t = (r: number, s: number, co: number, q: number): number => T[((r * RW + s) * Co + co) * Q + q]!;
  // O[kh, kw, co]: the ones channel summed over the upsampling phases.
  const O = new Float64Array(kH * kW * Co);
  for (let kh = 0; kh < kH; kh++) {
    for (let kw = 0; kw < kW; kw++) {
      for (let co = 0; co < Co; co++) {
        let sum = 0;
        for (let a = 0; a < sH; a++) for (let b = 0; b < sW; b++) sum += t(a - kh + 2 * PH, b - kw + 2 * PW, co, Ci);
        O[(kh * kW + kw) * Co + co] = sum;
      }
    }
  }
  const dW = new Float32Array(kH * kW * C * Co);
  const dWt = new Float64Array(sH * sW * C * Ci);
  const dbt = new Float64Array(C);
  for (let kh = 0; kh < kH; kh++) {
    for (let kw = 0; kw < kW; kw++) {
      for (let c = 0; c < C; c++) {
        for (let co = 0; co < Co; co++) {
          const w = W[((kh * kW + kw) * C + c) * Co + co]!;
          const o = O[(kh * kW + kw) * Co + co]!;
          let g = bt[c]! * o;
          for (let a = 0; a < sH; a++) {
            for (let b = 0; b < sW; b++) {
              const r = a - kh + 2 * PH;
              const s = b - kw + 2 * PW;
              for (let ci = 0; ci < Ci; ci++) {
                const tv = t(r, s, co, ci);
                const at = ((a * sW + b) * C + c) * Ci + ci;
                g += Wt[at]! * tv;
                dWt[at]! += w * tv;
              }
            }
          }
          dW[((kh * kW + kw) * C + c) * Co + co] = g;
          dbt[c]! += w * o;
        }
      }
    }
  }
  const db = new Float32Array(Co);
  for (let co = 0; co < Co; co++) db[co] = O[(PH * kW + PW) * Co + co]!;
  return { dW, db, dWt: Float32Array.from(dWt), dbt: Float32Array.from(dbt) };
}

/** x ([..., Ci] floats) with a channel of ones appended (a small input: built in JS, no Concat launch). */
function appendOnes(x: Float32Array, Ci: number): Float32Array {
  const pixels = x.length / Ci;
  const out = new Float32Array(pixels * (Ci + 1));
  for (let p = 0, i = 0, o = 0; p < pixels; p++) {
    for (let c = 0; c < Ci; c++) out[o++] = x[i++]!;
    out[o++] = 1;
  }
  return out;
}

/**
 * y = conv(u, W) + b ('same', stride 1) with u = convTranspose(x, Wt) + bt, computed from x;
 * differentiable in W, b, Wt and bt (not in x) as described above.
 */
export function upsampleConv(x: tf.Tensor4D, W: tf.Tensor4D, b: tf.Tensor1D, Wt: tf.Tensor4D, bt: tf.Tensor1D): tf.Tensor4D {
  const [kH, kW, C, Co] = W.shape;
  const [sH, sW, , Ci] = Wt.shape;
  const d: UpsampleConvShape = { sH, sW, kH, kW, Ci, C, Co };
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [w, bias, wt, biasT] = args as tf.Tensor[];
    (args[4] as tf.GradSaveFunc)([x]);
    const value = tf.engine().runKernel(UPSAMPLE_CONV_FORWARD, { x, W: w!, b: bias!, Wt: wt!, bt: biasT! }) as tf.Tensor4D;
    const gradFunc = (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]): tf.Tensor[] => {
      const xs = saved[0]! as tf.Tensor4D;
      const [RH, RW] = correlationWindow(d);
      const T = tf.tidy(() => {
        const withOnes = tf.tensor4d(appendOnes(xs.dataSync() as Float32Array, Ci), [xs.shape[0], xs.shape[1], xs.shape[2], Ci + 1]);
        return tf.engine().runKernel(tf.Conv2DBackpropFilter, { x: dy as tf.Tensor, dy: withOnes }, {
          strides: [sH, sW],
          pad: [[0, 0], [(kH - 1) / 2, (kH - 1) / 2], [(kW - 1) / 2, (kW - 1) / 2], [0, 0]],
          dataFormat: 'NHWC',
          filterShape: [RH, RW, Co, Ci + 1],
        } as unknown as tf.NamedAttrMap) as tf.Tensor;
      });
      const g = upsampleConvGradients(d, T.dataSync(), w!.dataSync(), wt!.dataSync(), biasT!.dataSync());
      T.dispose();
      return [tf.tensor(g.dW, w!.shape), tf.tensor(g.db, bias!.shape), tf.tensor(g.dWt, wt!.shape), tf.tensor(g.dbt, biasT!.shape)];
    };
    return { value, gradFunc };
  });
  return op(W, b, Wt, bt) as tf.Tensor4D;
}

/** As a named op (profiles list it as upsampleConv__op, like tfjs's own fused ops). */
export const upsampleConvOp = tf.op({ upsampleConv });

/**
 * u = convTranspose(x, Wt) + bt for kernel = stride (one UPSAMPLE launch), differentiable in
 * Wt and bt with stock's gradient kernels (x is an input layer's tensor: no gradient). When
 * upsampleConv consumes u, nothing differentiates through it at all.
 */
function upsample(x: tf.Tensor4D, Wt: tf.Tensor4D, bt: tf.Tensor1D): tf.Tensor4D {
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [wt, biasT] = args as tf.Tensor[];
    (args[2] as tf.GradSaveFunc)([x]);
    const value = tf.engine().runKernel(UPSAMPLE, { x, Wt: wt!, bt: biasT! }) as tf.Tensor4D;
    const gradFunc = (du: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]): tf.Tensor[] => {
      const dWt = tf.engine().runKernel(tf.Conv2DBackpropFilter, { x: du as tf.Tensor, dy: saved[0]! }, {
        strides: wt!.shape.slice(0, 2), pad: 'valid', dataFormat: 'NHWC', filterShape: wt!.shape,
      } as unknown as tf.NamedAttrMap) as tf.Tensor;
      return [dWt, tf.sum(du as tf.Tensor, [0, 1, 2])];
    };
    return { value, gradFunc };
  });
  return op(Wt, bt) as tf.Tensor4D;
}

export const upsampleOp = tf.op({ upsample });

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
