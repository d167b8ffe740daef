// The exhaustive validation IoU pass over a parsed split: full batches only, divided by all rows;
// a split without one full batch is refused rather than reported as 0.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { exhaustiveIoU } from '../../src/train/exhaustive-pass.js';
import { refuseShortSplit } from '../../src/train/localization-data.js';

const box = Float32Array.of(0.5, 0.5, 0.25, 0.25);
const split = (n: number) => ({ images: Array.from({ length: n }, () => new Float32Array(768)), labels: Array.from({ length: n }, () => box) });
const perfect = async (images: Float32Array[]) => images.map(() => box);

test('predicts the rows of full batches and divides by every row', async () => {
  let asked = 0;
  const r = await exhaustiveIoU(async (images) => ((asked = images.length), perfect(images)), split(10), 4);
  assert.equal(asked, 8);
  assert.deepEqual([r.samples, r.nVal, r.iou], [8, 10, 0.8]);
});

test('a batch larger than the split, or an empty split, is refused: never a silent 0', async () => {
  await assert.rejects(exhaustiveIoU(perfect, split(3), 4), { name: 'InputError', message: /only 3 validation rows, fewer than one batch of 4/ });
  await assert.rejects(exhaustiveIoU(perfect, split(0), 4), { name: 'InputError', message: /validation split is empty/ });
  await assert.doesNotReject(exhaustiveIoU(perfect, split(4), 4));
});

test('refuseShortSplit names the split, the numbers and the file', () => {
  assert.throws(() => refuseShortSplit('training', 0, 7, ['a/loc_train.tfr']), { name: 'InputError', message: 'a/loc_train.tfr: the training split is empty: nothing to train on' });
  assert.throws(() => refuseShortSplit('validation', 5, 7, ['v-0', 'v-1']), { message: 'v-0 (+1 shards): only 5 validation records, fewer than one batch of 7' });
  assert.doesNotThrow(() => refuseShortSplit('validation', 7, 7, ['v']));
});
