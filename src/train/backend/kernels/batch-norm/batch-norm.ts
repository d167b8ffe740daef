// Batch normalization in training as one forward and one backward kernel (tfjs: ~25 launches per
// layer), with the JS reference the SIMD versions are held to.
import * as tf from '@tensorflow/tfjs';
import { batchNormGradCoefficients } from './grad-coefficients.js';
import { asWasmBackend, f32, sizeOf, wasmMemory } from '../../wasm/heap.js';
import { batchNormBackwardSimd, batchNormForwardSimd } from '../../simd/batch-norm.js';

/**
 * Training-mode batch normalization over all axes but the last (NHWC), as one forward and
 * one backward kernel.
 *
 * tfjs-layers computes it as moments (Mean, Sub, Square, Mean) + FusedBatchNorm, and the
 * gradient of that chain is ~25 full-size elementwise kernels per layer including a Tile of
 * 1/sqrt(var) to the whole map — most of a wasm training step after the convolutions. The
 * math here is the same (biased batch variance, like tf.moments):
 *   mean = Σx/N, var = Σ(x-mean)²/N, r = 1/sqrt(var+ε), y = (x-mean)·r·γ + β
 *   dβ = Σdy, dγ = Σdy·x̂, dx = γ·r/N · (N·dy − dβ − x̂·dγ)   with x̂ = (x-mean)·r
 * The fast path runs the SIMD versions (simd/batch-norm.ts); these JS ones are the reference
 * the tests hold them to. Per-channel sums are float64, so results match the stock chain to
 * float32 rounding.
 */
export const BATCH_NORM_TRAIN = 'RecordflowBatchNormTrain';
export const BATCH_NORM_TRAIN_GRAD = 'RecordflowBatchNormTrainGrad';

export interface BatchNormTrainAttrs {
  epsilon: number;
  /** With movingMean/movingVariance inputs: also output their updated values. */
  momentum?: number;
}

/**
 * The layer's moving-average update, in tfjs's op order and float32 rounding:
 * moving − (moving − batch)·(1 − momentum), with (1 − momentum) a float32 scalar.
 */
export function movingAverage(moving: Float32Array, batch: Float32Array, momentum: number, out: Float32Array): void {
  const decay = Math.fround(1 - momentum);
  for (let c = 0; c < moving.length; c++) {
    out[c] = Math.fround(moving[c]! - Math.fround(Math.fround(moving[c]! - batch[c]!) * decay));
  }
}

export function batchNormTrainForward(
  x: Float32Array,
  channels: number,
  gamma: Float32Array,
  beta: Float32Array,
  epsilon: number,
  y: Float32Array,
  mean: Float32Array,
  variance: Float32Array,
): void {
  const C = channels;
  const n = x.length / C;
  const sum = new Float64Array(C);
  for (let i = 0; i < x.length; i += C) for (let c = 0; c < C; c++) sum[c]! += x[i + c]!;
  const m = new Float64Array(C);
  for (let c = 0; c < C; c++) {
    mean[c] = sum[c]! / n;
    m[c] = mean[c]!; // the float32-rounded mean, as the stock chain subtracts it
  }
  const sq = new Float64Array(C);
  for (let i = 0; i < x.length; i += C) {
    for (let c = 0; c < C; c++) {
      const d = x[i + c]! - m[c]!;
      sq[c]! += d * d;
    }
  }
  const scale = new Float64Array(C);
  const shift = new Float64Array(C);
  for (let c = 0; c < C; c++) {
    variance[c] = sq[c]! / n;
    const r = 1 / Math.sqrt(variance[c]! + epsilon);
    scale[c] = r * gamma[c]!;
    shift[c] = beta[c]! - m[c]! * scale[c]!;
  }
  for (let i = 0; i < x.length; i += C) for (let c = 0; c < C; c++) y[i + c] = x[i + c]! * scale[c]! + shift[c]!;
}

export function batchNormTrainBackward(
  dy: Float32Array,
  x: Float32Array,
  channels: number,
  gamma: Float32Array,
  mean: Float32Array,
  variance: Float32Array,
  epsilon: number,
  dx: Float32Array,
  dgamma: Float32Array,
  dbeta: Float32Array,
): void {
  const C = channels;
  const n = x.length / C;
  const sdy = new Float64Array(C);
  const sdyx = new Float64Array(C); // Σ dy·(x − mean)
  for (let i = 0; i < x.length; i += C) {
    for (let c = 0; c < C; c++) {
      const g = dy[i + c]!;
      sdy[c]! += g;
      sdyx[c]! += g * (x[i + c]! - mean[c]!);
    }
  }
  // dx = a·dy + b·x + k   per channel
  const { a, b, k } = batchNormGradCoefficients(sdy, sdyx, gamma, mean, variance, epsilon, n, dgamma, dbeta);
  for (let i = 0; i < x.length; i += C) {
    for (let c = 0; c < C; c++) dx[i + c] = a[c]! * dy[i + c]! + b[c]! * x[i + c]! + k[c]!;
  }
}

