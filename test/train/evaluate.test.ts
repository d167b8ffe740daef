import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { evaluate } from '../../src/train/evaluate.js';
import { validationIoU } from '../../src/train/validation-iou.js';
import { tinyModel, tinyBatches } from './helpers.js';

await tf.setBackend('cpu');

test('evaluate: loss = sample-weighted MSE + L2 penalty, IoUs from the predictions, N_VAL divisor', async () => {
  const model = tinyModel(21);
  const data = [...tinyBatches(2, 7, 41), ...tinyBatches(1, 3, 42)]; // a short last batch
  const r = await evaluate(model, data, { keepPredictions: true, count: 20 });
  assert.equal(r.samples, 17);
  assert.equal(r.batches, 3);
  // Independent: predict all frames, squared error by hand, L2 1e-3 on the first conv kernel.
  const preds: number[] = [];
  const labels: number[] = [];
  for (const b of data) {
    const x = tf.tensor4d(b.image.data as Float32Array, b.image.shape as [number, number, number, number]);
    const y = model.predict(x) as tf.Tensor;
    preds.push(...y.dataSync());
    labels.push(...(b.label.data as Float32Array));
    tf.dispose([x, y]);
  }
  let se = 0;
  preds.forEach((p, i) => (se += (p - labels[i]!) ** 2));
  const kernel = model.getLayer('t_c1').getWeights()[0]!.dataSync();
  let l2 = 0;
  for (const k of kernel) l2 += 1e-3 * k * k;
  assert.ok(Math.abs(r.loss - (se / preds.length + l2)) < 1e-6, `${r.loss} vs ${se / preds.length + l2}`);
  assert.deepEqual(Array.from(r.predictions!), preds.map(Math.fround));
  const rows = (a: number[]): number[][] => Array.from({ length: a.length / 4 }, (_, i) => a.slice(i * 4, i * 4 + 4));
  assert.equal(r.validationIoU, validationIoU(rows(labels), rows(preds), { count: 20 }));
  assert.ok(r.iou >= 0 && r.iou <= 1);
  model.dispose();
});
