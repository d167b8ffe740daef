// The kernels a training step needs on each path, so a backend missing one is refused before
// training rather than at the first gradient.
import * as tf from '@tensorflow/tfjs';

/**
 * Kernels one BackBone training step (forward, gradients, Adam) dispatches, recorded with
 * tf.profile on each path; test/train/backend/selection.test.ts re-records them so this list cannot
 * silently go stale. The stock wasm backend, for instance, registers all but
 * Conv2DBackpropFilter, so without this check it is accepted and fails at the first gradient.
 */
export const STOCK_TRAINING_KERNELS: readonly string[] = [
  'Add', 'BatchMatMul', 'Cast', 'Conv2DBackpropFilter', 'Conv2DBackpropInput', 'Floor', 'FusedBatchNorm',
  'FusedConv2D', 'Identity', 'Mean', 'Multiply', 'Neg', 'PadV2', 'RealDiv', 'Relu', 'Reshape', 'Rsqrt',
  'Sigmoid', 'Slice', 'Sqrt', 'Square', 'Step', 'Sub', 'Sum', 'Tile', 'ZerosLike', '_FusedMatMul',
];

/** The fast path swaps batch norm and Adam for recordflow's fused kernels. */
export const FAST_TRAINING_KERNELS: readonly string[] = [
  'Add', 'BatchMatMul', 'Cast', 'Conv2DBackpropFilter', 'Conv2DBackpropInput', 'Floor', 'FusedConv2D',
  'Identity', 'Mean', 'Multiply', 'PadV2', 'RealDiv', 'RecordflowAdamUpdate', 'RecordflowAdamUpdateInPlace', 'RecordflowBatchNormTrain',
  'RecordflowBatchNormTrainGrad', 'RecordflowL2Penalties',
  'RecordflowL2PenaltiesGrad', 'RecordflowReluGrad', 'RecordflowUpsampleConvForward', 'RecordflowUpsample', 'RecordflowSeededDropout', 'Relu', 'Reshape', 'Sigmoid', 'Slice', 'Step',
  'Sub', 'Sum', 'ZerosLike',
  '_FusedMatMul',
  // Stock Adam and batch norm still run on this backend outside the patched paths.
  'FusedBatchNorm', 'Sqrt', 'Square', 'Rsqrt', 'Neg', 'Tile', 'Step',
];

/** Names in `required` that `backendName` has no kernel for. */
export function missingKernels(backendName: string, required: readonly string[]): string[] {
  return required.filter((name) => tf.getKernel(name, backendName) === undefined);
}
