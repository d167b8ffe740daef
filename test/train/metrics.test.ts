import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { giou, giouLoss, iou } from '../../src/train/metrics.js';
import { focalLoss, maskedL1Loss, centerNetLoss } from '../../src/train/losses.js';

const close = (a: number, b: number, tol = 1e-6, msg?: string): void =>
  assert.ok(Math.abs(a - b) <= tol, msg ?? `${a} != ${b} (tol ${tol})`);

test('giou of two separated 101x101 pixel boxes is -0.32890365 (+1 convention)', () => {
  // areas 101*101 each, no overlap, union 20402, closure 101*301 = 30401 → -9999/30401.
  const g = giou([0, 0, 100, 100], [0, 200, 100, 300]);
  assert.deepEqual(g.shape, [1]);
  close(g.data[0]!, -0.32890365, 1e-8);
  close(giouLoss([[0, 0, 100, 100]], [[0, 200, 100, 300]]), 1.32890365, 1e-8);
  const t = giou(tf.tensor2d([[0, 0, 100, 100]]), tf.tensor2d([[0, 200, 100, 300]]));
  assert.deepEqual(t.shape, [1, 1]);
  close(t.dataSync()[0]!, -0.32890365, 1e-6);
  t.dispose();
});

test('giou of overlapping and identical boxes', () => {
  // [0,0,9,9] vs [5,5,14,14]: areas 100, overlap 5*5 = 25, union 175, closure 15*15 = 225.
  const g = giou([[0, 0, 9, 9], [3, 4, 10, 12]], [[5, 5, 14, 14], [3, 4, 10, 12]]);
  assert.deepEqual(g.shape, [2, 1]);
  close(g.data[0]!, 25 / 175 - 50 / 225, 1e-12);
  close(g.data[1]!, 1, 1e-12);
  const loss = giouLoss(tf.tensor2d([[0, 0, 9, 9], [3, 4, 10, 12]]), tf.tensor2d([[5, 5, 14, 14], [3, 4, 10, 12]]));
  close(loss.dataSync()[0]!, ((1 - (25 / 175 - 50 / 225)) + 0) / 2, 1e-6);
  loss.dispose();
});

test('iou agrees across the three box formats (hand value 1/7)', () => {
  // corners [0,0,2,2] and [1,1,3,3]: intersection 1, union 4 + 4 - 1 = 7.
  close(iou([0, 0, 2, 2], [1, 1, 3, 3], { format: 'corners' }).data[0]!, 1 / 7, 1e-12);
  close(iou([1, 1, 2, 2], [2, 2, 2, 2], { format: 'mid' }).data[0]!, 1 / 7, 1e-12);
  close(iou([0, 0, 2, 2], [1, 1, 2, 2], { format: 'min' }).data[0]!, 1 / 7, 1e-12);
  // Disjoint → 0; two empty boxes (zero union) → 0, not NaN.
  assert.equal(iou([0, 0, 1, 1], [5, 5, 6, 6], { format: 'corners' }).data[0], 0);
  assert.equal(iou([3, 3, 0, 0], [3, 3, 0, 0], { format: 'mid' }).data[0], 0);
});

test('iou keeps any leading shape (..., 4) → (..., 1), tensors and arrays alike', () => {
  const data = new Float32Array(2 * 3 * 4);
  const other = new Float32Array(2 * 3 * 4);
  for (let i = 0; i < 6; i++) {
    data.set([i, i, i + 2, i + 2], i * 4); // 2x2 boxes
    other.set([i + 1, i, i + 3, i + 2], i * 4); // shifted right by 1: inter 2, union 6
  }
  const arr = iou({ data, shape: [2, 3, 4] }, { data: other, shape: [2, 3, 4] }, { format: 'corners' });
  assert.deepEqual(arr.shape, [2, 3, 1]);
  for (const v of arr.data) close(v, 1 / 3, 1e-12);
  const t = iou(tf.tensor(data, [2, 3, 4]), tf.tensor(other, [2, 3, 4]), { format: 'corners' });
  assert.deepEqual(t.shape, [2, 3, 1]);
  for (const v of t.dataSync()) close(v, 1 / 3, 1e-6);
  // Zero union in the tensor path is 0 too.
  const z = iou(tf.tensor2d([[1, 1, 0, 0]]), tf.tensor2d([[1, 1, 0, 0]]));
  assert.equal(z.dataSync()[0], 0);
  // One box broadcast against many.
  const b = iou([[0, 0, 2, 2], [1, 1, 3, 3]], [0, 0, 2, 2], { format: 'corners' });
  assert.deepEqual(b.shape, [2, 1]);
  close(b.data[0]!, 1, 0);
  close(b.data[1]!, 1 / 7, 1e-12);
  tf.dispose([t, z]);
  assert.throws(() => iou({ data: [1, 2, 3], shape: [3] }, [0, 0, 1, 1]), RangeError);
});

test('focalLoss: CenterNet Gaussian focal loss, alpha 2, beta 4, normalized by keypoints', () => {
  // One keypoint (gt 1, p 0.9) and one negative (gt 0.5, p 0.2):
  // -(0.1^2) ln 0.9 - (1-0.5)^4 * 0.2^2 * ln 0.8, divided by 1 keypoint.
  const one = focalLoss(tf.tensor1d([0.9, 0.2]), tf.tensor1d([1, 0.5]));
  close(one.dataSync()[0]!, -(0.01 * Math.log(0.9)) - 0.0625 * 0.04 * Math.log(0.8), 1e-7);
  // Two keypoints: divide by 2.
  const two = focalLoss(tf.tensor1d([0.9, 0.5]), tf.tensor1d([1, 1]));
  close(two.dataSync()[0]!, (-(0.01 * Math.log(0.9)) - 0.25 * Math.log(0.5)) / 2, 1e-7);
  // No keypoints: the negative sum itself.
  const none = focalLoss(tf.tensor2d([[0.2]]), tf.tensor2d([[0]]));
  close(none.dataSync()[0]!, -0.04 * Math.log(0.8), 1e-7);
  tf.dispose([one, two, none]);
});

test('masked L1 losses average over keypoints only; centerNetLoss weights size by 0.1', () => {
  const pred = tf.tensor3d([[[1, 2], [3, 4]]]); // (1, 2 locations, 2 channels)
  const target = tf.zeros([1, 2, 2]);
  const mask = tf.tensor2d([[1, 0]]);
  const l1 = maskedL1Loss(pred, target, mask);
  close(l1.dataSync()[0]!, 3, 1e-6);
  const heat = tf.tensor3d([[[0.9], [0.2]]]);
  const heatGt = tf.tensor3d([[[1], [0.5]]]);
  const total = centerNetLoss(
    { heatmap: heat, offset: pred, size: pred },
    { heatmap: heatGt, offset: target, size: target, mask },
  );
  close(total.dataSync()[0]!, -(0.01 * Math.log(0.9)) - 0.0625 * 0.04 * Math.log(0.8) + 3 + 0.3, 1e-5);
  tf.dispose([pred, target, mask, l1, heat, heatGt, total]);
});
