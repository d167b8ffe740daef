// recordflow curves: several runs' metrics.json overlaid in one picture, its spec beside it.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { decodePng } from '../render/helpers.js';
import { runInProcess } from './helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'recordflow-curves-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

function run(name: string, ious: number[], bestEpoch?: number): string {
  const dir = join(tmp, 'runs', name);
  mkdirSync(dir, { recursive: true });
  const history = ious.map((v, i) => ({ epoch: i + 1, loss: 0.1 / (i + 1), valLoss: 0.11 / (i + 1), iou: v + 0.05, valIoU: v - 0.02, validationIoU: v }));
  writeFileSync(join(dir, 'metrics.json'), JSON.stringify({ history, ...(bestEpoch ? { bestEpoch } : {}) }));
  return dir;
}

test('curves overlays runs: one colour per run, each best epoch labelled, PNG and SVG', async () => {
  const a = run('seed-0', [0.3, 0.5, 0.62, 0.6]);
  const b = run('seed-1', [0.25, 0.45, 0.55, 0.58, 0.57], 4);
  const png = join(tmp, 'compare.png');
  const r = await runInProcess(['curves', a, b, '--out', png, '--json']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), {
    out: png,
    spec: join(tmp, 'compare.vl.json'),
    runs: [
      { name: 'seed-0', epochs: 4, bestEpoch: null },
      { name: 'seed-1', epochs: 5, bestEpoch: 4 },
    ],
  });
  const image = decodePng(readFileSync(png));
  assert.ok(image.width > 1000 && image.height > 400);
  const spec = JSON.parse(readFileSync(join(tmp, 'compare.vl.json'), 'utf8'));
  assert.equal(spec.hconcat.length, 2);

  const svg = join(tmp, 'compare.svg');
  assert.equal((await runInProcess(['curves', a, b, '--out', svg, '--title', 'Seeds 0 and 1'])).code, 0);
  const text = [...readFileSync(svg, 'utf8').matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
  for (const s of ['Seeds 0 and 1', 'seed-0: best epoch 3: IoU 0.6200', 'seed-1: best epoch 4: IoU 0.5800', 'validation', 'train']) assert.ok(text.includes(s), s);
});

test('curves refuses a directory without metrics.json and needs --out', async () => {
  const r = await runInProcess(['curves', tmp, '--out', join(tmp, 'x.png')]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /no metrics\.json: not a run directory/);
  assert.equal((await runInProcess(['curves', tmp])).code, 2);
  // Only PNG or SVG: another name would get PNG bytes it does not announce.
  const jpg = await runInProcess(['curves', run('seed-2', [0.1, 0.2]), '--out', join(tmp, 'x.jpg')]);
  assert.equal(jpg.code, 2);
  assert.match(jpg.stderr, /x\.jpg: the picture's name must end in \.png or \.svg/);
  assert.ok(!existsSync(join(tmp, 'x.jpg')) && !existsSync(join(tmp, 'x.jpg.vl.json')));
});
