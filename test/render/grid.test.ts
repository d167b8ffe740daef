import assert from 'node:assert/strict';
import { test } from 'node:test';
import { boxesGridSpec, heatmapGridSpec, renderBoxesGrid, renderHeatmapGrid, type GridFrame } from '../../src/render/index.js';
import { decodePng, rgbAt, type DecodedPng } from './helpers.js';

const RED: [number, number, number] = [0xe3, 0x1a, 0x1c];
const BLUE: [number, number, number] = [0x1f, 0x5b, 0xff];

/** A black 32x24 frame with one bright pixel in its top-left corner (it marks the cell's origin). */
function markedFrame(caption?: string): GridFrame {
  const pixels = new Uint8Array(768);
  pixels[0] = 255;
  return { pixels, width: 32, height: 24, ...(caption ? { caption } : {}) };
}

/** Top-left corner of the first cell: a white square of `scale` pixels with black right of it and below it. */
function firstCell(png: DecodedPng, scale: number): [number, number] {
  const is = (x: number, y: number, v: number) => rgbAt(png, x, y).every((c) => c === v);
  const block = (x: number, y: number, w: number, h: number, v: number) => {
    for (let dy = 0; dy < h; dy++) for (let dx = 0; dx < w; dx++) if (!is(x + dx, y + dy, v)) return false;
    return true;
  };
  for (let y = 1; y < png.height - 3 * scale; y++) {
    for (let x = 1; x < png.width - 3 * scale; x++) {
      if (is(x, y, 255) && !is(x - 1, y, 0) && block(x, y, scale, scale, 255) && block(x + scale, y, 2 * scale, scale, 0) && block(x, y + scale, scale, 2 * scale, 0)) return [x, y];
    }
  }
  throw new Error('no frame cell found');
}

const texts = (svg: string) => [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]!);

test('boxes grid: truth red and prediction blue at their pixel positions, thick, both visible where they coincide', async () => {
  const picture = await renderBoxesGrid({
    frames: [markedFrame('#7 IoU 0.25'), markedFrame('#9 exact')],
    boxes: [
      // Frame 0: truth covers x 0.25..0.75, y 0.25..0.75; the prediction a smaller box inside it.
      { frame: 0, box: [0.5, 0.5, 0.5, 0.5], color: '#e31a1c', series: 'ground truth' },
      { frame: 0, box: [0.5, 0.5, 0.25, 0.25], color: '#1f5bff', series: 'prediction' },
      // Frame 1: a prediction exactly on the truth.
      { frame: 1, box: [0.5, 0.5, 0.5, 0.5], color: '#e31a1c', series: 'ground truth' },
      { frame: 1, box: [0.5, 0.5, 0.5, 0.5], color: '#1f5bff', series: 'prediction' },
    ],
    scale: 8,
    columns: 2,
    title: 'Validation frames',
  });
  const png = decodePng(picture.png);
  assert.deepEqual([png.width, png.height], [picture.width, picture.height]);
  const [ox, oy] = firstCell(png, 8);
  const cellW = 256;
  // Frame 0 (cell 256x192): truth's left edge at x = 64, prediction's at x = 96, rows 48..144 and 72..120.
  assert.deepEqual(rgbAt(png, ox + 64, oy + 96), RED);
  assert.deepEqual(rgbAt(png, ox + 192, oy + 100), RED);
  assert.deepEqual(rgbAt(png, ox + 128, oy + 48), RED);
  assert.deepEqual(rgbAt(png, ox + 96, oy + 96), BLUE);
  assert.deepEqual(rgbAt(png, ox + 128, oy + 120), BLUE);
  assert.deepEqual(rgbAt(png, ox + 80, oy + 96), [0, 0, 0], 'the frame between the two boxes');
  // Thick: 2 pixels off the edge line is still the box's colour.
  assert.deepEqual(rgbAt(png, ox + 66, oy + 96), RED);
  assert.deepEqual(rgbAt(png, ox + 62, oy + 96), RED);
  // Frame 1, in the next cell: the prediction on the line, the truth still showing just outside it.
  const x1 = ox + cellW + (picture.spec.spacing as { column: number }).column;
  assert.deepEqual(rgbAt(png, x1, oy), [255, 255, 255], 'second cell origin');
  const across = (from: number, to: number) => {
    const out: string[] = [];
    for (let x = from; x < to; x++) {
      const c = rgbAt(png, x, oy + 96).join();
      out.push(c === RED.join() ? 'R' : c === BLUE.join() ? 'B' : c === '0,0,0' ? '.' : '?');
    }
    return out.join('');
  };
  // Across the left edge and the right edge: truth outside, prediction on the line, truth inside.
  assert.match(across(x1 + 56, x1 + 72), /^\.+R+B{3}R+\.+$/);
  assert.match(across(x1 + 184, x1 + 200), /^\.+R+B{3}R+\.+$/);
  const t = texts(picture.svg);
  for (const s of ['Validation frames', '#7 IoU 0.25', '#9 exact', 'ground truth', 'prediction']) assert.ok(t.includes(s), s);
});

