import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { recomputeBatchNormStats } from '../../src/train/precise-bn.js';
import { tinyModel, tinyBatches } from './helpers.js';

await tf.setBackend('cpu');

// Independent recomputation from the layers' raw weights with plain tf ops (no layer calls).
function weightsOf(model: tf.LayersModel, layer: string): tf.Tensor[] {
  return model.getLayer(layer).getWeights();
}
function moments(t: tf.Tensor): { mean: number[]; variance: number[] } {
  const { mean, variance } = tf.moments(t, [0, 1, 2]);
  const r = { mean: Array.from(mean.dataSync()), variance: Array.from(variance.dataSync()) };
  tf.dispose([mean, variance]);
  return r;
}
function conv(x: tf.Tensor4D, w: tf.Tensor[], stride: 1 | 2): tf.Tensor4D {
  return tf.add(tf.conv2d(x, w[0] as tf.Tensor4D, stride, 'same'), w[1]!) as tf.Tensor4D;
}
function normalize(x: tf.Tensor, bn: tf.Tensor[], mean: number[], variance: number[]): tf.Tensor {
  const [gamma, beta] = bn;
  return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-3))), gamma!), beta!);
}
function images(batches: ReturnType<typeof tinyBatches>): tf.Tensor4D {
  return tf.concat(batches.map((b) => tf.tensor4d(b.image.data as Float32Array, b.image.shape as [number, number, number, number])));
}
function movingStats(model: tf.LayersModel, layer: string): { mean: number[]; variance: number[] } {
  const w = model.getLayer(layer).getWeights();
  return { mean: Array.from(w[2]!.dataSync()), variance: Array.from(w[3]!.dataSync()) };
}
function assertClose(a: number[], b: number[], tol: number, what: string): void {
  assert.equal(a.length, b.length, what);
  a.forEach((v, i) => assert.ok(Math.abs(v - b[i]!) <= tol * Math.max(1, Math.abs(b[i]!)), `${what}[${i}]: ${v} vs ${b[i]}`));
}

/**
 * The moving statistics must equal the batch statistics of x computed independently: conv 1's
 * moments for BN1, then (BN1 with those batch statistics, ReLU, dropout off, conv 2) for BN2.
 */
function assertStatsOf(model: tf.LayersModel, x: tf.Tensor4D): void {
  const c1 = conv(x, weightsOf(model, 't_c1'), 1);
  const s1 = moments(c1);
  assertClose(movingStats(model, 't_bn1').mean, s1.mean, 1e-5, 'bn1 mean');
  assertClose(movingStats(model, 't_bn1').variance, s1.variance, 1e-4, 'bn1 var');
  const a = tf.relu(normalize(c1, weightsOf(model, 't_bn1'), s1.mean, s1.variance)) as tf.Tensor4D;
  const s2 = moments(conv(a, weightsOf(model, 't_c2'), 2));
  assertClose(movingStats(model, 't_bn2').mean, s2.mean, 1e-4, 'bn2 mean');
  assertClose(movingStats(model, 't_bn2').variance, s2.variance, 1e-4, 'bn2 var');
}

test('precise BN (batch mode, one batch): moving stats equal the batch statistics computed independently', async () => {
  const model = tinyModel(11);
  const data = tinyBatches(1, 7, 21);
  const before = movingStats(model, 't_bn1');
  assert.deepEqual(before.mean, [0, 0, 0]); // fresh layer: zeros/ones
  const r = await recomputeBatchNormStats(model, data);
  assert.deepEqual(r, { layers: 2, batches: 1, samples: 7 });
  tf.tidy(() => {
    const x = images(data);
    assertStatsOf(model, x);
  });
  model.dispose();
});

test('precise BN pools exactly over batches; exact mode uses population stats upstream', async () => {
  const model = tinyModel(12);
  const data = tinyBatches(3, 7, 31);
  await recomputeBatchNormStats(model, data, { mode: 'exact' });
  tf.tidy(() => {
    const x = images(data); // all 21 frames at once: pooled stats = stats of the union
    assertStatsOf(model, x);
  });
  // Dropout rates are restored after a batch-mode pass.
  await recomputeBatchNormStats(model, data, { maxBatches: 1 });
  assert.equal((model.getLayer('t_d1') as unknown as { rate: number }).rate, 0.3);
  model.dispose();
});
