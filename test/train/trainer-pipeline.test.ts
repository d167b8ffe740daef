import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { Dataset } from '../../src/pipeline/index.js';
import { collate } from '../../src/transforms/index.js';
import { train } from '../../src/train/trainer.js';
import { createBackbone } from '../../src/train/model.js';
import { constantSchedule } from '../../src/train/schedule.js';
import { tinyModel, tinyBatches, H, W } from './helpers.js';

await tf.setBackend('cpu');

/** Unbatched samples {image, label} from the helper batches. */
function samples(n: number, seed: number): { image: Float32Array; label: Float32Array }[] {
  const out: { image: Float32Array; label: Float32Array }[] = [];
  for (const b of tinyBatches(Math.ceil(n / 7), 7, seed, H, W)) {
    for (let i = 0; i < 7 && out.length < n; i++) {
      out.push({
        image: (b.image.data as Float32Array).slice(i * H * W, (i + 1) * H * W),
        label: (b.label.data as Float32Array).slice(i * 4, (i + 1) * 4),
      });
    }
  }
  return out;
}

test('train consumes a pipeline Dataset: shuffle(seed) → batch(7, dropRemainder) → map(collate)', async () => {
  const make = (rows: ReturnType<typeof samples>) =>
    Dataset.from(rows)
      .shuffle(rows.length, { seed: 4 })
      .batch(7, { dropRemainder: true })
      .map((b) => collate(b, { image: [H, W, 1], label: [4] }));
  const trainDs = make(samples(30, 1)); // 4 full batches, 2 dropped
  const valDs = make(samples(15, 2));
  const model = tinyModel(8);
  const r = await train(model, trainDs, valDs, { progress: false, epochs: 2, schedule: constantSchedule(0.01), preciseBN: true, validationCount: 15 });
  assert.deepEqual(r.history.map((m) => m.steps), [4, 4]);
  assert.ok(r.history.every((m) => Number.isFinite(m.loss) && m.validationIoU! >= 0));
  model.dispose();
});

test('the BackBone architecture trains through train() (6x8 frames: a cpu step at 24x32 takes 2-20 s)', async () => {
  // Same layers as the reference model (transposed conv, FE/RES blocks, seeded dropout, L2);
  // the full-size forward pass is covered by model.test.ts.
  const model = createBackbone({ seed: 1, height: H, width: W });
  const batches = tinyBatches(2, 7, 3);
  const r = await train(model, batches, batches, { progress: false, epochs: 1 });
  assert.equal(r.totalSteps, 2);
  assert.equal(r.history[0]!.learningRate, Math.fround(5e-4));
  assert.ok(Number.isFinite(r.history[0]!.loss) && r.history[0]!.loss > 0);
  model.dispose();
});
