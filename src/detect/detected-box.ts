// What a detector's decoder returns per frame, and its COCO results form.
import type { CocoDetection } from './coco/index.js';
import { PERSON_CATEGORY } from './coco-json.js';

/** One detection: a corner box [xmin, ymin, xmax, ymax] in pixels and its score. */
export interface DetectedBox {
  box: [number, number, number, number];
  score: number;
}

/**
 * A COCO results list from per-frame detections: frame i is image id i + 1 (the order of
 * det_val.tfr and det_val_coco.json), bbox [xmin, ymin, xmax - xmin, ymax - ymin], category 1
 * (`person`) unless `categoryId` says otherwise.
 *
 * @example
 * const results = cocoResults([[{ box: [3, 4, 10, 12], score: 0.9 }], []]);
 * console.log(results); // [{ image_id: 1, category_id: 1, bbox: [3, 4, 7, 8], score: 0.9 }]
 */
export function cocoResults(frames: readonly (readonly DetectedBox[])[], categoryId: number = PERSON_CATEGORY.id): CocoDetection[] {
  const out: CocoDetection[] = [];
  frames.forEach((detections, i) => {
    for (const d of detections) {
      const [x0, y0, x1, y1] = d.box;
      out.push({ image_id: i + 1, category_id: categoryId, bbox: [x0, y0, x1 - x0, y1 - y0], score: d.score });
    }
  });
  return out;
}
