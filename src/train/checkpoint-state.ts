import * as tf from '@tensorflow/tfjs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InputError } from '../core/errors.js';
import { fileHandler, loadTensors, recoverDir, replaceDir, saveTensors, writeAtomic } from './checkpoint.js';
import { dropoutCounters, restoreDropoutCounters } from './seeded-dropout.js';
import type { EpochMetrics } from './epoch-metrics.js';

const STATE_FILE = 'state.json';

/**
 * A resumable training checkpoint directory:
 *   model.json + weights.bin   the model (tfjs layers format, loadable on its own)
 *   optimizer.json + .bin      the optimizer's iteration count and slot variables
 *   state.json                 epoch, global step, best value, history, dropout counters,
 *                              iterations of the data
 * state.json is written last, so its presence marks a complete checkpoint. Each save replaces
 * the whole directory (replaceDir), so an interrupted save leaves the previous checkpoint.
 */
export interface TrainerState {
  /** Completed epochs. */
  epoch: number;
  /** Completed optimizer steps (the schedule's step index). */
  step: number;
  history: EpochMetrics[];
  bestEpoch: number | undefined;
  best: number | undefined;
  /**
   * Iterations train() started on the training and validation data (data-iterations.ts): a
   * resume replays them on fresh Dataset objects so reshuffling ones continue their orders.
   * Absent in checkpoints written before it was recorded.
   */
  iterations?: DataIterations;
}

/**
 * How many iterations train() started on the training and validation data, so a resume replays them.
 */
export interface DataIterations {
  train: number;
  val: number;
}

interface StateFile extends TrainerState {
  version: 1;
  dropout: Record<string, number>;
  optimizer: string | null;
}

/**
 * Saves a resumable checkpoint into `dir` (model, optimizer state, trainer state, dropout counters),
 * replacing the directory whole so an interrupted save never mixes two epochs.
 */
export async function saveCheckpoint(dir: string, model: tf.LayersModel, optimizer: tf.Optimizer, state: TrainerState): Promise<void> {
  await replaceDir(dir, (tmp) => writeCheckpoint(tmp, model, optimizer, state));
}

async function writeCheckpoint(dir: string, model: tf.LayersModel, optimizer: tf.Optimizer, state: TrainerState): Promise<void> {
  await model.save(fileHandler(dir));
  let optimizerSaved: string | null = null;
  try {
    const weights = await optimizer.getWeights();
    await saveTensors(dir, 'optimizer', weights);
    // getWeights returns a fresh iteration-count scalar; the slot variables are the optimizer's own.
    weights[0]?.tensor.dispose();
    optimizerSaved = optimizer.getClassName();
  } catch (err) {
    if (!/not implemented/i.test((err as Error).message)) throw err;
  }
  const file: StateFile = { version: 1, ...state, dropout: dropoutCounters(model), optimizer: optimizerSaved };
  await writeAtomic(join(dir, STATE_FILE), JSON.stringify(file, null, 1));
}

/** Restores weights, optimizer and dropout state; undefined when `dir` holds no checkpoint. */
export async function loadCheckpoint(dir: string, model: tf.LayersModel, optimizer: tf.Optimizer): Promise<TrainerState | undefined> {
  const file = await readStateFile(dir);
  if (!file) return undefined;
  const statePath = join(dir, STATE_FILE);
  await loadWeightsInto(model, dir);
  if (file.optimizer !== null) {
    if (file.optimizer !== optimizer.getClassName()) {
      throw new InputError(`checkpoint optimizer is ${file.optimizer} but training uses ${optimizer.getClassName()}`, statePath);
    }
    const weights = await loadTensors(dir, 'optimizer');
    await optimizer.setWeights(weights);
    tf.dispose(weights.map((w) => w.tensor));
  }
  restoreDropoutCounters(model, file.dropout ?? {});
  return stateOf(file);
}

/**
 * The epoch, step, best value and history of the checkpoint in `dir`, without loading the model.
 * Like every checkpoint open, it first completes or undoes a save that an interrupt cut short
 * (recoverDir), which renames or removes directories beside `dir`.
 */
export async function readCheckpointState(dir: string): Promise<TrainerState | undefined> {
  const file = await readStateFile(dir);
  return file && stateOf(file);
}

async function readStateFile(dir: string): Promise<StateFile | undefined> {
  if (!(await recoverDir(dir, STATE_FILE))) return undefined;
  const statePath = join(dir, STATE_FILE);
  const file = JSON.parse(await readFile(statePath, 'utf8')) as StateFile;
  if (file.version !== 1) throw new InputError(`unsupported checkpoint version ${String(file.version)}`, statePath);
  return file;
}

function stateOf(file: StateFile): TrainerState {
  return {
    epoch: file.epoch,
    step: file.step,
    history: file.history,
    bestEpoch: file.bestEpoch ?? undefined,
    best: file.best ?? undefined,
    ...(file.iterations ? { iterations: file.iterations } : {}),
  };
}

/**
 * Loads saved weights into an existing model: by name when the names match (models built
 * by createBackbone have fixed names), else in order when every shape matches.
 */
export async function loadWeightsInto(model: tf.LayersModel, dir: string): Promise<void> {
  const artifacts = await fileHandler(dir).load!();
  const specs = artifacts.weightSpecs ?? [];
  const map = tf.io.decodeWeights(artifacts.weightData!, specs);
  const tensors = specs.map((s) => map[s.name]!);
  try {
    const own = model.weights;
    const byName = own.every((w) => map[w.originalName] !== undefined) && own.length === specs.length;
    if (byName) {
      model.setWeights(own.map((w) => map[w.originalName]!));
      return;
    }
    const sameShapes =
      own.length === tensors.length && own.every((w, i) => w.shape.length === tensors[i]!.shape.length && w.shape.every((d, k) => d === tensors[i]!.shape[k]));
    if (!sameShapes) {
      throw new InputError(`checkpoint weights (${specs.length}) do not fit this model (${own.length} weights)`, dir);
    }
    model.setWeights(tensors);
  } finally {
    tf.dispose(tensors);
  }
}
