// The detector commands end to end at a tiny scale: train --task centernet and --task cornernet
// (model, metrics.json with the COCO stats, tfevents, the same seed giving the same weights),
// detect on either kind of model (COCO results and its decode flags), and bad inputs: models and
// data of the other task, unknown tasks, localization-only flags (exit 2, one line).
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runInProcess } from '../cli/helpers.js';
import { createBackbone, saveModel } from '../../src/train/index.js';

const tmp = mkdtempSync(join(tmpdir(), 'recordflow-detect-cli-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

describe('train --task centernet|cornernet and detect', () => {
  const data = join(tmp, 'data');
  const prep = join(tmp, 'prep');
  const model = join(tmp, 'model');
  const corner = join(tmp, 'corner-model');
  const train = ['train', '--task', 'centernet', '--data', prep, '--epochs', '1', '--batch', '8', '--seed', '5'];
  const trained: Record<string, { stdout: string }> = {};

  before(async () => {
    assert.equal((await runInProcess(['synth', '--out', data, '--seed', '1', '--scale', '0.05'])).code, 0);
    assert.equal((await runInProcess(['prepare', '--task', 'detect', '--npz', data, '--out', prep])).code, 0);
    for (const [task, out] of [['centernet', model], ['cornernet', corner]] as const) {
      const r = await runInProcess(['train', '--task', task, '--data', prep, '--epochs', '1', '--batch', '8', '--seed', '5', '--out', out, '--json']);
      assert.equal(r.code, 0, r.stderr);
      trained[task] = r;
    }
  });

  for (const [task, dir] of [['centernet', model], ['cornernet', corner]] as const) {
    test(`train --task ${task} writes the model, metrics.json with the 12 COCO stats and a tfevents file`, () => {
      for (const f of ['model.json', 'weights.bin', 'metrics.json']) assert.ok(existsSync(join(dir, f)), f);
      assert.ok(readdirSync(dir).some((n) => n.startsWith('events.out.tfevents.')));
      const m = JSON.parse(readFileSync(join(dir, 'metrics.json'), 'utf8'));
      assert.equal(m.task, task);
      assert.equal(m.epochs, 1);
      assert.equal(m.coco.stats.length, 12);
      assert.equal(m.coco.stats[0], m.coco.AP);
      assert.equal(m.coco.stats[1], m.coco.AP50);
      assert.ok(m.coco.stats.every((v: number) => v === -1 || (v >= 0 && v <= 1)));
      assert.equal(m.history.length, 1);
      assert.ok(Number.isFinite(m.history[0].loss));
      const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
      assert.equal(json.userDefinedMetadata.recordflow.task, task);
      const printed = JSON.parse(trained[task]!.stdout);
      assert.equal(printed.task, task);
      assert.deepEqual(printed.coco, m.coco);
    });
  }

  test('train --task cornernet logs its loss terms per epoch', () => {
    const m = JSON.parse(readFileSync(join(corner, 'metrics.json'), 'utf8'));
    for (const term of ['focal', 'pull', 'push', 'offset']) assert.ok(Number.isFinite(m.history[0][term]), term);
  });

  test('detect runs a cornernet model: its COCO results score as train scored them', async () => {
    const out = join(tmp, 'corner-dets.json');
    const r = await runInProcess(['detect', '--data', prep, '--model', corner, '--out', out, '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).task, 'cornernet');
    const dets = JSON.parse(readFileSync(out, 'utf8')) as { image_id: number; bbox: number[]; score: number }[];
    for (const d of dets) assert.ok(d.bbox[2]! > 0 && d.bbox[3]! > 0 && d.score >= 0 && d.score <= 1);
    const scored = await runInProcess(['coco-eval', join(prep, 'det_val_coco.json'), out, '--json']);
    assert.equal(scored.code, 0, scored.stderr);
    const m = JSON.parse(readFileSync(join(corner, 'metrics.json'), 'utf8'));
    assert.deepEqual(JSON.parse(scored.stdout).stats, m.coco.stats);
    const high = join(tmp, 'corner-high.json');
    assert.equal((await runInProcess(['detect', '--data', prep, '--model', corner, '--out', high, '--threshold', '0.3', '--top-k', '3', '--task', 'cornernet'])).code, 0);
    const kept = JSON.parse(readFileSync(high, 'utf8')) as { image_id: number; score: number }[];
    assert.ok(kept.every((d) => d.score >= 0.3));
    const rank = new Map<number, number>();
    const firstThree = dets.filter((d) => {
      const r = rank.get(d.image_id) ?? 0;
      rank.set(d.image_id, r + 1);
      return r < 3;
    });
    assert.deepEqual(kept, firstThree.filter((d) => d.score >= 0.3));
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
    const unknown = join(tmp, 'unknown-task');
    cpSync(model, unknown, { recursive: true });
    const json = JSON.parse(readFileSync(join(unknown, 'model.json'), 'utf8'));
    json.userDefinedMetadata.recordflow.task = 'yolo';
    writeFileSync(join(unknown, 'model.json'), JSON.stringify(json));
    const cases: [string[], RegExp][] = [
      [['detect', '--data', prep, '--model', loc, '--out', join(tmp, 'x.json')], /loc-model\/model\.json: not a detector model/],
      [['eval', '--data', locData, '--model', model], /model\/model\.json: not a localization model/],
      [['detect', '--data', locData, '--model', model, '--out', join(tmp, 'x.json')], /loc-prep\/det_val\.tfr: no such file or directory \(run `recordflow prepare --task detect` first\)/],
      [['train', '--task', 'centernet', '--data', locData, '--out', out], /loc-prep\/det_train\.tfr: no such file or directory \(run `recordflow prepare --task detect` first\)/],
      [['detect', '--data', prep, '--model', corner, '--out', join(tmp, 'x.json'), '--task', 'centernet'], /corner-model\/model\.json: a cornernet model, expected a centernet model/],
      [['detect', '--data', prep, '--model', model, '--out', join(tmp, 'x.json'), '--task', 'cornernet'], /model\/model\.json: a centernet model, expected a cornernet model/],
      [['eval', '--data', locData, '--model', corner], /corner-model\/model\.json: not a localization model/],
      [['detect', '--data', prep, '--model', unknown, '--out', join(tmp, 'x.json')], /unknown-task\/model\.json: records the detector task "yolo"/],
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
