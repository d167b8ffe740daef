// Makes tf.train.adam's applyGradients run the fused Adam kernels (kernels/adam.ts) on the fast
// backend: one launch for every variable instead of ~20 per variable.
import * as tf from '@tensorflow/tfjs';
import { ADAM_UPDATE, ADAM_UPDATE_IN_PLACE, type AdamUpdateAttrs } from '../kernels/adam.js';

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
    const backend = tf.backend() as unknown as { refCount?(dataId: object): number };
    // Shared data (another handle on it) must not be written in place.
    const unshared = (t: tf.Tensor): boolean => typeof backend.refCount === 'function' && backend.refCount(t.dataId) === 1;
    tf.tidy(() => {
      const inPlace: tf.Tensor[] = [];
      const updated: tf.Variable[] = [];
      for (let i = 0; i < names.length; i++) {
        const name = names[i]!;
        const value = tf.engine().registeredVariables[name]!;
        if (this.accumulatedFirstMoment[i] == null) {
          this.accumulatedFirstMoment[i] = { originalName: `${name}/m`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
        }
        if (this.accumulatedSecondMoment[i] == null) {
          this.accumulatedSecondMoment[i] = { originalName: `${name}/v`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
        }
        const gradient = list ? variableGradients[i]!.tensor : variableGradients[name];
        if (gradient == null) continue;
        const m = this.accumulatedFirstMoment[i]!.variable;
        const v = this.accumulatedSecondMoment[i]!.variable;
        if (value.dtype === 'float32' && gradient.dtype === 'float32' && unshared(m) && unshared(v)) {
          inPlace.push(value, m, v, gradient);
          updated.push(value);
          continue;
        }
        const [newValue, newM, newV] = tf.engine().runKernel(
          ADAM_UPDATE,
          { value, m, v, g: gradient, accBeta1: this.accBeta1, accBeta2: this.accBeta2 } as unknown as tf.NamedTensorMap,
          attrs as unknown as tf.NamedAttrMap,
        ) as tf.Tensor[];
        m.assign(newM!);
        v.assign(newV!);
        value.assign(newValue!);
      }
      if (updated.length > 0) {
        inPlace.push(this.accBeta1, this.accBeta2);
        const values = tf.engine().runKernel(ADAM_UPDATE_IN_PLACE, inPlace as unknown as tf.NamedTensorMap, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
        for (let k = 0; k < updated.length; k++) updated[k]!.assign(values[k]!);
      }
      this.accBeta1.assign(tf.mul(this.accBeta1, this.beta1));
      this.accBeta2.assign(tf.mul(this.accBeta2, this.beta2));
    });
    this.incrementIterations();
  };
  proto[PATCHED] = true;
}
