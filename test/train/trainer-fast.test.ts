// train() on the backend the CLI picks on a machine without tfjs-node: 'recordflow-fast', whose
// fused kernels and heap buffers are where a per-epoch tensor leak would come from.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { FAST_BACKEND, selectBackend } from '../../src/train/backend/index.js';
import { createBackbone } from '../../src/train/model.js';
import { train } from '../../src/train/trainer.js';
import { tinyBatches } from './helpers.js';

await selectBackend({ backend: 'fast' });

test('a small BackBone trains on recordflow-fast with precise BN: tensor count flat across epochs, back to baseline', async () => {
  assert.equal(tf.getBackend(), FAST_BACKEND);
  const [h, w] = [12, 16];
  const model = createBackbone({ seed: 2, height: h, width: w, widthMultiplier: 0.25 });
  const data = tinyBatches(4, 7, 11, h, w);
  const val = tinyBatches(2, 7, 12, h, w);
  // One warm-up step first: the fast path's L2 gathering keeps one process-wide placeholder
  // scalar from its first use on (kernels/l2-penalty.ts, patches/l2-regularizer.ts), which is not a per-run allocation.
  await train(model, data.slice(0, 1), null, { progress: false, epochs: 1, width: w, height: h });
  const baseline = tf.memory().numTensors;
  const counts: number[] = [];
  const r = await train(model, data, val, {
    progress: false,
    epochs: 3,
    width: w,
    height: h,
    preciseBN: true,
    onEpoch: () => void counts.push(tf.memory().numTensors),
  });
  assert.deepEqual(r.history.map((m) => m.steps), [4, 4, 4]);
  assert.ok(r.history.every((m) => Number.isFinite(m.loss) && Number.isFinite(m.validationIoU!)));
  // Epoch 1 creates the optimizer's slot variables; every later epoch must leave the count alone.
  assert.ok(counts[0]! > baseline, 'the optimizer slots exist during training');
  assert.deepEqual(counts, [counts[0], counts[0], counts[0]]);
  assert.equal(tf.memory().numTensors, baseline);
  model.dispose();
});
