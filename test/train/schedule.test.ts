import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { exponentialDecay, referenceSchedule, setLearningRate, getLearningRate } from '../../src/train/schedule.js';

await tf.setBackend('cpu');

test('reference schedule: 5e-4, x0.9 per 5000 steps, staircase', () => {
  const s = referenceSchedule();
  assert.equal(s(0), Math.fround(5e-4));
  assert.equal(s(4999), Math.fround(5e-4));
  assert.equal(s(5000), Math.fround(4.5e-4));
  assert.equal(s(10000), Math.fround(5e-4 * 0.81));
  assert.equal(s(25_800), Math.fround(5e-4 * 0.9 ** 5)); // 100 epochs x 258 steps ends in interval 5
  const smooth = exponentialDecay({ initialLearningRate: 1, decaySteps: 10, decayRate: 0.5 });
  assert.equal(smooth(5), Math.fround(Math.SQRT1_2));
  assert.throws(() => exponentialDecay({ initialLearningRate: 1, decaySteps: 0, decayRate: 0.5 }), RangeError);
});

test('setLearningRate changes the rate the optimizer applies on its next step', () => {
  const v = tf.variable(tf.scalar(1));
  const opt = tf.train.adam(0.1);
  const step = (): number => {
    opt.minimize(() => tf.square(v) as tf.Scalar, false, [v]);
    return v.dataSync()[0]!;
  };
  setLearningRate(opt, 0);
  assert.equal(getLearningRate(opt), 0);
  assert.equal(step(), 1); // rate 0: no movement
  setLearningRate(opt, 0.1);
  const after = step();
  // Adam's first effective step moves by ~lr regardless of the gradient's scale.
  assert.ok(Math.abs(after - 0.9) < 1e-3, String(after));
  assert.throws(() => setLearningRate(opt, Number.NaN), RangeError);
  opt.dispose();
  v.dispose();
});
