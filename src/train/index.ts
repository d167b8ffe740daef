// Public names of the train room.
export * from './backend/index.js';
export { createBackbone, type BackboneOptions } from './model.js';
export { SeededDropout } from './seeded-dropout.js';
export {
  exponentialDecay,
  referenceSchedule,
  constantSchedule,
  annealSchedule,
  setLearningRate,
  getLearningRate,
  type LearningRateSchedule,
  type ExponentialDecayOptions,
} from './schedule.js';
export { iou, giou, giouLoss, type BoxFormat, type BoxArray, type BoxInput, type MetricArray } from './metrics.js';
export { focalLoss, maskedL1Loss, offsetLoss, sizeLoss, centerNetLoss, meanSquaredError } from './losses.js';
export { validationIoU, StreamingIoU, type ValidationIoUOptions } from './validation-iou.js';
export { type Batch, type BatchSource, type TensorField } from './batch.js';
export { fileHandler, saveModel, replaceModel, loadModel } from './checkpoint.js';
export { saveCheckpoint, loadCheckpoint, readCheckpointState, loadWeightsInto, type TrainerState, type DataIterations } from './checkpoint-state.js';
export { recomputeBatchNormStats, batchNormLayers, type PreciseBNOptions, type PreciseBNResult } from './precise-bn.js';
export { evaluate, regularizationLoss, type EvaluateOptions, type EvaluateResult } from './evaluate.js';
export { ProgressBar, type ProgressOptions, type ProgressStream } from './progress.js';
export { train, TrainingDivergedError, type TrainOptions, type TrainResult } from './trainer.js';
export type { EpochMetrics } from './epoch-metrics.js';
