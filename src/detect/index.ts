// Public names of the detect room: CenterNet for the thermal frames (model, targets, loss,
// training, decoding), the COCO ground truth and results it writes, and (from its coco/ leaf)
// cocoEvaluate. Above train in the import order.
export { createCenterNet, CENTERNET_STRIDE, CENTERNET_OUTPUTS, HEATMAP_BIAS, type CenterNetOptions } from './centernet-model.js';
export { gaussianRadius, drawGaussian } from './gaussian.js';
export { centerNetTargets, type CenterNetTargetOptions, type CenterNetFrameTargets } from './centernet-targets.js';
export { centerNetLossTerms, type CenterNetTensors, type CenterNetLossTerms } from './centernet-loss.js';
export { warmupCosine } from './schedule.js';
export {
  trainCenterNet,
  centerNetGrid,
  CenterNetDivergedError,
  type CenterNetTrainOptions,
  type CenterNetEpochMetrics,
  type CenterNetTrainResult,
} from './centernet-train.js';
export { predictCenterNet } from './centernet-predict.js';
export { decodeCenterNet, type CenterNetOutputs, type DecodeCenterNetOptions } from './centernet-decode.js';
export { cocoResults, type DetectedBox } from './detected-box.js';
export { DETECTION_FILES, readDetectionFrames, readDetectionSplits, readPrepared } from './detection-data.js';
export {
  DETECTORS,
  DETECTOR_TASKS,
  CENTERNET,
  type Detector,
  type DetectorTask,
  type DetectorTrainOptions,
  type DetectorTrainResult,
  type DetectorDecodeOptions,
  type DetectorHeatmap,
} from './detectors.js';
export { trainDetectorInto, trainingBudget, detectorFor, loadDetector, detectValidation, type DetectorRunOptions, type DetectorRunResult, type LoadedDetector } from './run.js';
export { cocoGroundTruth, PERSON_CATEGORY, type CocoGroundTruthOptions } from './coco-json.js';
export * from './coco/index.js';
export { cornerPool, CornerPooling, CORNER_POOL_DIRECTIONS, type CornerPoolDirection, type CornerPoolingConfig } from './corner-pool.js';
export { createCornerNet, CORNERNET_OUTPUTS, type CornerNetOptions } from './cornernet-model.js';
export { cornerNetTargets, CORNERNET_STRIDE, type CornerNetTargetOptions, type CornerNetFrameTargets } from './cornernet-targets.js';
export {
  cornerNetLossTerms,
  cornerNetTargetTensors,
  embeddingLoss,
  type CornerNetTensors,
  type CornerNetTargetTensors,
  type CornerNetLossWeights,
  type CornerNetLossTerms,
} from './cornernet-loss.js';
export { runDetectorEpochs, type DetectorEpochsOptions, type DetectorEpochMetrics, type DetectorEpochsResult, type DetectorSchedule } from './train-loop.js';
export {
  trainCornerNet,
  cornerNetGrid,
  CORNERNET_TERMS,
  CornerNetDivergedError,
  type CornerNetTrainOptions,
  type CornerNetEpochMetrics,
  type CornerNetTrainResult,
} from './cornernet-train.js';
export { predictOutputs } from './predict-outputs.js';
export { predictCornerNet } from './cornernet-predict.js';
export { decodeCornerNet, type CornerNetOutputs, type DecodeCornerNetOptions } from './cornernet-decode.js';
export { heatmapPeaks } from './peaks.js';
