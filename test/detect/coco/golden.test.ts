// cocoEvaluate against pycocotools: every case in golden/coco/cases was scored by the real
// COCOeval(gt, dt, 'bbox') (see golden/coco/README.md); every stat, summary line and, where the
// case carries them, every precision/recall/scores cell must agree to 1e-9.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { cocoDefaultParams, cocoEvaluate, cocoSummaryLines, type CocoDataset, type CocoDetection, type CocoParams } from '../../../src/detect/coco/index.js';

const DIR = fileURLToPath(new URL('../../../golden/coco/', import.meta.url));

interface GoldenCase {
  name: string;
  about: string;
  params: CocoParams;
  groundTruth: CocoDataset;
  detections: CocoDetection[];
  expected: { stats: number[]; summary: string[]; counts?: number[]; precision?: number[]; recall?: number[]; scores?: number[] };
}

function close(actual: ArrayLike<number>, expected: readonly number[], what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (!(Math.abs(a - e) <= 1e-9)) assert.fail(`${what}[${i}]: ${a} !== pycocotools' ${e}`);
  }
}

const files = readdirSync(DIR + 'cases').filter((f) => f.endsWith('.json')).sort();

describe('cocoEvaluate matches pycocotools', () => {
  test('the golden set is there', () => assert.ok(files.length >= 30, `${files.length} cases`));

  test('default thresholds are numpy linspace bit for bit', () => {
    const golden = JSON.parse(readFileSync(DIR + 'default-params.json', 'utf8')) as { iouThrs: number[]; recThrs: number[]; maxDets: number[]; areaRng: number[][]; areaRngLbl: string[] };
    const p = cocoDefaultParams();
    assert.deepEqual(p.iouThrs, golden.iouThrs);
    assert.equal(p.iouThrs[8], 0.8999999999999999);
    assert.deepEqual(p.recThrs, golden.recThrs);
    assert.deepEqual(p.maxDets, golden.maxDets);
    assert.deepEqual(p.areaRng, golden.areaRng);
    assert.deepEqual(p.areaRngLbl, golden.areaRngLbl);
  });

  for (const file of files) {
    test(file.replace(/\.json$/, ''), () => {
      const c = JSON.parse(readFileSync(DIR + 'cases/' + file, 'utf8')) as GoldenCase;
      const r = cocoEvaluate(c.groundTruth, c.detections, c.params);
      close(r.stats, c.expected.stats, 'stats');
      assert.deepEqual(cocoSummaryLines(r.stats, r.params), c.expected.summary);
      if (c.expected.counts) assert.deepEqual(r.counts, c.expected.counts);
      if (c.expected.precision) close(r.precision, c.expected.precision, 'precision');
      if (c.expected.recall) close(r.recall, c.expected.recall, 'recall');
      if (c.expected.scores) close(r.scores, c.expected.scores, 'scores');
    });
  }
});
