// recordflow coco-eval, run as a user runs it, on golden cases scored by pycocotools: its
// summary lines byte for byte, --json, and one-line refusals (exit 2) of bad files.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, test } from 'node:test';
import { errorLines, runCli, runInProcess } from './helpers.js';

const CASES = fileURLToPath(new URL('../../golden/coco/cases/', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'recordflow-coco-eval-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

interface GoldenCase {
  groundTruth: { images: { id: number }[]; annotations: unknown[]; categories: unknown[] };
  detections: { image_id: number | string; bbox: number[] }[];
  expected: { stats: number[]; summary: string[] };
}

function files(name: string): { gt: string; dt: string; c: GoldenCase } {
  const c = JSON.parse(readFileSync(join(CASES, `${name}.json`), 'utf8')) as GoldenCase;
  const gt = join(tmp, `${name}-gt.json`);
  const dt = join(tmp, `${name}-dets.json`);
  writeFileSync(gt, JSON.stringify(c.groundTruth));
  writeFileSync(dt, JSON.stringify(c.detections));
  return { gt, dt, c };
}

describe('recordflow coco-eval', () => {
  test("prints pycocotools' 12 summary lines exactly (spawned)", async () => {
    const { gt, dt, c } = files('basic');
    const r = await runCli(['coco-eval', gt, dt]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.stdout.trimEnd().split('\n'), c.expected.summary);
  });

  for (const name of ['crowd', 'empty', 'exact-iou', 'random-16']) {
    test(`${name}: the same lines as pycocotools`, async () => {
      const { gt, dt, c } = files(name);
      const r = await runInProcess(['coco-eval', gt, dt]);
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(r.stdout.trimEnd().split('\n'), c.expected.summary);
    });
  }

  test('--json: the stats and their names', async () => {
    const { gt, dt, c } = files('score-ties');
    const r = await runInProcess(['coco-eval', gt, dt, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as Record<string, number> & { stats: number[] };
    assert.equal(out.stats.length, 12);
    out.stats.forEach((v, i) => assert.ok(Math.abs(v - c.expected.stats[i]!) <= 1e-9, `stats[${i}]`));
    assert.deepEqual(Object.keys(out), ['stats', 'AP', 'AP50', 'AP75', 'APsmall', 'APmedium', 'APlarge', 'AR1', 'AR10', 'AR100', 'ARsmall', 'ARmedium', 'ARlarge']);
    assert.equal(out['AP75'], out.stats[2]);
    assert.equal(out['ARlarge'], out.stats[11]);
  });

  describe('bad input: exit 2, one line naming the file', () => {
    const { gt, dt, c } = files('basic');
    const bad = (name: string, text: string) => {
      const path = join(tmp, name);
      writeFileSync(path, text);
      return path;
    };
    const refuses = async (args: string[], pattern: RegExp) => {
      const r = await runInProcess(['coco-eval', ...args]);
      assert.equal(r.code, 2, r.stdout);
      assert.equal(r.stdout, '');
      const lines = errorLines(r.stderr);
      assert.equal(lines.length, 1, r.stderr);
      assert.match(lines[0]!, pattern);
    };

    test('a dataset without images or annotations', async () => {
      const noImages = bad('no-images.json', JSON.stringify({ annotations: [], categories: [] }));
      await refuses([noImages, dt], /^recordflow coco-eval: .*no-images\.json: not a COCO dataset: no "images" array$/);
      const noAnns = bad('no-anns.json', JSON.stringify({ images: [], categories: [] }));
      await refuses([noAnns, dt], /no-anns\.json: not a COCO dataset: no "annotations" array$/);
    });

    test('a detection on an unknown image names the entry', async () => {
      const dets = c.detections.map((d, i) => (i === 3 ? { ...d, image_id: 123456 } : d));
      await refuses([gt, bad('unknown-image.json', JSON.stringify(dets))], /unknown-image\.json: entry 3: image_id 123456 is not an image of the ground truth$/);
    });

    test('negative and non-finite boxes name the entry', async () => {
      const neg = c.detections.map((d, i) => (i === 5 ? { ...d, bbox: [1, 2, -3, 4] } : d));
      await refuses([gt, bad('negative.json', JSON.stringify(neg))], /negative\.json: entry 5: bbox has a negative width or height/);
      // JSON has no NaN or Infinity: a huge exponent is how Infinity reaches a file.
      await refuses([gt, bad('infinite.json', '[{"image_id":' + c.groundTruth.images[0]!.id + ',"category_id":1,"bbox":[0,0,1e999,1],"score":1}]')], /infinite\.json: entry 0: bbox has a non-finite value/);
      const badGt = { ...c.groundTruth, annotations: c.groundTruth.annotations.map((a, i) => (i === 2 ? { ...(a as object), bbox: [0, 0, 5, -1] } : a)) };
      await refuses([bad('bad-gt.json', JSON.stringify(badGt)), dt], /bad-gt\.json: annotations\[2\]: bbox has a negative width or height/);
    });

    test('results that are not an array, JSON that does not parse, a missing file', async () => {
      await refuses([gt, bad('object.json', '{"image_id": 1}')], /object\.json: COCO results must be a JSON array/);
      await refuses([gt, bad('broken.json', '[{"image_id": 1,')], /broken\.json: not valid JSON/);
      await refuses([join(tmp, 'missing.json'), dt], /missing\.json: no such file or directory$/);
    });
  });
});
