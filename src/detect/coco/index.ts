// Public names of the COCO evaluation room (recordflow/coco). It imports only src/core, so the
// subpath loads no tfjs.
export { cocoEvaluate } from './evaluate.js';
export { cocoDefaultParams, linspace } from './params.js';
export { cocoGroundTruthFromJson, cocoResultsFromJson } from './input.js';
export { COCO_STAT_NAMES, cocoSummaryLines } from './summarize.js';
export type {
  CocoAnnotation,
  CocoCategory,
  CocoDataset,
  CocoDetection,
  CocoEvaluation,
  CocoId,
  CocoImage,
  CocoParams,
  CocoSources,
  CocoStats,
  ResolvedCocoParams,
} from './types.js';
