import * as tf from '@tensorflow/tfjs';
import { join } from 'node:path';
import { chunksOf } from '../core/chunks.js';
import { RecordflowError } from '../core/errors.js';
import { FRAME_HEIGHT, FRAME_WIDTH } from '../transforms/reference-schema.js';
import { fieldTensor, type BatchSource } from './batch.js';
import type { EpochMetrics } from './epoch-metrics.js';
import { loadCheckpoint, saveCheckpoint, type DataIterations, type TrainerState } from './checkpoint-state.js';
import { countIterations, iterationsOf, replayIterations } from './data-iterations.js';
import { evaluate } from './evaluate.js';
import { meanSquaredError } from './losses.js';
import { recomputeBatchNormStats, type PreciseBNOptions } from './precise-bn.js';
import { ProgressBar, type ProgressStream } from './progress.js';
import { referenceSchedule, setLearningRate, type LearningRateSchedule } from './schedule.js';
import { openTensorBoard, writeEpochScalars, type ScalarWriter } from './tensorboard.js';
import { recoverModelDir, replaceModel } from './checkpoint.js';
import { StreamingIoU } from './validation-iou.js';

/** Thrown when the loss stops being a finite number: training cannot meaningfully go on. */
export class TrainingDivergedError extends RecordflowError {
  override name = 'TrainingDivergedError';
}

/**
 * Options of train(): epochs, schedule and optimizer, loss, precise BN, which value picks the best
 * model, checkpoints and resume, TensorBoard and progress output.
 */
export interface TrainOptions {
  /** Total epochs, counting the ones a resumed run already did (default 100). */
  epochs?: number;
  /** Learning rate per step (default: 5e-4, x0.9 every 5000 steps, staircase). */
  schedule?: LearningRateSchedule;
  /** Default: Adam with the schedule's first rate. Its learningRate is set before each step. */
  optimizer?: tf.Optimizer;
  /** Default MSE. The model's regularization losses are added to it. */
  loss?: (pred: tf.Tensor, label: tf.Tensor) => tf.Scalar;
  /** Recompute BatchNorm statistics over the training set before each validation. */
  preciseBN?: boolean | PreciseBNOptions;
  /** Value deciding the best model: 'validationIoU' (exhaustive pass, default) or 'valIoU' (streaming). */
  monitor?: 'validationIoU' | 'valIoU';
  /** Writes `best/` (best model by the monitored value) and `last/` (resumable) here. */
  checkpointDir?: string;
  /**
   * Continue from `checkpointDir/last` when it exists. Pass fresh data objects built as in the
   * interrupted run (or the same objects): the iterations it made of them are replayed first,
   * so reshuffling Datasets continue with the orders an uninterrupted run would see.
   */
  resume?: boolean;
  /** TensorBoard log directory: per-epoch loss, iou, val_loss, val_iou, learning_rate. */
  logdir?: string;
  /** Progress output (default true) to `stream` (default stderr); `tty` overrides detection. */
  progress?: boolean;
  stream?: ProgressStream;
  tty?: boolean;
  /**
   * Off a TTY, also print a progress line every this many steps of an epoch (default 0: only
   * the epoch summary line). Ignored on a TTY, where the bar is redrawn in place.
   */
  progressLineEvery?: number;
  /** Called after every epoch; returning false stops training. */
  onEpoch?: (metrics: EpochMetrics) => unknown;
  inputKey?: string;
  labelKey?: string;
  width?: number;
  height?: number;
  /** N_VAL for the exhaustive validation IoU (default: validation samples seen). */
  validationCount?: number;
  signal?: AbortSignal;
  /**
   * Yield to the event loop once per step (default true) so a prefetching input pipeline's
   * file reads and decompression complete while the step runs, instead of only when the
   * trainer waits for an empty buffer. Costs a few microseconds per step.
   */
  yieldEachStep?: boolean;
}

/**
 * What train() did: the per-epoch history, the best epoch and its monitored value, and the steps taken.
 */
