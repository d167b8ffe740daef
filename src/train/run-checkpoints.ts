// Where a training run (run.ts, `recordflow train`) keeps its resumable checkpoint. By default inside the staged output,
// so a failed or interrupted run leaves nothing behind and a finished one only the best model.
// With --checkpoints DIR the checkpoint lives in DIR instead and outlives the run, and
// --resume continues it: the trainer restores weights, optimizer, step, best value and the
// data orders (trainer.ts); DIR/run.json makes sure the continued run trains the same way.
import { copyFile, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { InputError } from '../core/errors.js';
import { writeAtomic } from './checkpoint.js';
import { readCheckpointState, type TrainerState } from './checkpoint-state.js';
import { makeDirs } from '../io/make-dirs.js';
import { lockCheckpoints } from './checkpoint-lock.js';

/** What must match for a resumed run to continue the same training. */
export interface RunParams {
  batch: number;
  seed: number;
  /** null: the reference's 5e-4. */
  learningRate: number | null;
  anneal: boolean;
  /** The epochs an annealed run's cosine spans (null without anneal). */
  annealEpochs: number | null;
  nTrain: number;
  nVal: number;
  /** How the model differs from the reference BackBone (null: the reference). */
  model: string | null;
}

const RUN_FILE = 'run.json';

export interface CheckpointPlace {
  dir: string;
  /** Kept after the run (--checkpoints), or removed with the staging area. */
  persistent: boolean;
  /** The checkpoint being continued, when resuming one. */
  resumed: TrainerState | undefined;
  /** Gives up the directory's lock (a no-op for a checkpoint inside the output). */
  release: () => void;
}

/**
 * Opens the checkpoint directory of a run: `given` (--checkpoints) or one inside `outDir`.
 * A given directory is locked for this run (another run using it is refused); one that already
 * holds a checkpoint needs `resume`, and then the same parameters; one without a checkpoint is
 * started fresh (so a retry loop can always pass --resume).
 */
export async function openCheckpoints(
  given: string | undefined,
  outDir: string,
  params: RunParams,
  resume: boolean,
  log: (line: string) => void,
): Promise<CheckpointPlace> {
  if (given === undefined) return { dir: join(outDir, '.checkpoints'), persistent: false, resumed: undefined, release: () => {} };
  const dir = resolve(given);
  await makeDirs(dir);
  // Held from here to the end of the run: the caller releases it.
  const release = lockCheckpoints(dir, log);
  try {
    return await checkRun(dir, params, resume, log, release);
  } catch (e) {
    release();
    throw e;
  }
}

async function checkRun(dir: string, params: RunParams, resume: boolean, log: (line: string) => void, release: () => void): Promise<CheckpointPlace> {
  const state = await readCheckpointState(join(dir, 'last'));
  if (state === undefined) {
    if (resume) log(`resume: no checkpoint in ${dir} yet, starting at epoch 1`);
    await writeAtomic(join(dir, RUN_FILE), JSON.stringify(params, null, 1) + '\n');
    return { dir, persistent: true, resumed: undefined, release };
  }
  if (!resume) {
    throw new InputError(`${dir} holds the checkpoint of a run after epoch ${state.epoch}: pass --resume to continue it, or choose another --checkpoints directory`);
  }
  let saved: Partial<RunParams>;
  try {
    saved = JSON.parse(await readFile(join(dir, RUN_FILE), 'utf8')) as Partial<RunParams>;
  } catch {
    throw new InputError(`--resume: ${join(dir, RUN_FILE)} is missing or unreadable, so the run cannot be checked; not continuing`);
  }
  const keys = Object.keys(params) as (keyof RunParams)[];
  // A key missing from an older run.json is a setting that run did not have (null).
  const differ = keys.filter((k) => (saved[k] ?? null) !== params[k]);
  if (differ.length > 0) {
    const show = (p: Partial<RunParams>) => differ.map((k) => `${k} ${String(p[k])}`).join(', ');
    throw new InputError(`--resume: ${dir} was trained with ${show(saved)}; this run has ${show(params)}`);
  }
  return { dir, persistent: true, resumed: state, release };
}

/** Puts the best model's files into `outDir`; drops a checkpoint that is not kept. */
export async function finishCheckpoints(place: CheckpointPlace, outDir: string): Promise<void> {
  const best = join(place.dir, 'best');
  for (const name of await readdir(best)) {
    if (place.persistent) await copyFile(join(best, name), join(outDir, name));
    else await rename(join(best, name), join(outDir, name));
  }
  if (!place.persistent) await rm(place.dir, { recursive: true, force: true });
}
