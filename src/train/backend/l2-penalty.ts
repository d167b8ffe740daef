import * as tf from '@tensorflow/tfjs';
import { asWasmBackend, f32 } from './heap.js';

/**
 * The L2 weight penalty l2 · Σ w² as one kernel, and its gradient dw = (dy · l2) · 2w as one.
 * tfjs-layers' L1L2.apply builds it from zeros/square/mul/sum/add/reshape, and the tape turns
 * that into ~14 kernel launches per regularized weight and step (140 for the BackBone's ten
 * convolutions), each costing far more engine bookkeeping than arithmetic on 27–162 floats.
 * Per element the arithmetic is stock's (float32 square, times float32 l2); the sum runs in
 * float64, so the penalty can differ from stock's float32 sum in the last bit.
 * Only pure-L2 regularizers on float32 weights, and only while `isActive()`.
 */
export const L2_PENALTY = 'RecordflowL2Penalty';
export const L2_PENALTY_GRAD = 'RecordflowL2PenaltyGrad';

interface L2Attrs {
  l2: number;
}

const fr = Math.fround;

export const l2PenaltyConfigs = (backendName: string): tf.KernelConfig[] => [
  {
    kernelName: L2_PENALTY,
    backendName,
    kernelFunc: ({ inputs, attrs, backend }) => {
      const wasm = asWasmBackend(backend);
      const { x } = inputs as { x: tf.TensorInfo };
      const l2 = fr((attrs as unknown as L2Attrs).l2);
      const out = wasm.makeOutput([], 'float32');
      const w = f32(wasm, x);
      let sum = 0;
      for (let i = 0; i < w.length; i++) sum += fr(fr(w[i]! * w[i]!) * l2);
      f32(wasm, out)[0] = sum;
      return out;
    },
  },
  {
    kernelName: L2_PENALTY_GRAD,
    backendName,
    kernelFunc: ({ inputs, attrs, backend }) => {
      const wasm = asWasmBackend(backend);
      const { dy, x } = inputs as { dy: tf.TensorInfo; x: tf.TensorInfo };
      const out = wasm.makeOutput([...x.shape], 'float32');
      const scale = fr(f32(wasm, dy)[0]! * fr((attrs as unknown as L2Attrs).l2));
      const w = f32(wasm, x);
      const dx = f32(wasm, out);
      for (let i = 0; i < w.length; i++) dx[i] = scale * (2 * w[i]!);
      return out;
    },
  },
];

export const l2PenaltyGradient: tf.GradConfig = {
  kernelName: L2_PENALTY,
  inputsToSave: ['x'],
  gradFunc: (dy, saved, attrs) => ({
    x: () => tf.engine().runKernel(L2_PENALTY_GRAD, { dy: dy as tf.Tensor, x: saved[0]! }, attrs as tf.NamedAttrMap) as tf.Tensor,
  }),
};

interface L1L2Like {
  l1: number;
  l2: number;
  apply(x: tf.Tensor): tf.Scalar;
}

const PATCHED = Symbol.for('recordflow.l2PenaltyPatched');

/** Routes tf.regularizers.l2(...).apply through L2_PENALTY while `isActive()`. */
export function patchL2Regularizer(isActive: () => boolean): void {
  const proto = Object.getPrototypeOf(tf.regularizers.l2({ l2: 1 })) as L1L2Like & { [PATCHED]?: boolean };
  if (proto[PATCHED]) return;
  const original = proto.apply;
  proto.apply = function (this: L1L2Like, x: tf.Tensor): tf.Scalar {
    if (!isActive() || this.l1 !== 0 || this.l2 === 0 || x.dtype !== 'float32') return original.call(this, x);
    return tf.engine().runKernel(L2_PENALTY, { x }, { l2: this.l2 } as unknown as tf.NamedAttrMap) as tf.Scalar;
  };
  proto[PATCHED] = true;
}
