import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bestEpochOf, curvesSpec, renderCurves, type CurveRow } from '../../src/render/index.js';
import { colourFraction, decodePng } from './helpers.js';

const rows: CurveRow[] = Array.from({ length: 5 }, (_, i) => ({
  epoch: i + 1,
  loss: 0.1 / (i + 1) ** 2,
  valLoss: 0.12 / (i + 1) ** 2,
  iou: 0.2 * i,
  valIou: 0.15 * i,
  exhaustive: [0.3, 0.5, 0.6, 0.55, 0.58][i]!,
}));

/** The text content of every <text> element of an SVG. */
const texts = (svg: string) => [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]!);

test('the best epoch is the given one, else the best exhaustive IoU, else the best streaming IoU', () => {
  assert.equal(bestEpochOf({ name: 'r', rows })?.epoch, 3);
  assert.equal(bestEpochOf({ name: 'r', rows, bestEpoch: 5 })?.epoch, 5);
  assert.equal(bestEpochOf({ name: 'r', rows: rows.map(({ exhaustive, ...r }) => r) })?.epoch, 5);
  assert.equal(bestEpochOf({ name: 'r', rows: [] }), undefined);
});

test('curves: two panels with mixed-case titles, every epoch tick, the best epoch marked, a log loss axis', async () => {
  const picture = await renderCurves({ name: 'run', rows }, { title: 'Seed 0: runs/2026-12-03T09-41-00Z' });
  const t = texts(picture.svg);
  for (const s of ['Seed 0: runs/2026-12-03T09-41-00Z', 'loss per epoch', 'IoU per epoch', 'train loss', 'val loss', 'val IoU (exhaustive pass)', 'best epoch 3: IoU 0.6000', 'loss (log scale)', 'epoch']) {
    assert.ok(t.includes(s), `${s} in ${JSON.stringify(t)}`);
  }
  // Integer epochs 1..5 on both x axes, the last one too.
  for (const e of ['1', '2', '3', '4', '5']) assert.equal(t.filter((s) => s === e).length, 2, `tick ${e}`);
  assert.ok(t.includes('1.0') && t.includes('0.0'), 'IoU axis from 0 to 1');
  // The PNG is the SVG at twice the size (the spec's zoom), on white, with both line colours.
  const [, w, h] = /<svg[^>]* width="(\d+)" height="(\d+)"/.exec(picture.svg)!.map(Number);
  const png = decodePng(picture.png);
  assert.deepEqual([png.width, png.height, picture.width, picture.height], [2 * w!, 2 * h!, 2 * w!, 2 * h!]);
  assert.ok(colourFraction(png, [255, 255, 255], 0) > 0.5, 'mostly white');
  assert.ok(colourFraction(png, [0xe8, 0x71, 0x0a], 30) > 0.001, 'orange train curves');
  assert.ok(colourFraction(png, [0x18, 0x80, 0x38], 30) > 0.0005, 'green exhaustive curve and best marker');
  // The spec beside the picture carries the data and draws the same picture again.
  const spec = JSON.parse(JSON.stringify(picture.spec));
  assert.equal(spec.hconcat.length, 2);
  assert.equal(spec.usermeta.recordflow.zoom, 2);
});

test('several runs overlay: one colour per run, a best-epoch label per run', async () => {
  const other = rows.map((r) => ({ ...r, exhaustive: r.exhaustive! - 0.1 }));
  const spec = curvesSpec([
    { name: 'seed 0', rows },
    { name: 'seed 1', rows: other, bestEpoch: 2 },
  ]);
  const picture = await renderCurves([
    { name: 'seed 0', rows },
    { name: 'seed 1', rows: other, bestEpoch: 2 },
  ]);
  assert.deepEqual(picture.spec, spec);
  const t = texts(picture.svg);
  // Each run's legend entry names its best epoch (labels over the curves would collide).
  for (const s of ['seed 0: best epoch 3: IoU 0.6000', 'seed 1: best epoch 2: IoU 0.4000', 'validation', 'train']) assert.ok(t.includes(s), s);
  assert.equal(t.filter((s) => s.includes('best epoch')).length, 2, 'one label per run, in the legend only');
  // Overlaid runs show one validation IoU each, not the streaming and training IoUs.
  assert.ok(!t.includes('train IoU') && !t.includes('val IoU (streaming)'));
});

test('a run without IoU (a detector) gets the loss panel alone', async () => {
  const picture = await renderCurves({ name: 'centernet', rows: rows.map(({ epoch, loss, valLoss }) => ({ epoch, loss, valLoss })) });
  const t = texts(picture.svg);
  assert.ok(t.includes('loss per epoch') && !t.includes('IoU per epoch'));
  assert.equal((picture.spec as { hconcat: unknown[] }).hconcat.length, 1);
  // As wide as the two panels, so that a page shows it at the same scale.
  const both = await renderCurves({ name: 'run', rows });
  assert.ok(Math.abs(picture.width / both.width - 1) < 0.15, `${picture.width} vs ${both.width}`);
});

test('no epochs still draws empty panels', async () => {
  const picture = await renderCurves({ name: 'empty', rows: [] });
  assert.ok(decodePng(picture.png).width > 100);
  assert.ok(!texts(picture.svg).some((s) => s.startsWith('best epoch')));
});
