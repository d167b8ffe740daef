import * as tf from '@tensorflow/tfjs';
import { addressOf, asWasmBackend, f32, wasmMemory } from './heap.js';
import { simdAdam } from './simd-adam.js';

/**
 * Adam as one kernel per variable instead of ~20 (tfjs-core's Adam is mul/add/square/div/
 * sqrt chains plus a scalar tensor per constant; on our 46 small variables that was ~1,000
 * kernel launches per step). The arithmetic reproduces tfjs-core's op sequence exactly in
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

export const adamUpdateConfig = (backendName: string): tf.KernelConfig => ({
  kernelName: ADAM_UPDATE,
  backendName,
  kernelFunc: ({ inputs, attrs, backend }) => {
    const wasm = asWasmBackend(backend);
    const { value, m, v, g, accBeta1, accBeta2 } = inputs as Record<string, tf.TensorInfo>;
    const outValue = wasm.makeOutput([...value!.shape], 'float32');
    const outM = wasm.makeOutput([...value!.shape], 'float32');
    const outV = wasm.makeOutput([...value!.shape], 'float32');
    const n = f32(wasm, value!).length;
    const vectors = Math.floor(n / 4);
    if (vectors > 0) {
      const coefficients = wasm.makeOutput([40], 'float32');
      try {
        const a = attrs as unknown as AdamUpdateAttrs;
        const c = f32(wasm, coefficients);
        const acc1 = f32(wasm, accBeta1!)[0]!;
        const acc2 = f32(wasm, accBeta2!)[0]!;
        [a.beta1, 1 - a.beta1, a.beta2, 1 - a.beta2, 1 - acc1, 1 - acc2, a.epsilon, -a.learningRate, WEIGHT_FLUSH_LIMIT, FLT_MIN]
          .forEach((v, k) => c.fill(v, 4 * k, 4 * k + 4));
        simdAdam(wasmMemory(backend))(
          addressOf(backend, value!), addressOf(backend, m!), addressOf(backend, v!), addressOf(backend, g!),
          addressOf(backend, outValue), addressOf(backend, outM), addressOf(backend, outV), vectors, addressOf(backend, coefficients),
        );
      } finally {
        wasm.disposeData(coefficients.dataId, true);
      }
      // The SIMD kernel flushes as it stores.
      if (vectors * 4 === n) return [outValue, outM, outV];
    }
    // The JS reference does the whole tensor when it is short or has a tail (same bits).
    adamUpdate(
      f32(wasm, value!), f32(wasm, m!), f32(wasm, v!), f32(wasm, g!),
      f32(wasm, accBeta1!)[0]!, f32(wasm, accBeta2!)[0]!, attrs as unknown as AdamUpdateAttrs,
      f32(wasm, outValue), f32(wasm, outM), f32(wasm, outV),
    );
    return flushed(wasm, [outValue, outM, outV]);
  },
});

function flushed(wasm: ReturnType<typeof asWasmBackend>, outputs: tf.TensorInfo[]): tf.TensorInfo[] {
  outputs.forEach((t, k) => flushTiny(f32(wasm, t), k === 0 ? WEIGHT_FLUSH_LIMIT : FLT_MIN));
  return outputs;
}

interface NamedVariable {
  originalName: string;
  variable: tf.Variable;
}
interface AdamLike {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
  accumulatedFirstMoment: NamedVariable[];
  accumulatedSecondMoment: NamedVariable[];
  incrementIterations(): void;
}
type Gradients = tf.NamedTensorMap | { name: string; tensor: tf.Tensor }[];

const PATCHED = Symbol.for('recordflow.adamPatched');

/**
 * Routes tf.train.adam's applyGradients through ADAM_UPDATE while `isActive()`; otherwise
 * (and for subclasses overriding applyGradients) the stock method runs. The moment
 * variables are created exactly as stock does (same names, same order), so optimizer
 * weights save and load the same.
 */
export function patchAdam(isActive: () => boolean): void {
  const proto = tf.AdamOptimizer.prototype as unknown as { applyGradients: (g: Gradients) => void; [PATCHED]?: boolean };
  if (proto[PATCHED]) return;
  const original = proto.applyGradients;
  proto.applyGradients = function (this: AdamLike, variableGradients: Gradients) {
    if (!isActive()) return original.call(this, variableGradients);
    const list = Array.isArray(variableGradients);
    const names = list ? variableGradients.map((v) => v.name) : Object.keys(variableGradients);
    const attrs: AdamUpdateAttrs = { beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon, learningRate: this.learningRate };
    tf.tidy(() => {
      names.forEach((name, i) => {
        const value = tf.engine().registeredVariables[name]!;
        if (this.accumulatedFirstMoment[i] == null) {
          this.accumulatedFirstMoment[i] = { originalName: `${name}/m`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
        }
        if (this.accumulatedSecondMoment[i] == null) {
          this.accumulatedSecondMoment[i] = { originalName: `${name}/v`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
        }
        const gradient = list ? variableGradients[i]!.tensor : variableGradients[name];
        if (gradient == null) return;
        const m = this.accumulatedFirstMoment[i]!.variable;
        const v = this.accumulatedSecondMoment[i]!.variable;
        const [newValue, newM, newV] = tf.engine().runKernel(
          ADAM_UPDATE,
          { value, m, v, g: gradient, accBeta1: this.accBeta1, accBeta2: this.accBeta2 } as unknown as tf.NamedTensorMap,
          attrs as unknown as tf.NamedAttrMap,
        ) as tf.Tensor[];
        m.assign(newM!);
        v.assign(newV!);
        value.assign(newValue!);
      });
      this.accBeta1.assign(tf.mul(this.accBeta1, this.beta1));
      this.accBeta2.assign(tf.mul(this.accBeta2, this.beta2));
    });
    this.incrementIterations();
  };
  proto[PATCHED] = true;
}