export const batchNormTrainConfig = (backendName: string): tf.KernelConfig => ({
  kernelName: BATCH_NORM_TRAIN,
  backendName,
  kernelFunc: ({ inputs, attrs, backend }) => {
    const wasm = asWasmBackend(backend);
    const { x, gamma, beta, movingMean, movingVariance } = inputs as Record<string, tf.TensorInfo | undefined>;
    const { epsilon, momentum } = attrs as unknown as BatchNormTrainAttrs;
    const C = x!.shape[x!.shape.length - 1]!;
    const y = wasm.makeOutput([...x!.shape], 'float32');
    const mean = wasm.makeOutput([C], 'float32');
    const variance = wasm.makeOutput([C], 'float32');
    // Copies of the tiny per-channel vectors: heap views may detach while the kernel allocates.
    const meanValues = new Float32Array(C);
    const varianceValues = new Float32Array(C);
    batchNormForwardSimd(wasm, wasmMemory(backend), x!, f32(wasm, gamma!).slice(), f32(wasm, beta!).slice(), epsilon, y, meanValues, varianceValues);
    f32(wasm, mean).set(meanValues);
    f32(wasm, variance).set(varianceValues);
    if (movingMean === undefined || movingVariance === undefined || momentum === undefined) return [y, mean, variance];
    const newMean = wasm.makeOutput([C], 'float32');
    const newVariance = wasm.makeOutput([C], 'float32');
    movingAverage(f32(wasm, movingMean).slice(), meanValues, momentum, f32(wasm, newMean));
    movingAverage(f32(wasm, movingVariance).slice(), varianceValues, momentum, f32(wasm, newVariance));
    return [y, mean, variance, newMean, newVariance];
  },
});

export const batchNormTrainGradConfig = (backendName: string): tf.KernelConfig => ({
  kernelName: BATCH_NORM_TRAIN_GRAD,
  backendName,
  kernelFunc: ({ inputs, attrs, backend }) => {
    const wasm = asWasmBackend(backend);
    // `relu` (optional): this batch norm's output, which fed a ReLU whose output gradient dy is.
    const { dy, x, gamma, mean, variance, relu } = inputs as Record<string, tf.TensorInfo | undefined>;
    const { epsilon } = attrs as unknown as BatchNormTrainAttrs;
    const C = x!.shape[x!.shape.length - 1]!;
    const dx = wasm.makeOutput([...x!.shape], 'float32');
    const dgamma = wasm.makeOutput([C], 'float32');
    const dbeta = wasm.makeOutput([C], 'float32');
    const dgammaValues = new Float32Array(C);
    const dbetaValues = new Float32Array(C);
    batchNormBackwardSimd(
      wasm, wasmMemory(backend), dy!, x!, f32(wasm, gamma!).slice(), f32(wasm, mean!).slice(), f32(wasm, variance!).slice(), epsilon,
      dx, dgammaValues, dbetaValues, relu ?? null,
    );
    f32(wasm, dgamma).set(dgammaValues);
    f32(wasm, dbeta).set(dbetaValues);
    return [dx, dgamma, dbeta];
  },
});

/** Gradient of BATCH_NORM_TRAIN: one backward kernel gives dx, dγ and dβ together. */
export const batchNormTrainGradient: tf.GradConfig = {
  kernelName: BATCH_NORM_TRAIN,
  inputsToSave: ['x', 'gamma'],
  outputsToSave: [false, true, true, false, false],
  gradFunc: (dys, saved, attrs) => {
    const dy = (Array.isArray(dys) ? dys[0] : dys) as tf.Tensor;
    const [x, gamma, mean, variance] = saved as tf.Tensor[];
    // Computed once here (the engine's outer tidy owns these) and handed to the per-input thunks.
    const [dx, dgamma, dbeta] = tf.engine().runKernel(
      BATCH_NORM_TRAIN_GRAD,
      { dy, x: x!, gamma: gamma!, mean: mean!, variance: variance! } as unknown as tf.NamedTensorMap,
      attrs as unknown as tf.NamedAttrMap,
    ) as tf.Tensor[];
    return { x: () => dx!, gamma: () => dgamma!, beta: () => dbeta! };
  },
};

/** y, batch mean, batch variance of NHWC `x` (all axes but the last), differentiable in x, γ, β. */
export function batchNormTrain(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, epsilon: number): [tf.Tensor, tf.Tensor, tf.Tensor] {
  const out = tf.engine().runKernel(
    BATCH_NORM_TRAIN,
    { x, gamma, beta } as unknown as tf.NamedTensorMap,
    { epsilon } as unknown as tf.NamedAttrMap,
  ) as tf.Tensor[];
  return [out[0]!, out[1]!, out[2]!];
}

/** batchNormTrain plus the updated moving mean and variance (one kernel launch for all five). */
export function batchNormTrainWithMovingStats(
  x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, movingMean: tf.Tensor, movingVariance: tf.Tensor, epsilon: number, momentum: number,
): { y: tf.Tensor; mean: tf.Tensor; variance: tf.Tensor; movingMean: tf.Tensor; movingVariance: tf.Tensor } {
  const out = tf.engine().runKernel(
    BATCH_NORM_TRAIN,
    { x, gamma, beta, movingMean, movingVariance } as unknown as tf.NamedTensorMap,
    { epsilon, momentum } as unknown as tf.NamedAttrMap,
  ) as tf.Tensor[];
  return { y: out[0]!, mean: out[1]!, variance: out[2]!, movingMean: out[3]!, movingVariance: out[4]! };
}

export { sizeOf };
