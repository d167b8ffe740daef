// createCenterNet's outputs and head initialisation, and a tiny training run on the fast path
// that lowers the loss and repeats itself exactly for the same seed.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../src/train/index.js';
import { CENTERNET_OUTPUTS, HEATMAP_BIAS, createCenterNet } from '../../src/detect/centernet-model.js';
import { centerNetLossTerms } from '../../src/detect/centernet-loss.js';
import { centerNetTargets } from '../../src/detect/centernet-targets.js';
import { centerNetGrid, trainCenterNet } from '../../src/detect/centernet-train.js';
import type { DetectionSample } from '../../src/transforms/index.js';
import { frames } from './frames.js';

before(async () => {
  await selectBackend({ backend: 'fast' });
});

describe('createCenterNet', () => {
  for (const stride of [1, 2] as const) {
    test(`stride ${stride}: heatmap, offset and size at (24/${stride}) x (32/${stride})`, () => {
      const model = createCenterNet({ seed: 1, stride, channels: 4 });
      const outs = model.predict(tf.randomUniform([2, 24, 32, 1], 0, 1, 'float32', 5)) as tf.Tensor[];
      assert.deepEqual(outs.map((o) => o.shape), [[2, 24 / stride, 32 / stride, 1], [2, 24 / stride, 32 / stride, 2], [2, 24 / stride, 32 / stride, 2]]);
      assert.deepEqual(model.outputNames, [...CENTERNET_OUTPUTS]);
      const h = outs[0]!.dataSync();
      assert.ok(h.every((v) => v > 0 && v < 1), 'the heatmap is a sigmoid');
      tf.dispose(outs);
      model.dispose();
    });
  }

  test("the heatmap head's bias starts at -2.19 (p = 0.1), the others at 0; same seed, same weights", () => {
    assert.ok(Math.abs(HEATMAP_BIAS - -2.19) < 0.01);
    const a = createCenterNet({ seed: 4, channels: 4 });
    const bias = (m: tf.LayersModel, name: string) => Array.from(m.getLayer(name).getWeights()[1]!.dataSync());
    assert.deepEqual(bias(a, 'heatmap_out'), [Math.fround(HEATMAP_BIAS)]);
    assert.deepEqual(bias(a, 'offset_out'), [0, 0]);
    assert.deepEqual(bias(a, 'size_out'), [0, 0]);
    const b = createCenterNet({ seed: 4, channels: 4 });
    const c = createCenterNet({ seed: 5, channels: 4 });
    const w = (m: tf.LayersModel) => Array.from(m.getLayer('enc1a_conv').getWeights()[0]!.dataSync());
    assert.deepEqual(w(a), w(b));
    assert.notDeepEqual(w(a), w(c));
    for (const m of [a, b, c]) m.dispose();
  });

  test('refuses strides and sizes it cannot build', () => {
    assert.throws(() => createCenterNet({ stride: 4 as 1 }), /stride must be 1 or 2/);
    assert.throws(() => createCenterNet({ height: 22 }), /divisible by 4/);
  });
});

describe('trainCenterNet', () => {
  /** The loss of `model` on `data`, in inference mode. */
  const lossOn = (model: tf.LayersModel, data: DetectionSample[]): number =>
    tf.tidy(() => {
      const x = tf.tensor4d(Float32Array.from(data.flatMap((f) => Array.from(f.image))), [data.length, 24, 32, 1]);
      const { stride, outH, outW } = centerNetGrid(model);
      const t = data.map((f) => centerNetTargets(f.boxes, { stride }));
      const stack = (k: 'heatmap' | 'offset' | 'size', c: number) => tf.tensor4d(Float32Array.from(t.flatMap((v) => Array.from(v[k]))), [data.length, outH, outW, c]);
      const [heatmap, offset, size] = model.predict(x) as tf.Tensor[];
      const mask = tf.tensor3d(Float32Array.from(t.flatMap((v) => Array.from(v.mask))), [data.length, outH, outW]);
      return centerNetLossTerms({ heatmap: heatmap!, offset: offset!, size: size! }, { heatmap: stack('heatmap', 1), offset: stack('offset', 2), size: stack('size', 2) }, mask).total.dataSync()[0]!;
    });

  test('a few epochs on 16 frames lower the loss; the same seed repeats it exactly', async () => {
    const data = frames(16);
    const run = async () => {
      const model = createCenterNet({ seed: 3, channels: 4 });
      const before = lossOn(model, data);
      const r = await trainCenterNet(model, data, { epochs: 6, batch: 8, learningRate: 5e-3, seed: 1 });
      const after = lossOn(model, data);
      model.dispose();
      return { before, after, history: r.history.map((h) => h.loss), steps: r.steps };
    };
    const first = await run();
    assert.equal(first.steps, 12);
    // Inference mode uses BatchNorm's moving statistics, still far from settled after 12 steps.
    assert.ok(first.after < first.before * 0.9, `loss ${first.before} → ${first.after}`);
    assert.ok(first.history.at(-1)! < first.history[0]! * 0.7, JSON.stringify(first.history));
    const second = await run();
    assert.deepEqual(second, first);
  });

  test('refuses fewer frames than one batch and models that are not CenterNet', async () => {
    const model = createCenterNet({ seed: 3, channels: 4 });
    await assert.rejects(trainCenterNet(model, frames(3), { epochs: 1, batch: 4 }), /3 frames, fewer than one batch of 4/);
    model.dispose();
    const other = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [4] })] });
    await assert.rejects(trainCenterNet(other, frames(4), { epochs: 1, batch: 4 }), /not a CenterNet model/);
    other.dispose();
  });
});
