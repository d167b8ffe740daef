// Hand-made cases whose answers can be reasoned out, and the refusals of bad input.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { InputError } from '../../../src/core/errors.js';
import {
  cocoEvaluate,
  cocoGroundTruthFromJson,
  cocoResultsFromJson,
  cocoSummaryLines,
  linspace,
  type CocoAnnotation,
  type CocoDataset,
  type CocoDetection,
} from '../../../src/detect/coco/index.js';

let nextId = 1;
function ann(image_id: number, bbox: number[], extra: Partial<CocoAnnotation> = {}): CocoAnnotation {
  return { id: nextId++, image_id, category_id: 1, bbox, area: bbox[2]! * bbox[3]!, iscrowd: 0, ...extra };
}
function det(image_id: number, bbox: number[], score: number, category_id = 1): CocoDetection {
  return { image_id, category_id, bbox, score };
}
function dataset(annotations: CocoAnnotation[], images = [1], categories = [1]): CocoDataset {
  return { images: images.map((id) => ({ id })), annotations, categories: categories.map((id) => ({ id })) };
}
const near = (a: number, b: number) => Math.abs(a - b) < 1e-12;

describe('cocoEvaluate: cases with a known answer', () => {
  test('one perfect detection scores AP 1; areas without objects are -1', () => {
    const r = cocoEvaluate(dataset([ann(1, [10, 10, 20, 30])]), [det(1, [10, 10, 20, 30], 0.9)]);
    // 600 px² is small: small is defined, medium and large have no objects.
    for (const v of [r.AP, r.AP50, r.AP75, r.APsmall, r.AR1, r.AR10, r.AR100, r.ARsmall]) assert.ok(near(v, 1), String(v));
    assert.equal(r.APmedium, -1);
    assert.equal(r.ARlarge, -1);
    assert.deepEqual(r.stats.slice(4, 6), [-1, -1]);
    assert.deepEqual(r.counts, [10, 101, 1, 4, 3]);
    assert.equal(r.scores[0], 0.9);
  });

  test('a crowd region absorbs many detections, which are then neither right nor wrong', () => {
    const objects = [ann(1, [0, 0, 10, 10]), ann(1, [100, 100, 200, 200], { iscrowd: 1 })];
    // Five boxes inside the crowd region (intersection over their own area is 1), scored above
    // the true detection.
    const inside = [0, 1, 2, 3, 4].map((j) => det(1, [110 + 30 * j, 120, 20, 20], 0.9 - 0.01 * j));
    const dets = [...inside, det(1, [0, 0, 10, 10], 0.5)];
    const crowd = cocoEvaluate(dataset(objects), dets);
    assert.ok(near(crowd.AP, 1));
    // The same region as an ordinary object: at most one of them matches, the rest are false
    // positives ranked above the true one.
    const plain = cocoEvaluate(dataset([ann(1, [0, 0, 10, 10]), ann(1, [100, 100, 200, 200])]), dets);
    assert.ok(plain.AP50 < 0.5, String(plain.AP50));
  });

  test('a category without ground truth is a -1 cell, left out of the means', () => {
    const r = cocoEvaluate(dataset([ann(1, [0, 0, 10, 10])], [1], [1, 2]), [det(1, [0, 0, 10, 10], 0.8), det(1, [50, 50, 10, 10], 0.9, 2)]);
    const [T, R, K, A, M] = r.counts;
    assert.equal(K, 2);
    const at = (t: number, rr: number, k: number, a: number, m: number) => r.precision[(((t * R + rr) * K + k) * A + a) * M + m]!;
    assert.equal(at(0, 0, 1, 0, 2), -1);
    assert.ok(near(at(0, 0, 0, 0, 2), 1));
    assert.equal(r.recall[((0 * K + 1) * A + 0) * M + 2], -1);
    assert.ok(near(r.AP, 1));
    assert.equal(T, 10);
  });

  test('IoU exactly at a threshold counts (>=)', () => {
    // Inside a 100x10 box, a 50x10 box has IoU 0.5 exactly and a 75x10 box 0.75.
    const half = cocoEvaluate(dataset([ann(1, [0, 0, 100, 10])]), [det(1, [0, 0, 50, 10], 1)]);
    assert.ok(near(half.AP50, 1));
    assert.equal(half.AP75, 0);
    const three = cocoEvaluate(dataset([ann(1, [0, 0, 100, 10])]), [det(1, [0, 0, 75, 10], 1)]);
    assert.ok(near(three.AP75, 1));
  });

  test('no detections: AP and AR are 0 where objects exist (pycocotools cannot load an empty list)', () => {
    const r = cocoEvaluate(dataset([ann(1, [0, 0, 10, 10])]), []);
    assert.equal(r.AP, 0);
    assert.equal(r.AR100, 0);
    assert.equal(r.APlarge, -1);
  });

  test('no ground truth: every stat is -1', () => {
    const r = cocoEvaluate(dataset([]), [det(1, [0, 0, 5, 5], 0.3)]);
    assert.deepEqual(r.stats, new Array(12).fill(-1));
    assert.ok(r.precision.every((v) => v === -1));
  });

  test('useCats off pools categories, so a box of the wrong class still matches', () => {
    const gt = dataset([ann(1, [0, 0, 10, 10])], [1], [1, 2]);
    const dets = [det(1, [0, 0, 10, 10], 0.9, 2)];
    assert.equal(cocoEvaluate(gt, dets).AP, 0);
    const pooled = cocoEvaluate(gt, dets, { useCats: false });
    assert.ok(near(pooled.AP, 1));
    assert.equal(pooled.counts[2], 1);
  });

  test('the per-image maxDets cut: only the best 100 per image and category count', () => {
    // 100 misses scored above the one hit push it out of the 100 kept.
    const dets = Array.from({ length: 100 }, (_, j) => det(1, [500 + j, 500, 5, 5], 0.9));
    const r = cocoEvaluate(dataset([ann(1, [0, 0, 10, 10])]), [...dets, det(1, [0, 0, 10, 10], 0.5)]);
    assert.equal(r.AR100, 0);
    const more = cocoEvaluate(dataset([ann(1, [0, 0, 10, 10])]), [...dets, det(1, [0, 0, 10, 10], 0.5)], { maxDets: [1, 10, 101] });
    assert.ok(near(more.stats[8]!, 1));
    assert.equal(more.AP, -1); // stats[0] reads maxDets 100, which is no longer there
  });

  test('linspace reproduces numpy, including the 9th IoU threshold', () => {
    assert.equal(linspace(0.5, 0.95, 10)[8], 0.8999999999999999);
    assert.equal(linspace(0, 1, 101)[35], 0.35000000000000003);
    assert.deepEqual(linspace(2, 3, 1), [2]);
    assert.deepEqual(linspace(2, 3, 0), []);
  });

  test('summary lines follow pycocotools, ties rounding to even', () => {
    const stats = [0.0625, 0.1875, -1, 1, 0, 0.5, 0.123456, 0.9999, 0.9995, 0.3125, 0.6875, 0.9375];
    const lines = cocoSummaryLines(stats, { iouThrs: linspace(0.5, 0.95, 10), maxDets: [1, 10, 100] });
    assert.equal(lines[0], ' Average Precision  (AP) @[ IoU=0.50:0.95 | area=   all | maxDets=100 ] = 0.062');
    assert.equal(lines[1], ' Average Precision  (AP) @[ IoU=0.50      | area=   all | maxDets=100 ] = 0.188');
    assert.equal(lines[2], ' Average Precision  (AP) @[ IoU=0.75      | area=   all | maxDets=100 ] = -1.000');
    assert.equal(lines[6], ' Average Recall     (AR) @[ IoU=0.50:0.95 | area=   all | maxDets=  1 ] = 0.123');
    assert.equal(lines[9], ' Average Recall     (AR) @[ IoU=0.50:0.95 | area= small | maxDets=100 ] = 0.312');
    assert.deepEqual(lines.slice(10).map((l) => l.slice(-5)), ['0.688', '0.938']);
    assert.equal(lines.length, 12);
  });
});

