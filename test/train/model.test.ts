import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { createBackbone } from '../../src/train/model.js';

// Parameter arithmetic written out from REFERENCE.md §1 step 3, independent of tfjs.
const conv = (k: number, cin: number, cout: number): number => k * k * cin * cout + cout;
const bn = (c: number): number => 4 * c; // gamma, beta, moving mean, moving variance
const dense = (nin: number, nout: number): number => nin * nout + nout;
// Output size of ZeroPadding((0,1),(0,1)) then a 3x3 stride-2 valid conv.
const down = (n: number): number => Math.floor((n + 1 - 3) / 2) + 1;

function expectedParams(): { total: number; trainable: number; outHW: [number, number] } {
  let h = 24 * 3;
  let w = 32 * 3; // Conv2DTranspose stride 3, same padding
  let total = conv(3, 1, 6); // transpose conv has the same count as a conv
  let bnCount = 0;
  const fe = (cin: number, f1: number, f2: number): number => {
    bnCount += f1 + f2;
    h = down(h);
    w = down(w);
    return conv(3, cin, f1) + bn(f1) + conv(3, f1, f2) + bn(f2);
  };
  const res = (cin: number, f1: number, f2: number): number => {
    bnCount += f1 + f2;
    return conv(3, cin, f1) + bn(f1) + conv(3, f1, f2) + bn(f2);
  };
  total += fe(6, 3, 5) + res(5, 3, 5) + fe(5, 3, 5) + res(5, 3, 5) + fe(5, 3, 3);
  const flat = h * w * 3;
  total += dense(flat, 64) + dense(64, 4);
  return { total, trainable: total - 2 * bnCount, outHW: [h, w] };
}

test('createBackbone parameter count matches the layer arithmetic', () => {
  const expected = expectedParams();
  assert.deepEqual(expected.outHW, [9, 12]);
  const model = createBackbone({ seed: 3 });
  assert.equal(model.countParams(), expected.total);
  const trainable = model.trainableWeights.reduce((s, w) => s + (w.shape as number[]).reduce((a, b) => a * b, 1), 0);
  assert.equal(trainable, expected.trainable);
  assert.deepEqual(model.outputs[0]!.shape, [null, 4]);
  // 60 + FE 337 + RES 310 + FE 310 + RES 310 + FE 246 + Dense 20800 + Dense 260, summed by hand.
  assert.equal(expected.total, 22633);
  model.dispose();
});

test('createBackbone is reproducible from its seed and differs across seeds', () => {
  const a = createBackbone({ seed: 7 });
  const b = createBackbone({ seed: 7 });
  const c = createBackbone({ seed: 8 });
  const wa = a.getWeights().map((t) => Array.from(t.dataSync()));
  const wb = b.getWeights().map((t) => Array.from(t.dataSync()));
  const wc = c.getWeights().map((t) => Array.from(t.dataSync()));
  assert.deepEqual(wa, wb);
  assert.notDeepEqual(wa, wc);
  const x = tf.ones([2, 24, 32, 1]);
  const ya = a.predict(x) as tf.Tensor;
  const yb = b.predict(x) as tf.Tensor;
  assert.deepEqual(ya.shape, [2, 4]);
  assert.deepEqual(Array.from(ya.dataSync()), Array.from(yb.dataSync()));
  for (const v of ya.dataSync()) assert.ok(v > 0 && v < 1);
  tf.dispose([x, ya, yb]);
  a.dispose();
  b.dispose();
  c.dispose();
});

test('createBackbone dropout rates: the reference by default, others asked for, same initial weights', async () => {
  const { SeededDropout } = await import('../../src/train/seeded-dropout.js');
  const rates = (m: tf.LayersModel) => m.layers.filter((l) => l instanceof SeededDropout).map((l) => [l.name, (l as InstanceType<typeof SeededDropout>).rate]);
  const reference = createBackbone({ seed: 4 });
  const lighter = createBackbone({ seed: 4, blockDropout: 0.1, headDropout: 0 });
  assert.deepEqual(rates(reference), [['fe1_dropout', 0.3], ['res1_dropout', 0.3], ['fe2_dropout', 0.3], ['res2_dropout', 0.3], ['fe3_dropout', 0.3], ['dense_dropout', 0.2]]);
  assert.deepEqual(rates(lighter), [['fe1_dropout', 0.1], ['res1_dropout', 0.1], ['fe2_dropout', 0.1], ['res2_dropout', 0.1], ['fe3_dropout', 0.1], ['dense_dropout', 0]]);
  // Each layer keeps its own seed, so only the rates differ: the initial weights are the same.
  assert.deepEqual(
    lighter.getWeights().map((t) => Array.from(t.dataSync())),
    reference.getWeights().map((t) => Array.from(t.dataSync())),
  );
  reference.dispose();
  lighter.dispose();
});

test('modelVariant: null for the reference BackBone, a description otherwise', async () => {
  const { modelVariant } = await import('../../src/train/run.js');
  assert.equal(modelVariant(undefined), null);
  assert.equal(modelVariant({ blockDropout: 0.3, headDropout: 0.2, widthMultiplier: 1 }), null);
  assert.equal(modelVariant({ blockDropout: 0.1 }), 'width 1, block dropout 0.1, head dropout 0.2');
});
