import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { train, TrainingDivergedError } from '../../src/train/trainer.js';
import type { EpochMetrics } from '../../src/train/epoch-metrics.js';
import { loadModel } from '../../src/train/checkpoint.js';
import { constantSchedule } from '../../src/train/schedule.js';
import { tinyModel, tinyBatches, captureStream } from './helpers.js';

await tf.setBackend('cpu');

const quiet = { progress: false as const };

test('train: per-epoch metrics, falling loss, no tensor leaks across epochs', async () => {
  const model = tinyModel(1);
  const data = tinyBatches(4);
  const val = tinyBatches(2, 7, 99);
  const counts: number[] = [];
  const before = tf.memory().numTensors;
  const result = await train(model, data, val, {
    ...quiet,
    epochs: 5,
    schedule: constantSchedule(0.01),
    preciseBN: { mode: 'exact' },
    onEpoch: () => void counts.push(tf.memory().numTensors),
  });
  assert.equal(result.history.length, 5);
  for (const m of result.history) {
    assert.equal(m.steps, 4);
    for (const v of [m.loss, m.iou, m.valLoss!, m.valIoU!, m.validationIoU!]) assert.ok(Number.isFinite(v));
    assert.ok(m.iou >= 0 && m.iou <= 1);
    assert.equal(m.learningRate, 0.01);
  }
  assert.equal(result.totalSteps, 20);
  assert.ok(result.history[4]!.loss < result.history[0]!.loss, 'loss should fall on this easy task');
  // Epoch 1 creates the optimizer's slots; after that the count must stay flat.
  assert.deepEqual(counts.slice(1), counts.slice(1).map(() => counts[1]));
  // The run's own optimizer is disposed with it: nothing is left behind.
  assert.equal(tf.memory().numTensors, before);
  model.dispose();
});

test('train is reproducible: same seeds, same data → identical losses (dropout included)', async () => {
  const run = async (): Promise<number[]> => {
    const model = tinyModel(3);
    const r = await train(model, tinyBatches(3), null, { ...quiet, epochs: 2, schedule: constantSchedule(0.01) });
    model.dispose();
    return r.history.map((m) => m.loss);
  };
  const a = await run();
  const b = await run();
  assert.deepEqual(a, b);
});

test('train keeps the best model by validation IoU on disk and resumes exactly', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'rf-train-'));
  try {
    const data = tinyBatches(3);
    const val = tinyBatches(2, 7, 77);
    const opts = { ...quiet, schedule: constantSchedule(0.02), preciseBN: true };
    // Reference: 4 epochs in one go.
    const straight = tinyModel(2);
    const full = await train(straight, data, val, { ...opts, epochs: 4 });
    // Same run split in two processes' worth: 2 epochs, then a fresh model/optimizer resumes.
    const first = tinyModel(2);
    let bestWeights: Float32Array[] = [];
    const onEpoch = (m: EpochMetrics): void => {
      if (m.best) bestWeights = current.getWeights().map((w) => w.dataSync().slice() as Float32Array);
    };
    let current = first;
    await train(first, data, val, { ...opts, epochs: 2, checkpointDir: dir, onEpoch });
    const second = tinyModel(2);
    current = second;
    const resumed = await train(second, data, val, { ...opts, epochs: 4, checkpointDir: dir, resume: true, onEpoch });
    assert.equal(resumed.history.length, 4);
    assert.equal(resumed.totalSteps, 12);
    for (let i = 0; i < 4; i++) {
      assert.ok(Math.abs(resumed.history[i]!.loss - full.history[i]!.loss) < 1e-6, `epoch ${i + 1} loss differs`);
      assert.ok(Math.abs(resumed.history[i]!.validationIoU! - full.history[i]!.validationIoU!) < 1e-6);
    }
    assert.equal(resumed.bestEpoch, full.bestEpoch);
    const files = await readdir(join(dir, 'best'));
    assert.deepEqual(files.sort(), ['model.json', 'weights.bin']);
    const best = await loadModel(join(dir, 'best'));
    const loaded = best.getWeights().map((w) => Array.from(w.dataSync()));
    assert.deepEqual(loaded, bestWeights.map((w) => Array.from(w)));
    // The saved best model reproduces the best validation IoU.
    const bestIoU = Math.max(...full.history.map((m) => m.validationIoU!));
    assert.equal(resumed.best, bestIoU);
    [straight, first, second, best].forEach((m) => m.dispose());
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a NaN loss stops training with a clear error', async () => {
  const model = tinyModel(4);
  const data = tinyBatches(2);
  (data[1]!.label.data as Float32Array)[0] = NaN;
  await assert.rejects(
    train(model, data, null, { ...quiet, epochs: 1, schedule: constantSchedule(0.01) }),
    (err: unknown) => err instanceof TrainingDivergedError && /loss became NaN at epoch 1, step 2/.test((err as Error).message),
  );
  model.dispose();
});

