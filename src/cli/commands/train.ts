// recordflow train: the reference's steps 2 and 3 (tf.data-style input chain, BackBone, Adam with
// exponential decay, best model by exhaustive validation IoU) with precise BN on by default.
// Parsing and printing only: the run itself is train/run.ts.
import { resolve, sep } from 'node:path';
import { JSON_OPTION, UsageError, choiceOption, intOption, numberOption, requiredString, stringOption, type Command, type OptionValues } from '../command.js';
import { splitFiles } from '../data-files.js';
import { onInterrupt, staged } from '../staging.js';
import type { CurveRow } from '../../render/index.js';
import { BACKEND_OPTION, backendOption } from '../model-files.js';
import { batchOption, batchSpec, dirSpec, epochsOption, epochsSpec, seedOption, seedSpec, trainingSeed, widthOption, widthSpec } from '../options.js';
import type { SplitFiles } from '../../train/localization-data.js';
import type { TrainRunOptions } from '../../train/run.js';

/** Rows for the curves picture from the trainer's per-epoch metrics. */
export function curveRows(history: unknown[]): CurveRow[] {
  return (history as { epoch: number; loss?: number; valLoss?: number; iou?: number; valIoU?: number; validationIoU?: number }[]).map((h) => ({
    epoch: h.epoch,
    ...(h.loss !== undefined ? { loss: h.loss } : {}),
    ...(h.valLoss !== undefined ? { valLoss: h.valLoss } : {}),
    ...(h.iou !== undefined ? { iou: h.iou } : {}),
    ...(h.valIoU !== undefined ? { valIou: h.valIoU } : {}),
    ...(h.validationIoU !== undefined ? { exhaustive: h.validationIoU } : {}),
  }));
}

/** The split files `prepare` wrote into `dir` (loc_train.tfr, loc_val.tfr or their shards). */
export async function preparedSplits(dir: string): Promise<SplitFiles> {
  return { train: await splitFiles(dir, 'train'), val: await splitFiles(dir, 'val') };
}

/** TrainRunOptions from the command line (everything but the data and output directories). */
export function trainRunOptions(values: OptionValues, log: (line: string) => void): TrainRunOptions {
  const budget = stringOption(values, 'time-budget') === undefined ? undefined : numberOption(values, 'time-budget', 0, 1);
  const lr = stringOption(values, 'lr') === undefined ? undefined : numberOption(values, 'lr', 5e-4, 1e-8, 1);
  const backend = backendOption(values);
  const checkpointDir = stringOption(values, 'checkpoints');
  const resume = values.resume === true;
  const anneal = values.anneal === true;
  if (resume && checkpointDir === undefined) throw new UsageError('--resume needs --checkpoints DIR, the directory the run to continue checkpointed into');
  const noPreciseBN = values['no-precise-bn'] === true;
  const width = widthOption(values);
  const preciseBNBatches = noPreciseBN ? 0 : stringOption(values, 'precise-bn-batches') === undefined ? undefined : intOption(values, 'precise-bn-batches', 1, 1);
  return {
    epochs: epochsOption(values, 100),
    batch: batchOption(values),
    seed: trainingSeed(seedOption(values)),
    ...(backend ? { backend } : {}),
    ...(lr !== undefined ? { learningRate: lr } : {}),
    anneal,
    weightAverage: values['weight-average'] === true,
    ...(budget !== undefined ? { timeBudget: budget } : {}),
    ...(width !== undefined ? { model: { widthMultiplier: width } } : {}),
    ...(preciseBNBatches !== undefined ? { preciseBNBatches } : {}),
    ...(checkpointDir !== undefined ? { checkpointDir } : {}),
    resume,
    log,
    progress: true,
  };
}

