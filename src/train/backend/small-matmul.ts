import * as tf from '@tensorflow/tfjs';
import { asWasmBackend, f32 } from './heap.js';

/**
 * BatchMatMul for small float32 products in JS. The Dense layers' weight gradient is
 * xᵀ·dy with x [7, 324], dy [7, 64] (transposeA): the stock wasm kernel takes ~1 ms for
 * those 145k multiply-adds (its transposed-A path); a JS loop reading A column-wise takes
 * ~0.1 ms. Accumulation is float64 (the stock kernel sums in float32, so results agree
 * to float32 rounding). Large products (> SMALL multiply-adds) stay on the stock kernel.
 */
const SMALL = 1 << 20;

export function matMulInto(
  a: Float32Array, b: Float32Array, out: Float32Array,
  batch: number, batchA: number, batchB: number,
  M: number, K: number, N: number, transposeA: boolean, transposeB: boolean,
): void {
  // Strides of A as [M, K] and of B as [K, N] whatever their stored layout.
  const aRow = transposeA ? 1 : K;
  const aCol = transposeA ? M : 1;
  const bRow = transposeB ? 1 : N;
  const bCol = transposeB ? K : 1;
  const acc = new Float64Array(N);
  for (let p = 0; p < batch; p++) {
    const aBase = (batchA === 1 ? 0 : p) * M * K;
    const bBase = (batchB === 1 ? 0 : p) * K * N;
    const oBase = p * M * N;
    for (let i = 0; i < M; i++) {
      acc.fill(0);
      for (let k = 0; k < K; k++) {
        const av = a[aBase + i * aRow + k * aCol]!;
        if (av === 0) continue;
        const bk = bBase + k * bRow;
        for (let j = 0; j < N; j++) acc[j]! += av * b[bk + j * bCol]!;
      }
      for (let j = 0; j < N; j++) out[oBase + i * N + j] = acc[j]!;
    }
  }
}

export const batchMatMulConfig = (backendName: string, fallback: tf.KernelFunc): tf.KernelConfig => ({
  kernelName: tf.BatchMatMul,
  backendName,
  kernelFunc: (args) => {
    const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    const { transposeA, transposeB } = args.attrs as unknown as tf.BatchMatMulAttrs;
    if (a.dtype !== 'float32' || b.dtype !== 'float32' || a.shape.length < 2 || b.shape.length < 2) return fallback(args);
    const ra = a.shape.length;
    const rb = b.shape.length;
    const M = transposeA ? a.shape[ra - 1]! : a.shape[ra - 2]!;
    const K = transposeA ? a.shape[ra - 2]! : a.shape[ra - 1]!;
    const KB = transposeB ? b.shape[rb - 1]! : b.shape[rb - 2]!;
    const N = transposeB ? b.shape[rb - 2]! : b.shape[rb - 1]!;
    const outerA = a.shape.slice(0, -2);
    const outerB = b.shape.slice(0, -2);
    const batchA = outerA.reduce((x, y) => x * y, 1);
    const batchB = outerB.reduce((x, y) => x * y, 1);
    const batch = Math.max(batchA, batchB);
    const plainBatch = batchA === batchB || batchA === 1 || batchB === 1;
    if (K !== KB || !plainBatch || batch * M * N * K > SMALL) return fallback(args);
    const outer = tf.broadcast_util.assertAndGetBroadcastShape(outerA, outerB);
    const wasm = asWasmBackend(args.backend);
    const out = wasm.makeOutput([...outer, M, N], 'float32');
    matMulInto(f32(wasm, a), f32(wasm, b), f32(wasm, out), batch, batchA, batchB, M, K, N, transposeA, transposeB);
    return out;
  },
});
