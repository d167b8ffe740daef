import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InputError } from '../../src/core/errors.js';
import { expectedLocalizationRows, FILTER_ON, synthesizeThermal, type SyntheticSet } from '../../src/synth/index.js';
import { concatSets, polygonToBox, REFERENCE_ORDER, rowsWithCount } from '../../src/transforms/index.js';

const W = 32;
const H = 24;

const full = synthesizeThermal({ seed: 7, scale: 1 });

function maskBox(filter: Uint8Array, offset: number): number[] | undefined {
  let xmin = W, ymin = H, xmax = -1, ymax = -1;
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      if (filter[offset + y * W + x] !== FILTER_ON) continue;
      xmin = Math.min(xmin, x); xmax = Math.max(xmax, x);
      ymin = Math.min(ymin, y); ymax = Math.max(ymax, y);
    }
  }
  return xmax < 0 ? undefined : [xmin, ymin, xmax, ymax];
}

test('all eight sets at scale 1 are generated in the reference layout (timed in bench/synth.ts)', () => {
  assert.deepEqual(Object.keys(full).sort(), [...REFERENCE_ORDER].sort());
  for (const name of REFERENCE_ORDER) {
    const s = full[name];
    const n = s.numbers.shape[0]!;
    assert.equal(s.images.dtype, 'uint8');
    assert.deepEqual(s.images.shape, [n, 24, 32]);
    assert.ok(s.images.data instanceof Uint8Array);
    assert.equal(s.filters.dtype, 'uint8');
    assert.deepEqual(s.filters.shape, [n, 24, 32]);
    assert.equal(s.numbers.dtype, 'int64');
    assert.ok(s.numbers.data instanceof BigInt64Array);
    assert.equal(s.coordinates.dtype, 'int64');
    assert.deepEqual(s.coordinates.shape, [n, 3, 8]);
    assert.equal(s.coordinates.data.length, n * 24);
  }
});

test('step 0 on the default size keeps 2588 one-person rows, all counts 0..3 present', () => {
  const all = concatSets(full, { keys: ['numbers'] });
  const numbers = all.numbers!.data as BigInt64Array;
  assert.equal(rowsWithCount(numbers, 1).length, 2588);
  assert.equal(expectedLocalizationRows(1), 2588);
  for (const k of [0, 2, 3]) assert.ok(rowsWithCount(numbers, k).length > 50, `count ${k}`);
  assert.ok(numbers.every((v) => v >= 0n && v <= 3n));
});

test('the generator is deterministic per seed and scales its counts', () => {
  const a = synthesizeThermal({ seed: 3, scale: 0.05 });
  const b = synthesizeThermal({ seed: 3, scale: 0.05 });
  const c = synthesizeThermal({ seed: 4, scale: 0.05 });
  for (const name of REFERENCE_ORDER) {
    for (const key of ['images', 'filters', 'numbers', 'coordinates'] as const) {
      assert.deepEqual(a[name][key].data, b[name][key].data, `${name}.${key}`);
    }
  }
  assert.notDeepEqual(a.dataset1_origin.images.data, c.dataset1_origin.images.data);
  const ones = rowsWithCount(concatSets(a, { keys: ['numbers'] }).numbers!.data as BigInt64Array, 1).length;
  assert.equal(ones, expectedLocalizationRows(0.05));
  assert.equal(ones, 4 * (16 + 16)); // round(324 * 0.05) + round(323 * 0.05)
  assert.throws(() => synthesizeThermal({ scale: 0 }), InputError);
  assert.throws(() => synthesizeThermal({ scale: Number.NaN }), InputError);
});

test('flips move pixels, targets and polygons together; unused person slots stay 0', () => {
  for (const d of ['dataset1', 'dataset2'] as const) {
    const o = full[`${d}_origin`];
    const n = o.numbers.shape[0]!;
    const variants: Array<[SyntheticSet, boolean, boolean]> = [
      [full[`${d}_horizon`], true, false],
      [full[`${d}_vertical`], false, true],
      [full[`${d}_vh`], true, true],
    ];
    const oi = o.images.data as Uint8Array;
    const oc = o.coordinates.data as BigInt64Array;
    const on = o.numbers.data as BigInt64Array;
    for (const [f, fx, fy] of variants) {
      assert.deepEqual(f.numbers.data, o.numbers.data);
      const fi = f.images.data as Uint8Array;
      const ff = f.filters.data as Uint8Array;
      const of = o.filters.data as Uint8Array;
      const fc = f.coordinates.data as BigInt64Array;
      for (let r = 0; r < n; r += 7) {
        for (let y = 0; y < H; y++) {
          for (let x = 0; x < W; x++) {
            const src = r * 768 + y * W + x;
            const dst = r * 768 + (fy ? H - 1 - y : y) * W + (fx ? W - 1 - x : x);
            assert.equal(fi[dst], oi[src]);
            assert.equal(ff[dst], of[src]);
          }
        }
      }
      for (let r = 0; r < n; r++) {
        for (let p = 0; p < 3; p++) {
          for (let k = 0; k < 8; k++) {
            const i = r * 24 + p * 8 + k;
            const v = oc[i]!;
            const expected = p >= Number(on[r]) ? 0n : k % 2 === 0 ? (fx ? 31n - v : v) : fy ? 23n - v : v;
            assert.equal(fc[i], expected);
          }
        }
      }
    }
  }
});

