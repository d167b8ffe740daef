// decodeCornerNet against an independent numpy decoder (fixtures/cornernet_decode.py) on random
// heads, and by hand: pairing rules, peaks, top K, batches and bad input.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import { InputError } from '../../src/core/errors.js';
import { createRng } from '../../src/core/random.js';
import { decodeCornerNet, type CornerNetOutputs } from '../../src/detect/cornernet-decode.js';
import { heatmapPeaks } from '../../src/detect/peaks.js';

const H = 24;
const W = 32;
const CELLS = H * W;

function blank(batch = 1): CornerNetOutputs {
  return {
    topLeft: new Float32Array(batch * CELLS),
    bottomRight: new Float32Array(batch * CELLS),
    topLeftEmbedding: new Float32Array(batch * CELLS),
    bottomRightEmbedding: new Float32Array(batch * CELLS),
    topLeftOffset: new Float32Array(batch * CELLS * 2),
    bottomRightOffset: new Float32Array(batch * CELLS * 2),
    height: H,
    width: W,
    stride: 1,
  };
}

type Mutable = { [K in keyof CornerNetOutputs]: CornerNetOutputs[K] extends ArrayLike<number> ? Float32Array : CornerNetOutputs[K] };

/** Puts a corner at (x, y) of frame b: score, embedding, offset. */
function corner(o: CornerNetOutputs, which: 'topLeft' | 'bottomRight', b: number, x: number, y: number, score: number, embedding: number, off: [number, number] = [0, 0]): void {
  const m = o as unknown as Mutable;
  const cell = b * CELLS + y * W + x;
  m[which][cell] = score;
  m[`${which}Embedding`][cell] = embedding;
  m[`${which}Offset`].set(off, 2 * cell);
}

describe('decodeCornerNet', () => {
  test('equals the numpy decoder on random heads (peaks, top K, pairing, scores, order)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cornernet-decode-'));
    try {
      for (const [seed, k, threshold] of [[1, 100, 0.5], [2, 20, 0.3], [3, 7, 2]] as const) {
        const rng = createRng(seed);
        const o = blank();
        const m = o as unknown as Mutable;
        for (const key of ['topLeft', 'bottomRight', 'topLeftEmbedding', 'bottomRightEmbedding', 'topLeftOffset', 'bottomRightOffset'] as const) {
          m[key].forEach((_, i) => (m[key][i] = key.endsWith('Embedding') ? rng.next() * 3 : rng.next()));
        }
        const file = join(dir, `${seed}.json`);
        writeFileSync(file, JSON.stringify({
          h: H, w: W, k, threshold,
          tl: Array.from(o.topLeft), br: Array.from(o.bottomRight), tl_emb: Array.from(o.topLeftEmbedding), br_emb: Array.from(o.bottomRightEmbedding),
          tl_off: Array.from(o.topLeftOffset), br_off: Array.from(o.bottomRightOffset),
        }));
        const expected = JSON.parse(execFileSync('/usr/bin/python3', [fileURLToPath(new URL('./fixtures/cornernet_decode.py', import.meta.url)), file], { encoding: 'utf8' })) as number[][];
        const [frame] = decodeCornerNet(o, { topK: k, embeddingThreshold: threshold });
        assert.ok(expected.length > 0);
        assert.deepEqual(frame!.map((d) => [...d.box, d.score]), expected, `seed ${seed}`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('pairs corners of one object by embedding, and only tl strictly left of and above br', () => {
    const o = blank(2);
    corner(o, 'topLeft', 0, 3, 4, 0.9, 0, [0.5, 0.25]);
    corner(o, 'bottomRight', 0, 10, 12, 0.7, 0.1, [0.5, 0]);
    corner(o, 'topLeft', 0, 15, 2, 0.8, 3);
    corner(o, 'bottomRight', 0, 25, 10, 0.6, 3.2);
    corner(o, 'bottomRight', 0, 15, 20, 0.95, 3); // same column as the second top-left: no box
    corner(o, 'topLeft', 0, 16, 2, 0.5, 3); // beside a stronger top-left: not a peak
    // Cells of all-zero neighbourhoods are corners of score 0 too (as in CornerNet): the boxes
    // they make score at most 0.95 / 2, below every pair of two real corners.
    const strong = (frames: ReturnType<typeof decodeCornerNet>) => frames.map((f) => f.filter((d) => d.score > 0.5));
    const [frame, empty] = strong(decodeCornerNet(o, { topK: 100, embeddingThreshold: 0.5 }));
    assert.deepEqual(frame, [
      { box: [3.5, 4.25, 10.5, 12], score: (Math.fround(0.9) + Math.fround(0.7)) / 2 },
      { box: [15, 2, 25, 10], score: (Math.fround(0.8) + Math.fround(0.6)) / 2 },
    ]);
    assert.deepEqual(empty, []);
    // A wide threshold adds the cross pair (the first tl with the second object's br and the low one).
    const wide = strong(decodeCornerNet(o, { topK: 100, embeddingThreshold: 5 }))[0]!;
    assert.deepEqual(wide.map((d) => d.box), [[3.5, 4.25, 15, 20], [3.5, 4.25, 10.5, 12], [3.5, 4.25, 25, 10], [15, 2, 25, 10]]);
    // topK cuts both the corners and the boxes.
    assert.deepEqual(decodeCornerNet(o, { topK: 1, embeddingThreshold: 5 })[0]!.map((d) => d.box), [[3.5, 4.25, 15, 20]]);
    assert.deepEqual(decodeCornerNet(o, { topK: 0 })[0], []);
  });

  test('refuses heads that do not fit together and bad options', () => {
    const o = blank();
    assert.throws(() => decodeCornerNet({ ...o, topLeftOffset: new Float32Array(CELLS) }), (e: unknown) => e instanceof InputError && /topLeftOffset holds 768 values, expected 1536/.test(e.message));
    assert.throws(() => decodeCornerNet({ ...o, topLeft: new Float32Array(10) }), /not a multiple of 24 x 32/);
    assert.throws(() => decodeCornerNet(o, { topK: -1 }), /topK must be/);
    assert.throws(() => decodeCornerNet(o, { embeddingThreshold: Number.NaN }), /embeddingThreshold/);
    assert.throws(() => decodeCornerNet({ ...o, height: 0 }), /not a grid/);
  });
});

describe('heatmapPeaks', () => {
  test('3x3 peaks (plateaus keep every cell), threshold, top K with ties by cell', () => {
    const map = new Float32Array(4 * 5);
    map.set([0.5, 0.5], 6); // a plateau of two cells
    map[15] = 0.2;
    map[19] = 0.5;
    map[13] = 0.4; // beside the plateau: not a peak
    assert.deepEqual(heatmapPeaks(map, 0, 5, 4, 10, 0.1), [6, 7, 19, 15]);
    assert.deepEqual(heatmapPeaks(map, 0, 5, 4, 2), [6, 7]);
    // Threshold 0: cells of an all-zero neighbourhood are peaks too (after the others).
    assert.deepEqual(heatmapPeaks(map, 0, 5, 4, 20).slice(0, 5), [6, 7, 19, 15, 4]);
    assert.deepEqual(heatmapPeaks(map, 0, 5, 4, 10, 0.3), [6, 7, 19]);
  });
});
