import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderSpec, type VegaLiteSpec } from '../../src/render/index.js';
import { colourFraction, decodePng } from './helpers.js';

const bars: VegaLiteSpec = {
  width: 100,
  height: 50,
  data: { values: [{ k: 'Alpha', v: 1 }, { k: 'beta', v: 3 }] },
  mark: { type: 'bar', color: '#ff0000' },
  encoding: { x: { field: 'k', type: 'nominal' }, y: { field: 'v', type: 'quantitative' } },
};

test('renderSpec: SVG with the labels as text, PNG of its size times the zoom, the spec untouched', async () => {
  const before = JSON.stringify(bars);
  const one = await renderSpec(bars);
  assert.match(one.svg, /^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  assert.match(one.svg, />Alpha<\/text>/);
  assert.match(one.svg, />beta<\/text>/);
  const [, w, h] = /<svg[^>]* width="(\d+)" height="(\d+)"/.exec(one.svg)!.map(Number);
  assert.deepEqual([one.width, one.height], [w, h]);
  const two = await renderSpec(bars, { zoom: 2 });
  const png = decodePng(two.png);
  assert.deepEqual([png.width, png.height], [2 * w!, 2 * h!]);
  assert.ok(colourFraction(png, [255, 0, 0], 0) > 0.05, 'red bars');
  assert.equal(JSON.stringify(bars), before);
  assert.equal(two.spec, bars);
});

test('text is drawn with the bundled font, no system font needed', async () => {
  const picture = await renderSpec({ title: { text: 'Mixed Case Title', fontSize: 30, color: 'black' }, width: 10, height: 10, mark: 'point' });
  const png = decodePng(picture.png);
  // The title's glyphs darken a good share of the picture's top band.
  let dark = 0;
  for (let y = 0; y < 40; y++) for (let x = 0; x < png.width; x++) if (png.rgba[(y * png.width + x) * 4]! < 100) dark++;
  assert.ok(dark > 300, `${dark} dark pixels in the title band`);
});

test('a spec cannot make the renderer load files or URLs', async () => {
  await assert.rejects(renderSpec({ data: { url: 'https://example.com/data.json' }, mark: 'point' }), /asks to load https:\/\/example.com\/data.json; charts load no external data/);
  await assert.rejects(renderSpec(bars, { zoom: 0 }), RangeError);
});
