// Adam's update as recordflow kernels: one launch for all variables, bit for bit stock Adam's
// float32 arithmetic (tfjs-core's Adam is ~20 launches per variable).
import * as tf from '@tensorflow/tfjs';
import { addressOf, asWasmBackend, f32, sizeOf, wasmMemory } from '../wasm/heap.js';
import { simdAdam } from '../simd/adam.js';

/**
 * Adam as ONE kernel launch for all variables (moments updated in place), instead of ~20 per
 * variable (tfjs-core's Adam is mul/add/square/div/sqrt chains plus a scalar tensor per
 * constant; on our 46 small variables that was ~1,000 kernel launches per step). Variables
 * whose data another tensor shares get a kernel of their own with new outputs and assign(). The arithmetic reproduces tfjs-core's op sequence exactly in
 * float32 (Math.fround after every operation, constants rounded as tfjs's scalars are), so
 * the result equals stock Adam bit for bit, step after step — tested over many steps — except
 * that tiny weights and subnormal moments are flushed to zero (see flushTiny).
 */
export const ADAM_UPDATE = 'RecordflowAdamUpdate';

export interface AdamUpdateAttrs {
  beta1: number;
  beta2: number;
  epsilon: number;
  learningRate: number;
}

const fr = Math.fround;

export function adamUpdate(
  value: Float32Array, m: Float32Array, v: Float32Array, g: Float32Array,
  accBeta1: number, accBeta2: number, attrs: AdamUpdateAttrs,
  outValue: Float32Array, outM: Float32Array, outV: Float32Array,
): void {
  const b1 = fr(attrs.beta1);
  const b2 = fr(attrs.beta2);
  const omb1 = fr(1 - attrs.beta1);
  const omb2 = fr(1 - attrs.beta2);
  const omAcc1 = fr(1 - accBeta1);
  const omAcc2 = fr(1 - accBeta2);
  const eps = fr(attrs.epsilon);
  const nlr = fr(-attrs.learningRate);
  for (let i = 0; i < value.length; i++) {
    const gi = g[i]!;
    const m1 = fr(fr(m[i]! * b1) + fr(gi * omb1));
    const v1 = fr(fr(v[i]! * b2) + fr(fr(gi * gi) * omb2));
    const mHat = fr(m1 / omAcc1);
    const vHat = fr(v1 / omAcc2);
    const step = fr(fr(mHat / fr(fr(Math.sqrt(vHat)) + eps)) * nlr);
    outValue[i] = fr(step + value[i]!);
    outM[i] = m1;
    outV[i] = v1;
  }
}

/**
 * A channel that stops receiving loss gradient (a dead ReLU, a batch norm with gamma 0) keeps
 * only the L2 term, so its weights decay toward zero for thousands of steps. Once they are tiny,
 * the channel's outputs, their batch-norm deviations and squares, and the input gradients
 * through them are subnormal floats, where every x86 operation takes a microcode assist: a
 * 100-epoch run slowed from 9 s to 58 s per epoch that way. TensorFlow runs its CPU kernels with
 * flush-to-zero and GPUs flush too, but WebAssembly cannot, so the update flushes instead:
 * weights below WEIGHT_FLUSH_LIMIT (far below float32 resolution next to any live weight, so the
 * model's outputs do not change) and moments in the subnormal range.
 */
export const WEIGHT_FLUSH_LIMIT = 1e-18;
const FLT_MIN = 1.1754943508222875e-38;

/** Sets every value with |x| < limit to zero (NaN and ±0 are kept as they are). */
export function flushTiny(values: Float32Array, limit = FLT_MIN): void {
  for (let i = 0; i < values.length; i++) {
    const x = values[i]!;
    if (x < limit && x > -limit && x !== 0) values[i] = 0;
  }
}

/** Addresses and float counts of one variable's update: inputs value, m, v, g; outputs. */
interface AdamOperands {
  value: tf.TensorInfo;
  m: tf.TensorInfo;
  v: tf.TensorInfo;
  g: tf.TensorInfo;
  outValue: tf.TensorInfo;
  outM: tf.TensorInfo;
  outV: tf.TensorInfo;
}

function tail(wasm: ReturnType<typeof asWasmBackend>, t: tf.TensorInfo, from: number): Float32Array {
  return f32(wasm, t).subarray(from);
}

/**
 * Runs the update of one or more variables: SIMD over whole vectors, the JS reference over the
 * tail (same bits), flushing as it stores. Outputs may alias their inputs (in-place update):
 * every element is read before it is written.
 */
