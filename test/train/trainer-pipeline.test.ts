import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { writeTFRecord } from '../../src/io/index.js';
import { Dataset } from '../../src/pipeline/index.js';
import { collate, parseLocalization, toExample } from '../../src/transforms/index.js';
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
  assert.deepEqual(r.history.map((m) => m.preciseBN), [{ batches: 4, samples: 28 }, { batches: 4, samples: 28 }]);
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

test('resume replays the data iterations: a reshuffling TFRecord Dataset gives the losses of an uninterrupted run', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'rf-resume-'));
  try {
    // The CLI's chain over reference-format records (24x32 frames).
    const [h, w] = [24, 32];
    const write = async (file: string, batches: number, seed: number): Promise<void> => {
      const rows = tinyBatches(batches, 7, seed, h, w).flatMap((b) =>
        Array.from({ length: 7 }, (_, i) => {
          const image = Uint8Array.from((b.image.data as Float32Array).subarray(i * h * w, (i + 1) * h * w), (v) => Math.round(v * 255));
          const [x, y, bw, bh] = (b.label.data as Float32Array).subarray(i * 4, i * 4 + 4);
          return toExample({ image, x: x!, y: y!, w: bw!, h: bh! });
        }),
      );
      await writeTFRecord(join(dir, file), rows);
    };
    await write('train.tfr', 4, 21);
    await write('val.tfr', 1, 22);
    const data = (file: string, shuffle: boolean) => {
      let ds = Dataset.fromTFRecord([join(dir, file)]).map((b: Uint8Array) => parseLocalization(b)).cache();
      if (shuffle) ds = ds.shuffle(28, { seed: 6 }).prefetch(8);
      return ds.batch(7, { dropRemainder: true }).map((b) => collate(b));
    };
    const opts = { progress: false, schedule: constantSchedule(0.02), preciseBN: true, width: w, height: h };
    const straight = tinyModel(9, 't', h, w);
    const full = await train(straight, data('train.tfr', true), data('val.tfr', false), { ...opts, epochs: 4 });
    const ckpt = join(dir, 'ckpt');
    const first = tinyModel(9, 't', h, w);
    await train(first, data('train.tfr', true), data('val.tfr', false), { ...opts, epochs: 2, checkpointDir: ckpt });
    // Per epoch: one training pass and one precise-BN pass of the training data, one of the validation data.
    const state = JSON.parse(await readFile(join(ckpt, 'last', 'state.json'), 'utf8'));
    assert.deepEqual(state.iterations, { train: 4, val: 2 });
    // A new process's worth: fresh model, optimizer and Dataset objects.
    const second = tinyModel(9, 't', h, w);
    const resumed = await train(second, data('train.tfr', true), data('val.tfr', false), { ...opts, epochs: 4, checkpointDir: ckpt, resume: true });
    assert.deepEqual(resumed.history.map((m) => m.loss), full.history.map((m) => m.loss));
    assert.deepEqual(resumed.history.map((m) => m.validationIoU), full.history.map((m) => m.validationIoU));
    [straight, first, second].forEach((m) => m.dispose());
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
