import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodePng } from '../../src/cli/render/png.js';
import { renderCurves } from '../../src/cli/render/curves.js';
import { renderGrid } from '../../src/cli/render/grid.js';
import { niceTicks, logTicks } from '../../src/cli/render/chart.js';
import { checkPng, pixelAt } from './helpers.js';

test('encodePng writes a valid PNG whose pixels inflate back exactly', () => {
  const width = 5;
  const height = 3;
  const data = new Uint8Array(width * height * 3).map((_, i) => (i * 37) % 256);
  const info = checkPng(encodePng({ width, height, channels: 3, data }));
  assert.deepEqual([info.width, info.height, info.bitDepth, info.colorType], [5, 3, 8, 2]);
  assert.deepEqual(info.chunks, ['IHDR', 'IDAT', 'IEND']);
  for (let y = 0; y < height; y++) {
    assert.equal(info.raw[y * 16], 0, 'filter type 0');
    assert.deepEqual([...info.raw.subarray(y * 16 + 1, y * 16 + 16)], [...data.subarray(y * 15, y * 15 + 15)]);
  }
});

test('encodePng matches a PNG with a known CRC (1x1 gray, value 0)', () => {
  const png = encodePng({ width: 1, height: 1, channels: 1, data: new Uint8Array(1) });
  // IHDR chunk of a 1x1 8-bit grayscale image; its CRC is 0x3a7e9b55 in every PNG writer.
  assert.equal(png.subarray(8, 33).toString('hex'), '0000000d49484452000000010000000108000000003a7e9b55');
  assert.throws(() => encodePng({ width: 2, height: 1, channels: 1, data: new Uint8Array(1) }), RangeError);
});

test('renderGrid draws the ground truth in red and the prediction in blue', () => {
  const image = new Uint8Array(768).fill(50);
  const png = renderGrid([{ image, label: [0.5, 0.5, 0.5, 0.5], prediction: [0.25, 0.25, 0.25, 0.25] }], { scale: 4, columns: 1 });
  const info = checkPng(png);
  // One 128x96 cell plus an 8-pixel gap each side, a 40-pixel header and a 22-pixel caption band.
  assert.equal(info.width, 8 + 128 + 8);
  assert.equal(info.height, 40 + 96 + 22 + 8 + 8);
  // Ground truth: x from 8 to 24 frame pixels → 32..95 at scale 4, top edge at y = 6*4 = 24.
  assert.deepEqual(pixelAt(info, 8 + 40, 40 + 24), [230, 30, 30]);
  // Prediction: top-left corner at (4, 3) frame pixels → (16, 12).
  assert.deepEqual(pixelAt(info, 8 + 16, 40 + 12), [40, 110, 255]);
  // The frame itself is gray (uniform frames stretch to black).
  assert.deepEqual(pixelAt(info, 8 + 2, 40 + 2), [0, 0, 0]);
});

test('renderCurves produces a PNG with both panels', () => {
  const rows = Array.from({ length: 5 }, (_, i) => ({ epoch: i + 1, loss: 0.1 / (i + 1), valLoss: 0.12 / (i + 1), iou: 0.2 * i, valIou: 0.18 * i }));
  const info = checkPng(renderCurves(rows));
  assert.equal(info.width, 1280);
  assert.ok(info.height > 400);
  assert.doesNotThrow(() => checkPng(renderCurves([])));
});

test('axis ticks are round numbers', () => {
  assert.deepEqual(niceTicks(0, 1, 5), [0, 0.2, 0.4, 0.6, 0.8, 1]);
  assert.deepEqual(niceTicks(1, 30, 6), [5, 10, 15, 20, 25, 30]);
  assert.deepEqual(logTicks(-3, -1), [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1]);
});
