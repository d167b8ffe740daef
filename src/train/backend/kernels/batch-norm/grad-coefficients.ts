/**
 * The per-channel part of the batch-norm gradient, shared by the JS reference (batch-norm.ts)
 * and the SIMD kernel (simd/batch-norm.ts), so both turn the same sums into the same numbers:
 *   dβ = Σdy, dγ = Σdy·(x − mean)·r, dx = a·dy + b·x + k   with r = 1/sqrt(var + ε).
 * `sdy` is Σdy and `sdyx` is Σdy·(x − mean) per channel over the n pixels.
 */
export function batchNormGradCoefficients(
  sdy: Float64Array,
  sdyx: Float64Array,
  gamma: Float32Array,
  mean: Float32Array,
  variance: Float32Array,
  epsilon: number,
  n: number,
  dgamma: Float32Array,
  dbeta: Float32Array,
): { a: Float64Array; b: Float64Array; k: Float64Array } {
  const C = sdy.length;
  const a = new Float64Array(C);
  const b = new Float64Array(C);
  const k = new Float64Array(C);
  for (let c = 0; c < C; c++) {
    const r = 1 / Math.sqrt(variance[c]! + epsilon);
    dbeta[c] = sdy[c]!;
    dgamma[c] = sdyx[c]! * r;
    a[c] = gamma[c]! * r;
    b[c] = (-gamma[c]! * r * r * r * sdyx[c]!) / n;
    k[c] = (-gamma[c]! * r * sdy[c]!) / n - b[c]! * mean[c]!;
  }
  return { a, b, k };
}
