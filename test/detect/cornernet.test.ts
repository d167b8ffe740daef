// CornerNet's targets and embedding loss against independent numpy producers
// (fixtures/cornernet_targets.py, fixtures/ae_loss.py), its loss terms by hand, the model's
// outputs, and a tiny training run on the fast path that lowers the loss and repeats exactly.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { before, describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { InputError } from '../../src/core/errors.js';
import { selectBackend } from '../../src/train/index.js';
import { HEATMAP_BIAS } from '../../src/detect/centernet-model.js';
import { CORNERNET_OUTPUTS, createCornerNet } from '../../src/detect/cornernet-model.js';
import { CORNERNET_STRIDE, cornerNetTargets } from '../../src/detect/cornernet-targets.js';
import { cornerNetLossTerms, cornerNetTargetTensors, embeddingLoss, type CornerNetTensors } from '../../src/detect/cornernet-loss.js';
import { cornerNetGrid, trainCornerNet } from '../../src/detect/cornernet-train.js';
import { frames } from './frames.js';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const python = (name: string, args: string[]) => JSON.parse(execFileSync('/usr/bin/python3', [fixture(name), ...args], { encoding: 'utf8' }));

before(async () => {
  await selectBackend({ backend: 'fast' });
});

describe('cornerNetTargets', () => {
  const cases: number[][][] = [
    [[3, 4, 10, 12]],
    [[0.5, 0.25, 6.75, 9.5], [20.2, 14.1, 31.3, 23.9], [12, 2, 17, 8]],
    [[-1.5, 3, 5, 30], [25.5, -2, 33, 11.5]], // clipped to the frame; right and bottom borders
    [[4, 4, 11, 13], [4.5, 4.25, 12, 13]], // two top-left corners in one cell
  ];
  for (const boxes of cases) {
    test(`match numpy's corner splats, offsets and cells (${JSON.stringify(boxes)})`, () => {
      const expected = python('cornernet_targets.py', [JSON.stringify({ boxes })]) as Record<string, number[]>;
      const t = cornerNetTargets(boxes.flat(), { stride: 1 });
      assert.deepEqual(Array.from(t.topLeft), expected['tl']);
      assert.deepEqual(Array.from(t.bottomRight), expected['br']);
      assert.deepEqual(Array.from(t.topLeftOffset), expected['tl_offset']);
      assert.deepEqual(Array.from(t.bottomRightOffset), expected['br_offset']);
      assert.equal(t.count, boxes.length);
      assert.deepEqual(Array.from(t.topLeftIndex.subarray(0, t.count)), expected['tl_index']);
      assert.deepEqual(Array.from(t.bottomRightIndex.subarray(0, t.count)), expected['br_index']);
      for (const [mask, index] of [[t.topLeftMask, expected['tl_index']!], [t.bottomRightMask, expected['br_index']!]] as const) {
        assert.deepEqual([...mask.keys()].filter((i) => mask[i] === 1), [...new Set(index)].sort((a, b) => a - b));
      }
    });
  }

  test('an empty frame has no corners; what is not a box is refused', () => {
    const t = cornerNetTargets([]);
    assert.equal(t.count, 0);
    assert.ok(t.topLeft.every((v) => v === 0) && t.bottomRightMask.every((v) => v === 0));
    const bad: [number[], RegExp][] = [
      [[1, 2, 3], /not 4 per box/],
      [[5, 5, 3, 9], /box 0 \[5, 5, 3, 9\]/],
      [[0, 0, 4, Number.POSITIVE_INFINITY], /box 0/],
    ];
    for (const [boxes, pattern] of bad) assert.throws(() => cornerNetTargets(boxes), (e: unknown) => e instanceof InputError && pattern.test(e.message));
    assert.throws(() => cornerNetTargets([1, 1, 2, 2, 3, 3, 4, 4], { maxObjects: 1 }), /more than maxObjects 1/);
  });
});