export interface TrainResult {
  history: EpochMetrics[];
  bestEpoch: number | undefined;
  best: number | undefined;
  totalSteps: number;
}

/**
 * Trains `model` epoch by epoch as Keras' fit with a ModelCheckpoint would: each epoch is
 * fitEpoch (the optimizer steps) → validate (precise BN, the validation pass, the best model
 * saved) → recordEpoch (resumable checkpoint, TensorBoard, progress line), after restore has
 * continued an interrupted run when asked to.
 *
 * @example
 * const batches = [{ image: { data: new Float32Array(7 * 768), shape: [7, 24, 32, 1] }, label: { data: new Float32Array(7 * 4).fill(0.5), shape: [7, 4] } }];
 * const result = await train(createBackbone({ seed: 0 }), batches, batches, { epochs: 2, preciseBN: true });
 * console.log(result.history.map((m) => m.validationIoU));
 */
export async function train(
  model: tf.LayersModel,
  trainSource: BatchSource,
  valSource: BatchSource | null | undefined,
  options: TrainOptions = {},
): Promise<TrainResult> {
  const run = settings(model, options);
  const state = await restore(run, model, trainSource, valSource);
  const trainData = countIterations(trainSource);
  const valData = valSource ? countIterations(valSource) : valSource;
  const board: ScalarWriter | undefined = options.logdir ? await openTensorBoard(options.logdir) : undefined;
  let stepsPerEpoch: number | undefined = cardinalityOf(trainSource);
  try {
    for (let epoch = state.epoch + 1; epoch <= run.epochs; epoch++) {
      const started = performance.now();
      const metrics = await fitEpoch(run, model, trainData, state, epoch, stepsPerEpoch);
      stepsPerEpoch ??= metrics.steps;
      const trained = performance.now();
      if (valData) await validate(run, model, trainData, valData, state, metrics);
      metrics.evalSeconds = (performance.now() - trained) / 1000;
      metrics.seconds = (performance.now() - started) / 1000;
      await recordEpoch(run, model, state, metrics, { train: iterationsOf(trainSource), val: valSource ? iterationsOf(valSource) : 0 }, board);
      if ((await options.onEpoch?.(metrics)) === false) break;
    }
  } finally {
    await board?.close();
    // An optimizer made here dies with the run (its slot variables would leak otherwise);
    // pass `optimizer` to keep training with the same state afterwards.
    if (!options.optimizer) run.optimizer.dispose();
  }
  return { history: state.history, bestEpoch: state.bestEpoch, best: state.best, totalSteps: state.step };
}

/** TrainOptions with every default filled in, plus what the stages share. */
interface Settings {
  epochs: number;
  schedule: LearningRateSchedule;
  optimizer: tf.Optimizer;
  lossFn: (pred: tf.Tensor, label: tf.Tensor) => tf.Scalar;
  inputKey: string;
  labelKey: string;
  width: number;
  height: number;
  monitor: 'validationIoU' | 'valIoU';
  preciseBN: PreciseBNOptions | undefined;
  progress: ProgressBar | undefined;
  yieldEachStep: boolean;
  variables: tf.Variable[];
  checkpointDir: string | undefined;
  resume: boolean;
  validationCount: number | undefined;
  signal: AbortSignal | undefined;
}

function settings(model: tf.LayersModel, options: TrainOptions): Settings {
  const schedule = options.schedule ?? referenceSchedule();
  return {
    epochs: options.epochs ?? 100,
    schedule,
    optimizer: options.optimizer ?? tf.train.adam(schedule(0)),
    lossFn: options.loss ?? meanSquaredError,
    inputKey: options.inputKey ?? 'image',
    labelKey: options.labelKey ?? 'label',
    width: options.width ?? FRAME_WIDTH,
    height: options.height ?? FRAME_HEIGHT,
    monitor: options.monitor ?? 'validationIoU',
    preciseBN: options.preciseBN === true ? {} : options.preciseBN || undefined,
    progress: options.progress === false ? undefined : new ProgressBar({ stream: options.stream, tty: options.tty, lineEvery: options.progressLineEvery }),
    yieldEachStep: options.yieldEachStep ?? true,
    variables: model.trainableWeights.map((w) => w.read() as tf.Variable),
    checkpointDir: options.checkpointDir,
    resume: options.resume === true,
    validationCount: options.validationCount,
    signal: options.signal,
  };
}

