// A training run of the localization study, from the prepared TFRecords into an output
// directory, as the stages a reader can follow:
//   checkData → buildPipelines → openCheckpoints → fit → averageWeights → finishCheckpoints → summarize
// `recordflow train` and `recordflow start` parse their options into TrainRunOptions and print
// the TrainRunResult; how the run trains is decided here.
import { join } from 'node:path';
import { RecordflowError } from '../core/errors.js';
import type { BackendChoice } from './backend/index.js';
import { replaceModel, writeAtomic } from './checkpoint.js';
import { evaluate } from './evaluate.js';
import { buildPipelines, checkData, type Pipelines, type SplitCounts, type SplitFiles } from './localization-data.js';
import { BLOCK_DROPOUT, createBackbone, HEAD_DROPOUT, type BackboneOptions } from './model.js';
import { recomputeBatchNormStats, type PreciseBNOptions } from './precise-bn.js';
import { useBackend } from './predict.js';
import { finishCheckpoints, openCheckpoints, type CheckpointPlace } from './run-checkpoints.js';
import { annealSchedule, exponentialDecay, type LearningRateSchedule } from './schedule.js';
import { train } from './trainer.js';
import type { EpochMetrics } from './epoch-metrics.js';
import { WeightAverage } from './weight-average.js';
import type * as tfTypes from '@tensorflow/tfjs';

/** How a run trains: what `recordflow train`'s flags (or `start`'s defaults) ask for. */
export interface TrainRunOptions {
  epochs: number;
  batch: number;
  backend?: BackendChoice;
  seed: number;
  /** The BackBone's variations from the reference (dropout rates, width); default the reference's model. */
  model?: Pick<BackboneOptions, 'widthMultiplier' | 'blockDropout' | 'headDropout'>;
  /** Initial learning rate (default the reference's 5e-4); the decay stays x0.9 per 5000 steps. */
  learningRate?: number;
  /** Anneal the learning rate from `learningRate` to 2% of it along a cosine over the epochs' steps. */
  anneal?: boolean;
  /** Where the annealed rate ends, as a fraction of `learningRate` (default ANNEAL_FLOOR, 2%). */
  annealFloor?: number;
  /**
   * Average the weights of the epochs in the last third of the annealed learning rate and keep
   * the average instead of the best single epoch when its validation IoU is higher.
   */
  weightAverage?: boolean;
  /**
   * A safety cap, in seconds of training: no epoch starts that would end after it (and one that
   * overruns it by far is aborted). It only ends a run early, which the summary says
   * (`stoppedBy: 'time-budget'`); the learning rates never depend on it.
   */
  timeBudget?: number;
  /**
   * Training batches precise BN pools before each validation: the whole training set when
   * absent (the recipe), 0 = off.
   */
  preciseBNBatches?: number;
  /** Keep the resumable checkpoint in this directory (kept after the run) instead of the output. */
  checkpointDir?: string;
  /** Continue the checkpoint in `checkpointDir` (same data, batch, seed, learning rate). */
  resume?: boolean;
  /**
   * Aborting it with a TrainingInterrupted (Ctrl-C) stops training at the next step and ends the
   * run as Keras' ModelCheckpoint leaves one: the best model so far becomes the output, marked
   * `interrupted`. Before the first epoch ends there is nothing to keep and the reason is thrown.
   */
  signal?: AbortSignal;
  log: (line: string) => void;
  /** Progress output of the trainer (bar on a TTY, plain lines otherwise). */
  progress: boolean;
}

/** The reason to abort a run's `signal` with when the user interrupts it (Ctrl-C, SIGTERM). */
export class TrainingInterrupted extends RecordflowError {
  override name = 'TrainingInterrupted';
  constructor(readonly signal: string) {
    super(`training interrupted (${signal})`);
  }
}

/** What a run did; also written to `metrics.json` in the output directory. */
export interface TrainRunResult {
  backend: string;
  epochs: number;
  bestEpoch: number | undefined;
  bestValidationIoU: number | undefined;
  /** Wall time of this process's training (a resumed run's earlier epochs not included). */
  seconds: number;
  /** Epochs a resumed run found done by an earlier process (0 when not resumed). */
  resumedEpochs: number;
  /** What ended the run: all its epochs, the time budget's safety cap, or an interrupt. */
  stoppedBy: 'epochs' | 'time-budget' | 'interrupted';
  /** The run was interrupted: its model is the best of the epochs that finished. */
  interrupted: boolean;
  history: EpochMetrics[];
  nTrain: number;
  nVal: number;
  msPerStep: number;
  /** The tail-epoch weight average, when one was tried, and whether it became the model. */
  weightAverage?: { epochs: number[]; validationIoU: number; kept: boolean };
}

/**
 * Trains the BackBone on the prepared splits `files` and leaves the best model (model.json +
 * weights.bin), metrics.json and the TensorBoard file in `outDir` (written by the caller, e.g. a
 * staging directory that it moves into place afterwards).
 */
