import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { FAST_BACKEND, registerFastBackend } from '../../../src/train/backend/index.js';
import { flushTiny, WEIGHT_FLUSH_LIMIT } from '../../../src/train/backend/kernels/adam.js';

const FLT_MIN = 1.1754943508222875e-38;
const isSubnormal = (v: number) => v !== 0 && Math.abs(v) < FLT_MIN;

describe('subnormal flushing in the fused Adam update', () => {
  before(async () => {
    await registerFastBackend();
    await tf.setBackend(FAST_BACKEND);
  });

  it('flushTiny zeroes values below the limit and keeps every other value bit for bit', () => {
    const values = new Float32Array([3e-40, -3e-40, 1e-45, FLT_MIN, -FLT_MIN, 0, -0, 1.5, -2e-30, NaN, Infinity]);
    const before = Float32Array.from(values);
    flushTiny(values);
    assert.deepEqual(Array.from(values.subarray(0, 3)), [0, 0, 0]);
    assert.deepEqual(Array.from(values.subarray(3)), Array.from(before.subarray(3)));
    const weights = new Float32Array([5e-19, -5e-19, 2e-18, -3e-7]);
    flushTiny(weights, WEIGHT_FLUSH_LIMIT);
    assert.deepEqual(Array.from(weights), [0, 0, Math.fround(2e-18), Math.fround(-3e-7)]);
  });

  it('a weight that only feels the L2 term is flushed instead of decaying into subnormals', async () => {
    // 13 values: SIMD vectors and a one-value tail (the JS reference runs the whole tensor);
    // 12 values: the SIMD kernel alone, which flushes as it stores.
    for (const n of [13, 12]) {
      const start = new Float32Array(n).map((_, i) => (i % 2 ? -1 : 1) * 4e-20 * (1 + i / 13));
      const w = tf.variable(tf.tensor(start));
      const opt = tf.train.adam(5e-4);
      let flushed = false;
      for (let step = 0; step < 30; step++) {
        // The gradient of 1e-3 * w^2: tiny, so Adam's moments underflow first.
        const g = tf.tidy(() => tf.mul(w, 2e-3));
        opt.applyGradients({ [w.name]: g } as unknown as Record<string, tf.Variable>);
        g.dispose();
        for (const v of w.dataSync()) assert.ok(v === 0 || Math.abs(v) >= WEIGHT_FLUSH_LIMIT, `n ${n} step ${step}: weight ${v} is tiny`);
        flushed ||= w.dataSync().some((v) => v === 0);
      }
      assert.ok(flushed, `n ${n}: some weight reached the limit and was flushed`);
      const ws = await opt.getWeights();
      for (const { name, tensor } of ws) for (const v of tensor.dataSync()) assert.equal(isSubnormal(v), false, `n ${n}: ${name} holds ${v}`);
      opt.dispose();
      w.dispose();
    }
  });
});
