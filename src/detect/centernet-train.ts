// Training CenterNet on detection frames in memory: targets built once per frame, batches drawn
// in a seeded order each epoch, Adam with a learning rate that depends on the step alone.
import * as tf from '@tensorflow/tfjs';
import { createRng, deriveSeed, randomPermutation } from '../core/random.js';
import { InputError, RecordflowError } from '../core/errors.js';
import { setLearningRate } from '../train/schedule.js';
import { FRAME_BYTES, FRAME_HEIGHT, FRAME_WIDTH } from '../transforms/reference-schema.js';
import type { DetectionSample } from '../transforms/detection-example.js';
import { centerNetLossTerms } from './centernet-loss.js';
import { centerNetTargets, type CenterNetFrameTargets } from './centernet-targets.js';
import { warmupCosine } from './schedule.js';

/** Options of trainCenterNet. */
export interface CenterNetTrainOptions {
  /** Epochs to train (the schedule spans them). */
  epochs: number;
  /** Frames per step (default 16). */
  batch?: number;
  /** Peak learning rate of the warmup-cosine schedule (default 2e-3). */
  learningRate?: number;
  /** Seed of the batch order (default 0); the model's seed is its own. */
  seed?: number;
  /**
   * Seconds of training: no epoch starts that would end past them, judged by the last epoch's
   * time with a quarter to spare (the schedule still assumes `epochs`). A cap for slow
   * machines, reported as `stoppedBy: 'time-budget'`.
   */
  timeBudget?: number;
  /** Called after each epoch; returning false stops training. */
  onEpoch?: (metrics: CenterNetEpochMetrics) => unknown;
  /** Aborts between steps (the model keeps the weights of the last finished step). */
  signal?: AbortSignal;
}

/** One epoch of CenterNet training. */
export interface CenterNetEpochMetrics {
  epoch: number;
  steps: number;
  /** Mean loss over the epoch's steps, and its three terms. */
  loss: number;
  focal: number;
  offset: number;
  size: number;
  /** Learning rate of the epoch's last step. */
  learningRate: number;
  /** Wall time of the epoch. */
  seconds: number;
}

/** What trainCenterNet did. */
export interface CenterNetTrainResult {
  history: CenterNetEpochMetrics[];
  steps: number;
  stoppedBy: 'epochs' | 'time-budget' | 'callback';
  /** Seconds spent in training steps (all epochs). */
  seconds: number;
}

/** Thrown when the loss stops being a finite number. */
export class CenterNetDivergedError extends RecordflowError {
  override name = 'CenterNetDivergedError';
}

/**
 * Trains `model` (from createCenterNet) on `frames` for `options.epochs` epochs, batches of
 * `batch` frames in an order drawn from (seed, epoch), dropping the last partial batch. The
 * learning rate follows warmupCosine over all planned steps, so the same seed gives the same
 * weights on every run; a time budget only ends training early. Targets use the model's output
 * stride (read from its heatmap output).
 *
 * @example
 * const model = createCenterNet({ seed: 1, channels: 4 });
 * const frame = { image: new Float32Array(768), boxes: Float32Array.of(3, 4, 10, 12), count: 1 };
 * const result = await trainCenterNet(model, [frame, frame], { epochs: 1, batch: 2 });
 * console.log(result.history[0]!.loss);
 */