export async function trainInto(files: SplitFiles, outDir: string, options: TrainRunOptions): Promise<TrainRunResult> {
  const counts = await checkData(files, options.batch);
  // Before the backend: a run refused the checkpoint directory stops at once.
  const place = await openCheckpoints(options.checkpointDir, outDir, runParams(options, counts), options.resume === true, options.log);
  try {
    const backend = await useBackend(options.backend, options.log);
    const data = buildPipelines(files, counts, options);
    const started = performance.now();
    const model = createBackbone({ ...options.model, seed: options.seed });
    let fitted: Fitted;
    let averaged: WeightAverageResult | undefined;
    try {
      fitted = await fit(model, data, counts, place, outDir, options, started);
      averaged = await averageWeights(model, data, counts, fitted, place, options);
    } finally {
      model.dispose();
    }
    const seconds = (performance.now() - started) / 1000;
    await finishCheckpoints(place, outDir);
    return await summarize(outDir, { backend, counts, fitted, averaged, seconds, resumedEpochs: place.resumed?.history.length ?? 0 });
  } finally {
    place.release();
  }
}

/** What must match for a resumed run to continue the same training. */
function runParams(options: TrainRunOptions, counts: SplitCounts) {
  // The annealed curve spans all the epochs, so a resumed anneal must keep their number.
  const annealEpochs = options.anneal ? options.epochs : null;
  return { batch: options.batch, seed: options.seed, learningRate: options.learningRate ?? null, anneal: options.anneal === true, annealEpochs, ...(options.annealFloor !== undefined ? { annealFloor: options.annealFloor } : {}), ...counts, model: modelVariant(options.model) };
}

/**
 * How the model differs from the reference BackBone, as checkpoints record it: null for the
 * reference itself (as older run.json files, which have no such key, mean it), else e.g.
 * "width 1, block dropout 0.1, head dropout 0.2".
 */
export function modelVariant(model: TrainRunOptions['model']): string | null {
  const width = model?.widthMultiplier ?? 1;
  const block = model?.blockDropout ?? BLOCK_DROPOUT;
  const head = model?.headDropout ?? HEAD_DROPOUT;
  if (width === 1 && block === BLOCK_DROPOUT && head === HEAD_DROPOUT) return null;
  return `width ${width}, block dropout ${block}, head dropout ${head}`;
}

/** The trainer's precise-BN option for `preciseBNBatches` (absent: the whole set, 0: off). */
export function preciseBNOption(batches: number | undefined): false | PreciseBNOptions {
  if (batches === undefined) return {};
  return batches > 0 ? { maxBatches: batches } : false;
}

class BudgetExceeded extends Error {
  override name = 'BudgetExceeded';
}

interface Fitted {
  /** Every epoch, a resumed run's earlier ones too. */
  history: EpochMetrics[];
  stoppedBy: TrainRunResult['stoppedBy'];
  /** The running mean of the annealed tail's weights, when asked for. */
  tail: WeightAverage | undefined;
}

/**
 * The learning rate per step: the annealed cosine over all the epochs' steps, or the reference's
 * decay from a given initial rate, or (undefined) the trainer's default reference schedule.
 * Every one is a function of the step alone.
 */
function scheduleFor(options: TrainRunOptions, counts: SplitCounts): LearningRateSchedule | undefined {
  const lr0 = options.learningRate ?? 5e-4;
  if (options.anneal) return annealSchedule(lr0, options.epochs * Math.floor(counts.nTrain / options.batch), options.annealFloor);
  if (options.learningRate !== undefined) return exponentialDecay({ initialLearningRate: lr0, decaySteps: 5000, decayRate: 0.9, staircase: true });
  return undefined;
}

/**
 * Stage 3: trains epoch by epoch, saving the best model by the exhaustive validation IoU under
 * the checkpoint directory, until the epochs or the time budget run out. Soft limit: no new
 * epoch once another like the last would overrun the budget. Hard limit: abort mid-epoch a
 * little after the budget (a machine slower than expected) and keep the best so far.
 */
