// The COCO ground truth of detection frames (prepare --task detect writes it as
// det_val_coco.json), in the shapes cocoEvaluate and pycocotools read.

import { InputError } from '../core/errors.js';
import type { CocoAnnotation, CocoCategory, CocoDataset, CocoImage } from './coco/index.js';
import { FRAME_HEIGHT, FRAME_WIDTH } from '../transforms/reference-schema.js';

/** The one category of the thermal frames. */
export const PERSON_CATEGORY: Readonly<CocoCategory & { id: number; name: string }> = { id: 1, name: 'person' };

/** Options of cocoGroundTruth. */
export interface CocoGroundTruthOptions {
  /** Image size (default the thermal frames' 32 x 24). */
  width?: number;
  height?: number;
}

/**
 * The COCO ground truth of frames given as corner boxes: frame i gets image id i + 1 and one
 * annotation per box [xmin, ymin, xmax, ymax] with bbox [xmin, ymin, xmax - xmin, ymax - ymin],
 * area w * h, iscrowd 0, category 1 `person`; annotation ids count from 1 in frame order.
 *
 * @example
 * const gt = cocoGroundTruth([[3, 4, 9, 12], [], [0, 0, 5, 6, 20, 10, 27, 19]]);
 * console.log(gt.images.length, gt.annotations[0]!.bbox); // 3 [3, 4, 6, 8]
 */
export function cocoGroundTruth(frames: readonly ArrayLike<number>[], options: CocoGroundTruthOptions = {}): CocoDataset {
  const width = options.width ?? FRAME_WIDTH;
  const height = options.height ?? FRAME_HEIGHT;
  const images: CocoImage[] = [];
  const annotations: CocoAnnotation[] = [];
  frames.forEach((boxes, i) => {
    if (boxes.length % 4 !== 0) throw new InputError(`cocoGroundTruth: frame ${i} holds ${boxes.length} box values, not 4 per box`);
    images.push({ id: i + 1, width, height });
    for (let k = 0; k < boxes.length; k += 4) {
      const [x0, y0, x1, y1] = [boxes[k]!, boxes[k + 1]!, boxes[k + 2]!, boxes[k + 3]!];
      const w = x1 - x0;
      const h = y1 - y0;
      if (![x0, y0, w, h].every(Number.isFinite) || w < 0 || h < 0) {
        throw new InputError(`cocoGroundTruth: frame ${i}, box ${k / 4} [${x0}, ${y0}, ${x1}, ${y1}] is not a box`);
      }
      const annotation: CocoAnnotation = { id: annotations.length + 1, image_id: i + 1, category_id: PERSON_CATEGORY.id, bbox: [x0, y0, w, h], area: w * h, iscrowd: 0 };
      annotations.push(annotation);
    }
  });
  return { images, annotations, categories: [{ ...PERSON_CATEGORY }] };
}
