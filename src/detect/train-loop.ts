// The epochs of a detector's training: batches in a seeded order per epoch, Adam with a
// warmup-cosine learning rate that depends on the step alone, a time budget that only ends
// training early, per-epoch means of the loss terms. The detector supplies the step.
import * as tf from '@tensorflow/tfjs';
import { createRng, deriveSeed, randomPermutation } from '../core/random.js';
import { InputError } from '../core/errors.js';
import { setLearningRate } from '../train/schedule.js';
import { warmupCosine } from './schedule.js';

/** The schedule of a detector's training run, as the CLI's flags give it. */
export interface DetectorSchedule {
  epochs: number;
  batch: number;
  /** Peak learning rate of the schedule. */
  learningRate: number;
  /** Seed of the batch order (and of the model, where the detector takes it). */
  seed: number;
  /** Seconds of training: no epoch starts that would end past them (judged by the last one, with a quarter to spare). */
  timeBudget?: number;
  signal?: AbortSignal;
}

/** What runDetectorEpochs runs. */
export interface DetectorEpochsOptions<Term extends string> extends DetectorSchedule {
  /** Training frames (rows 0..frames-1 are handed to `step`). */
  frames: number;
  /** Names of the values `step` returns after the total loss. */
  terms: readonly Term[];
  /** One optimizer step on these rows; returns [total, ...terms] as one tensor (read once). */
  step: (rows: number[], optimizer: tf.Optimizer) => tf.Tensor1D;
  /** The error to throw when the loss stops being finite. */
  diverged: (message: string) => Error;
  /** Called after each epoch; returning false stops training. */
  onEpoch?: (metrics: DetectorEpochMetrics<Term>) => unknown;
}

/** One epoch: its steps, mean loss and terms, the last step's learning rate, its wall time. */
export type DetectorEpochMetrics<Term extends string> = { epoch: number; steps: number; loss: number; learningRate: number; seconds: number } & Record<Term, number>;

/** What runDetectorEpochs did. */
export interface DetectorEpochsResult<Term extends string> {
  history: DetectorEpochMetrics<Term>[];
  steps: number;
  stoppedBy: 'epochs' | 'time-budget' | 'callback';
  /** Seconds spent in epochs. */
  seconds: number;
}

/**
 * Runs `epochs` epochs of floor(frames / batch) steps, each epoch's batches in the order
 * randomPermutation(frames, createRng(deriveSeed(seed, epoch))) cut into batches (the last
 * partial batch dropped), the learning rate warmupCosine(learningRate, all planned steps) at
 * each step: the same seed gives the same weights on every run, and a time budget ends
 * training early without changing the steps it ran.
 *
 * @example
 * const tf = await import('@tensorflow/tfjs');
 * const w = tf.variable(tf.scalar(3));
 * const result = await runDetectorEpochs({
 *   frames: 8, epochs: 2, batch: 4, learningRate: 0.1, seed: 1, terms: [],
 *   step: (_rows, optimizer) => {
 *     const loss = optimizer.minimize(() => tf.square(w) as import('@tensorflow/tfjs').Scalar, true, [w])!;
 *     return tf.tidy(() => tf.reshape(loss, [1]) as import('@tensorflow/tfjs').Tensor1D);
 *   },
 *   diverged: (message) => new Error(message),
 * });
 * console.log(result.steps, result.history[1]!.loss < result.history[0]!.loss); // 4 true
 */
export async function runDetectorEpochs<Term extends string>(options: DetectorEpochsOptions<Term>): Promise<DetectorEpochsResult<Term>> {
  const { frames, batch, epochs, seed, terms } = options;
  if (!Number.isInteger(batch) || batch < 1) throw new InputError(`batch must be an integer >= 1, got ${batch}`);
  if (frames < batch) throw new InputError(`${frames} frames, fewer than one batch of ${batch}`);
  const stepsPerEpoch = Math.floor(frames / batch);
  const schedule = warmupCosine(options.learningRate, epochs * stepsPerEpoch);
  const optimizer = tf.train.adam(schedule(0));
  const history: DetectorEpochMetrics<Term>[] = [];
  let step = 0;
  let stoppedBy: DetectorEpochsResult<Term>['stoppedBy'] = 'epochs';
  let trainSeconds = 0;
  try {
    for (let epoch = 1; epoch <= epochs; epoch++) {
      const started = performance.now();
      const order = randomPermutation(frames, createRng(deriveSeed(seed, epoch)));
      const sums = new Float64Array(1 + terms.length);
      let rate = schedule(step);
      for (let s = 0; s < stepsPerEpoch; s++) {
        if (options.signal?.aborted) throw options.signal.reason ?? new Error('training aborted');
        rate = schedule(step);
        setLearningRate(optimizer, rate);
        const parts = options.step(order.slice(s * batch, (s + 1) * batch), optimizer);
        const values = await parts.data();
        parts.dispose();
        if (!Number.isFinite(values[0]!)) {
          throw options.diverged(`loss became ${values[0]} at epoch ${epoch}, step ${s + 1} (learning rate ${rate}); lower the learning rate`);
        }
        for (let k = 0; k < sums.length; k++) sums[k]! += values[k]!;
        step++;
        // A turn of the event loop per step, so timers (a budget, a signal) get to run.
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      const seconds = (performance.now() - started) / 1000;
      trainSeconds += seconds;
      const m = { epoch, steps: stepsPerEpoch, loss: sums[0]! / stepsPerEpoch, learningRate: rate, seconds } as DetectorEpochMetrics<Term>;
      terms.forEach((t, k) => ((m as Record<string, number>)[t] = sums[k + 1]! / stepsPerEpoch));
      history.push(m);
      if ((await options.onEpoch?.(m)) === false) {
        stoppedBy = 'callback';
        break;
      }
      // On a shared machine the next epoch can be slower than this one: a quarter to spare.
      if (options.timeBudget !== undefined && epoch < epochs && trainSeconds + 1.25 * seconds > options.timeBudget) {
        stoppedBy = 'time-budget';
        break;
      }
    }
  } finally {
    optimizer.dispose();
  }
  return { history, steps: step, stoppedBy, seconds: trainSeconds };
}
