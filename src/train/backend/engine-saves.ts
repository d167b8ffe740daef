import * as tf from '@tensorflow/tfjs';

/**
 * While a gradient tape records, tfjs-core keeps every tensor a gradient will need by
 * "cloning" it: one Identity kernel launch plus one tape node per saved tensor, ~330 of
 * each per BackBone step — more launches than all the real kernels together, and every
 * extra tape node lengthens the tape the backward pass filters. Tensors are immutable, so
 * a saved copy only needs its own handle on the same data: we take one more reference on
 * the data id and wrap it in a new tensor, exactly what the fast backend's Identity does,
 * minus the kernel dispatch and the (never differentiated) tape node.
 * Only while `isActive()`; otherwise the engine's own method runs.
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
  engine.saveTensorsForBackwardMode = function (this: EngineInternals, tensors: tf.Tensor[]): tf.Tensor[] {
    if (!isActive()) return original.call(this, tensors);
    return tensors.map((t) => {
      const info = this.state.tensorInfo.get(t.dataId);
      if (info === undefined || t.dtype === 'string' || typeof info.backend.incRef !== 'function') return this.keep(this.clone(t));
      info.backend.incRef(t.dataId);
      return this.keep(this.makeTensorFromTensorInfo({ dataId: t.dataId, shape: t.shape, dtype: t.dtype }, info.backend));
    });
  };
  engine[PATCHED] = true;
}
