// Makes tfjs-core's engine keep saved-for-backward tensors by sharing their data instead of
// launching an Identity kernel for each (~330 launches per step).
import * as tf from '@tensorflow/tfjs';

/**
 * While a gradient tape records, tfjs-core keeps every tensor a gradient will need by
 * "cloning" it: one Identity kernel launch plus one tape node per saved tensor, ~330 of
 * each per BackBone step — more launches than all the real kernels together, and every
 * extra tape node lengthens the tape the backward pass filters. Tensors are immutable, so
 * a saved copy only needs its own handle on the same data: we take one more reference on
 * the data id and wrap it in a new tensor, exactly what the fast backend's Identity does,
 * minus the kernel dispatch and the (never differentiated) tape node.
 * Custom-gradient ops (tfjs-core's fused conv and matmul) save through engine.clone instead,
 * whose only callers are these two save paths; it gets the same treatment.
 * Only while `isActive()`; otherwise the engine's own methods run.
 */
interface EngineInternals {
  saveTensorsForBackwardMode(tensors: tf.Tensor[]): tf.Tensor[];
  keep<T extends tf.Tensor>(t: T): T;
  clone(t: tf.Tensor): tf.Tensor;
  makeTensorFromTensorInfo(info: tf.TensorInfo, backend?: tf.KernelBackend): tf.Tensor;
  state: { tensorInfo: { get(dataId: object): { backend: tf.KernelBackend & { incRef(dataId: object): void } } | undefined } };
}

const PATCHED = Symbol.for('recordflow.engineSavesPatched');

export function patchEngineSaves(isActive: () => boolean): void {
  const engine = tf.engine() as unknown as EngineInternals & { [PATCHED]?: boolean };
  if (engine[PATCHED]) return;
  const original = engine.saveTensorsForBackwardMode;
  const originalClone = engine.clone;
  /** A new handle on t's data (no kernel, no tape node), or null where that cannot be done. */
  const share = (self: EngineInternals, t: tf.Tensor): tf.Tensor | null => {
    const info = self.state.tensorInfo.get(t.dataId);
    if (info === undefined || t.dtype === 'string' || typeof info.backend.incRef !== 'function') return null;
    info.backend.incRef(t.dataId);
    return self.makeTensorFromTensorInfo({ dataId: t.dataId, shape: t.shape, dtype: t.dtype }, info.backend);
  };
  engine.saveTensorsForBackwardMode = function (this: EngineInternals, tensors: tf.Tensor[]): tf.Tensor[] {
    if (!isActive()) return original.call(this, tensors);
    return tensors.map((t) => this.keep(share(this, t) ?? originalClone.call(this, t)));
  };
  engine.clone = function (this: EngineInternals, t: tf.Tensor): tf.Tensor {
    return (isActive() ? share(this, t) : null) ?? originalClone.call(this, t);
  };
  engine[PATCHED] = true;
}