/**
 * The state to start from: a fresh one, or with `resume` the checkpoint in `checkpointDir/last`
 * (weights, optimizer, step, best value, history), after replaying the data iterations the
 * interrupted run had made so reshuffling sources continue their orders.
 */
async function restore(run: Settings, model: tf.LayersModel, trainSource: BatchSource, valSource: BatchSource | null | undefined): Promise<TrainerState> {
  const fresh: TrainerState = { epoch: 0, step: 0, history: [], bestEpoch: undefined, best: undefined };
  if (!run.resume || !run.checkpointDir) return fresh;
  const state = await loadCheckpoint(join(run.checkpointDir, 'last'), model, run.optimizer);
  if (!state) return fresh;
  await recoverModelDir(join(run.checkpointDir, 'best'));
  const replayed =
    (await replayIterations(trainSource, state.iterations?.train ?? 0)) + (valSource ? await replayIterations(valSource, state.iterations?.val ?? 0) : 0);
  run.progress?.log(
    `resumed from ${join(run.checkpointDir, 'last')} after epoch ${state.epoch} (step ${state.step})` + (replayed > 0 ? `; replayed ${replayed} data iterations` : ''),
  );
  return state;
}

/** One pass of optimizer steps over the training data; the epoch's metrics without validation. */
async function fitEpoch(run: Settings, model: tf.LayersModel, trainData: BatchSource, state: TrainerState, epoch: number, stepsPerEpoch: number | undefined): Promise<EpochMetrics> {
  const started = performance.now();
  const metric = new StreamingIoU(run.width, run.height);
  let lossSum = 0;
  let samples = 0;
  let steps = 0;
  let rate = run.schedule(state.step);
  run.progress?.startEpoch();
  for await (const chunk of chunksOf(trainData)) {
    for (const batch of chunk) {
      if (run.signal?.aborted) throw run.signal.reason ?? new Error('training aborted');
      rate = run.schedule(state.step);
      setLearningRate(run.optimizer, rate);
      const [pred, loss] = trainStep(model, run.optimizer, run.variables, run.lossFn, fieldTensor(batch, run.inputKey), fieldTensor(batch, run.labelKey));
      const l = (await loss.data())[0]!;
      const p = await pred.data();
      tf.dispose([pred, loss]);
      if (!Number.isFinite(l)) {
        throw new TrainingDivergedError(
          `loss became ${l} at epoch ${epoch}, step ${steps + 1} of the epoch (global step ${state.step + 1}, ` +
            `learning rate ${rate}); last epoch's loss ${state.history.at(-1)?.loss ?? 'n/a'}. ` +
            `Lower the learning rate or check the inputs for NaN/Infinity.`,
        );
      }
      const label = batch[run.labelKey]!;
      const n = label.shape[0]!;
      metric.update(label.data instanceof Float32Array ? label.data : Float32Array.from(label.data), p as Float32Array);
      lossSum += l * n;
      samples += n;
      steps += 1;
      state.step += 1;
      run.progress?.step(epoch, run.epochs, steps, stepsPerEpoch, lossSum / samples, metric.result());
      if (run.yieldEachStep) await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }
  if (steps === 0) {
    throw new RecordflowError(
      `the training data yielded no batches in epoch ${epoch}` + (epoch > 1 ? ' (a one-shot generator cannot be iterated again: pass a Dataset or an array)' : ''),
    );
  }
  return {
    epoch,
    steps,
    totalSteps: state.step,
    // Each step's loss already includes the regularization penalties (as Keras reports it).
    loss: lossSum / samples,
    iou: metric.result(),
    learningRate: rate,
    seconds: 0,
    trainSeconds: (performance.now() - started) / 1000,
    evalSeconds: 0,
    best: false,
  };
}

/**
 * Precise BN (when asked for), then the validation pass into `metrics`; a new best monitored
 * value is remembered in `state` and its model saved as `checkpointDir/best`.
 */
async function validate(run: Settings, model: tf.LayersModel, trainData: BatchSource, valData: BatchSource, state: TrainerState, metrics: EpochMetrics): Promise<void> {
  if (run.preciseBN) {
    const pooled = await recomputeBatchNormStats(model, trainData, { inputKey: run.inputKey, ...run.preciseBN });
    metrics.preciseBN = { batches: pooled.batches, samples: pooled.samples };
  }
  const val = await evaluate(model, valData, { inputKey: run.inputKey, labelKey: run.labelKey, width: run.width, height: run.height, loss: run.lossFn, count: run.validationCount });
  metrics.valLoss = val.loss;
  metrics.valIoU = val.iou;
  metrics.validationIoU = val.validationIoU;
  const value = run.monitor === 'valIoU' ? val.iou : val.validationIoU;
  if (state.best === undefined || value > state.best) {
    state.best = value;
    state.bestEpoch = metrics.epoch;
    metrics.best = true;
    if (run.checkpointDir) await replaceModel(model, join(run.checkpointDir, 'best'));
  }
}

/** Adds the epoch to the state and saves it as the resumable checkpoint; TensorBoard scalars and the progress line. */
async function recordEpoch(run: Settings, model: tf.LayersModel, state: TrainerState, metrics: EpochMetrics, iterations: DataIterations, board: ScalarWriter | undefined): Promise<void> {
  state.epoch = metrics.epoch;
  state.history.push(metrics);
  state.iterations = iterations;
  if (run.checkpointDir) await saveCheckpoint(join(run.checkpointDir, 'last'), model, run.optimizer, state);
  if (board) await writeEpochScalars(board, metrics.epoch, metrics);
  run.progress?.endEpoch(epochLine(metrics, run.epochs));
}

/** One optimizer step; returns the (kept) predictions and total loss. Disposes x and y. */
function trainStep(
  model: tf.LayersModel,
  optimizer: tf.Optimizer,
  variables: tf.Variable[],
  lossFn: (pred: tf.Tensor, label: tf.Tensor) => tf.Scalar,
  x: tf.Tensor,
  y: tf.Tensor,
): [tf.Tensor, tf.Scalar] {
  let pred: tf.Tensor | undefined;
  try {
    const loss = optimizer.minimize(
      () => {
        const p = model.apply(x, { training: true }) as tf.Tensor;
        pred = tf.keep(p);
        let total = lossFn(p, y);
        for (const reg of (model as unknown as { calculateLosses(): tf.Scalar[] }).calculateLosses()) total = tf.add(total, reg);
        return total;
      },
      true,
      variables,
    ) as tf.Scalar;
    return [pred!, loss];
  } catch (err) {
    if (pred) pred.dispose();
    throw err;
  } finally {
    tf.dispose([x, y]);
  }
}

function epochLine(m: EpochMetrics, epochs: number): string {
  const parts = [`epoch ${m.epoch}/${epochs}`, `${m.steps} steps`, `${m.seconds.toFixed(1)}s`, `loss ${m.loss.toFixed(5)}`, `iou ${m.iou.toFixed(4)}`];
  if (m.valLoss !== undefined) parts.push(`val_loss ${m.valLoss.toFixed(5)}`, `val_iou ${m.valIoU!.toFixed(4)}`, `validation_iou ${m.validationIoU!.toFixed(4)}`);
  parts.push(`lr ${m.learningRate.toExponential(3)}`);
  if (m.best) parts.push('(best)');
  return parts.join('  ');
}

function cardinalityOf(source: BatchSource): number | undefined {
  if (Array.isArray(source)) return source.length;
  const c = (source as { cardinality?: unknown }).cardinality;
  return typeof c === 'number' && Number.isFinite(c) && c >= 0 ? c : undefined;
}