async function fit(model: tfTypes.LayersModel, data: Pipelines, counts: SplitCounts, place: CheckpointPlace, outDir: string, options: TrainRunOptions, started: number): Promise<Fitted> {
  const lr0 = options.learningRate ?? 5e-4;
  const schedule = scheduleFor(options, counts);
  const tail = options.weightAverage && schedule && options.anneal ? new WeightAverage() : undefined;
  // A resumed run reports every epoch, the earlier process's too.
  const history: EpochMetrics[] = [...(place.resumed?.history ?? [])];
  let stoppedBy: Fitted['stoppedBy'] = 'epochs';
  const budget = options.timeBudget;
  const abort = new AbortController();
  const stop = options.signal;
  if (stop?.aborted) abort.abort(stop.reason);
  stop?.addEventListener('abort', () => abort.abort(stop.reason), { once: true });
  const hardLimit = budget === undefined ? undefined : budget + Math.max(20, budget * 0.1);
  const timer = hardLimit === undefined ? undefined : setTimeout(() => abort.abort(new BudgetExceeded()), hardLimit * 1000);
  try {
    await train(model, data.train, data.val, {
      epochs: options.epochs,
      ...(schedule ? { schedule } : {}),
      preciseBN: preciseBNOption(options.preciseBNBatches),
      checkpointDir: place.dir,
      resume: place.resumed !== undefined,
      logdir: outDir,
      validationCount: counts.nVal,
      progress: options.progress,
      signal: abort.signal,
      onEpoch: (m) => {
        history.push(m);
        // The last third of the cosine (rate below a quarter of the start) is the settled tail.
        if (tail && m.learningRate <= lr0 / 4) tail.add(model, m.epoch);
        if (budget === undefined) return true;
        const elapsed = (performance.now() - started) / 1000;
        if (elapsed + m.seconds > budget && m.epoch < options.epochs) {
          stoppedBy = 'time-budget';
          options.log(`time budget: stopping after epoch ${m.epoch} (${elapsed.toFixed(0)} s of ${budget} s used)`);
          return false;
        }
        return true;
      },
    });
  } catch (err) {
    if (history.length === 0 || !(err instanceof BudgetExceeded || err instanceof TrainingInterrupted)) throw err;
    const best = history.filter((h) => h.best).at(-1);
    const kept = best ? `epoch ${best.epoch}, exhaustive validation IoU ${best.validationIoU?.toFixed(4)}` : 'none validated';
    if (err instanceof TrainingInterrupted) {
      stoppedBy = 'interrupted';
      options.log(`interrupted (${err.signal}) in epoch ${history.length + 1}: keeping the best model of the ${history.length} epochs that finished (${kept})`);
    } else {
      stoppedBy = 'time-budget';
      options.log(`time budget: aborted epoch ${history.length + 1} after ${hardLimit} s; keeping the best of ${history.length} epochs (${kept})`);
    }
  } finally {
    if (timer) clearTimeout(timer);
  }
  return { history, stoppedBy, tail };
}

type WeightAverageResult = NonNullable<TrainRunResult['weightAverage']>;

/**
 * Stage 4: the mean of the tail epochs' weights, with BatchNorm statistics recomputed for it,
 * validated against the best single epoch; it replaces the best model only when it validates
 * higher. Undefined when no average was asked for or fewer than two epochs fell in the tail.
 */
async function averageWeights(
  model: tfTypes.LayersModel,
  data: Pipelines,
  counts: SplitCounts,
  fitted: Fitted,
  place: CheckpointPlace,
  options: TrainRunOptions,
): Promise<WeightAverageResult | undefined> {
  const tail = fitted.tail;
  // An interrupted run ends now, with what it has.
  if (!tail || tail.count < 2 || fitted.stoppedBy === 'interrupted') return undefined;
  await tail.apply(model);
  await recomputeBatchNormStats(model, data.train, preciseBNOption(options.preciseBNBatches) || {});
  const r = await evaluate(model, data.val, { count: counts.nVal });
  const bestSingle = Math.max(...fitted.history.map((h) => h.validationIoU ?? -Infinity));
  const kept = r.validationIoU > bestSingle;
  if (kept) await replaceModel(model, join(place.dir, 'best'));
  options.log(
    `weight average of epochs ${tail.epochs[0]}-${tail.epochs.at(-1)}: exhaustive validation IoU ${r.validationIoU.toFixed(4)} ` +
      `(best single epoch ${bestSingle.toFixed(4)}); keeping ${kept ? 'the average' : 'the best epoch'}`,
  );
  return { epochs: [...tail.epochs], validationIoU: r.validationIoU, kept };
}

/** Stage 5: the run's summary, also written as `outDir/metrics.json`. */
async function summarize(
  outDir: string,
  run: { backend: string; counts: SplitCounts; fitted: Fitted; averaged: WeightAverageResult | undefined; seconds: number; resumedEpochs: number },
): Promise<TrainRunResult> {
  const { history, stoppedBy } = run.fitted;
  const bestRow = history.filter((h) => h.best).at(-1);
  const steps = history.reduce((n, h) => n + h.steps, 0);
  // Time in optimizer steps only (validation and precise BN excluded).
  const trainSeconds = history.reduce((s, h) => s + (h.trainSeconds ?? h.seconds), 0);
  const summary: TrainRunResult = {
    backend: run.backend,
    epochs: history.length,
    bestEpoch: bestRow?.epoch,
    bestValidationIoU: run.averaged?.kept ? run.averaged.validationIoU : bestRow?.validationIoU,
    seconds: run.seconds,
    resumedEpochs: run.resumedEpochs,
    stoppedBy,
    interrupted: stoppedBy === 'interrupted',
    history,
    nTrain: run.counts.nTrain,
    nVal: run.counts.nVal,
    msPerStep: steps > 0 ? (trainSeconds * 1000) / steps : NaN,
    ...(run.averaged ? { weightAverage: run.averaged } : {}),
  };
  await writeAtomic(join(outDir, 'metrics.json'), JSON.stringify(summary, null, 2) + '\n');
  return summary;
}