test('boxes grid: labels beside detections, no legend without series, frames stretched to their own range', async () => {
  const frame: GridFrame = { pixels: Float32Array.from({ length: 6 }, (_, i) => 20 + i), width: 3, height: 2 };
  const picture = await renderBoxesGrid({ frames: [frame], boxes: [{ frame: 0, box: [0.5, 0.5, 0.9, 0.9], color: 'blue', label: '0.87' }], scale: 40 });
  const t = texts(picture.svg);
  assert.ok(t.includes('0.87'));
  assert.equal(picture.svg.includes('ground truth'), false);
  const png = decodePng(picture.png);
  // The darkest pixel is black and the brightest white: each frame spans the full gray range.
  let min = 255;
  let max = 0;
  for (let p = 0; p < png.width * png.height; p++) {
    const [r, g, b] = [png.rgba[p * 4]!, png.rgba[p * 4 + 1]!, png.rgba[p * 4 + 2]!];
    if (r === g && g === b) {
      min = Math.min(min, r);
      max = Math.max(max, r);
    }
  }
  assert.equal(min, 0);
  assert.equal(max, 255);
});

test('heatmap grid: each frame beside its heatmap, in the scheme with a legend', async () => {
  const heat: GridFrame = { pixels: Float32Array.from({ length: 16 * 12 }, (_, i) => (i === 0 ? 1 : 0)), width: 16, height: 12, caption: 'centre heatmap' };
  const spec = heatmapGridSpec({ frames: [markedFrame('#1'), markedFrame('#2')], heatmaps: [heat, heat], columns: 2 });
  assert.equal(spec.columns, 4);
  const picture = await renderHeatmapGrid({ frames: [markedFrame('#1'), markedFrame('#2')], heatmaps: [heat, heat], columns: 2 });
  assert.deepEqual(picture.spec, spec);
  const png = decodePng(picture.png);
  const [ox, oy] = firstCell(png, 8);
  const x1 = ox + 256 + (spec.spacing as { column: number }).column;
  // The heatmap (16x12) is stretched over a 256x192 cell: its hot corner fills 16x16 pixels
  // with inferno's top colour, the rest inferno's bottom one.
  const hot = rgbAt(png, x1 + 8, oy + 8);
  const cold = rgbAt(png, x1 + 100, oy + 100);
  assert.ok(hot[0] > 240 && hot[1] > 240 && hot[2] > 120 && hot[2] < 200, `hot ${hot}`);
  assert.ok(cold[0] < 10 && cold[1] < 10 && cold[2] < 10, `cold ${cold}`);
  const t = texts(picture.svg);
  for (const s of ['#1', '#2', 'centre heatmap', 'heatmap']) assert.ok(t.includes(s), s);
});

test('grids refuse frames and boxes that do not fit', () => {
  assert.throws(() => boxesGridSpec({ frames: [{ pixels: new Uint8Array(10), width: 32, height: 24 }] }), /10 pixels, expected 32x24/);
  assert.throws(() => boxesGridSpec({ frames: [markedFrame()], boxes: [{ frame: 1, box: [0, 0, 1, 1], color: 'red' }] }), /box on frame 1: there are 1 frames/);
  assert.throws(() => heatmapGridSpec({ frames: [markedFrame()], heatmaps: [] }), /1 frames but 0 heatmaps/);
});

test('the boxes spec carries each frame as one array, small enough to edit', () => {
  const frames = Array.from({ length: 24 }, () => markedFrame());
  const json = JSON.stringify(boxesGridSpec({ frames }));
  // 24 x 768 one-digit values: about 2 bytes each, plus the spec itself.
  assert.ok(json.length < 24 * 768 * 2 + 6000, `${json.length} bytes`);
});
