// The number the reference study reports: its exhaustive validation IoU pass over the rows that
// survive drop_remainder batching, predicted by any function of frames (a model directory, a
// model in memory), divided by all validation rows.
import { InputError } from '../core/errors.js';
import type { ParsedSplit } from './localization-data.js';
import { validationIoU } from './validation-iou.js';

/** What the exhaustive pass measured, with the predictions it made. */
export interface ExhaustiveResult {
  /** The IoU sum over the predicted rows divided by nVal. */
  iou: number;
  /** Rows predicted: the full batches of `batch`. */
  samples: number;
  /** Validation rows, the divisor. */
  nVal: number;
  predictions: Float32Array[];
}

/**
 * The exhaustive validation IoU pass of the reference: predictions for the samples in full
 * batches (drop_remainder), summed, divided by N_VAL (all validation rows). A split without one
 * full batch is refused (InputError): the pass would predict nothing and report 0.
 */
export async function exhaustiveIoU(predict: (images: Float32Array[]) => Promise<Float32Array[]>, val: ParsedSplit, batch: number): Promise<ExhaustiveResult> {
  const nVal = val.images.length;
  const kept = Math.floor(nVal / batch) * batch;
  if (kept === 0) {
    throw new InputError(
      nVal === 0 ? 'the validation split is empty: nothing to evaluate' : `only ${nVal} validation rows, fewer than one batch of ${batch}: the exhaustive pass would skip every row`,
    );
  }
  const predictions = await predict(val.images.slice(0, kept));
  const gt = val.labels.slice(0, kept).map((l) => Array.from(l));
  const pred = predictions.map((p) => Array.from(p));
  return { iou: validationIoU(gt, pred, { count: nVal }), samples: kept, nVal, predictions };
}
