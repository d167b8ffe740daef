// The detector commands end to end at a tiny scale: train --task centernet (model, metrics.json
// with the COCO stats, tfevents, the same seed giving the same weights), detect (COCO results and
// its decode flags), and bad inputs: models and data of the other task, unknown or unbuilt
// tasks, localization-only flags (exit 2, one line).
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runInProcess } from '../cli/helpers.js';
import { createBackbone, saveModel } from '../../src/train/index.js';

const tmp = mkdtempSync(join(tmpdir(), 'recordflow-detect-cli-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

describe('train --task centernet and detect', () => {
  const data = join(tmp, 'data');
  const prep = join(tmp, 'prep');
  const model = join(tmp, 'model');
  const train = ['train', '--task', 'centernet', '--data', prep, '--epochs', '1', '--batch', '8', '--seed', '5'];

  before(async () => {
    assert.equal((await runInProcess(['synth', '--out', data, '--seed', '1', '--scale', '0.05'])).code, 0);
    assert.equal((await runInProcess(['prepare', '--task', 'detect', '--npz', data, '--out', prep])).code, 0);
    const r = await runInProcess([...train, '--out', model, '--json']);
    assert.equal(r.code, 0, r.stderr);
  });

  test('train writes the model, metrics.json with the 12 COCO stats and a tfevents file', () => {
    for (const f of ['model.json', 'weights.bin', 'metrics.json']) assert.ok(existsSync(join(model, f)), f);
    assert.ok(readdirSync(model).some((n) => n.startsWith('events.out.tfevents.')));
    const m = JSON.parse(readFileSync(join(model, 'metrics.json'), 'utf8'));
    assert.equal(m.task, 'centernet');
    assert.equal(m.epochs, 1);
    assert.equal(m.coco.stats.length, 12);
    assert.equal(m.coco.stats[0], m.coco.AP);
    assert.equal(m.coco.stats[1], m.coco.AP50);
    assert.ok(m.coco.stats.every((v: number) => v === -1 || (v >= 0 && v <= 1)));
    assert.equal(m.history.length, 1);
    const json = JSON.parse(readFileSync(join(model, 'model.json'), 'utf8'));
    assert.equal(json.userDefinedMetadata.recordflow.task, 'centernet');
  });

  test('the same seed trains the same weights', async () => {
    const again = join(tmp, 'again');
    const r = await runInProcess([...train, '--out', again]);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(readFileSync(join(again, 'weights.bin')).equals(readFileSync(join(model, 'weights.bin'))));
    const [a, b] = [model, again].map((d) => JSON.parse(readFileSync(join(d, 'metrics.json'), 'utf8')));
    assert.deepEqual(a.coco, b.coco);
    assert.deepEqual(a.history.map((h: { loss: number }) => h.loss), b.history.map((h: { loss: number }) => h.loss));
  });

  test('detect writes COCO results for det_val.tfr; --top-k and --threshold cut them', async () => {
    const gt = JSON.parse(readFileSync(join(prep, 'det_val_coco.json'), 'utf8'));
    const n = gt.images.length;
    const run = async (extra: string[]) => {
      const out = join(tmp, `dets-${extra.join('')}.json`);
      const r = await runInProcess(['detect', '--data', prep, '--model', model, '--out', out, ...extra]);
      assert.equal(r.code, 0, r.stderr);
      return JSON.parse(readFileSync(out, 'utf8')) as { image_id: number; category_id: number; bbox: number[]; score: number }[];
    };
    const all = await run([]);
    assert.ok(all.length > 0 && all.length <= 100 * n);
    for (const d of all) {
      assert.ok(Number.isInteger(d.image_id) && d.image_id >= 1 && d.image_id <= n);
      assert.equal(d.category_id, 1);
      assert.ok(d.bbox.length === 4 && d.bbox[2]! >= 0 && d.bbox[3]! >= 0 && d.bbox.every(Number.isFinite));
    }
    const perImage = (list: { image_id: number }[]) => Math.max(...[...new Set(list.map((d) => d.image_id))].map((id) => list.filter((d) => d.image_id === id).length));
    assert.ok(perImage(await run(['--top-k', '2'])) <= 2);
    const high = await run(['--threshold', '0.2']);
    assert.ok(high.every((d) => d.score >= Math.fround(0.2) - 1e-9) && high.length < all.length);
  });

  test('bad inputs exit 2 with one line naming the problem', async () => {
    const loc = join(tmp, 'loc-model');
    const backbone = createBackbone({ seed: 1 });
    await saveModel(backbone, loc);
    backbone.dispose();
    const locData = join(tmp, 'loc-prep');
    assert.equal((await runInProcess(['prepare', '--npz', data, '--out', locData])).code, 0);
    const out = join(tmp, 'nothing');
    const cases: [string[], RegExp][] = [
      [['detect', '--data', prep, '--model', loc, '--out', join(tmp, 'x.json')], /loc-model: not a detector model/],
      [['eval', '--data', locData, '--model', model], /model: not a localization model/],
      [['detect', '--data', locData, '--model', model, '--out', join(tmp, 'x.json')], /loc-prep: no det_val\.tfr here/],
      [['train', '--task', 'centernet', '--data', locData, '--out', out], /loc-prep: no det_train\.tfr here/],
      [['train', '--task', 'cornernet', '--data', prep, '--out', out], /cornernet detector is not built yet/],
      [['train', '--task', 'yolo', '--data', prep, '--out', out], /--task must be one of centernet, cornernet/],
      [['train', '--task', 'centernet', '--data', prep, '--out', out, '--anneal'], /--anneal applies to the localization study/],
      [['detect', '--data', prep, '--model', model, '--out', join(tmp, 'x.json'), '--threshold', '2'], /--threshold must be between 0 and 1/],
    ];
    for (const [args, pattern] of cases) {
      const r = await runInProcess(args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      const lines = r.stderr.split('\n').filter((l) => l.startsWith('recordflow'));
      assert.equal(lines.length, 1, r.stderr);
      assert.match(lines[0]!, pattern);
    }
    assert.ok(!existsSync(out), 'a failed train leaves no output directory');
    assert.ok(!existsSync(join(tmp, 'x.json')));
  });
});
