// The detectors `recordflow train --task` and `recordflow detect` know, behind one interface: how
// to build, train and run each. CenterNet is here; CornerNet plugs in by adding its entry.
import type * as tf from '@tensorflow/tfjs';
import type { DetectionSample } from '../transforms/detection-example.js';
import { createCenterNet } from './centernet-model.js';
import { decodeCenterNet } from './centernet-decode.js';
import { predictCenterNet } from './centernet-predict.js';
import { trainCenterNet } from './centernet-train.js';
import type { DetectedBox } from './detected-box.js';

/** The detector tasks of `train --task` (cornernet until its entry exists: a clear error). */
export const DETECTOR_TASKS = ['centernet', 'cornernet'] as const;
/** One of DETECTOR_TASKS. */
export type DetectorTask = (typeof DETECTOR_TASKS)[number];

/** What a detector's training run is asked for (the CLI's flags). */
export interface DetectorTrainOptions {
  epochs: number;
  batch: number;
  learningRate: number;
  seed: number;
  timeBudget?: number;
  signal?: AbortSignal;
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

/** Decoding options every detector takes (its own meaning of the threshold). */
export interface DetectorDecodeOptions {
  topK: number;
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
}

/** CenterNet as `train --task centernet` runs it (the defaults reach the README's figures). */
export const CENTERNET: Detector = {
  task: 'centernet',
  title: 'CenterNet (Zhou et al., Objects as Points)',
  defaults: { epochs: 30, batch: 16, learningRate: 2e-3, decode: { topK: 100, threshold: 0 } },
  createModel: (seed) => createCenterNet({ seed }),
  train: async (model, frames, o) => {
    const r = await trainCenterNet(model, frames, {
      epochs: o.epochs,
      batch: o.batch,
      learningRate: o.learningRate,
      seed: o.seed,
      ...(o.timeBudget !== undefined ? { timeBudget: o.timeBudget } : {}),
      ...(o.signal ? { signal: o.signal } : {}),
      ...(o.onEpoch ? { onEpoch: (m) => o.onEpoch!({ ...m }) } : {}),
    });
    return { ...r, history: r.history.map((h) => ({ ...h })) };
  },
  detect: async (model, images, options) => decodeCenterNet(await predictCenterNet(model, images), options),
};

/**
 * The detectors by task. CornerNet's entry goes here (a Detector built on createCornerNet,
 * its trainer and decodeCornerNet); until then `train --task cornernet` says it is not built.
 */
export const DETECTORS: Partial<Record<DetectorTask, Detector>> = { centernet: CENTERNET };
