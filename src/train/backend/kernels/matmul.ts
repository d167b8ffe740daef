// BatchMatMul for the Dense layers' small gradient products, where stock tfjs-wasm took ~50x the
// time the arithmetic needs.
import * as tf from '@tensorflow/tfjs';
import { addressOf, asWasmBackend, f32, wasmMemory } from '../wasm/heap.js';
import { simdMatmul } from '../simd/matmul.js';

/**
 * BatchMatMul of float32 matrices (rank 2, or rank 3 with equal batch sizes) whose output
 * width is a multiple of 4, through simd/matmul.ts: the Dense layers' gradient products
 * (xᵀ·dy and dy·Wᵀ at batch 7) took the stock wasm kernel ~50x the time their ~150k
 * multiply-adds need. Bᵀ is materialised first (at most a weight matrix, tens of kB);
 * Aᵀ is read in place through strides; A·Bᵀ with B much longer than A goes as Cᵀ = B·Aᵀ
 * (viaTransposedProduct, any widths). Everything else goes to the stock kernel.
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
    if (K !== K2 || M === 0 || K === 0 || N === 0) return fallback(args);
    const wasm = asWasmBackend(args.backend);
    // A·Bᵀ with a long B (dy·Wᵀ of a Dense layer: 7 × 64 against 324 × 64): Cᵀ = B·Aᵀ reads B in
    // place and transposes only A and the small C, where materialising Bᵀ would move all of B.
    if (transposeB && !transposeA && M * (K + N) < N * K) return viaTransposedProduct(wasm, args.backend, a, b, batch, M, K, N, rank);
    if (N % 4 !== 0) return fallback(args);
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

/**
 * C = A·Bᵀ (A [batch, M, K], B [batch, N, K]) as Cᵀ = B·Aᵀ on the SIMD kernel: B is the
 * strided left operand, Aᵀ is copied into a [K, M′] block (M′ = M rounded up to 4, zero
 * columns), and Cᵀ [N, M′] is transposed into C.
 */
function viaTransposedProduct(
  wasm: ReturnType<typeof asWasmBackend>, backend: unknown, a: tf.TensorInfo, b: tf.TensorInfo, batch: number, M: number, K: number, N: number, rank: number,
): tf.TensorInfo {
  const Mp = 4 * Math.ceil(M / 4);
  const out = wasm.makeOutput(rank === 3 ? [batch, M, N] : [M, N], 'float32');
  const scratch = wasm.makeOutput([K * Mp + N * Mp], 'float32');
  try {
    const memory = wasmMemory(backend);
    const [bAddr, sAddr] = [addressOf(backend, b), addressOf(backend, scratch)];
    for (let p = 0; p < batch; p++) {
      const at = f32(wasm, scratch).subarray(0, K * Mp);
      const av = f32(wasm, a);
      at.fill(0);
      for (let m = 0; m < M; m++) for (let k = 0; k < K; k++) at[k * Mp + m] = av[p * M * K + m * K + k]!;
      simdMatmul(memory, { a: bAddr + 4 * p * N * K, aRow: 4 * K, aCol: 4, b: sAddr, c: sAddr + 4 * K * Mp, M: N, K, N: Mp });
      const ct = f32(wasm, scratch).subarray(K * Mp);
      const c = f32(wasm, out);
      for (let m = 0; m < M; m++) for (let n = 0; n < N; n++) c[p * M * N + m * N + n] = ct[n * Mp + m]!;
    }
    return out;
  } finally {
    wasm.disposeData(scratch.dataId, true);
  }
}