describe('embeddingLoss', () => {
  test("equals CornerNet's _ae_loss (numpy) on images of 0, 2 and 3 objects; one object pulls only", () => {
    const tl = [[0.3, -0.2, 1.4], [0, 0, 0], [2, 2.5, 0], [0.7, 9, 9]];
    const br = [[0.1, 0.6, 1.0], [0, 0, 0], [2.2, 2.1, 0], [-0.1, 9, 9]];
    const mask = [[1, 1, 1], [0, 0, 0], [1, 1, 0], [1, 0, 0]];
    const { pull, push } = embeddingLoss(tf.tensor2d(tl), tf.tensor2d(br), tf.tensor2d(mask));
    // Without the one-object image, the numpy loss (1e-4 guards and all) is ours to ~1e-4.
    const ref = python('ae_loss.py', [JSON.stringify({ tl: tl.slice(0, 3), br: br.slice(0, 3), mask: mask.slice(0, 3) })]) as { pull: number; push: number };
    const single = python('ae_loss.py', [JSON.stringify({ tl: tl.slice(3), br: br.slice(3), mask: mask.slice(3) })]) as { pull: number; push: number };
    const near = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) <= 1e-3 * Math.max(1, Math.abs(b)), `${what}: ${a} vs ${b}`);
    near(pull.dataSync()[0]!, ref.pull + single.pull, 'pull');
    near(push.dataSync()[0]!, ref.push, 'push');
    // The reference's push of a one-object image is a constant (1 - 1/(1 + 1e-4)) / 1e-4, no gradient: we leave it out.
    near(single.push, 0.9999, 'the reference constant');
  });

  test('by hand: two objects 0.5 apart push with 1 - 0.5 per ordered pair, over N (N - 1) = 2', () => {
    const { pull, push } = embeddingLoss(tf.tensor2d([[0, 0.5]]), tf.tensor2d([[0, 0.5]]), tf.tensor2d([[1, 1]]));
    assert.equal(pull.dataSync()[0], 0);
    assert.ok(Math.abs(push.dataSync()[0]! - 0.5) < 1e-7);
  });
});

describe('cornerNetLossTerms', () => {
  test('offsets by hand, embeddings read at the corner cells, gradients reach every head', () => {
    const t = cornerNetTargets([3.5, 4, 10, 12.25, 20, 5, 28, 15], { stride: 1 });
    const target = cornerNetTargetTensors([t]);
    const tl0 = 4 * 32 + 3;
    const tl1 = 5 * 32 + 20;
    const emb = new Float32Array(768);
    emb[tl0] = 2;
    emb[tl1] = -1;
    const pred: CornerNetTensors = {
      topLeft: tf.fill([1, 24, 32, 1], 0.1),
      bottomRight: tf.fill([1, 24, 32, 1], 0.1),
      topLeftEmbedding: tf.tensor4d(emb, [1, 24, 32, 1]),
      bottomRightEmbedding: tf.zeros([1, 24, 32, 1]),
      topLeftOffset: tf.zeros([1, 24, 32, 2]),
      bottomRightOffset: tf.zeros([1, 24, 32, 2]),
    };
    const terms = cornerNetLossTerms(pred, target);
    // tl offsets (0.5, 0) and (0, 0) over 2 corners; br (0, 0.25) and (0, 0) over 2.
    assert.ok(Math.abs(terms.offset.dataSync()[0]! - (0.5 / 2 + 0.25 / 2)) < 1e-6);
    // Means 1 and -0.5: pull (1 + 1 + 0.25 + 0.25) / 2; push 0 (1.5 apart).
    assert.ok(Math.abs(terms.pull.dataSync()[0]! - 1.25) < 1e-6);
    assert.equal(terms.push.dataSync()[0], 0);
    const grads = tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) =>
      cornerNetLossTerms({ ...pred, topLeft: a, topLeftEmbedding: b, bottomRightOffset: c }, target).total)([pred.topLeft, pred.topLeftEmbedding, pred.bottomRightOffset]);
    for (const g of grads) assert.ok(g.abs().sum().dataSync()[0]! > 0);
    // The embedding gradient is only at the two top-left cells.
    const ge = grads[1]!.dataSync();
    assert.deepEqual([...ge.keys()].filter((i) => ge[i] !== 0), [tl0, tl1]);
  });
});