function runAdam(backend: unknown, list: AdamOperands[], accBeta1: tf.TensorInfo, accBeta2: tf.TensorInfo, a: AdamUpdateAttrs): void {
  const wasm = asWasmBackend(backend);
  const coefficients = wasm.makeOutput([40], 'float32');
  try {
    const c = f32(wasm, coefficients);
    const acc1 = f32(wasm, accBeta1)[0]!;
    const acc2 = f32(wasm, accBeta2)[0]!;
    [a.beta1, 1 - a.beta1, a.beta2, 1 - a.beta2, 1 - acc1, 1 - acc2, a.epsilon, -a.learningRate, WEIGHT_FLUSH_LIMIT, FLT_MIN]
      .forEach((v, k) => c.fill(v, 4 * k, 4 * k + 4));
    const fn = simdAdam(wasmMemory(backend));
    const cAddr = addressOf(backend, coefficients);
    for (const o of list) {
      const n = sizeOf(o.value.shape);
      const vectors = Math.floor(n / 4);
      if (vectors > 0) {
        fn(
          addressOf(backend, o.value), addressOf(backend, o.m), addressOf(backend, o.v), addressOf(backend, o.g),
          addressOf(backend, o.outValue), addressOf(backend, o.outM), addressOf(backend, o.outV), vectors, cAddr,
        );
      }
      if (vectors * 4 === n) continue;
      const from = vectors * 4;
      const outs = [tail(wasm, o.outValue, from), tail(wasm, o.outM, from), tail(wasm, o.outV, from)];
      adamUpdate(tail(wasm, o.value, from), tail(wasm, o.m, from), tail(wasm, o.v, from), tail(wasm, o.g, from), acc1, acc2, a, outs[0]!, outs[1]!, outs[2]!);
      outs.forEach((t, k) => flushTiny(t, k === 0 ? WEIGHT_FLUSH_LIMIT : FLT_MIN));
    }
  } finally {
    wasm.disposeData(coefficients.dataId, true);
  }
}

export const adamUpdateConfig = (backendName: string): tf.KernelConfig => ({
  kernelName: ADAM_UPDATE,
  backendName,
  kernelFunc: ({ inputs, attrs, backend }) => {
    const wasm = asWasmBackend(backend);
    const { value, m, v, g, accBeta1, accBeta2 } = inputs as Record<string, tf.TensorInfo>;
    const outs = [0, 1, 2].map(() => wasm.makeOutput([...value!.shape], 'float32'));
    runAdam(backend, [{ value: value!, m: m!, v: v!, g: g!, outValue: outs[0]!, outM: outs[1]!, outV: outs[2]! }], accBeta1!, accBeta2!, attrs as unknown as AdamUpdateAttrs);
    return outs;
  },
});

/**
 * Every variable's update in ONE launch. Inputs are an array (as AddN's): value, m, v, g of
 * each variable in turn, then accBeta1 and accBeta2. The moments are written over their own
 * buffers: they are the optimizer's private state, and patchAdam checks through the backend's
 * reference counts that no other tensor shares their data. The new values get fresh outputs
 * (to assign): tfjs-wasm keys its cached XNNPACK operators (the packed weights of matMul and
 * conv) by a weight's data id, so a weight must never change under the same id. Returns the
 * new values in order.
 */
export const ADAM_UPDATE_IN_PLACE = 'RecordflowAdamUpdateInPlace';

export const adamUpdateInPlaceConfig = (backendName: string): tf.KernelConfig => ({
  kernelName: ADAM_UPDATE_IN_PLACE,
  backendName,
  kernelFunc: ({ inputs, attrs, backend }) => {
    const wasm = asWasmBackend(backend);
    const t = inputs as unknown as tf.TensorInfo[];
    const count = (t.length - 2) / 4;
    const list: AdamOperands[] = [];
    for (let k = 0; k < count; k++) {
      const [value, m, v, g] = [t[4 * k]!, t[4 * k + 1]!, t[4 * k + 2]!, t[4 * k + 3]!];
      list.push({ value, m, v, g, outValue: wasm.makeOutput(value.shape as number[], 'float32'), outM: m, outV: v });
    }
    runAdam(backend, list, t[4 * count]!, t[4 * count + 1]!, attrs as unknown as AdamUpdateAttrs);
    return list.map((o) => o.outValue);
  },
});
