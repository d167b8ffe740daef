// Puts the 'recordflow-fast' backend together: tfjs-wasm's instance with recordflow's kernels,
// gradients and patches registered on top.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { adamUpdateConfig, adamUpdateInPlaceConfig } from '../kernels/adam.js';
import { patchAdam } from '../patches/adam-optimizer.js';
import { batchNormTrainConfig, batchNormTrainGradConfig, batchNormTrainGradient } from '../kernels/batch-norm/batch-norm.js';
import { patchBatchNormalization, patchBatchNormRelu } from '../patches/batch-norm-layer.js';
import { conv2dBackpropFilterConfig } from '../kernels/conv/backprop-filter.js';
import { conv2dBackpropInputConfig } from '../kernels/conv/backprop-input.js';
import { convForwardConfigs } from '../kernels/conv/forward.js';
import { batchMatMulConfig } from '../kernels/matmul.js';
import { wasmMemory } from '../wasm/heap.js';
import { l2PenaltiesGradient, l2PenaltyConfigs } from '../kernels/l2-penalty.js';
import { patchL2Regularizer } from '../patches/l2-regularizer.js';
import { patchEngineSaves } from '../patches/engine-saves.js';
import { reluGradConfig } from '../kernels/relu-grad.js';
import { registerReluGradient } from '../patches/relu-gradient.js';
import { seededDropoutConfig, seededDropoutGradient } from '../kernels/seeded-dropout.js';
import { patchUpsampleConv } from '../patches/upsample-conv-layers.js';
import { patchPaddedConv } from '../patches/padded-conv.js';
import { upsampleConfig, upsampleConvForwardConfig } from '../kernels/upsample-conv/forward.js';
import { cornerPoolConfigs, cornerPoolGradient } from '../kernels/corner-pool.js';
import { castConfig, channelBroadcastConfigs, identityConfig, padConfig, sliceConfig, sumConfig } from '../kernels/data-movement.js';

/**
 * "fast": recordflow's CPU training path. It is tfjs's wasm backend (single-thread SIMD
 * build under Node) under its own backend name, with what training needs that wasm lacks
 * or runs slowly replaced by ours:
 *   - Conv2D / FusedConv2D (bias, no activation) with few channels: generated WebAssembly
 *     SIMD (simd/conv-forward.ts); XNNPACK otherwise
 *   - Conv2DBackpropFilter: generated WebAssembly SIMD (simd/conv-backprop-filter.ts)
 *     for few channels; wider convs (a detector's 16-64) as one XNNPACK conv of transposed x and dy
 *     (kernels/conv/backprop-filter-wide.ts)
 *   - padded convs run tile by tile on the unpadded input (kernels/conv/tiles.ts), no padded copies
 *   - BatchMatMul (the Dense layers' products): SIMD row-times-matrix blocks (matmul.ts)
 *   - Conv2DBackpropInput: stride 1 = our forward conv with the flipped kernel; strided = the
 *     same per stride phase, written to every s-th pixel; SIMD scatter where a phase's patch is
 *     under a vector (simd/conv-backprop-input.ts)
 *   - batch norm in training: one forward + one backward SIMD kernel, moving statistics
 *     included, via a patched BatchNormalization.call (kernels/batch-norm/, patches/batch-norm-layer.ts); a ReLU layer after it
 *     folds its gradient into that backward kernel (patched Activation.call)
 *   - Adam: one float32-exact SIMD kernel launch for all variables, in place (kernels/adam.ts, simd/adam.ts, patches/adam-optimizer.ts)
 *   - ReLU gradient: one masked kernel (kernels/relu-grad.ts, patches/relu-gradient.ts)
 *   - SeededDropout forward and gradient: one hashed-mask kernel (kernels/seeded-dropout.ts)
 *   - L2 weight penalties and their gradients: one kernel each for the whole model, via a
 *     patched L1L2.apply and LayersModel.calculateLosses (kernels/l2-penalty.ts, patches/l2-regularizer.ts)
 *   - an upsampling Conv2DTranspose followed by a 'same' Conv2D: the conv's output computed from
 *     the small input, the four weight gradients from one small correlation of dy with it
 *     (kernels/upsample-conv/, patches/upsample-conv-layers.ts); a ZeroPadding2D before a 'valid' conv becomes the conv's own padding
 *     (patches/padded-conv.ts: no Slice of the padded gradient)
 *   - CornerNet's corner pooling and its gradient: one SIMD walk along the pooled axis each (kernels/corner-pool.ts, simd/corner-pool.ts)
 *   - Identity/same-dtype Cast share data; saved-for-backward tensors (kernel and customGrad
 *     saves) skip the Identity launch (patches/engine-saves.ts); Slice/Pad by row copies; per-channel Sum and broadcast
 *     Add/Sub/Mul through the SIMD channel kernels (kernels/data-movement.ts)
 * Every patch checks that this backend is active, so other backends stay stock. A separate
 * name keeps 'wasm' stock in the same process (the bench compares them); both names share
 * one BackendWasm instance and heap.
 */
