import { after, before, describe, it, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { FAST_BACKEND, registerFastBackend } from '../../src/train/backend/index.js';
import { SEEDED_DROPOUT, seededDropout } from '../../src/train/backend/kernels/seeded-dropout.js';
import { applyDropoutMask, dropoutMultipliers, keepScale, keepThreshold } from '../../src/train/dropout-mask.js';
import { SeededDropout, mixSeed } from '../../src/train/seeded-dropout.js';

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

test('dropout mask: keeps about 1 − rate, unrelated across keys, threshold and scale as tf.dropout', () => {
  const n = 40000;
  const a = dropoutMultipliers(mixSeed(3, 0), 0.3, n);
  const b = dropoutMultipliers(mixSeed(3, 1), 0.3, n);
  const keptA = a.filter((v) => v !== 0).length;
  assert.ok(Math.abs(keptA / n - 0.7) < 0.01, `kept fraction ${keptA / n}`);
  let both = 0;
  for (let i = 0; i < n; i++) if (a[i] !== 0 && b[i] !== 0) both++;
  assert.ok(Math.abs(both / n - 0.49) < 0.015, `masks of two keys overlap ${both / n} (independent: 0.49)`);
  assert.equal(a.find((v) => v !== 0), keepScale(0.3));
  assert.equal(keepScale(0.3), Math.fround(1 / Math.fround(0.7)));
  assert.equal(keepThreshold(0), 0);
  assert.equal(keepThreshold(0.5), 2 ** 31);
  assert.throws(() => keepThreshold(1), RangeError);
});

describe('SeededDropout kernel on the fast backend', () => {
  before(async () => {
    assert.ok(await registerFastBackend());
  });
  after(async () => {
    await tf.setBackend('cpu');
  });

  const random = (n: number, seed: number): Float32Array => {
    let s = seed;
    return Float32Array.from({ length: n }, () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 31) - 1);
  };

  it('forward and gradient equal the JS mask times x on cpu, bit for bit (SIMD body and JS tail)', async () => {
    for (const [k, shape] of [[7, 18, 24, 5], [3, 5, 7, 3], [2, 3], [7, 64]].entries()) {
      const n = shape.reduce((p, q) => p * q, 1);
      const x = random(n, 11 + k);
      const dy = random(n, 21 + k);
      const rate = [0.3, 0.2, 0.5, 0.25][k]!;
      const key = mixSeed(1000 + k, k);
      const run = (): Float32Array[] => {
        const [y, dx] = tf.tidy(() => {
          const xt = tf.tensor(x, shape);
          const f = (t: tf.Tensor): tf.Tensor => seededDropout(t, rate, key);
          return [f(xt), tf.grad((t: tf.Tensor) => tf.sum(tf.mul(f(t), tf.tensor(dy, shape))))(xt)];
        });
        const out = [y!.dataSync() as Float32Array, dx!.dataSync() as Float32Array];
        tf.dispose([y!, dx!]);
        return out;
      };
      await tf.setBackend('cpu');
      const [expectedY, expectedDx] = run();
      await tf.setBackend(FAST_BACKEND);
      const [y, dx] = run();
      assert.deepEqual(y, expectedY, `y ${shape}`);
      assert.deepEqual(dx, expectedDx, `dx ${shape}`);
      const reference = new Float32Array(n);
      applyDropoutMask(x, reference, key, rate);
      assert.deepEqual(y, reference, `y ${shape} vs the JS reference`);
    }
  });

  it('one kernel per call on the fast backend (no RNG tensor, no Floor/RealDiv chain)', async () => {
    await tf.setBackend(FAST_BACKEND);
    const layer = new SeededDropout({ rate: 0.3, seed: 4 });
    const x = tf.ones([7, 36, 48, 3]);
    const info = await tf.profile(() => tf.dispose(layer.apply(x, { training: true }) as tf.Tensor));
    assert.deepEqual(info.kernels.map((k) => k.name), [SEEDED_DROPOUT]);
    x.dispose();
  });
});
