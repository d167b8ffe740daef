// A detector's training run from a prepared directory into an output directory, as the stages a
// reader can follow: readDetectionSplits → createModel → train (tfevents per epoch) → save →
// detect on the validation frames → cocoEvaluate → metrics.json. And the other way in: detect
// with a saved model. `recordflow train --task`, `detect` and `start --task detect` only parse and print.
import { join } from 'node:path';
import type * as tfTypes from '@tensorflow/tfjs';
import { InputError } from '../core/errors.js';
import { EventWriter } from '../io/events.js';
import type { BackendChoice } from '../train/backend/index.js';
import { loadModel, saveModel, writeAtomic } from '../train/checkpoint.js';
import { useBackend } from '../train/predict.js';
import { cocoEvaluate, cocoGroundTruthFromJson, type CocoDetection, type CocoEvaluation, type CocoStats } from './coco/index.js';
import { cocoGroundTruth } from './coco-json.js';
import { DETECTION_FILES, readDetectionSplits, readPrepared } from './detection-data.js';
import { cocoResults, type DetectedBox } from './detected-box.js';
import { DETECTOR_TASKS, DETECTORS, type Detector, type DetectorDecodeOptions, type DetectorTask, type DetectorTrainResult } from './detectors.js';

/** How a detector run trains (the CLI's flags; absent values take the detector's defaults). */
export interface DetectorRunOptions {
  epochs?: number;
  batch?: number;
  learningRate?: number;
  seed?: number;
  /**
   * Seconds for the whole run (reading the data, training, saving and evaluating): training
   * gets what is left after reading the data, less a reserve for the evaluation, and stops
   * starting epochs when the next would overrun it.
   */
  timeBudget?: number;
  backend?: BackendChoice;
  /** Receives progress lines (default: silent). */
  log?: (line: string) => void;
}

/** What a detector run did; also written to `metrics.json`. */
export interface DetectorRunResult {
  task: DetectorTask;
  backend: string;
  epochs: number;
  plannedEpochs: number;
  batch: number;
  learningRate: number;
  seed: number;
  stoppedBy: DetectorTrainResult['stoppedBy'];
  /** Seconds of training steps, and of the whole run (data, training, saving, evaluation). */
  trainSeconds: number;
  seconds: number;
  msPerStep: number;
  nTrain: number;
  nVal: number;
  decode: DetectorDecodeOptions;
  /** pycocotools' 12 summary numbers on the validation frames, by name and in order. */
  coco: CocoStats & { stats: number[] };
  history: DetectorTrainResult['history'];
}

/** The detector of a task, or an InputError naming the tasks there are. */
export function detectorFor(task: string): Detector {
  if (!(DETECTOR_TASKS as readonly string[]).includes(task)) throw new InputError(`unknown detector task "${task}" (expected ${DETECTOR_TASKS.join(' or ')})`);
  return DETECTORS[task as DetectorTask];
}

/** The name of the user-defined metadata entry that records which detector a model is. */
const METADATA_KEY = 'recordflow';

/**
 * Trains the detector of `task` on `dataDir`'s det_train.tfr, saves it into `outDir` (model.json
 * with the task in its metadata, weights.bin), writes a TensorBoard file with the per-epoch
 * losses and metrics.json with the COCO stats of the model's detections on det_val.tfr against
 * det_val_coco.json. `outDir` is written by the caller (e.g. a staging directory).
 *
 * @example
 * const result = await trainDetectorInto('centernet', 'prepared', 'model', { epochs: 30, timeBudget: 420 });
 * console.log(result.coco.AP, result.coco.AP50);
 */
export async function trainDetectorInto(task: string, dataDir: string, outDir: string, options: DetectorRunOptions = {}): Promise<DetectorRunResult> {
  const started = performance.now();
  const detector = detectorFor(task);
  const log = options.log ?? (() => {});
  const { train: frames, val } = await readDetectionSplits(dataDir);
  const groundTruth = await validationGroundTruth(dataDir, val);
  const epochs = options.epochs ?? detector.defaults.epochs;
  const batch = options.batch ?? detector.defaults.batch;
  const learningRate = options.learningRate ?? detector.defaults.learningRate;
  const seed = options.seed ?? 0;
  if (frames.length < batch) throw new InputError(`only ${frames.length} training frames, fewer than one batch of ${batch}`, join(dataDir, DETECTION_FILES.train));
  const backend = await useBackend(options.backend, log);
  const model = detector.createModel(seed);
  model.setUserDefinedMetadata({ [METADATA_KEY]: { task: detector.task } });
  const board = await EventWriter.open(outDir);
  let trained: DetectorTrainResult;
  let evaluation: CocoEvaluation;
  try {
    trained = await detector.train(model, frames, {
      epochs,
      batch,
      learningRate,
      seed,
      ...(options.timeBudget !== undefined ? { timeBudget: trainingBudget(options.timeBudget, (performance.now() - started) / 1000) } : {}),
      onEpoch: async (m) => {
        const { epoch, ...scalars } = m;
        await board.scalars(Object.fromEntries(Object.entries(scalars).map(([k, v]) => [k === 'learningRate' ? 'learning_rate' : k, v])), epoch);
        log(epochLine(m, epochs));
      },
    });
    if (trained.stoppedBy === 'time-budget') log(`time budget: stopped after epoch ${trained.history.length} of ${epochs} (${trained.seconds.toFixed(0)} s of ${options.timeBudget} s)`);
    await saveModel(model, outDir);
    const detections = await detector.detect(model, val.map((f) => f.image), detector.defaults.decode);
    evaluation = cocoEvaluate(groundTruth, cocoResults(detections));
    await board.scalars({ AP: evaluation.AP, AP50: evaluation.AP50, AP75: evaluation.AP75 }, trained.history.length);
  } finally {
    model.dispose();
    await board.close();
  }
  const result: DetectorRunResult = {
    task: detector.task,
    backend,
    epochs: trained.history.length,
    plannedEpochs: epochs,
    batch,
    learningRate,
    seed,
    stoppedBy: trained.stoppedBy,
    trainSeconds: trained.seconds,
    seconds: (performance.now() - started) / 1000,
    msPerStep: trained.steps > 0 ? (trained.seconds * 1000) / trained.steps : NaN,
    nTrain: frames.length,
    nVal: val.length,
    decode: detector.defaults.decode,
    coco: cocoStats(evaluation),
    history: trained.history,
  };
  await writeAtomic(join(outDir, 'metrics.json'), JSON.stringify(result, null, 2) + '\n');
  return result;
}

