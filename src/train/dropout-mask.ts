/**
 * The keep-mask of SeededDropout as a pure function of (key, element index): a counter-based
 * hash, so any backend (the JS path here, the SIMD kernel in backend/kernels/seeded-dropout.ts)
 * draws the same mask without sharing generator state, and the backward pass can recompute
 * the mask instead of keeping it.
 *
 * bits(key, i) = mix(key + i · φ) (mod 2³², φ = 0x9e3779b9): a Weyl sequence through the
 * "lowbias32" finalizer (xor-shift / multiply rounds, a bijection on 32 bits), the scheme of
 * SplitMix. Two keys give the same sequence offset by some d = (key' − key) / φ, which for
 * hashed keys lands billions of elements away: masks of different calls are unrelated.
 * Element i is kept when bits / 2³² ≥ rate, i.e. bits ≥ ceil(rate · 2³²), and then scaled
 * by 1 / (1 − rate) computed in float32 as tf.dropout does (inverted dropout).
 */
import { mix32, WEYL } from '../core/random.js';

export { WEYL };

export function maskBits(key: number, index: number): number {
  return mix32((key + Math.imul(index, WEYL)) >>> 0);
}

/** Smallest bits value that is kept: ceil(rate · 2³²) (0 keeps all; rate < 1). */
export function keepThreshold(rate: number): number {
  if (!(rate >= 0 && rate < 1)) throw new RangeError(`dropout rate must be in [0, 1), got ${rate}`);
  return Math.ceil(rate * 2 ** 32);
}

/** The float32 multiplier of kept elements: 1 / (1 − rate), each step rounded as tfjs's scalars. */
export function keepScale(rate: number): number {
  return Math.fround(1 / Math.fround(1 - rate));
}

/** out[i] = x[i] · (kept(i) ? scale : 0) in float32, for elements [from, to). */
export function applyDropoutMask(x: Float32Array, out: Float32Array, key: number, rate: number, from = 0, to = x.length): void {
  const threshold = keepThreshold(rate);
  const scale = keepScale(rate);
  for (let i = from; i < to; i++) out[i] = x[i]! * (maskBits(key, i) >= threshold ? scale : 0);
}

/** The multipliers alone (scale or 0) for n elements: what the JS fallback multiplies by. */
export function dropoutMultipliers(key: number, rate: number, n: number): Float32Array {
  const out = new Float32Array(n);
  applyDropoutMask(new Float32Array(n).fill(1), out, key, rate);
  return out;
}
