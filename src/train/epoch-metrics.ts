// What one epoch of train() reports, in a file of its own: the trainer produces it, the checkpoint
// state stores the history of it, and the CLI draws and prints it, none of them importing another.

/** One epoch's numbers, as train() hands them to onEpoch and keeps them in its history. */
export interface EpochMetrics {
  /** 1-based epoch number. */
  epoch: number;
  /** Optimizer steps in this epoch, and in total so far. */
  steps: number;
  totalSteps: number;
  loss: number;
  iou: number;
  valLoss?: number;
  valIoU?: number;
  /** The reference's exhaustive validation IoU pass on the validation set. */
  validationIoU?: number;
  /** The training batches and samples precise BN pooled before this epoch's validation. */
  preciseBN?: { batches: number; samples: number };
  /** Learning rate of the epoch's last step. */
  learningRate: number;
  /** Wall time of the whole epoch, of its training steps alone, and of precise BN + validation. */
  seconds: number;
  trainSeconds: number;
  evalSeconds: number;
  /** This epoch set a new best monitored value (and was saved when checkpointDir is set). */
  best: boolean;
}
