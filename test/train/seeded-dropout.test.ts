import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { SeededDropout } from '../../src/train/seeded-dropout.js';

await tf.setBackend('cpu');

test('SeededDropout: new mask each training call, reproducible from seed and counter, identity at inference', () => {
  const x = tf.ones([1, 200]);
  const mask = (layer: SeededDropout): number[] => {
    const y = layer.apply(x, { training: true }) as tf.Tensor;
    const v = Array.from(y.dataSync());
    y.dispose();
    return v;
  };
  const a = new SeededDropout({ rate: 0.5, seed: 9 });
  const b = new SeededDropout({ rate: 0.5, seed: 9 });
  const m1 = mask(a);
  const m2 = mask(a);
  assert.notDeepEqual(m1, m2, 'consecutive calls must draw different masks');
  assert.deepEqual(mask(b), m1);
  assert.deepEqual(mask(b), m2);
  const kept = m1.filter((v) => v !== 0);
  assert.ok(kept.length > 60 && kept.length < 140, `kept ${kept.length} of 200`);
  for (const v of kept) assert.equal(v, 2); // scaled by 1 / (1 - rate)
  const c = new SeededDropout({ rate: 0.5, seed: 9 });
  c.calls = 1; // restored counter (resume) → the second mask
  assert.deepEqual(mask(c), m2);
  const inference = a.apply(x, { training: false }) as tf.Tensor;
  assert.deepEqual(Array.from(inference.dataSync()), Array.from(x.dataSync()));
  tf.dispose([x, inference]);
});