export async function trainCenterNet(model: tf.LayersModel, frames: readonly DetectionSample[], options: CenterNetTrainOptions): Promise<CenterNetTrainResult> {
  const batch = options.batch ?? 16;
  const seed = options.seed ?? 0;
  const peak = options.learningRate ?? 2e-3;
  if (!Number.isInteger(batch) || batch < 1) throw new InputError(`trainCenterNet: batch must be an integer >= 1, got ${batch}`);
  if (frames.length < batch) throw new InputError(`trainCenterNet: ${frames.length} frames, fewer than one batch of ${batch}`);
  const { stride, outH, outW } = centerNetGrid(model);
  const targets = frames.map((f, i) => {
    if (f.image.length !== FRAME_BYTES) throw new InputError(`trainCenterNet: frame ${i} holds ${f.image.length} pixels, expected ${FRAME_BYTES}`);
    return centerNetTargets(f.boxes, { stride });
  });
  const stepsPerEpoch = Math.floor(frames.length / batch);
  const schedule = warmupCosine(peak, options.epochs * stepsPerEpoch);
  const optimizer = tf.train.adam(schedule(0));
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const buffers = batchBuffers(batch, outH, outW);
  const history: CenterNetEpochMetrics[] = [];
  let step = 0;
  let stoppedBy: CenterNetTrainResult['stoppedBy'] = 'epochs';
  let trainSeconds = 0;
  try {
    for (let epoch = 1; epoch <= options.epochs; epoch++) {
      const started = performance.now();
      const order = randomPermutation(frames.length, createRng(deriveSeed(seed, epoch)));
      const sums = [0, 0, 0, 0];
      let rate = schedule(step);
      for (let s = 0; s < stepsPerEpoch; s++) {
        if (options.signal?.aborted) throw options.signal.reason ?? new Error('training aborted');
        fillBatch(buffers, order.slice(s * batch, (s + 1) * batch), frames, targets);
        rate = schedule(step);
        setLearningRate(optimizer, rate);
        const terms = trainStep(model, optimizer, variables, buffers, batch, outH, outW);
        const values = await terms.data();
        terms.dispose();
        if (!Number.isFinite(values[0]!)) {
          throw new CenterNetDivergedError(`loss became ${values[0]} at epoch ${epoch}, step ${s + 1} (learning rate ${rate}); lower the learning rate`);
        }
        for (let k = 0; k < 4; k++) sums[k]! += values[k]!;
        step++;
        // A turn of the event loop per step, so timers (a budget, a signal) get to run.
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      const seconds = (performance.now() - started) / 1000;
      trainSeconds += seconds;
      const m: CenterNetEpochMetrics = {
        epoch,
        steps: stepsPerEpoch,
        loss: sums[0]! / stepsPerEpoch,
        focal: sums[1]! / stepsPerEpoch,
        offset: sums[2]! / stepsPerEpoch,
        size: sums[3]! / stepsPerEpoch,
        learningRate: rate,
        seconds,
      };
      history.push(m);
      if ((await options.onEpoch?.(m)) === false) {
        stoppedBy = 'callback';
        break;
      }
      // No new epoch that would end past the budget, judged by the one just finished with a
      // quarter to spare: on a shared machine the next epoch can be slower.
      if (options.timeBudget !== undefined && epoch < options.epochs && trainSeconds + 1.25 * seconds > options.timeBudget) {
        stoppedBy = 'time-budget';
        break;
      }
    }
  } finally {
    optimizer.dispose();
  }
  return { history, steps: step, stoppedBy, seconds: trainSeconds };
}

/**
 * The output stride and grid of a CenterNet model, from its heatmap output's shape; an
 * InputError for a model that is not one (not three outputs, or not a 24 x 32 input's grid).
 *
 * @example
 * console.log(centerNetGrid(createCenterNet({ stride: 2, channels: 4 }))); // { stride: 2, outH: 12, outW: 16 }
 */
export function centerNetGrid(model: tf.LayersModel): { stride: number; outH: number; outW: number } {
  const shape = model.outputs[0]?.shape;
  const outH = shape?.[1];
  const outW = shape?.[2];
  if (model.outputs.length !== 3 || typeof outH !== 'number' || typeof outW !== 'number') {
    throw new InputError(`not a CenterNet model: expected 3 outputs [heatmap, offset, size], got ${model.outputs.length}`);
  }
  const stride = FRAME_HEIGHT / outH;
  if (!Number.isInteger(stride) || FRAME_WIDTH / outW !== stride) throw new InputError(`not a CenterNet model for 24x32 frames: heatmap ${outH}x${outW}`);
  return { stride, outH, outW };
}

interface BatchBuffers {
  image: Float32Array;
  heatmap: Float32Array;
  offset: Float32Array;
  size: Float32Array;
  mask: Float32Array;
}

function batchBuffers(batch: number, outH: number, outW: number): BatchBuffers {
  const cells = outH * outW;
  return {
    image: new Float32Array(batch * FRAME_BYTES),
    heatmap: new Float32Array(batch * cells),
    offset: new Float32Array(batch * cells * 2),
    size: new Float32Array(batch * cells * 2),
    mask: new Float32Array(batch * cells),
  };
}

function fillBatch(b: BatchBuffers, rows: number[], frames: readonly DetectionSample[], targets: CenterNetFrameTargets[]): void {
  rows.forEach((row, i) => {
    const t = targets[row]!;
    b.image.set(frames[row]!.image, i * FRAME_BYTES);
    b.heatmap.set(t.heatmap, i * t.heatmap.length);
    b.offset.set(t.offset, i * t.offset.length);
    b.size.set(t.size, i * t.size.length);
    b.mask.set(t.mask, i * t.mask.length);
  });
}

/** One Adam step; returns [total, focal, offset, size] as one tensor (a single read per step). */
function trainStep(model: tf.LayersModel, optimizer: tf.Optimizer, variables: tf.Variable[], b: BatchBuffers, batch: number, outH: number, outW: number): tf.Tensor1D {
  const x = tf.tensor4d(b.image, [batch, FRAME_HEIGHT, FRAME_WIDTH, 1]);
  const target = {
    heatmap: tf.tensor4d(b.heatmap, [batch, outH, outW, 1]),
    offset: tf.tensor4d(b.offset, [batch, outH, outW, 2]),
    size: tf.tensor4d(b.size, [batch, outH, outW, 2]),
  };
  const mask = tf.tensor3d(b.mask, [batch, outH, outW]);
  let parts: tf.Tensor1D | undefined;
  try {
    const loss = optimizer.minimize(
      () => {
        const [heatmap, offset, size] = model.apply(x, { training: true }) as tf.Tensor[];
        const terms = centerNetLossTerms({ heatmap: heatmap!, offset: offset!, size: size! }, target, mask);
        parts = tf.keep(tf.stack([terms.total, terms.focal, terms.offset, terms.size]) as tf.Tensor1D);
        return terms.total;
      },
      false,
      variables,
    );
    loss?.dispose();
    return parts!;
  } finally {
    tf.dispose([x, target.heatmap, target.offset, target.size, mask]);
  }
}
