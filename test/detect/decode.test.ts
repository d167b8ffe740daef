// decodeCenterNet on hand-made heatmaps: 3x3 peak suppression (plateaus, edges), top-K and its
// tie order, the threshold, the box arithmetic at stride 1 and 2, batches; and cocoResults.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { InputError } from '../../src/core/errors.js';
import { decodeCenterNet, type CenterNetOutputs } from '../../src/detect/centernet-decode.js';
import { cocoResults } from '../../src/detect/detected-box.js';

/** A batch of empty maps (h x w) with the given cells set: [frame, x, y, score, ox, oy, w, h]. */
function outputs(h: number, w: number, frames: number, cells: number[][], stride = 1): CenterNetOutputs {
  const heatmap = new Float32Array(frames * h * w);
  const offset = new Float32Array(frames * h * w * 2);
  const size = new Float32Array(frames * h * w * 2);
  for (const [f, x, y, score, ox = 0, oy = 0, bw = 0, bh = 0] of cells) {
    const i = f! * h * w + y! * w + x!;
    heatmap[i] = score!;
    offset.set([ox, oy], 2 * i);
    size.set([bw, bh], 2 * i);
  }
  return { heatmap, offset, size, height: h, width: w, stride };
}
const scores = (d: { score: number }[]) => d.map((x) => Math.round(x.score * 100) / 100);

describe('decodeCenterNet', () => {
  test('a box is cell + offset ± size / 2, times the stride', () => {
    const t = { threshold: 0.01 };
    const [one] = decodeCenterNet(outputs(24, 32, 1, [[0, 6, 8, 0.9, 0.5, 0.25, 7, 8]]), t);
    assert.deepEqual(one, [{ box: [3, 4.25, 10, 12.25], score: Math.fround(0.9) }]);
    const [two] = decodeCenterNet(outputs(12, 16, 1, [[0, 3, 4, 0.8, 0.25, 0.5, 3.5, 4]], 2), t);
    assert.deepEqual(two![0]!.box, [3, 5, 10, 13]);
    // A negative size counts as 0: a point box, never an inverted one.
    const [neg] = decodeCenterNet(outputs(24, 32, 1, [[0, 6, 8, 0.9, 0, 0, -2, 3]]), t);
    assert.deepEqual(neg![0]!.box, [6, 6.5, 6, 9.5]);
  });

  test('keeps only cells equal to their 3x3 maximum; plateaus and edges keep all their maxima', () => {
    const out = outputs(6, 8, 1, [
      [0, 2, 2, 0.9], [0, 3, 2, 0.5], [0, 2, 3, 0.89], // a peak and two lower neighbours
      [0, 6, 4, 0.7], [0, 7, 4, 0.7], // a plateau of two equal cells
      [0, 0, 0, 0.3], // a corner cell
      [0, 7, 0, 0.2], [0, 6, 1, 0.25], // diagonal neighbours: 0.2 is suppressed
    ]);
    const [d] = decodeCenterNet(out, { threshold: 0.01 });
    assert.deepEqual(scores(d!), [0.9, 0.7, 0.7, 0.3, 0.25]);
    // Zero cells are peaks of an empty neighbourhood too (threshold 0 keeps them, up to top K).
    const [all] = decodeCenterNet(outputs(3, 3, 1, []), { topK: 100 });
    assert.equal(all!.length, 9);
  });

  test('top K by score; equal scores in cell order (row-major)', () => {
    const out = outputs(8, 8, 1, [[0, 6, 6, 0.5, 1], [0, 1, 1, 0.5, 2], [0, 4, 1, 0.5, 3], [0, 1, 6, 0.9, 4], [0, 4, 4, 0.1, 5]]);
    const [d] = decodeCenterNet(out, { topK: 3, threshold: 0.05 });
    assert.deepEqual(scores(d!), [0.9, 0.5, 0.5]);
    // Offsets tell which cell each detection came from: (1,6), then (1,1) before (4,1).
    assert.deepEqual(d!.map((x) => x.box[0]), [1 + 4, 1 + 2, 4 + 3]);
    assert.deepEqual(decodeCenterNet(out, { topK: 0 }), [[]]);
  });

  test('drops peaks below the threshold (a score equal to it stays)', () => {
    const out = outputs(8, 8, 1, [[0, 1, 1, 0.5], [0, 5, 5, 0.25], [0, 1, 5, 0.1]]);
    assert.deepEqual(scores(decodeCenterNet(out, { threshold: 0.25 })[0]!), [0.5, 0.25]);
    assert.deepEqual(decodeCenterNet(out, { threshold: 0.6 }), [[]]);
  });

  test('decodes each frame of a batch on its own', () => {
    const out = outputs(4, 4, 3, [[0, 1, 1, 0.9, 0, 0, 2, 2], [2, 2, 2, 0.6, 0, 0, 1, 1], [2, 0, 0, 0.3, 0, 0, 1, 1]]);
    const d = decodeCenterNet(out, { threshold: 0.2 });
    assert.equal(d.length, 3);
    assert.deepEqual(d.map(scores), [[0.9], [], [0.6, 0.3]]);
    assert.deepEqual(d[2]![0]!.box, [1.5, 1.5, 2.5, 2.5]);
  });

  test('refuses outputs whose sizes disagree', () => {
    const out = outputs(4, 4, 1, []);
    assert.throws(() => decodeCenterNet({ ...out, offset: new Float32Array(3) }), (e: unknown) => e instanceof InputError && /offset holds 3 values, expected 32/.test(e.message));
    assert.throws(() => decodeCenterNet({ ...out, width: 5 }), /not a multiple of 4 x 5/);
    assert.throws(() => decodeCenterNet(out, { topK: -1 }), /topK/);
  });
});

test('cocoResults numbers frames from image id 1 and writes [x, y, w, h]', () => {
  const r = cocoResults([[{ box: [1, 2, 4, 8], score: 0.5 }], [], [{ box: [0, 0, 1, 1], score: 0.25 }, { box: [3, 3, 3, 5], score: 0.125 }]]);
  assert.deepEqual(r, [
    { image_id: 1, category_id: 1, bbox: [1, 2, 3, 6], score: 0.5 },
    { image_id: 3, category_id: 1, bbox: [0, 0, 1, 1], score: 0.25 },
    { image_id: 3, category_id: 1, bbox: [3, 3, 0, 2], score: 0.125 },
  ]);
});
