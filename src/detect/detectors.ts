// The detectors `recordflow train --task` and `recordflow detect` know, behind one interface: how
// to build, train and run each: CenterNet and CornerNet.
import type * as tf from '@tensorflow/tfjs';
import type { DetectionSample } from '../transforms/detection-example.js';
import { createCenterNet } from './centernet-model.js';
import { decodeCenterNet } from './centernet-decode.js';
import { predictCenterNet } from './centernet-predict.js';
import { trainCenterNet } from './centernet-train.js';
import { createCornerNet } from './cornernet-model.js';
import { decodeCornerNet } from './cornernet-decode.js';
import { predictCornerNet } from './cornernet-predict.js';
import { trainCornerNet } from './cornernet-train.js';
import type { DetectedBox } from './detected-box.js';
import type { DetectorSchedule } from './train-loop.js';

/** The detector tasks of `train --task`, in the order `start --task detect` runs them. */
export const DETECTOR_TASKS = ['centernet', 'cornernet'] as const;
/** One of DETECTOR_TASKS. */
export type DetectorTask = (typeof DETECTOR_TASKS)[number];

/** What a detector's training run is asked for (the CLI's flags). */
export interface DetectorTrainOptions extends DetectorSchedule {
  /** Called after each epoch with its metrics (a flat record of numbers). */
  onEpoch?: (metrics: { epoch: number; learningRate: number; seconds: number } & Record<string, number>) => unknown;
}

/** What a detector's training run did. */
export interface DetectorTrainResult {
  history: ({ epoch: number } & Record<string, number>)[];
  steps: number;
  stoppedBy: 'epochs' | 'time-budget' | 'callback';
  seconds: number;
}

/** Decoding options every detector takes. */
export interface DetectorDecodeOptions {
  /** Boxes kept per frame, best first. */
  topK: number;
  /** Boxes scoring below it are dropped. */
  threshold: number;
}

/**
 * One detector: defaults of its training run, its model, training and decoding. `detect`
 * returns one list of boxes per image, best first, in pixels of the 32 x 24 frame.
 */
export interface Detector {
  task: DetectorTask;
  /** The paper the detector follows, for help texts and metrics. */
  title: string;
  defaults: { epochs: number; batch: number; learningRate: number; decode: DetectorDecodeOptions };
  /** A fresh model, its weights drawn from `seed`. */
  createModel(seed: number): tf.LayersModel;
  /** Trains `model` on the frames. */
  train(model: tf.LayersModel, frames: readonly DetectionSample[], options: DetectorTrainOptions): Promise<DetectorTrainResult>;
  /** Boxes per image, decoded from the model's outputs. */
  detect(model: tf.LayersModel, images: readonly Float32Array[], options: DetectorDecodeOptions): Promise<DetectedBox[][]>;
  /** What `heatmaps` shows, for captions (e.g. "centre heatmap"). */
  heatmapName: string;
  /** What the detector's keypoint heads see, one map per image (for `start`'s heatmaps.png). */
  heatmaps(model: tf.LayersModel, images: readonly Float32Array[]): Promise<DetectorHeatmap[]>;
}

/** One image's keypoint heatmap, row-major, at the head's resolution. */
export interface DetectorHeatmap {
  pixels: Float32Array;
  width: number;
  height: number;
}

/** One epoch's metrics as the flat record of numbers DetectorTrainOptions.onEpoch receives. */
type EpochRecord = Parameters<NonNullable<DetectorTrainOptions['onEpoch']>>[0];
const flat = (m: { epoch: number; learningRate: number; seconds: number }): EpochRecord => ({ ...m }) as EpochRecord;

/** The options both detectors' trainers take, from what a detector's training run is asked for. */
function trainerOptions(o: DetectorTrainOptions) {
  return {
    epochs: o.epochs,
    batch: o.batch,
    learningRate: o.learningRate,
    seed: o.seed,
    ...(o.timeBudget !== undefined ? { timeBudget: o.timeBudget } : {}),
    ...(o.signal ? { signal: o.signal } : {}),
    ...(o.onEpoch ? { onEpoch: (m: { epoch: number; learningRate: number; seconds: number }) => o.onEpoch!(flat(m)) } : {}),
  };
}

/** CenterNet as `train --task centernet` runs it (the defaults reach the README's figures). */
export const CENTERNET: Detector = {
  task: 'centernet',
  title: 'CenterNet (Zhou et al., Objects as Points)',
  defaults: { epochs: 24, batch: 16, learningRate: 2e-3, decode: { topK: 100, threshold: 0 } },
  heatmapName: 'centre heatmap',
  createModel: (seed) => createCenterNet({ seed }),
  train: async (model, frames, o) => {
    const r = await trainCenterNet(model, frames, trainerOptions(o));
    return { ...r, history: r.history.map(flat) };
  },
  detect: async (model, images, options) => decodeCenterNet(await predictCenterNet(model, images), options),
  heatmaps: async (model, images) => {
    const out = await predictCenterNet(model, images);
    const cells = out.width * out.height;
    return images.map((_, i) => ({ pixels: Float32Array.from({ length: cells }, (_, k) => out.heatmap[i * cells + k]!), width: out.width, height: out.height }));
  },
};

/**
 * CornerNet as `train --task cornernet` runs it: createCornerNet, trainCornerNet, and
 * decodeCornerNet (top K corners of each heatmap, pairs within CornerNet's embedding threshold
 * 0.5) with the boxes below the threshold dropped. Its heatmap for pictures is the larger of
 * the two corner heatmaps at each cell.
 */
export const CORNERNET: Detector = {
  task: 'cornernet',
  title: 'CornerNet (Law and Deng, Detecting Objects as Paired Keypoints)',
  defaults: { epochs: 16, batch: 16, learningRate: 2e-3, decode: { topK: 100, threshold: 0 } },
  heatmapName: 'corner heatmaps',
  createModel: (seed) => createCornerNet({ seed }),
  train: async (model, frames, o) => {
    const r = await trainCornerNet(model, frames, trainerOptions(o));
    return { ...r, history: r.history.map(flat) };
  },
  detect: async (model, images, options) => {
    const frames = decodeCornerNet(await predictCornerNet(model, images), { topK: options.topK });
    return options.threshold > 0 ? frames.map((boxes) => boxes.filter((b) => b.score >= options.threshold)) : frames;
  },
  heatmaps: async (model, images) => {
    const out = await predictCornerNet(model, images);
    const cells = out.width * out.height;
    return images.map((_, i) => ({
      pixels: Float32Array.from({ length: cells }, (_, k) => Math.max(out.topLeft[i * cells + k]!, out.bottomRight[i * cells + k]!)),
      width: out.width,
      height: out.height,
    }));
  },
};

/** The detectors by task: what `train --task`, `detect` and `start --task detect` run. */
export const DETECTORS: Record<DetectorTask, Detector> = { centernet: CENTERNET, cornernet: CORNERNET };
