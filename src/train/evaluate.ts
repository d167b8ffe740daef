import * as tf from '@tensorflow/tfjs';
import { chunksOf } from '../core/chunks.js';
import { InputError } from '../core/errors.js';
import { FRAME_HEIGHT, FRAME_WIDTH } from '../transforms/reference-schema.js';
import { fieldTensor, type BatchSource } from './batch.js';
import { meanSquaredError } from './losses.js';
import { StreamingIoU, validationIoU } from './validation-iou.js';

/** Options of evaluate: the batch fields, the frame size, the loss and the IoU divisor. */
export interface EvaluateOptions {
  inputKey?: string;
  labelKey?: string;
  /** Frame size for the IoU metrics (default 32 x 24). */
  width?: number;
  height?: number;
  /** N_VAL, the divisor of the exhaustive validation IoU (default: samples seen). */
  count?: number;
  /** Loss on (pred, label); default MSE. The model's regularization losses are added. */
  loss?: (pred: tf.Tensor, label: tf.Tensor) => tf.Scalar;
  /** Keep the predictions and labels in the result (flat xywh rows). */
  keepPredictions?: boolean;
}

/** What evaluate measured: loss, streaming IoU, the exhaustive validation IoU, and counts. */
export interface EvaluateResult {
  /** Sample-weighted mean loss (+ regularization, as Keras reports it). */
  loss: number;
  /** The streaming IoU metric over all samples. */
  iou: number;
  /** The reference's exhaustive validation IoU pass (sum / count). */
  validationIoU: number;
  samples: number;
  batches: number;
  predictions?: Float32Array;
  labels?: Float32Array;
}

/**
 * Runs the model in inference mode over every batch of `source`.
 *
 * @example
 * const model = createBackbone({ seed: 0 });
 * const oneBatch = { image: { data: new Float32Array(7 * 768), shape: [7, 24, 32, 1] }, label: { data: new Float32Array(7 * 4).fill(0.5), shape: [7, 4] } };
 * const result = await evaluate(model, [oneBatch]); // result.loss, result.validationIoU
 */
export async function evaluate(model: tf.LayersModel, source: BatchSource, options: EvaluateOptions = {}): Promise<EvaluateResult> {
  const inputKey = options.inputKey ?? 'image';
  const labelKey = options.labelKey ?? 'label';
  const width = options.width ?? FRAME_WIDTH;
  const height = options.height ?? FRAME_HEIGHT;
  const lossFn = options.loss ?? meanSquaredError;
  const metric = new StreamingIoU(width, height);
  const preds: Float32Array[] = [];
  const labels: Float32Array[] = [];
  let lossSum = 0;
  let samples = 0;
  let batches = 0;
  for await (const chunk of chunksOf(source)) {
    for (const batch of chunk) {
      const [pred, loss] = tf.tidy(() => {
        const x = fieldTensor(batch, inputKey);
        const y = fieldTensor(batch, labelKey);
        const p = model.apply(x, { training: false }) as tf.Tensor;
        return [p, lossFn(p, y)] as const;
      });
      const p = (await pred.data()) as Float32Array;
      const l = (await loss.data())[0]!;
      tf.dispose([pred, loss]);
      const label = batch[labelKey]!;
      const n = label.shape[0]!;
      const gt = label.data instanceof Float32Array ? label.data : Float32Array.from(label.data);
      if (p.length !== gt.length) {
        throw new InputError(`model output has ${p.length / n} values per sample but the label has ${gt.length / n}`);
      }
      metric.update(gt, p);
      preds.push(p);
      labels.push(gt);
      lossSum += l * n;
      samples += n;
      batches += 1;
    }
  }
  const regularization = regularizationLoss(model);
  const allPred = concat(preds);
  const allGt = concat(labels);
  const result: EvaluateResult = {
    loss: samples > 0 ? lossSum / samples + regularization : NaN,
    iou: metric.result(),
    validationIoU:
      samples > 0
        ? validationIoU({ data: allGt, shape: [samples, 4] }, { data: allPred, shape: [samples, 4] }, { width, height, count: options.count ?? samples })
        : 0,
    samples,
    batches,
  };
  if (options.keepPredictions) {
    result.predictions = allPred;
    result.labels = allGt;
  }
  return result;
}

/** The sum of the model's weight-regularization penalties (0 when it has none). */
export function regularizationLoss(model: tf.LayersModel): number {
  const losses = (model as unknown as { calculateLosses(): tf.Scalar[] }).calculateLosses();
  if (losses.length === 0) return 0;
  const total = tf.tidy(() => tf.addN(losses));
  const v = total.dataSync()[0]!;
  tf.dispose([total, ...losses]);
  return v;
}

function concat(parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
