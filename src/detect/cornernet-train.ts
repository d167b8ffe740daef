// Training CornerNet on detection frames in memory: targets built once per frame, then the
// detectors' shared epochs (seeded batch order, step-only schedule, budget only ends early).
import * as tf from '@tensorflow/tfjs';
import { InputError, RecordflowError } from '../core/errors.js';
import { FRAME_BYTES, FRAME_HEIGHT, FRAME_WIDTH } from '../transforms/reference-schema.js';
import type { DetectionSample } from '../transforms/detection-example.js';
import { cornerNetLossTerms, cornerNetTargetTensors, type CornerNetLossWeights } from './cornernet-loss.js';
import { CORNERNET_OUTPUTS } from './cornernet-model.js';
import { cornerNetTargets } from './cornernet-targets.js';
import { runDetectorEpochs, type DetectorEpochMetrics, type DetectorEpochsResult } from './train-loop.js';

/** Options of trainCornerNet. */
export interface CornerNetTrainOptions {
  /** Epochs to train (the schedule spans them). */
  epochs: number;
  /** Frames per step (default 16). */
  batch?: number;
  /** Peak learning rate of the warmup-cosine schedule (default 2e-3). */
  learningRate?: number;
  /** Seed of the batch order (default 0); the model's seed is its own. */
  seed?: number;
  /** Weights of the pull, push and offset terms (default CornerNet's 0.1, 0.1, 1). */
  weights?: CornerNetLossWeights;
  /** Seconds of training after which no epoch starts that would end past them (the schedule still assumes `epochs`). */
  timeBudget?: number;
  /** Called after each epoch; returning false stops training. */
  onEpoch?: (metrics: CornerNetEpochMetrics) => unknown;
  /** Aborts between steps (the model keeps the weights of the last finished step). */
  signal?: AbortSignal;
}

/** The loss terms CornerNet logs per epoch (besides the total `loss`). */
export const CORNERNET_TERMS = ['focal', 'pull', 'push', 'offset'] as const;

/** One epoch of CornerNet training: mean loss and terms, the last learning rate, seconds. */
export type CornerNetEpochMetrics = DetectorEpochMetrics<(typeof CORNERNET_TERMS)[number]>;

/** What trainCornerNet did. */
export type CornerNetTrainResult = DetectorEpochsResult<(typeof CORNERNET_TERMS)[number]>;

/** Thrown when CornerNet's loss stops being a finite number. */
export class CornerNetDivergedError extends RecordflowError {
  override name = 'CornerNetDivergedError';
}

/**
 * Trains `model` (from createCornerNet) on `frames` for `options.epochs` epochs through the
 * detectors' shared loop (runDetectorEpochs: batches in an order drawn from (seed, epoch), Adam,
 * warmupCosine over all planned steps, a time budget only ends training early), minimising
 * cornerNetLossTerms.
 *
 * @example
 * const model = createCornerNet({ seed: 1, channels: 4 });
 * const frame = { image: new Float32Array(768), boxes: Float32Array.of(3, 4, 10, 12), count: 1 };
 * const result = await trainCornerNet(model, [frame, frame], { epochs: 1, batch: 2 });
 * console.log(result.history[0]!.loss, result.history[0]!.pull);
 */
export async function trainCornerNet(model: tf.LayersModel, frames: readonly DetectionSample[], options: CornerNetTrainOptions): Promise<CornerNetTrainResult> {
  const batch = options.batch ?? 16;
  const { stride } = cornerNetGrid(model);
  const targets = frames.map((f, i) => {
    if (f.image.length !== FRAME_BYTES) throw new InputError(`trainCornerNet: frame ${i} holds ${f.image.length} pixels, expected ${FRAME_BYTES}`);
    return cornerNetTargets(f.boxes, { stride });
  });
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const image = new Float32Array(batch * FRAME_BYTES);
  return runDetectorEpochs({
    frames: frames.length,
    epochs: options.epochs,
    batch,
    learningRate: options.learningRate ?? 2e-3,
    seed: options.seed ?? 0,
    terms: CORNERNET_TERMS,
    ...(options.timeBudget !== undefined ? { timeBudget: options.timeBudget } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.onEpoch ? { onEpoch: options.onEpoch } : {}),
    diverged: (message) => new CornerNetDivergedError(message),
    step: (rows, optimizer) => {
      rows.forEach((row, i) => image.set(frames[row]!.image, i * FRAME_BYTES));
      const x = tf.tensor4d(image, [batch, FRAME_HEIGHT, FRAME_WIDTH, 1]);
      const target = cornerNetTargetTensors(rows.map((row) => targets[row]!));
      let parts: tf.Tensor1D | undefined;
      try {
        optimizer
          .minimize(
            () => {
              const outs = model.apply(x, { training: true }) as tf.Tensor[];
              const pred = Object.fromEntries(CORNERNET_OUTPUTS.map((name, i) => [name, outs[i]!])) as Record<(typeof CORNERNET_OUTPUTS)[number], tf.Tensor>;
              const terms = cornerNetLossTerms(pred, target, options.weights);
              parts = tf.keep(tf.stack([terms.total, terms.focal, terms.pull, terms.push, terms.offset]) as tf.Tensor1D);
              return terms.total;
            },
            false,
            variables,
          )
          ?.dispose();
        return parts!;
      } finally {
        tf.dispose([x, ...Object.values(target)]);
      }
    },
  });
}

/**
 * The output stride and grid of a CornerNet model, from its first heatmap's shape; an
 * InputError for a model that is not one (not six outputs, or not a 24 x 32 input's grid).
 *
 * @example
 * console.log(cornerNetGrid(createCornerNet({ channels: 4 }))); // { stride: 2, outH: 12, outW: 16 }
 */
export function cornerNetGrid(model: tf.LayersModel): { stride: number; outH: number; outW: number } {
  const shape = model.outputs[0]?.shape;
  const outH = shape?.[1];
  const outW = shape?.[2];
  if (model.outputs.length !== CORNERNET_OUTPUTS.length || typeof outH !== 'number' || typeof outW !== 'number') {
    throw new InputError(`not a CornerNet model: expected ${CORNERNET_OUTPUTS.length} outputs [${CORNERNET_OUTPUTS.join(', ')}], got ${model.outputs.length}`);
  }
  const stride = FRAME_HEIGHT / outH;
  if (!Number.isInteger(stride) || FRAME_WIDTH / outW !== stride) throw new InputError(`not a CornerNet model for 24x32 frames: heatmap ${outH}x${outW}`);
  return { stride, outH, outW };
}