test('every one-person polygon box equals the bounding box of its blob mask, in all 8 sets', () => {
  let checked = 0;
  for (const name of REFERENCE_ORDER) {
    const s = full[name];
    const numbers = s.numbers.data as BigInt64Array;
    const images = s.images.data as Uint8Array;
    const filters = s.filters.data as Uint8Array;
    const coords = s.coordinates.data as BigInt64Array;
    for (let r = 0; r < numbers.length; r++) {
      if (numbers[r] !== 1n) continue;
      const { box } = polygonToBox({ images: images.subarray(r * 768, (r + 1) * 768), coordinates: coords.subarray(r * 24, (r + 1) * 24) });
      assert.deepEqual(Array.from(box), maskBox(filters, r * 768), `${name} row ${r}`);
      checked++;
    }
  }
  assert.equal(checked, 2588);
});

test('polygons lie in the frame, one per person; multi-person masks sit inside their polygons', () => {
  const s = full.dataset2_origin;
  const numbers = s.numbers.data as BigInt64Array;
  const coords = s.coordinates.data as BigInt64Array;
  const filters = s.filters.data as Uint8Array;
  for (let r = 0; r < numbers.length; r++) {
    const n = Number(numbers[r]);
    const boxes: number[][] = [];
    for (let p = 0; p < 3; p++) {
      const poly = Array.from(coords.subarray(r * 24 + p * 8, r * 24 + p * 8 + 8), Number);
      if (p >= n) {
        assert.ok(poly.every((v) => v === 0));
        continue;
      }
      for (let k = 0; k < 8; k += 2) {
        assert.ok(poly[k]! >= 0 && poly[k]! <= 31 && poly[k + 1]! >= 0 && poly[k + 1]! <= 23, `row ${r}: ${poly}`);
      }
      const xs = [poly[0]!, poly[2]!, poly[4]!, poly[6]!];
      const ys = [poly[1]!, poly[3]!, poly[5]!, poly[7]!];
      boxes.push([Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)]);
    }
    // every target pixel is inside some person's box; a frame without persons has no target pixels
    for (let i = 0; i < 768; i++) {
      if (filters[r * 768 + i] !== FILTER_ON) continue;
      const x = i % W;
      const y = Math.floor(i / W);
      assert.ok(boxes.some(([x0, y0, x1, y1]) => x >= x0! && x <= x1! && y >= y0! && y <= y1!), `row ${r} pixel ${x},${y}`);
    }
  }
});

test('persons are clearly warmer than the background and box sizes vary', () => {
  const s = full.dataset1_origin;
  const numbers = s.numbers.data as BigInt64Array;
  const images = s.images.data as Uint8Array;
  const filters = s.filters.data as Uint8Array;
  const coords = s.coordinates.data as BigInt64Array;
  const widths = new Set<number>();
  const heights = new Set<number>();
  let minContrast = Infinity;
  for (let r = 0; r < numbers.length; r++) {
    if (numbers[r] !== 1n) continue;
    let on = 0, onN = 0, off = 0, offN = 0;
    for (let i = 0; i < 768; i++) {
      const v = images[r * 768 + i]!;
      if (filters[r * 768 + i] === FILTER_ON) { on += v; onN++; } else { off += v; offN++; }
    }
    minContrast = Math.min(minContrast, on / onN - off / offN);
    const { box } = polygonToBox({ images: images.subarray(r * 768, r * 768 + 768), coordinates: coords.subarray(r * 24, r * 24 + 24) });
    widths.add(box[2]! - box[0]!);
    heights.add(box[3]! - box[1]!);
  }
  assert.ok(minContrast > 30, `smallest person/background contrast ${minContrast.toFixed(1)}`);
  assert.ok(Math.min(...widths) <= 3 && Math.max(...widths) >= 11, `widths ${[...widths].sort((a, b) => a - b)}`);
  assert.ok(Math.min(...heights) <= 4 && Math.max(...heights) >= 14, `heights ${[...heights].sort((a, b) => a - b)}`);
  assert.ok(Math.max(...widths) <= 13 && Math.max(...heights) <= 17);
});
