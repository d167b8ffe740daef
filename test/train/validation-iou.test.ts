import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { validationIoU, StreamingIoU } from '../../src/train/validation-iou.js';

test('validationIoU: identical boxes give 1, touching boxes add 0, sum / count', () => {
  // [0.5,0.5,0.5,0.5] → pixel box (8, 6, 24, 18).
  assert.equal(validationIoU([[0.5, 0.5, 0.5, 0.5]], [[0.5, 0.5, 0.5, 0.5]]), 1);
  // Right neighbour: (24, 6, 32, 18) only touches x = 24 → adds 0.
  assert.equal(validationIoU([[0.5, 0.5, 0.5, 0.5]], [[0.875, 0.5, 0.25, 0.5]]), 0);
  // One hit and one miss over N_VAL = 4 → 0.25.
  const gt = [[0.5, 0.5, 0.5, 0.5], [0.5, 0.5, 0.5, 0.5]];
  const pred = [[0.5, 0.5, 0.5, 0.5], [0.1, 0.1, 0.05, 0.05]];
  assert.equal(validationIoU(gt, pred, { width: 32, height: 24, count: 4 }), 0.25);
  assert.equal(validationIoU(gt, pred), 0.5);
});

test('validationIoU truncates toward zero (not floor) and survives a zero union', () => {
  // gt x: trunc(-1.28) = -1 .. trunc(1.92) = 1; pred x: 0 .. 2; y both 6..18.
  // inter = 1 * 12, union = 2*12 + 2*12 - 12 = 36 → 1/3 (floor would give 12/48).
  const v = validationIoU({ data: [0.01, 0.5, 0.1, 0.5], shape: [1, 4] }, { data: [0.03125, 0.5, 0.0625, 0.5], shape: [1, 4] });
  assert.ok(Math.abs(v - 1 / 3) < 1e-12, String(v));
  assert.equal(validationIoU([[0.5, 0.5, 0, 0]], [[0.5, 0.5, 0, 0]]), 0);
});

test('validationIoU matches a numpy float32 implementation of the reference loop', () => {
  // Values on a coarse grid so many corners land exactly on (or next to) integers, where the
  // precision of the inputs and of the arithmetic decides the truncation. Debian's numpy
  // (1.x) promotes float32 scalar / int to float64, as the original study's numpy did.
  let s = 12345;
  const rnd = (): number => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const grid = (): number => Math.round(rnd() * 20) / 20;
  const n = 300;
  const gt: number[][] = [];
  const pred: number[][] = [];
  for (let i = 0; i < n; i++) {
    gt.push([grid(), grid(), grid() / 2, grid() / 2]);
    pred.push(i % 3 === 0 ? [0.35, 0.45, 0.2, 0.4] : [grid(), grid(), grid() / 2, grid() / 2]);
  }
  const script = `
import json, sys, numpy as np
d = json.load(sys.stdin)
gt = np.array(d['gt'], dtype=np.float32); pr = np.array(d['pred'], dtype=np.float32)
total = 0.0
for i in range(len(gt)):
    x, y, w, h = gt[i]; px, py, pw, ph = pr[i]
    xmin = int((x - w/2)*32); ymin = int((y - h/2)*24); xmax = int((x + w/2)*32); ymax = int((y + h/2)*24)
    pxmin = int((px - pw/2)*32); pymin = int((py - ph/2)*24); pxmax = int((px + pw/2)*32); pymax = int((py + ph/2)*24)
    if xmin > pxmax or xmax < pxmin or ymin > pymax or ymax < pymin:
        continue
    inter = (min(xmax, pxmax) - max(xmin, pxmin)) * (min(ymax, pymax) - max(ymin, pymin))
    union = (xmax - xmin)*(ymax - ymin) + (pxmax - pxmin)*(pymax - pymin) - inter
    if union != 0:
        total += inter / union
print(repr(total / d['count']))
`;
  const out = execFileSync('/usr/bin/python3', ['-c', script], { input: JSON.stringify({ gt, pred, count: 400 }) });
  const expected = Number(out.toString().trim());
  assert.ok(expected > 0);
  const got = validationIoU(gt, pred, { count: 400 });
  assert.ok(Math.abs(got - expected) < 1e-12, `${got} vs numpy ${expected}`);
});

test('StreamingIoU averages over samples across batches; zero union adds 0', () => {
  const m = new StreamingIoU(32, 24);
  // Identical boxes: 1. A box shifted by half its width: inter 0.5, union 1.5 → 1/3.
  m.update([0.5, 0.5, 0.5, 0.5], [0.5, 0.5, 0.5, 0.5]);
  m.update([0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0, 0], [0.75, 0.5, 0.5, 0.5, 0.5, 0.5, 0, 0]);
  assert.equal(m.count, 3);
  assert.ok(Math.abs(m.result() - (1 + 1 / 3 + 0) / 3) < 1e-12);
  m.reset();
  assert.equal(m.result(), 0);
});
