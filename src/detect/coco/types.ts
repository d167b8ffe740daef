// The shapes cocoEvaluate reads and returns: a COCO dataset (ground truth), a COCO results list
// (detections), pycocotools' bbox Params, and the evaluation.

/** An image or category id as COCO files carry them: numbers (usually) or strings, not mixed. */
export type CocoId = number | string;

/** An entry of a COCO dataset's `images`; only `id` is read. */
export interface CocoImage {
  id: CocoId;
  [key: string]: unknown;
}

/** A ground-truth annotation; `bbox` is [x, y, width, height]. */
export interface CocoAnnotation {
  /** Unique within the file. A detection matched to an annotation whose id is 0 counts as a
   * false positive, as in pycocotools (it tests the matched id for truth). */
  id: CocoId;
  image_id: CocoId;
  category_id: CocoId;
  bbox: readonly number[];
  /** Decides the area range (small/medium/large); not recomputed from the box. */
  area: number;
  /** 0/false, or 1/true for a crowd region (absent counts as 0; pycocotools requires it). */
  iscrowd?: number | boolean;
  [key: string]: unknown;
}

/** An entry of a COCO dataset's `categories`; only `id` is read. */
export interface CocoCategory {
  id: CocoId;
  name?: string;
  [key: string]: unknown;
}

/** A COCO dataset: the ground truth of an evaluation. */
export interface CocoDataset {
  images: CocoImage[];
  annotations: CocoAnnotation[];
  categories: CocoCategory[];
  [key: string]: unknown;
}

/** One entry of a COCO results list. Its area is width * height, as pycocotools' loadRes sets
 * it (an `area` field is not read). */
export interface CocoDetection {
  image_id: CocoId;
  category_id: CocoId;
  bbox: readonly number[];
  score: number;
  [key: string]: unknown;
}

/** pycocotools' bbox `Params`; every field is optional and defaults as pycocotools' do. */
export interface CocoParams {
  /** IoU thresholds; default `np.linspace(.5, 0.95, 10)`. */
  iouThrs?: readonly number[];
  /** Recall thresholds; default `np.linspace(.0, 1.00, 101)`. */
  recThrs?: readonly number[];
  /** Detections kept per image (and category); sorted ascending, at least three (the summary
   * reads the first three); default [1, 10, 100]. */
  maxDets?: readonly number[];
  /** [min, max] area ranges, both ends inclusive; default all, small, medium, large. */
  areaRng?: readonly (readonly [number, number])[];
  /** One label per area range; the summary looks up 'all', 'small', 'medium' and 'large'. */
  areaRngLbl?: readonly string[];
  /** false (or 0) pools every category into one, as in proposal scoring; default true. */
  useCats?: boolean | 0 | 1;
  /** The images to evaluate; default every image of the ground truth. */
  imgIds?: readonly CocoId[];
  /** The categories to evaluate; default every category of the ground truth. */
  catIds?: readonly CocoId[];
}

/** The parameters an evaluation ran with, defaults filled in and ids sorted as pycocotools does. */
export interface ResolvedCocoParams {
  iouThrs: number[];
  recThrs: number[];
  maxDets: number[];
  areaRng: [number, number][];
  areaRngLbl: string[];
  useCats: boolean;
  imgIds: CocoId[];
  /** With useCats, the sorted distinct categories (the K axis); without, the pooled ones. */
  catIds: CocoId[];
}

/** Where an evaluation's inputs came from, to name them in error messages. */
export interface CocoSources {
  /** e.g. the ground-truth file's path. */
  groundTruth?: string;
  /** e.g. the results file's path. */
  detections?: string;
}

/** pycocotools' 12 summary numbers under their usual names (-1 where undefined). */
export interface CocoStats {
  /** AP at IoU .50:.05:.95, all areas, 100 detections. */
  AP: number;
  AP50: number;
  AP75: number;
  APsmall: number;
  APmedium: number;
  APlarge: number;
  /** AR with maxDets[0] (1) detections. */
  AR1: number;
  /** AR with maxDets[1] (10) detections. */
  AR10: number;
  /** AR with maxDets[2] (100) detections. */
  AR100: number;
  ARsmall: number;
  ARmedium: number;
  ARlarge: number;
}

/** What cocoEvaluate returns. The arrays are flat, in numpy's C order over `counts`: the
 * precision of IoU threshold t, recall threshold r, category k, area range a and maxDets m is
 * `precision[(((t * R + r) * K + k) * A + a) * M + m]`; recall is [T, K, A, M] the same way. */
export interface CocoEvaluation extends CocoStats {
  /** The 12 summary numbers in pycocotools' order (stats[0] is AP, stats[11] ARlarge). */
  stats: number[];
  /** `[T, R, K, A, M]`: IoU thresholds, recall thresholds, categories, area ranges, maxDets. */
  counts: [number, number, number, number, number];
  /** [T, R, K, A, M] interpolated precision; -1 where the cell has no ground truth. */
  precision: Float64Array;
  /** [T, K, A, M] final recall; -1 where the cell has no ground truth. */
  recall: Float64Array;
  /** [T, R, K, A, M] the score of the detection each precision sample comes from (0 past the
   * highest recall, -1 where the cell has no ground truth). */
  scores: Float64Array;
  params: ResolvedCocoParams;
}
