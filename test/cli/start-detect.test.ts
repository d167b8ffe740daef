// recordflow start --task detect at a tiny scale: synth → prepare → CenterNet and CornerNet →
// detect → coco-eval; the printed table, the run directory's files and pictures, the report page
// with both detectors' COCO columns, and `report` rebuilding it.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { detectTable } from '../../src/cli/commands/start-detect.js';
import { checkPng, runInProcess } from './helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'recordflow-start-detect-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

describe('start --task detect', () => {
  const runs = join(tmp, 'runs');
  let stdout = '';
  let dir = '';

  before(async () => {
    const r = await runInProcess(['start', '--task', 'detect', '--runs', runs, '--scale', '0.05', '--epochs', '1', '--batch', '8', '--seed', '2']);
    assert.equal(r.code, 0, r.stderr);
    stdout = r.stdout;
    assert.equal(readdirSync(runs).length, 1, 'one run, no partial directory');
    dir = join(runs, readdirSync(runs)[0]!);
  });

  test('prints one row per detector with its COCO numbers, as metrics.json holds them', () => {
    const lines = stdout.trim().split('\n');
    assert.equal(lines.length, 3);
    assert.match(lines[0]!, /^detector\s+AP\s+AP50\s+AP75\s+AR1\s+AR10\s+AR100\s+epochs\s+train s\s+ms\/step$/);
    const m = JSON.parse(readFileSync(join(dir, 'metrics.json'), 'utf8'));
    assert.equal(m.task, 'detect');
    for (const [i, task] of ['centernet', 'cornernet'].entries()) {
      const cells = lines[i + 1]!.split(/\s+/);
      assert.equal(cells[0], task);
      const d = m.detectors[task];
      assert.equal(d.stats.length, 12);
      assert.deepEqual(cells.slice(1, 7), [0, 1, 2, 6, 7, 8].map((k) => (d.stats[k] < 0 ? 'n/a' : d.stats[k].toFixed(4))));
      assert.equal(cells[7], '1');
      assert.equal(d.AP, d.stats[0]);
      // What start prints is the training run's own evaluation, recomputed from the written files.
      const trained = JSON.parse(readFileSync(join(dir, task, 'metrics.json'), 'utf8'));
      assert.deepEqual(trained.coco.stats, d.stats);
    }
  });

  test('the run directory holds the pictures with their specs, the models and the detections', () => {
    const files = ['metrics.json', 'index.html', 'detections.png', 'detections.vl.json', 'heatmaps.png', 'heatmaps.vl.json', 'prepared/det_val_coco.json', 'prepared/det_split.json'];
    for (const task of ['centernet', 'cornernet']) files.push(`${task}/model.json`, `${task}/weights.bin`, `${task}/detections.json`, `${task}/metrics.json`);
    for (const f of files) assert.ok(existsSync(join(dir, f)), f);
    const detections = checkPng(readFileSync(join(dir, 'detections.png')));
    const heatmaps = checkPng(readFileSync(join(dir, 'heatmaps.png')));
    assert.ok(detections.width > 500 && heatmaps.width > 500);
    const spec = readFileSync(join(dir, 'detections.vl.json'), 'utf8');
    for (const s of ['ground truth', 'centernet', 'cornernet']) assert.ok(spec.includes(s), s);
    const heat = readFileSync(join(dir, 'heatmaps.vl.json'), 'utf8');
    for (const s of ['centre heatmap', 'corner heatmaps']) assert.ok(heat.includes(s), s);
  });

  test('index.html shows both detectors in the COCO table and the detection pictures; report rebuilds it', async () => {
    const m = JSON.parse(readFileSync(join(dir, 'metrics.json'), 'utf8'));
    const check = (html: string) => {
      assert.ok(/<th>metric<\/th><th>pycocotools<\/th><th>centernet<\/th><th>cornernet<\/th>/.test(html), 'one COCO column per detector');
      for (const s of ['Detections: ground truth red', 'heatmaps', `centernet AP ${m.detectors.centernet.AP.toFixed(3)}`, `cornernet AP ${m.detectors.cornernet.AP.toFixed(3)}`, 'IoU=0.50:0.95']) assert.ok(html.includes(s), s);
      assert.equal((html.match(/src="data:image\/png;base64,/g) ?? []).length, 2);
    };
    const first = readFileSync(join(dir, 'index.html'), 'utf8');
    check(first);
    rmSync(join(dir, 'index.html'));
    const r = await runInProcess(['report', dir]);
    assert.equal(r.code, 0, r.stderr);
    const rebuilt = readFileSync(join(dir, 'index.html'), 'utf8');
    check(rebuilt);
    assert.equal(rebuilt.replace(/recordflow run [^<]*/g, ''), first.replace(/recordflow run [^<]*/g, ''));
  });
});

test('detectTable marks the detectors the budget stopped', () => {
  const stats = (ap: number) => [ap, 0.98, 0.7, ap, -1, -1, 0.4, 0.66, 0.67, 0.67, -1, -1];
  const lines = detectTable([
    { task: 'centernet', stats: stats(0.61234), epochs: 20, trainSeconds: 301.4, msPerStep: 95.25, stoppedBy: 'time-budget' },
    { task: 'cornernet', stats: stats(0.5), epochs: 30, trainSeconds: 400, msPerStep: 120, stoppedBy: 'epochs' },
  ]);
  assert.deepEqual(lines, [
    'detector       AP    AP50    AP75     AR1    AR10   AR100  epochs  train s  ms/step',
    'centernet  0.6123  0.9800  0.7000  0.4000  0.6600  0.6700     20*      301     95.3',
    'cornernet  0.5000  0.9800  0.7000  0.4000  0.6600  0.6700      30      400    120.0',
    '* stopped by the time budget',
  ]);
});
