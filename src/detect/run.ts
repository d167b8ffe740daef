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
  /** Seconds of training after which no new epoch starts. */
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

/** The detector of a task, or an InputError saying why there is none. */
export function detectorFor(task: string): Detector {
  if (!(DETECTOR_TASKS as readonly string[]).includes(task)) throw new InputError(`unknown detector task "${task}" (expected ${DETECTOR_TASKS.join(' or ')})`);
  const detector = DETECTORS[task as DetectorTask];
  if (detector === undefined) throw new InputError(`the ${task} detector is not built yet (see src/detect/detectors.ts)`);
  return detector;
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
      ...(options.timeBudget !== undefined ? { timeBudget: options.timeBudget } : {}),
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
 * Loads a model directory that `train --task` wrote; one of another task (a localization
 * BackBone, or a detector of another kind than `expect`) is an InputError naming the directory.
 *
 * @example
 * const { detector, model } = await loadDetector('model');
 * console.log(detector.task);
 * model.dispose();
 */
export async function loadDetector(modelDir: string, expect?: DetectorTask, backend?: BackendChoice): Promise<LoadedDetector> {
  await useBackend(backend);
  const model = await loadModel(modelDir);
  const meta = model.getUserDefinedMetadata() as Record<string, { task?: unknown } | undefined> | undefined;
  const task = meta?.[METADATA_KEY]?.task;
  if (typeof task !== 'string' || (expect !== undefined && task !== expect)) {
    model.dispose();
    const what = typeof task === 'string' ? `a ${task} model` : 'not a detector model (a localization model from `recordflow train` without --task?)';
    throw new InputError(`${what}${expect !== undefined ? `, expected ${expect}` : ''}`, modelDir);
  }
  try {
    return { detector: detectorFor(task), model };
  } catch (err) {
    model.dispose();
    throw err;
  }
}

/**
 * The COCO results of a saved detector on `dataDir`'s det_val.tfr: image ids 1..N in file
 * order, decoded with `decode` (default the detector's: top 100, threshold 0).
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
): Promise<{ task: DetectorTask; results: CocoDetection[]; detections: DetectedBox[][] }> {
  const frames = await readPrepared(dataDir, DETECTION_FILES.val);
  const { detector, model } = await loadDetector(modelDir, undefined, backend);
  try {
    const detections = await detector.detect(model, frames.map((f) => f.image), { ...detector.defaults.decode, ...decode });
    return { task: detector.task, results: cocoResults(detections), detections };
  } finally {
    model.dispose();
  }
}
