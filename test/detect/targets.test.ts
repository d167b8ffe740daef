// CornerNet's Gaussian radius and CenterNet's targets against an independent numpy producer
// (fixtures/gaussian_radius.py, fixtures/centernet_targets.py) and values worked out by hand.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import { InputError } from '../../src/core/errors.js';
import { centerNetTargets } from '../../src/detect/centernet-targets.js';
import { drawGaussian, gaussianRadius } from '../../src/detect/gaussian.js';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const python = (name: string, args: string[]) => JSON.parse(execFileSync('/usr/bin/python3', [fixture(name), ...args], { encoding: 'utf8' }));

describe('gaussianRadius', () => {
  test('equals numpy on the formula for every box size of the thermal frames', () => {
    const sizes: string[] = [];
    for (let h = 0; h <= 24; h += 1) for (let w = 0; w <= 32; w += 3) sizes.push(`${h},${w}`);
    sizes.push('9,7', '4.5,3.25', '0.5,12');
    const expected = python('gaussian_radius.py', sizes) as [number, number, number][];
    for (const [h, w, r] of expected) {
      const got = gaussianRadius(h, w);
      assert.ok(Math.abs(got - r) <= 1e-12 * Math.max(1, r), `${h}x${w}: ${got} vs ${r}`);
    }
  });

  test('by hand: a 9 x 7 box (the typical person) gets r3 = (-22.4 + sqrt(713.44)) / 2', () => {
    assert.ok(Math.abs(gaussianRadius(9, 7) - (-22.4 + Math.sqrt(22.4 ** 2 + 4 * 2.8 * 18.9)) / 2) < 1e-12);
    assert.equal(Math.floor(gaussianRadius(9, 7)), 2);
    // A larger overlap asks for a smaller radius.
    assert.ok(gaussianRadius(9, 7, 0.9) < gaussianRadius(9, 7, 0.7));
  });
});

describe('drawGaussian', () => {
  test('radius 2: peak 1, sigma 5/6, a 5 x 5 window, clipped at the edges, max-combined', () => {
    const map = new Float32Array(6 * 8);
    drawGaussian(map, 8, 6, 0, 1, 2);
    const at = (x: number, y: number) => map[y * 8 + x]!;
    const g = (d2: number) => Math.fround(Math.exp(-d2 / (2 * (5 / 6) ** 2)));
    assert.equal(at(0, 1), 1);
    assert.equal(at(1, 1), g(1));
    assert.equal(at(2, 3), g(8));
    assert.equal(at(3, 1), 0, 'outside the window');
    assert.equal(at(0, 4), 0);
    // A second, overlapping peak keeps the larger value cell by cell.
    drawGaussian(map, 8, 6, 2, 1, 2);
    assert.equal(at(1, 1), g(1));
    assert.equal(at(2, 1), 1);
    assert.equal(at(4, 1), g(4));
  });
});

describe('centerNetTargets', () => {
  const cases: { boxes: number[][]; stride: 1 | 2 }[] = [
    { boxes: [[3, 4, 10, 12]], stride: 1 },
    { boxes: [[0, 0, 6, 9], [20, 14, 31, 23], [12, 2, 17, 8]], stride: 1 },
    { boxes: [[3, 4, 10, 12], [25, 1, 30, 11]], stride: 2 },
    { boxes: [[0, 15, 4, 23], [27, 0, 31, 5]], stride: 2 },
  ];
  for (const c of cases) {
    test(`match numpy's splat, offsets and sizes (stride ${c.stride}, ${c.boxes.length} boxes)`, () => {
      const expected = python('centernet_targets.py', [JSON.stringify(c)]) as { heatmap: number[]; offset: number[]; size: number[]; indices: number[] };
      const t = centerNetTargets(c.boxes.flat(), { stride: c.stride });
      assert.equal(t.outWidth, 32 / c.stride);
      assert.equal(t.outHeight, 24 / c.stride);
      assert.deepEqual(Array.from(t.heatmap), expected.heatmap);
      assert.deepEqual(Array.from(t.offset), expected.offset);
      assert.deepEqual(Array.from(t.size), expected.size);
      assert.equal(t.count, c.boxes.length);
      assert.deepEqual(Array.from(t.indices.subarray(0, t.count)), expected.indices);
      assert.deepEqual([...t.mask.keys()].filter((i) => t.mask[i] === 1), [...expected.indices].sort((a, b) => a - b));
      // Exactly the centre cells are 1, which is what the focal loss counts as positives.
      assert.equal(t.heatmap.filter((v) => v === 1).length, new Set(expected.indices).size);
    });
  }

  test('a frame without persons has an empty heatmap and no centres', () => {
    const t = centerNetTargets([]);
    assert.equal(t.count, 0);
    assert.ok(t.heatmap.every((v) => v === 0) && t.mask.every((v) => v === 0));
  });

  test('refuses what is not a box inside the frame', () => {
    const bad: [number[], RegExp][] = [
      [[1, 2, 3], /not 4 per box/],
      [[5, 5, 3, 9], /box 0 \[5, 5, 3, 9\]/],
      [[0, 0, 4, Number.NaN], /box 0/],
      [[30, 20, 40, 30], /centre inside/],
    ];
    for (const [boxes, pattern] of bad) assert.throws(() => centerNetTargets(boxes), (e: unknown) => e instanceof InputError && pattern.test(e.message));
    assert.throws(() => centerNetTargets([1, 1, 2, 2, 3, 3, 4, 4], { maxObjects: 1 }), /more than maxObjects 1/);
    assert.throws(() => centerNetTargets([1, 1, 2, 2], { stride: 5 }), /stride 5 does not divide/);
  });
});