/**
 * The seconds training may take of a run's budget: what is left after `elapsed` seconds of
 * setup, less 5% (at least 5 s) for saving and evaluating (the thermal sets' validation pass
 * took ~3% of a budget-stopped run on a busy machine).
 *
 * @example
 * console.log(trainingBudget(420, 4)); // 395.2
 */
export function trainingBudget(budget: number, elapsed: number): number {
  const left = budget - elapsed;
  return Math.max(0, left - Math.max(5, 0.05 * left));
}

/** One plain progress line per epoch: the losses, the learning rate, the epoch's seconds. */
function epochLine(m: { epoch: number; learningRate: number; seconds: number } & Record<string, number>, epochs: number): string {
  const { epoch, learningRate, seconds, steps, ...losses } = m;
  const parts = [`epoch ${epoch}/${epochs}`, ...Object.entries(losses).map(([k, v]) => `${k} ${v.toFixed(4)}`), `lr ${learningRate.toExponential(2)}`];
  return `${parts.join('  ')}  (${steps ?? '?'} steps, ${seconds.toFixed(1)} s)`;
}

/** The 12 stats by name, plus the list in pycocotools' order. */
function cocoStats(e: CocoEvaluation): DetectorRunResult['coco'] {
  const { stats, AP, AP50, AP75, APsmall, APmedium, APlarge, AR1, AR10, AR100, ARsmall, ARmedium, ARlarge } = e;
  return { AP, AP50, AP75, APsmall, APmedium, APlarge, AR1, AR10, AR100, ARsmall, ARmedium, ARlarge, stats: [...stats] };
}

/** det_val_coco.json of the prepared directory, or (when absent) the same built from the frames. */
async function validationGroundTruth(dataDir: string, val: { boxes: Float32Array }[]) {
  const file = join(dataDir, DETECTION_FILES.groundTruth);
  const { readFile } = await import('node:fs/promises');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return cocoGroundTruth(val.map((f) => f.boxes));
    throw err;
  }
  const gt = cocoGroundTruthFromJson(text, file);
  if (gt.images.length !== val.length) throw new InputError(`${gt.images.length} images, but ${DETECTION_FILES.val} holds ${val.length} frames`, file);
  return gt;
}

/** A saved detector: its model and which task it is. */
export interface LoadedDetector {
  detector: Detector;
  model: tfTypes.LayersModel;
}

/**
 * Loads a model directory that `train --task` wrote (any detector: model.json records which).
 * A directory of another task (a localization BackBone, a task this version does not know, or
 * a detector of another kind than `expect`) is an InputError naming its model.json.
 *
 * @example
 * const { detector, model } = await loadDetector('model');
 * console.log(detector.task);
 * model.dispose();
 */
export async function loadDetector(modelDir: string, expect?: DetectorTask, backend?: BackendChoice): Promise<LoadedDetector> {
  await useBackend(backend);
  const model = await loadModel(modelDir);
  // The task is recorded in model.json, so that file is the one a refusal names.
  const file = join(modelDir, 'model.json');
  const meta = model.getUserDefinedMetadata() as Record<string, { task?: unknown } | undefined> | undefined;
  const task = meta?.[METADATA_KEY]?.task;
  const refuse = (message: string): never => {
    model.dispose();
    throw new InputError(message, file);
  };
  if (typeof task !== 'string') return refuse(`not a detector model (a localization model from \`recordflow train\` without --task?)${expect !== undefined ? `, expected a ${expect} model` : ''}`);
  if (!(DETECTOR_TASKS as readonly string[]).includes(task)) return refuse(`records the detector task "${task}", which this recordflow does not know (${DETECTOR_TASKS.join(', ')})`);
  if (expect !== undefined && task !== expect) return refuse(`a ${task} model, expected a ${expect} model`);
  return { detector: DETECTORS[task as DetectorTask], model };
}

/**
 * The COCO results of a saved detector on `dataDir`'s det_val.tfr: image ids 1..N in file
 * order, decoded with `decode` (default the detector's: top 100, threshold 0). The model may be
 * of any detector task, or only of `expect` when given.
 *
 * @example
 * const { results } = await detectValidation('model', 'prepared', { topK: 100, threshold: 0.01 });
 * console.log(`${results.length} detections`);
 */
export async function detectValidation(
  modelDir: string,
  dataDir: string,
  decode: Partial<DetectorDecodeOptions> = {},
  backend?: BackendChoice,
  expect?: DetectorTask,
): Promise<{ task: DetectorTask; results: CocoDetection[]; detections: DetectedBox[][] }> {
  const frames = await readPrepared(dataDir, DETECTION_FILES.val);
  const { detector, model } = await loadDetector(modelDir, expect, backend);
  try {
    const detections = await detector.detect(model, frames.map((f) => f.image), { ...detector.defaults.decode, ...decode });
    return { task: detector.task, results: cocoResults(detections), detections };
  } finally {
    model.dispose();
  }
}
