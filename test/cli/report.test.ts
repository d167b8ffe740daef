// recordflow report: the run page is one self-contained file (no network), shows the summary,
// the curves, the frames and a detection run's COCO table, and renders in a real headless
// Chromium (Debian's /usr/bin/chromium, which .ci/run installs).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { summaryRows } from '../../src/cli/report/build.js';
import { renderBoxesGrid } from '../../src/render/index.js';
import { colourFraction, decodePng } from '../render/helpers.js';
import { runInProcess } from './helpers.js';

const CHROMIUM = '/usr/bin/chromium';
const tmp = mkdtempSync(join(tmpdir(), 'recordflow-report-'));
after(() => { if (!process.env.KEEP_REPORT_TMP) rmSync(tmp, { recursive: true, force: true }); });

const STATS = [0.412, 0.803, 0.377, -1, 0.35, 0.5, 0.31, 0.52, 0.55, -1, 0.5, 0.6];

async function makeRun(dir: string): Promise<void> {
  mkdirSync(join(dir, 'model'), { recursive: true });
  const history = Array.from({ length: 6 }, (_, i) => ({ epoch: i + 1, loss: 0.1 / (i + 1), valLoss: 0.12 / (i + 1), iou: 0.1 * i, valIoU: 0.09 * i, validationIoU: [0.2, 0.35, 0.5, 0.48, 0.52, 0.51][i] }));
  const metrics = { run: dir, seed: 5, epochs: 6, bestEpoch: 5, backend: 'recordflow-fast', exhaustiveValidationIoU: 0.52, msPerStep: 12.5, history, coco: Object.fromEntries(['AP', 'AP50', 'AP75', 'APsmall', 'APmedium', 'APlarge', 'AR1', 'AR10', 'AR100', 'ARsmall', 'ARmedium', 'ARlarge'].map((n, i) => [n, STATS[i]])) };
  writeFileSync(join(dir, 'metrics.json'), JSON.stringify(metrics));
  const frames = Array.from({ length: 4 }, (_, f) => ({ pixels: Float32Array.from({ length: 768 }, (_, i) => ((i % 32) + f) % 9), width: 32, height: 24, caption: `#${f}` }));
  const boxes = frames.flatMap((_, f) => [
    { frame: f, box: [0.5, 0.5, 0.5, 0.6], color: '#e31a1c', series: 'ground truth' },
    { frame: f, box: [0.55, 0.5, 0.4, 0.5], color: '#1f5bff', series: 'prediction', label: '0.9' },
  ]);
  writeFileSync(join(dir, 'boxes.png'), (await renderBoxesGrid({ frames, boxes, columns: 4 })).png);
  writeFileSync(join(dir, 'detections.png'), (await renderBoxesGrid({ frames: frames.slice(0, 2), boxes: boxes.filter((b) => b.frame < 2), columns: 2 })).png);
}

function screenshot(html: string, png: string): Promise<void> {
  const profile = mkdtempSync(join(tmp, 'profile-'));
  const args = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', `--user-data-dir=${profile}`, `--screenshot=${png}`, '--window-size=1200,1600', pathToFileURL(html).href];
  return new Promise((resolve, reject) => {
    execFile(CHROMIUM, args, { timeout: 90_000 }, (err) => (err && !existsSync(png) ? reject(err) : resolve()));
  });
}

describe('report', () => {
  const run = join(tmp, 'runs', '2026-12-01T00-00-00Z');
  let html = '';

  before(async () => {
    await makeRun(run);
    const r = await runInProcess(['report', run]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), join(run, 'index.html'));
    html = readFileSync(join(run, 'index.html'), 'utf8');
  });

  test('the page is self-contained: pictures inline, no script, nothing fetched', () => {
    assert.equal((html.match(/src="data:image\/png;base64,/g) ?? []).length, 3, 'curves (drawn from the history), boxes and detections');
    for (const m of html.matchAll(/(?:src|href)="([^"]*)"/g)) assert.ok(!/^[a-z][a-z0-9+.-]*:\/\//i.test(m[1]!), `no URL with a scheme: ${m[1]!.slice(0, 60)}`);
    assert.ok(!/<script|<link|@import|url\(/i.test(html));
    for (const s of ['recordflow run 2026-12-01T00-00-00Z', 'exhaustive validation IoU 0.5200', 'best epoch', 'recordflow-fast', 'COCO bbox metrics', 'AP50', '0.803', 'IoU=0.50:0.95', 'Validation frames', 'Detections', 'model/']) {
      assert.ok(html.includes(s), s);
    }
  });

  test('headless Chromium renders it: header, tables, curves and boxes on screen', { skip: existsSync(CHROMIUM) ? false : `${CHROMIUM} is not installed (.ci/run installs it)` }, async () => {
    const png = join(tmp, 'page.png');
    await screenshot(join(run, 'index.html'), png);
    const shot = decodePng(readFileSync(png));
    assert.deepEqual([shot.width, shot.height], [1200, 1600]);
    const white = colourFraction(shot, [255, 255, 255], 6) + colourFraction(shot, [246, 247, 249], 6);
    assert.ok(white < 0.85, `the page is not blank: ${(100 * (1 - white)).toFixed(1)}% drawn`);
    assert.ok(colourFraction(shot, [0x1f, 0x3b, 0x6e], 10) > 0.02, 'the header band');
    assert.ok(colourFraction(shot, [0xe8, 0x71, 0x0a], 60) > 0.0002, 'orange training curves');
    assert.ok(colourFraction(shot, [0xe3, 0x1a, 0x1c], 60) > 0.0005, 'red ground-truth boxes');
  });

  test('report refuses a directory without metrics.json and a missing one', async () => {
    const empty = join(tmp, 'empty');
    mkdirSync(empty);
    const r = await runInProcess(['report', empty]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /no metrics\.json: not a run directory/);
    assert.equal((await runInProcess(['report', join(tmp, 'nowhere')])).code, 2);
  });
});

test("the summary labels a detector's fields and shows a small object as key-value pairs", () => {
  const rows = summaryRows({ task: 'centernet', plannedEpochs: 30, batch: 16, nTrain: 900, decode: { topK: 100, threshold: 0.05 }, history: [{ epoch: 1 }], extra: { a: [1, 2] } });
  assert.deepEqual(rows, [
    ['task', 'centernet'],
    ['planned epochs', '30'],
    ['batch size', '16'],
    ['training frames', '900'],
    ['decoding', 'topK 100, threshold 0.05'],
    ['extra', '{"a":[1,2]}'],
  ]);
});
