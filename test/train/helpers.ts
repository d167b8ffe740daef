// Small models and data for trainer-mechanics tests (the full BackBone costs ~2 s a step on cpu).
import * as tf from '@tensorflow/tfjs';
import { SeededDropout } from '../../src/train/seeded-dropout.js';
import type { Batch } from '../../src/train/batch.js';

export const H = 6;
export const W = 8;

/** conv → BN → ReLU → dropout → conv stride 2 → BN → flatten → dense 4 sigmoid; fixed names. */
export function tinyModel(seed = 1, prefix = 't', h = H, w = W): tf.LayersModel {
  const input = tf.input({ shape: [h, w, 1], name: `${prefix}_in` });
  let x = tf.layers
    .conv2d({ name: `${prefix}_c1`, filters: 3, kernelSize: 3, padding: 'same', kernelInitializer: tf.initializers.glorotUniform({ seed }), kernelRegularizer: tf.regularizers.l2({ l2: 1e-3 }) })
    .apply(input) as tf.SymbolicTensor;
  x = tf.layers.batchNormalization({ name: `${prefix}_bn1` }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.activation({ name: `${prefix}_r1`, activation: 'relu' }).apply(x) as tf.SymbolicTensor;
  x = new SeededDropout({ name: `${prefix}_d1`, rate: 0.3, seed: seed + 10 }).apply(x) as tf.SymbolicTensor;
  x = tf.layers
    .conv2d({ name: `${prefix}_c2`, filters: 2, kernelSize: 3, strides: 2, padding: 'same', kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }) })
    .apply(x) as tf.SymbolicTensor;
  x = tf.layers.batchNormalization({ name: `${prefix}_bn2` }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.flatten({ name: `${prefix}_f` }).apply(x) as tf.SymbolicTensor;
  const out = tf.layers
    .dense({ name: `${prefix}_out`, units: 4, activation: 'sigmoid', kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 2 }) })
    .apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out });
}

/** `count` batches of `size` frames: a bright square whose position/size is the label. */
export function tinyBatches(count: number, size = 7, seed = 5, h = H, w = W): Batch[] {
  let s = seed >>> 0;
  const rnd = (): number => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const out: Batch[] = [];
  for (let b = 0; b < count; b++) {
    const image = new Float32Array(size * h * w);
    const label = new Float32Array(size * 4);
    for (let i = 0; i < size; i++) {
      const x0 = Math.floor(rnd() * (w - 2));
      const y0 = Math.floor(rnd() * (h - 2));
      const bw = 2 + Math.floor(rnd() * (w - x0 - 2));
      const bh = 2 + Math.floor(rnd() * (h - y0 - 2));
      for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
        const inside = x >= x0 && x < x0 + bw && y >= y0 && y < y0 + bh;
        image[i * h * w + y * w + x] = inside ? 0.8 + 0.2 * rnd() : 0.2 * rnd();
      }
      label.set([(x0 + bw / 2) / w, (y0 + bh / 2) / h, bw / w, bh / h], i * 4);
    }
    out.push({ image: { data: image, shape: [size, h, w, 1] }, label: { data: label, shape: [size, 4] } });
  }
  return out;
}

/** Collects what a ProgressStream receives. */
export function captureStream(isTTY = false): { write(s: string): boolean; isTTY: boolean; text(): string } {
  const parts: string[] = [];
  return { write: (s: string) => (parts.push(s), true), isTTY, text: () => parts.join('') };
}
