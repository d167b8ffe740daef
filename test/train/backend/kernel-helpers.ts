// Shared by the kernel test files: seeded inputs, backend switching and a scaled comparison.
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';

/** Deterministic normal-ish values (sum of uniforms) from a small LCG. */
export function random(n: number, seed: number, scale = 1): Float32Array {
  let s = seed >>> 0 || 1;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let v = 0;
    for (let k = 0; k < 3; k++) {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      v += s / 2 ** 32 - 0.5;
    }
    out[i] = v * scale;
  }
  return out;
}

export async function on<T>(backend: string, f: () => T): Promise<T> {
  await tf.setBackend(backend);
  return f();
}

export function values(t: tf.Tensor | tf.Tensor[]): Float32Array[] {
  const list = Array.isArray(t) ? t : [t];
  const out = list.map((x) => x.dataSync() as Float32Array);
  tf.dispose(list);
  return out;
}

export function assertClose(actual: Float32Array, expected: Float32Array, rtol: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  let scale = 0;
  for (const v of expected) scale = Math.max(scale, Math.abs(v));
  let worst = 0;
  let at = -1;
  for (let i = 0; i < actual.length; i++) {
    const d = Math.abs(actual[i]! - expected[i]!);
    if (!(d <= worst)) {
      worst = d;
      at = i;
    }
  }
  assert.ok(worst <= rtol * Math.max(scale, 1e-6), `${what}: max |diff| ${worst} at ${at} (scale ${scale})`);
}

export const size = (s: number[]): number => s.reduce((a, b) => a * b, 1);

// The BackBone's convolutions (batch 2 to keep the test quick) plus the transposed conv.
export const CONVS: { x: number[]; w: number[]; s: number; p: 'same' | 'valid' }[] = [
  { x: [2, 72, 96, 6], w: [3, 3, 6, 3], s: 1, p: 'same' },
  { x: [2, 73, 97, 3], w: [3, 3, 3, 5], s: 2, p: 'valid' },
  { x: [2, 36, 48, 5], w: [3, 3, 5, 3], s: 1, p: 'same' },
  { x: [2, 36, 48, 3], w: [3, 3, 3, 5], s: 1, p: 'same' },
  { x: [2, 37, 49, 3], w: [3, 3, 3, 5], s: 2, p: 'valid' },
  { x: [2, 19, 25, 3], w: [3, 3, 3, 3], s: 2, p: 'valid' },
  { x: [2, 72, 96, 6], w: [3, 3, 6, 1], s: 3, p: 'same' }, // Conv2DTranspose(6, 3, strides 3) as a conv
  { x: [1, 11, 13, 4], w: [3, 3, 4, 2], s: 2, p: 'same' }, // odd sizes, strided padding
  { x: [1, 11, 13, 4], w: [3, 3, 4, 5], s: 2, p: 'same' }, // the same, input gradient gathered by stride phases
  { x: [1, 10, 14, 3], w: [3, 3, 3, 5], s: 3, p: 'same' }, // stride 3: one tap per phase
  { x: [1, 9, 9, 1], w: [3, 3, 1, 2], s: 1, p: 'same' }, // patch < 4 floats: JS fallback
];