export const trainCommand: Command = {
  name: 'train',
  summary: 'train the BackBone on prepared TFRecords (best model by validation IoU), or a detector (--task centernet|cornernet)',
  usage: '--data DIR --out DIR [--task centernet|cornernet] [--epochs N] [--batch N] [--backend B] [--seed S] [--time-budget SEC] [--no-precise-bn] [--checkpoints DIR [--resume]] [--json]',
  details: `
DIR is what \`prepare\` wrote (loc_train.tfr, loc_val.tfr). The input chain mirrors the
reference: parse, shuffle over the whole training set, prefetch, batch with drop_remainder.
Adam 5e-4 with exponential decay (x0.9 every 5000 steps), MSE loss. Before each validation the
BatchNorm statistics are recomputed over the whole training set ("precise BN";
--precise-bn-batches N limits it to N batches, --no-precise-bn turns it off), and the model with
the best exhaustive validation IoU is kept. --out receives that model (model.json +
weights.bin), metrics.json (per-epoch history) and the TensorBoard events.out.tfevents.* file.

Ctrl-C (or SIGTERM) stops training at the next step and keeps the best model so far in --out, as
Keras' ModelCheckpoint would: metrics.json says "interrupted": true, a line on stderr says so,
and the exit code is 130 (a second Ctrl-C exits at once, keeping nothing). The resumable
checkpoint of each epoch is kept inside the output while training and dropped at the end. With --checkpoints DIR it is kept in DIR instead, also after a failure or Ctrl-C, and
a later run with --checkpoints DIR --resume continues it where it stopped, with the same
weights, optimizer state, learning rate, best model and data order as an uninterrupted run
(the same data, --batch, --seed, --lr and --anneal are required, and an --anneal run's --epochs). Its
metrics.json lists every epoch; its TensorBoard file only the epochs it trained. A run holds
DIR/LOCK (its pid) while it uses DIR: a second run on the same DIR is refused (exit 2), a lock
whose process is gone is taken over, and the lock goes at the end, on a failure and on Ctrl-C.

--task centernet or --task cornernet trains that detector on every frame instead: DIR is what
\`prepare --task detect\` wrote (det_train.tfr, det_val.tfr, det_val_coco.json). The learning rate warms up and follows a
cosine over the planned epochs (a function of the step alone: the same seed gives the same
model); --time-budget only stops it early. --out receives the model (model.json with the task
in its metadata, weights.bin), metrics.json with pycocotools' 12 COCO stats of its detections on
the validation frames, and the TensorBoard file. \`recordflow detect\` runs either kind of model.
Defaults (src/detect/detectors.ts): CenterNet and CornerNet 30 epochs, batch 16, --lr 2e-3.`,
  options: {
    data: dirSpec('directory (or s3://bucket/prefix) written by prepare'),
    out: dirSpec('output directory'),
    task: { type: 'string', value: 'T', description: 'centernet or cornernet: train a detector on what prepare --task detect wrote', defaultText: 'the localization BackBone' },
    epochs: epochsSpec('epochs (a resumed run counts the earlier ones)', 100),
    batch: batchSpec(),
    backend: BACKEND_OPTION,
    seed: seedSpec('seed of weights, dropout and shuffling (integer or string)'),
    lr: { type: 'string', value: 'RATE', description: 'initial learning rate (decay x0.9 every 5000 steps)', defaultText: '5e-4' },
    'time-budget': { type: 'string', value: 'SEC', description: 'safety cap: stop starting epochs after about SEC seconds of training (never changes the learning rates)', defaultText: 'none' },
    anneal: { type: 'boolean', description: 'cosine-anneal the learning rate to 2% over the epochs (by step, never by the clock)' },
    'weight-average': { type: 'boolean', description: 'with --anneal: average the weights of the epochs below 1/4 of the rate; keep the average if it validates better' },
    'precise-bn-batches': { type: 'string', value: 'N', description: 'training batches for the precise-BN statistics before each validation', defaultText: 'all' },
    'no-precise-bn': { type: 'boolean', description: 'keep the moving-average BatchNorm statistics' },
    'width-multiplier': widthSpec('1 (the reference BackBone)'),
    checkpoints: dirSpec('keep the resumable checkpoint in DIR (kept after the run)', 'inside --out, removed at the end'),
    resume: { type: 'boolean', description: 'continue the checkpoint in --checkpoints DIR' },
    json: JSON_OPTION,
  },
  positionals: { min: 0, max: 0, names: '' },
  async run(ctx) {
    const task = choiceOption(ctx.values, 'task', ['centernet', 'cornernet'] as const);
    if (task !== undefined) {
      const { runTrainDetect } = await import('./train-detect.js');
      return runTrainDetect(ctx, task);
    }
    const data = requiredString(ctx.values, 'data');
    const out = requiredString(ctx.values, 'out');
    const options = trainRunOptions(ctx.values, ctx.log);
    // A failed run removes an --out it created, and everything inside it.
    if (options.checkpointDir !== undefined && `${resolve(options.checkpointDir)}${sep}`.startsWith(`${resolve(out)}${sep}`)) {
      throw new UsageError('--checkpoints must be outside --out (a failed run removes a new output directory with all it holds)');
    }
    const files = await preparedSplits(data);
    const { trainInto, TrainingInterrupted } = await import('../../train/run.js');
    // Ctrl-C stops at the next step and keeps the best model so far (a second one exits at once).
    const interrupt = new AbortController();
    const unregister = onInterrupt((signal) => interrupt.abort(new TrainingInterrupted(signal)));
    let result;
    try {
      result = await staged(out, (staging) => trainInto(files, staging.dir, { ...options, signal: interrupt.signal }));
    } catch (err) {
      if (!(err instanceof TrainingInterrupted)) throw err;
      ctx.log(`recordflow train: interrupted (${err.signal}) before the first epoch ended; nothing kept`);
      return 130;
    } finally {
      unregister();
    }
    const { history, ...rest } = result;
    if (ctx.values.json === true) await ctx.stdout.json({ out, ...rest });
    else {
      await ctx.stdout.line(
        `${out}: ${result.epochs} epochs` +
          (result.resumedEpochs > 0 ? ` (${result.epochs - result.resumedEpochs} in this run, resumed after ${result.resumedEpochs})` : '') +
          ` in ${result.seconds.toFixed(0)} s on ${result.backend} (${result.msPerStep.toFixed(1)} ms/step); ` +
          `best epoch ${result.bestEpoch}, exhaustive validation IoU ${result.bestValidationIoU?.toFixed(4)}` +
          (result.stoppedBy === 'epochs' ? '' : result.stoppedBy === 'interrupted' ? ' (interrupted)' : ' (stopped by the time budget)'),
      );
    }
    void history;
    // The shell's code for a run ended by Ctrl-C, though its output is complete.
    return result.interrupted ? 130 : 0;
  },
};
