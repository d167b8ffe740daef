import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { WeightAverage } from '../../src/train/weight-average.js';

test('WeightAverage writes the mean of the added weight states', async () => {
  await tf.setBackend('cpu');
  const model = tf.sequential({ layers: [tf.layers.dense({ units: 2, inputShape: [3] })] });
  const [kernel, bias] = model.trainableWeights;
  const avg = new WeightAverage();
  const states = [1, 2, 6];
  for (const [epoch, v] of states.entries()) {
    kernel!.write(tf.fill([3, 2], v));
    bias!.write(tf.fill([2], -v));
    avg.add(model, epoch + 1);
  }
  assert.equal(avg.count, 3);
  assert.deepEqual(avg.epochs, [1, 2, 3]);
  kernel!.write(tf.fill([3, 2], 100));
  await avg.apply(model);
  assert.deepEqual([...kernel!.read().dataSync()], Array(6).fill(3));
  assert.deepEqual([...bias!.read().dataSync()], [-3, -3]);
  model.dispose();
});