export const FAST_BACKEND = 'recordflow-fast';

/** Kernels we add on top of any wasm-derived backend so it can train at all. */
export function trainingKernelConfigs(backendName: string): tf.KernelConfig[] {
  return [conv2dBackpropFilterConfig(backendName)];
}

/** Everything the fast path replaces. */
export function fastKernelConfigs(backendName: string): tf.KernelConfig[] {
  return [
    ...trainingKernelConfigs(backendName),
    conv2dBackpropInputConfig(backendName),
    batchNormTrainConfig(backendName),
    batchNormTrainGradConfig(backendName),
    adamUpdateConfig(backendName),
    adamUpdateInPlaceConfig(backendName),
    identityConfig(backendName, stock(tf.Identity)),
    castConfig(backendName, stock(tf.Cast)),
    sliceConfig(backendName, stock(tf.Slice)),
    padConfig(backendName, stock(tf.PadV2)),
    sumConfig(backendName, stock(tf.Sum)),
    ...channelBroadcastConfigs(backendName, stock),
    ...convForwardConfigs(backendName, stock),
    batchMatMulConfig(backendName, stock(tf.BatchMatMul)),
    reluGradConfig(backendName),
    seededDropoutConfig(backendName),
    ...l2PenaltyConfigs(backendName),
    upsampleConvForwardConfig(backendName),
    upsampleConfig(backendName),
    ...cornerPoolConfigs(backendName),
  ];
}

/** The stock wasm kernel, for the cases our replacements hand back. */
function stock(kernelName: string): tf.KernelFunc {
  const config = tf.getKernel(kernelName, 'wasm');
  if (config === undefined) throw new Error(`recordflow: wasm has no ${kernelName} kernel`);
  return config.kernelFunc;
}

function register(config: tf.KernelConfig): void {
  if (tf.getKernel(config.kernelName, config.backendName) !== undefined) {
    tf.unregisterKernel(config.kernelName, config.backendName);
  }
  tf.registerKernel(config);
}

/** Gives the stock wasm backend the kernels training needs (idempotent). */
export function registerWasmTrainingKernels(): void {
  for (const config of trainingKernelConfigs('wasm')) register(config);
}

let fastRegistered = false;

/** Registers (once) the fast backend; returns false if wasm cannot initialise here. */
export async function registerFastBackend(): Promise<boolean> {
  if (fastRegistered) return true;
  const previous = tf.getBackend();
  // Initialise wasm (loads the SIMD build under Node) to get its instance.
  if (!(await tf.setBackend('wasm'))) return false;
  const instance = tf.findBackend('wasm');
  if (instance === null) return false;
  // Our SIMD kernels run on tfjs-wasm's own heap; fail here (and let selectBackend fall
  // back) rather than at the first kernel if this build does not expose it.
  wasmMemory(instance);
  if (previous !== undefined && previous !== 'wasm') await tf.setBackend(previous);
  for (const config of tf.getKernelsForBackend('wasm')) register({ ...config, backendName: FAST_BACKEND });
  for (const config of fastKernelConfigs(FAST_BACKEND)) register(config);
  tf.registerGradient(batchNormTrainGradient);
  tf.registerGradient(seededDropoutGradient);
  tf.registerGradient(l2PenaltiesGradient);
  tf.registerGradient(cornerPoolGradient);
  patchBatchNormalization(() => tf.getBackend() === FAST_BACKEND);
  patchBatchNormRelu(() => tf.getBackend() === FAST_BACKEND);
  patchAdam(() => tf.getBackend() === FAST_BACKEND);
  patchL2Regularizer(() => tf.getBackend() === FAST_BACKEND);
  patchEngineSaves(() => tf.getBackend() === FAST_BACKEND);
  registerReluGradient(() => tf.getBackend() === FAST_BACKEND);
  patchUpsampleConv(() => tf.getBackend() === FAST_BACKEND);
  patchPaddedConv(() => tf.getBackend() === FAST_BACKEND);
  tf.registerBackend(FAST_BACKEND, () => instance, 0);
  fastRegistered = true;
  return true;
}
