// Public names of the train room.
export { createBackbone, type BackboneOptions } from './model.js';
export { SeededDropout } from './seeded-dropout.js';
export {
  exponentialDecay,
  referenceSchedule,
  constantSchedule,
  setLearningRate,
  getLearningRate,
  type LearningRateSchedule,
  type ExponentialDecayOptions,
} from './schedule.js';
export { iou, giou, giouLoss, type BoxFormat, type BoxArray, type BoxInput, type MetricArray } from './metrics.js';
export { focalLoss, maskedL1Loss, offsetLoss, sizeLoss, centerNetLoss, meanSquaredError } from './losses.js';
export { validationIoU, StreamingIoU, type ValidationIoUOptions } from './validation-iou.js';