describe('cocoEvaluate: bad input', () => {
  const gt = dataset([ann(1, [0, 0, 10, 10])]);
  const refuses = (fn: () => unknown, pattern: RegExp) => assert.throws(fn, (err: unknown) => err instanceof InputError && pattern.test(err.message));

  test('a dataset without images or annotations names the file', () => {
    refuses(() => cocoEvaluate({ annotations: [], categories: [] } as unknown as CocoDataset, [], undefined, { groundTruth: 'gt.json' }), /^gt\.json: .*no "images"/);
    refuses(() => cocoGroundTruthFromJson('{"images":[],"categories":[]}', 'gt.json'), /^gt\.json: .*no "annotations"/);
    refuses(() => cocoGroundTruthFromJson('[1]', 'gt.json'), /^gt\.json: /);
  });

  test('a detection on an image the ground truth lacks names the file and the entry', () => {
    refuses(() => cocoEvaluate(gt, [det(1, [0, 0, 1, 1], 0.5), det(7, [0, 0, 1, 1], 0.5)], undefined, { detections: 'dets.json' }), /^dets\.json: entry 1: image_id 7 is not an image/);
    refuses(() => cocoEvaluate(gt, [det(7, [0, 0, 1, 1], 0.5)]), /^detections: entry 0: /);
  });

  test('non-finite and negative boxes are refused, in results and in ground truth', () => {
    for (const bbox of [[0, 0, -1, 5], [0, 0, 5, -0.5], [NaN, 0, 1, 1], [0, 0, Infinity, 1], [0, 0, 1], ['0', 0, 1, 1]]) {
      refuses(() => cocoEvaluate(gt, [det(1, [0, 0, 1, 1], 0.5), det(1, bbox as number[], 0.5)], undefined, { detections: 'd.json' }), /^d\.json: entry 1: bbox/);
      refuses(() => cocoEvaluate(dataset([ann(1, [0, 0, 1, 1]), { ...ann(1, [0, 0, 1, 1]), bbox: bbox as number[] }]), [], undefined, { groundTruth: 'g.json' }), /^g\.json: annotations\[1\]: bbox/);
    }
    refuses(() => cocoEvaluate(gt, [det(1, [0, 0, 1, 1], NaN)]), /entry 0: score/);
    refuses(() => cocoEvaluate(dataset([{ ...ann(1, [0, 0, 1, 1]), area: NaN }]), []), /annotations\[0\]: area/);
  });

  test('results that are not an array, and JSON that does not parse, name the file', () => {
    refuses(() => cocoResultsFromJson('{"image_id": 1}', 'dets.json'), /^dets\.json: COCO results must be a JSON array/);
    refuses(() => cocoEvaluate(gt, { length: 0 } as unknown as CocoDetection[], undefined, { detections: 'x.json' }), /^x\.json: /);
    refuses(() => cocoResultsFromJson('[{"image_id": 1,', 'dets.json'), /^dets\.json: not valid JSON/);
    refuses(() => cocoGroundTruthFromJson('{', 'gt.json'), /^gt\.json: not valid JSON/);
  });

  test('repeated annotation ids and unusable params are refused', () => {
    refuses(() => cocoEvaluate(dataset([{ ...ann(1, [0, 0, 1, 1]), id: 5 }, { ...ann(1, [0, 0, 2, 2]), id: 5 }]), []), /annotations\[1\]: id 5 repeats/);
    refuses(() => cocoEvaluate(gt, [], { maxDets: [1, 10] }), /maxDets needs at least 3/);
    refuses(() => cocoEvaluate(gt, [], { areaRng: [[0, 1e10]] }), /areaRngLbl has 4 labels for 1 area ranges/);
    refuses(() => cocoEvaluate(gt, [], { iouThrs: [0.5, NaN] }), /iouThrs\[1\]/);
    refuses(() => cocoEvaluate(gt, [], { useCats: false, catIds: [1, 1] }), /repeats a category/);
    refuses(() => cocoEvaluate(gt, [], { imgIds: [1, 'a'] }), /mix numbers and strings/);
  });
});
