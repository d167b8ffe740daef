// The fused upsampling pair as differentiable ops whose four weight gradients come from one small
// correlation instead of the largest map of a training step.
import * as tf from '@tensorflow/tfjs';
import { UPSAMPLE, UPSAMPLE_CONV_FORWARD } from './forward.js';
import { correlationWindow, type UpsampleConvShape } from './shape.js';

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
 * forward pass computes y from x too (forward.ts); the transposed conv layer still
 * produces u, which nothing then reads. x itself gets no gradient, so the pair is only fused
 * when x comes straight from an input layer.
 *
 * This file holds the pair as two differentiable ops; patches/upsample-conv-layers.ts routes the
 * layers through them.
 */

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
