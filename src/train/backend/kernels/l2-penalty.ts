// L2 weight penalties and their gradients as one kernel each for the whole model (tfjs-layers:
// ~14 launches per regularized weight and step).
import * as tf from '@tensorflow/tfjs';
import { asWasmBackend, f32 } from '../wasm/heap.js';

/**
 * L2 weight penalties Σ_k l2_k · Σ w_k² as one kernel (inputs: the weights, attrs l2s), and
 * their gradients dw_k = (dy · l2_k) · 2w_k as one. tfjs-layers' L1L2.apply builds each
 * penalty from zeros/square/mul/sum/add/reshape, and the tape turns that into ~14 kernel
 * launches per regularized weight and step, each costing far more engine bookkeeping than
 * arithmetic on 27–162 floats; and it adds each layer's penalty to the loss separately, each
 * add costing a launch and two Reshapes in the backward pass. A model's calculateLosses
 * gathers all its pure-L2 weights into one launch.
 * Per element the arithmetic is stock's (float32 square, times float32 l2); each weight's sum
 * runs in float64, so a penalty can differ from stock's float32 sum in the last bit; the
 * penalties are then added in float32. Only pure-L2 regularizers on float32 weights, and only
 * while `isActive()`.
 */
export const L2_PENALTIES = 'RecordflowL2Penalties';
export const L2_PENALTIES_GRAD = 'RecordflowL2PenaltiesGrad';

interface L2sAttrs {
  l2s: number[];
}

const fr = Math.fround;

/** l2 · Σ w² with stock's per-element float32 arithmetic, summed in float64. */
function penalty(w: Float32Array, l2: number): number {
  const f = fr(l2);
  let sum = 0;
  for (let i = 0; i < w.length; i++) sum += fr(fr(w[i]! * w[i]!) * f);
  return sum;
}

/** dx = (dy · l2) · 2w, as L1L2's gradient computes it. */
function penaltyGradient(dy: number, w: Float32Array, l2: number, dx: Float32Array): void {
  const scale = fr(dy * fr(l2));
  for (let i = 0; i < w.length; i++) dx[i] = scale * (2 * w[i]!);
}

/** L2_PENALTIES takes its weights as an array (like AddN, so the gradient saves them all); its gradient kernel as x0, x1, ... and dy. */
const inputsOf = (inputs: tf.NamedTensorInfoMap, n: number, key = (k: number) => `x${k}`): tf.TensorInfo[] =>
  Array.from({ length: n }, (_, k) => inputs[key(k)]!);

export const l2PenaltyConfigs = (backendName: string): tf.KernelConfig[] => [
  {
    // The penalties are added in float32 one after the other, as the layers' adds did.
    kernelName: L2_PENALTIES,
    backendName,
    kernelFunc: ({ inputs, attrs, backend }) => {
      const wasm = asWasmBackend(backend);
      const { l2s } = attrs as unknown as L2sAttrs;
      const out = wasm.makeOutput([], 'float32');
      let total = 0;
      inputsOf(inputs, l2s.length, String).forEach((x, k) => (total = fr(total + fr(penalty(f32(wasm, x), l2s[k]!)))));
      f32(wasm, out)[0] = total;
      return out;
    },
  },
  {
    kernelName: L2_PENALTIES_GRAD,
    backendName,
    kernelFunc: ({ inputs, attrs, backend }) => {
      const wasm = asWasmBackend(backend);
      const { l2s } = attrs as unknown as L2sAttrs;
      const xs = inputsOf(inputs, l2s.length);
      const outs = xs.map((x) => wasm.makeOutput([...x.shape], 'float32'));
      const dy = f32(wasm, inputs['dy']!)[0]!;
      xs.forEach((x, k) => penaltyGradient(dy, f32(wasm, x), l2s[k]!, f32(wasm, outs[k]!)));
      return outs;
    },
  },
];

/** One gradient launch gives every weight its penalty gradient. */
export const l2PenaltiesGradient: tf.GradConfig = {
  kernelName: L2_PENALTIES,
  saveAllInputs: true,
  gradFunc: (dy, saved, attrs) => {
    const inputs: tf.NamedTensorMap = { dy: dy as tf.Tensor };
    saved.forEach((x, k) => (inputs[`x${k}`] = x));
    const grads = tf.engine().runKernel(L2_PENALTIES_GRAD, inputs, attrs as tf.NamedAttrMap) as tf.Tensor[];
    const out: Record<string, () => tf.Tensor> = {};
    grads.forEach((g, k) => (out[k] = () => g));
    return out;
  },
};
