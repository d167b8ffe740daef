import * as tf from '@tensorflow/tfjs';
import { addressOf, asWasmBackend, f32, wasmMemory } from './heap.js';
import { simdMatmul } from './simd-matmul.js';

/**
 * BatchMatMul of float32 matrices (rank 2, or rank 3 with equal batch sizes) whose output
 * width is a multiple of 4, through simd-matmul.ts: the Dense layers' gradient products
 * (xᵀ·dy and dy·Wᵀ at batch 7) took the stock wasm kernel ~50x the time their ~150k
 * multiply-adds need. Bᵀ is materialised first (at most a weight matrix, tens of kB);
 * Aᵀ is read in place through strides. Everything else goes to the stock kernel.
 */
export const batchMatMulConfig = (backendName: string, fallback: tf.KernelFunc): tf.KernelConfig => ({
  kernelName: tf.BatchMatMul,
  backendName,
  kernelFunc: (args) => {
    const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    const { transposeA, transposeB } = args.attrs as unknown as tf.BatchMatMulAttrs;
    const rank = a.shape.length;
    if (a.dtype !== 'float32' || b.dtype !== 'float32' || rank < 2 || rank > 3 || b.shape.length !== rank) return fallback(args);
    const batch = rank === 3 ? a.shape[0]! : 1;
    if (rank === 3 && b.shape[0] !== batch) return fallback(args);
    const [aR, aC] = a.shape.slice(-2) as [number, number];
    const [bR, bC] = b.shape.slice(-2) as [number, number];
    const [M, K] = transposeA ? [aC, aR] : [aR, aC];
    const [K2, N] = transposeB ? [bC, bR] : [bR, bC];
    if (K !== K2 || N % 4 !== 0 || M === 0 || K === 0 || N === 0) return fallback(args);
    const wasm = asWasmBackend(args.backend);
    const out = wasm.makeOutput(rank === 3 ? [batch, M, N] : [M, N], 'float32');
    const bt = transposeB ? wasm.makeOutput([batch, K, N], 'float32') : null;
    try {
      if (bt !== null) {
        const src = f32(wasm, b);
        const dst = f32(wasm, bt);
        for (let p = 0; p < batch; p++) {
          const o = p * K * N;
          for (let n = 0; n < N; n++) for (let k = 0; k < K; k++) dst[o + k * N + n] = src[o + n * K + k]!;
        }
      }
      const memory = wasmMemory(args.backend);
      const [aAddr, bAddr, cAddr] = [addressOf(args.backend, a), addressOf(args.backend, bt ?? b), addressOf(args.backend, out)];
      for (let p = 0; p < batch; p++) {
        simdMatmul(memory, {
          a: aAddr + 4 * p * M * K,
          aRow: transposeA ? 4 : 4 * K,
          aCol: transposeA ? 4 * M : 4,
          b: bAddr + 4 * p * K * N,
          c: cAddr + 4 * p * M * N,
          M, K, N,
        });
      }
      return out;
    } finally {
      if (bt !== null) wasm.disposeData(bt.dataId, true);
    }
  },
});