describe('createCornerNet', () => {
  test('six heads at 24 x 32 in CornerNet order, sigmoid heatmaps starting at p = 0.1, same seed same weights', () => {
    const model = createCornerNet({ seed: 1, channels: 4, stride: 1 });
    assert.deepEqual(model.outputNames, [...CORNERNET_OUTPUTS]);
    const outs = model.predict(tf.randomUniform([2, 24, 32, 1], 0, 1, 'float32', 5)) as tf.Tensor[];
    assert.deepEqual(outs.map((o) => o.shape), [[2, 24, 32, 1], [2, 24, 32, 1], [2, 24, 32, 1], [2, 24, 32, 1], [2, 24, 32, 2], [2, 24, 32, 2]]);
    for (const h of [outs[0]!, outs[1]!]) assert.ok(h.dataSync().every((v) => v > 0 && v < 1));
    tf.dispose(outs);
    const bias = (m: tf.LayersModel, name: string) => Array.from(m.getLayer(name).getWeights()[1]!.dataSync());
    assert.deepEqual(bias(model, 'topLeft_out'), [Math.fround(HEATMAP_BIAS)]);
    assert.deepEqual(bias(model, 'bottomRightOffset_out'), [0, 0]);
    const directions = model.layers.filter((l) => l.getClassName() === 'CornerPooling').map((l) => (l as unknown as { direction: string }).direction);
    assert.deepEqual(directions.sort(), ['bottom', 'left', 'right', 'top']);
    const w = (m: tf.LayersModel) => Array.from(m.getLayer('tl_top_conv').getWeights()[0]!.dataSync());
    const again = createCornerNet({ seed: 1, channels: 4, stride: 1 });
    const other = createCornerNet({ seed: 2, channels: 4, stride: 1 });
    assert.deepEqual(w(model), w(again));
    assert.notDeepEqual(w(model), w(other));
    for (const m of [model, again, other]) m.dispose();
    assert.throws(() => createCornerNet({ width: 30 }), /divisible by 4/);
    assert.throws(() => createCornerNet({ stride: 4 as 1 }), /stride must be 1 or 2/);
  });

  test('stride 2 by default: 12 x 16 heads, the grid trainCornerNet and the decoder read', () => {
    const model = createCornerNet({ seed: 1, channels: 4 });
    assert.equal(CORNERNET_STRIDE, 2);
    assert.deepEqual(cornerNetGrid(model), { stride: 2, outH: 12, outW: 16 });
    const outs = model.predict(tf.zeros([1, 24, 32, 1])) as tf.Tensor[];
    assert.deepEqual(outs.map((o) => o.shape), [[1, 12, 16, 1], [1, 12, 16, 1], [1, 12, 16, 1], [1, 12, 16, 1], [1, 12, 16, 2], [1, 12, 16, 2]]);
    tf.dispose(outs);
    model.dispose();
  });
});

describe('trainCornerNet', () => {
  test('a few epochs on 16 frames lower the loss; the same seed repeats it exactly', async () => {
    const data = frames(16);
    const run = async () => {
      const model = createCornerNet({ seed: 3, channels: 4 });
      const r = await trainCornerNet(model, data, { epochs: 6, batch: 8, learningRate: 5e-3, seed: 1 });
      const weights = Array.from(model.getLayer('topLeft_out').getWeights()[0]!.dataSync());
      model.dispose();
      return { history: r.history.map((h) => [h.loss, h.focal, h.pull, h.push, h.offset]), steps: r.steps, weights };
    };
    const first = await run();
    assert.equal(first.steps, 12);
    assert.ok(first.history.at(-1)![0]! < first.history[0]![0]! * 0.7, JSON.stringify(first.history));
    const second = await run();
    assert.deepEqual(second, first);
  });

  test('refuses fewer frames than one batch and models that are not CornerNet', async () => {
    const model = createCornerNet({ seed: 3, channels: 4 });
    await assert.rejects(trainCornerNet(model, frames(3), { epochs: 1, batch: 4 }), /3 frames, fewer than one batch of 4/);
    model.dispose();
    const other = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [4] })] });
    await assert.rejects(trainCornerNet(other, frames(4), { epochs: 1, batch: 4 }), /not a CornerNet model/);
    other.dispose();
  });
});
