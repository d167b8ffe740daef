// Replaces tfjs-core's registered Relu gradient (three kernels) with the one masked kernel of
// kernels/relu-grad.ts while the fast backend is active; other backends keep tfjs's own gradient.
import * as tf from '@tensorflow/tfjs';
import { RELU_GRAD } from '../kernels/relu-grad.js';

const PATCHED = Symbol.for('recordflow.reluGradPatched');

export function registerReluGradient(isActive: () => boolean): void {
  const stock = tf.getGradient(tf.Relu) as (tf.GradConfig & { [PATCHED]?: boolean }) | undefined;
  if (stock === undefined || stock[PATCHED]) return;
  const config: tf.GradConfig & { [PATCHED]?: boolean } = {
    kernelName: tf.Relu,
    inputsToSave: stock.inputsToSave ?? ['x'],
    gradFunc: (dy, saved, attrs) => {
      const x = saved[0]!;
      if (!isActive() || x.dtype !== 'float32') return stock.gradFunc(dy, saved, attrs);
      return { x: () => tf.engine().runKernel(RELU_GRAD, { dy: dy as tf.Tensor, x } as unknown as tf.NamedTensorMap) as tf.Tensor };
    },
  };
  config[PATCHED] = true;
  tf.registerGradient(config);
}
