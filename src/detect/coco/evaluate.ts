// cocoEvaluate: pycocotools' COCOeval(gt, dt, 'bbox') evaluate + accumulate + summarize in one
// call, over typed arrays.
import { accumulate } from './accumulate.js';
import { matchAll } from './match.js';
import { prepare } from './prepare.js';
import { COCO_STAT_NAMES, summarize } from './summarize.js';
import type { CocoDataset, CocoDetection, CocoEvaluation, CocoParams, CocoSources, CocoStats } from './types.js';

/**
 * Scores box detections against COCO ground truth exactly as pycocotools'
 * `COCOeval(gt, dt, 'bbox')` with evaluate(), accumulate() and summarize() does: the same 12
 * stats (-1 where no ground truth defines them), precision [T,R,K,A,M] and recall [T,K,A,M].
 * Detections get pycocotools' loadRes treatment: their area is w*h and each must name an image
 * of the ground truth. Bad entries (missing fields, non-finite or negative boxes, unknown image
 * ids, repeated annotation ids) throw an InputError naming `sources` and the entry; an empty
 * results list scores 0 where pycocotools would fail to load it.
 * @example
 * const gt = {
 *   images: [{ id: 1 }],
 *   annotations: [{ id: 1, image_id: 1, category_id: 1, bbox: [10, 10, 20, 30], area: 600, iscrowd: 0 }],
 *   categories: [{ id: 1, name: 'person' }],
 * };
 * const dets = [{ image_id: 1, category_id: 1, bbox: [10, 10, 20, 30], score: 0.9 }];
 * const { stats, AP50 } = cocoEvaluate(gt, dets); // stats[0] (AP) is 1, AP50 is 1
 */
export function cocoEvaluate(groundTruth: CocoDataset, detections: readonly CocoDetection[], params?: CocoParams, sources?: CocoSources): CocoEvaluation {
  const prepared = prepare(groundTruth, detections, params, sources);
  const acc = accumulate(prepared, matchAll(prepared));
  const stats = summarize(acc, prepared.params);
  const named = {} as CocoStats;
  COCO_STAT_NAMES.forEach((name, i) => {
    named[name] = stats[i]!;
  });
  return { stats, ...named, counts: acc.counts, precision: acc.precision, recall: acc.recall, scores: acc.scores, params: prepared.params };
}