test('progress: plain lines off a TTY, a redrawn bar with ETA on a TTY', async () => {
  const plain = captureStream(false);
  const m1 = tinyModel(5);
  await train(m1, tinyBatches(2), tinyBatches(1, 7, 8), { epochs: 2, stream: plain, schedule: constantSchedule(0.01) });
  const lines = plain.text().split('\n').filter(Boolean);
  assert.equal(lines.length, 2);
  assert.match(lines[0]!, /^epoch 1\/2 +2 steps .*loss \d\.\d+ +iou \d\.\d+ +val_loss .*validation_iou/);
  assert.ok(!plain.text().includes('\r'));
  const tty = captureStream(true);
  const m2 = tinyModel(5);
  await train(m2, tinyBatches(2), null, { epochs: 1, stream: tty, schedule: constantSchedule(0.01) });
  assert.match(tty.text(), /\r\[=+\] epoch 1\/1 step 2\/2 loss \d\.\d+ iou \d\.\d+ ETA \d+s/);
  m1.dispose();
  m2.dispose();
});

test('progressLineEvery: off a TTY, a step line every N steps before the epoch line', async () => {
  const plain = captureStream(false);
  const model = tinyModel(5);
  await train(model, tinyBatches(5), null, { epochs: 1, stream: plain, schedule: constantSchedule(0.01), progressLineEvery: 2 });
  const lines = plain.text().split('\n').filter(Boolean);
  assert.equal(lines.length, 3, plain.text());
  assert.match(lines[0]!, /^epoch 1\/1 step 2\/5 loss \d\.\d+ iou \d\.\d+ ETA \d+s$/);
  assert.match(lines[1]!, /^epoch 1\/1 step 4\/5 /);
  assert.match(lines[2]!, /^epoch 1\/1 +5 steps /);
  model.dispose();
});

test("each step uploads every batch field exactly once, as the batch field's own typed array (no copy)", async () => {
  const model = tinyModel(7);
  const data = tinyBatches(3);
  const backend = tf.backend();
  const write = backend.write.bind(backend);
  const uploads = new Map<unknown, number>();
  backend.write = (values, shape, dtype) => {
    uploads.set(values, (uploads.get(values) ?? 0) + 1);
    return write(values, shape, dtype);
  };
  try {
    // No validation or precise BN: the only batch reads are the training steps.
    await train(model, data, null, { ...quiet, epochs: 2, schedule: constantSchedule(0.01) });
  } finally {
    backend.write = write;
  }
  for (const [b, batch] of data.entries()) {
    for (const key of ['image', 'label']) {
      assert.equal(uploads.get(batch[key]!.data), 2, `batch ${b} ${key}: one upload in each of 2 epochs`);
    }
  }
  model.dispose();
});

test('a one-shot generator as training data fails clearly in epoch 2', async () => {
  const model = tinyModel(6);
  async function* once() {
    yield* tinyBatches(1);
  }
  await assert.rejects(train(model, once(), null, { ...quiet, epochs: 2 }), /no batches in epoch 2 .*one-shot/);
  model.dispose();
});

test('the epoch loss is the mean step loss including the L2 penalty once (equals evaluate at lr 0)', async () => {
  // No BN or dropout, learning rate 0: training-mode and inference outputs are identical.
  const input = tf.input({ shape: [6, 8, 1] });
  const flat = tf.layers.flatten().apply(input) as tf.SymbolicTensor;
  const out = tf.layers
    .dense({ units: 4, activation: 'sigmoid', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }), kernelRegularizer: tf.regularizers.l2({ l2: 0.05 }) })
    .apply(flat) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: out });
  const data = tinyBatches(3);
  const r = await train(model, data, data, { ...quiet, epochs: 1, schedule: constantSchedule(0) });
  const m = r.history[0]!;
  assert.ok(Math.abs(m.loss - m.valLoss!) < 1e-6, `${m.loss} vs ${m.valLoss}`);
  assert.ok(Math.abs(m.iou - m.valIoU!) < 1e-9);
  model.dispose();
});
