// recordflow train: the reference's steps 2 and 3 (tf.data-style input chain, BackBone, Adam with
// exponential decay, best model by exhaustive validation IoU) with precise BN on by default.
import { writeFile } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { JSON_OPTION, UsageError, intOption, numberOption, requiredString, stringOption, type Command, type OptionValues } from '../command.js';
import { splitFiles } from '../data-files.js';
import { staged } from '../staging.js';
import type { EpochMetrics as CurveRow } from '../render/curves.js';
import { WeightAverage } from '../weight-average.js';
import { BACKEND_OPTION, backendOption } from '../model-files.js';
import type { BackendChoice, PreciseBNOptions } from '../../train/index.js';
import { finishCheckpoints, openCheckpoints } from './train-checkpoints.js';

class BudgetExceeded extends Error {
  override name = 'BudgetExceeded';
}

type EpochMetrics = import('../../train/index.js').EpochMetrics;

export interface TrainRunOptions {
  epochs: number;
  batch: number;
  backend?: BackendChoice;
  seed: number;
  /** Initial learning rate (default the reference's 5e-4); the decay stays x0.9 per 5000 steps. */
  learningRate?: number;
  /**
   * With a time budget: anneal the learning rate from `learningRate` to 2% of it along a cosine
   * over the budget's wall-clock time, so a run of unknown length still ends at a low rate.
   */
  anneal?: boolean;
  /**
   * Average the weights of the epochs in the last third of the annealed learning rate and keep
   * the average instead of the best single epoch when its validation IoU is higher.
   */
  weightAverage?: boolean;
  /** Stop starting epochs once the next one would end after this many seconds of training. */
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
  log: (line: string) => void;
  /** Progress output of the trainer (bar on a TTY, plain lines otherwise). */
  progress: boolean;
}

export interface TrainRunResult {
  backend: string;
  epochs: number;
  bestEpoch: number | undefined;
  bestValidationIoU: number | undefined;
  /** Wall time of this process's training (a resumed run's earlier epochs not included). */
  seconds: number;
  /** Epochs a resumed run found done by an earlier process (0 when not resumed). */
  resumedEpochs: number;
  stoppedBy: 'epochs' | 'time-budget';
  history: unknown[];
  nTrain: number;
  nVal: number;
  msPerStep: number;
  /** The tail-epoch weight average, when one was tried, and whether it became the model. */
  weightAverage?: { epochs: number[]; validationIoU: number; kept: boolean };
}

/**
 * Counts the records of a split and checks each against the localization schema first, so bad
 * data fails with the file and record named before any training starts.
 */
async function checkRecords(files: string[]): Promise<number> {
  const io = await import('../../io/index.js');
  const t = await import('../../transforms/index.js');
  let n = 0;
  for (const file of files) {
    let index = 0;
    for await (const chunk of io.chunksOf(io.readTFRecord(file))) {
      for (const payload of chunk) {
        try {
          t.parseLocalization(payload);
        } catch (err) {
          const why = err instanceof Error ? err.message.split('\n')[0] : String(err);
          throw new io.InputError(`record ${index} does not match the localization schema (${why})`, file);
        }
        index++;
      }
    }
    n += index;
  }
  return n;
}

/** The trainer's precise-BN option for --precise-bn-batches N (absent: the whole set, 0: off). */
export function preciseBNOption(batches: number | undefined): false | PreciseBNOptions {
  if (batches === undefined) return {};
  return batches > 0 ? { maxBatches: batches } : false;
}

/**
 * The learning rate per step of an annealed run: a cosine from `lr0` down to 2% of it, over
 * whichever ends first, the time budget (`elapsed()` seconds of `budget`) or the run's
 * `totalSteps`. A budget-only curve would stop at a high rate on a machine fast enough to finish
 * every epoch early.
 */
export function annealSchedule(lr0: number, budget: number, totalSteps: number, elapsed: () => number): (step: number) => number {
  return (step) => {
    const progress = Math.min(1, Math.max(elapsed() / budget, step / totalSteps));
    return Math.fround(lr0 * (0.02 + 0.98 * 0.5 * (1 + Math.cos(Math.PI * progress))));
  };
}

/** Trains from a prepared directory into `outDir` (written by the caller, e.g. a staging dir). */
export async function trainInto(dataDir: string, outDir: string, options: TrainRunOptions): Promise<TrainRunResult> {
  const trainFiles = await splitFiles(dataDir, 'train');
  const valFiles = await splitFiles(dataDir, 'val');
  const [nTrain, nVal] = [await checkRecords(trainFiles), await checkRecords(valFiles)];
  if (nTrain < options.batch) {
    const { InputError } = await import('../../io/index.js');
    throw new InputError(`only ${nTrain} training records, fewer than one batch of ${options.batch}`, trainFiles[0]);
  }
  const t = await import('../../transforms/index.js');
  const p = await import('../../pipeline/index.js');
  const train = await import('../../train/index.js');
  const { useBackend } = await import('../model-files.js');
  const backend = await useBackend(options.backend, options.log);

  // The reference chain: TFRecordDataset → map(parse) → shuffle(N_TRAIN) → prefetch → batch(7,
  // drop_remainder). cache() after parsing keeps later epochs off the disk (the set is small).
  const trainDs = p.Dataset.fromTFRecord(trainFiles)
    .map((b: Uint8Array) => t.parseLocalization(b))
    .cache()
    .shuffle(nTrain, { seed: options.seed })
    .prefetch(64)
    .batch(options.batch, { dropRemainder: true })
    .map((b: { image: Float32Array; label: Float32Array }[]) => t.collate(b));
  const valDs = p.Dataset.fromTFRecord(valFiles)
    .map((b: Uint8Array) => t.parseLocalization(b))
    .cache()
    .batch(options.batch, { dropRemainder: true })
    .map((b: { image: Float32Array; label: Float32Array }[]) => t.collate(b));

  const params = { batch: options.batch, seed: options.seed, learningRate: options.learningRate ?? null, anneal: options.anneal === true, nTrain, nVal };
  const place = await openCheckpoints(options.checkpointDir, outDir, params, options.resume === true, options.log);
  const ckpt = place.dir;
  const model = train.createBackbone({ seed: options.seed });
  const started = performance.now();
  let stoppedBy: TrainRunResult['stoppedBy'] = 'epochs';
  // A resumed run reports every epoch, the earlier process's too.
  const history: EpochMetrics[] = [...(place.resumed?.history ?? [])];
  // Soft limit: no new epoch once another like the last would overrun the budget. Hard limit:
  // abort mid-epoch a little after the budget (a machine slower than expected), keep the best.
  const lr0 = options.learningRate ?? 5e-4;
  const budget = options.timeBudget;
  const schedule =
    options.anneal && budget !== undefined
      ? annealSchedule(lr0, budget, options.epochs * Math.floor(nTrain / options.batch), () => (performance.now() - started) / 1000)
      : options.learningRate !== undefined
        ? train.exponentialDecay({ initialLearningRate: lr0, decaySteps: 5000, decayRate: 0.9, staircase: true })
        : undefined;
  const average = options.weightAverage && schedule && options.anneal ? new WeightAverage() : undefined;
  const abort = new AbortController();
  const hardLimit = options.timeBudget === undefined ? undefined : options.timeBudget + Math.max(20, options.timeBudget * 0.1);
  const timer = hardLimit === undefined ? undefined : setTimeout(() => abort.abort(new BudgetExceeded()), hardLimit * 1000);
  try {
    await train.train(model, trainDs, valDs, {
      epochs: options.epochs,
      ...(schedule ? { schedule } : {}),
      preciseBN: preciseBNOption(options.preciseBNBatches),
      checkpointDir: ckpt,
      resume: place.resumed !== undefined,
      logdir: outDir,
      validationCount: nVal,
      progress: options.progress,
      signal: abort.signal,
      onEpoch: (m) => {
        history.push(m);
        // The last third of the cosine (rate below a quarter of the start) is the settled tail.
        if (average && m.learningRate <= lr0 / 4) average.add(model, m.epoch);
        if (options.timeBudget === undefined) return true;
        const elapsed = (performance.now() - started) / 1000;
        if (elapsed + m.seconds > options.timeBudget && m.epoch < options.epochs) {
          stoppedBy = 'time-budget';
          options.log(`time budget: stopping after epoch ${m.epoch} (${elapsed.toFixed(0)} s of ${options.timeBudget} s used)`);
          return false;
        }
        return true;
      },
    });
  } catch (err) {
    if (!(err instanceof BudgetExceeded) || history.length === 0) throw err;
    stoppedBy = 'time-budget';
    options.log(`time budget: aborted epoch ${history.length + 1} after ${hardLimit} s; keeping the best of ${history.length} epochs`);
  } finally {
    if (timer) clearTimeout(timer);
  }
  let averaged: TrainRunResult['weightAverage'];
  try {
    if (average && average.count >= 2) {
      // The mean of the tail epochs, with BN statistics recomputed for it, against the best epoch.
      await average.apply(model);
      await train.recomputeBatchNormStats(model, trainDs, preciseBNOption(options.preciseBNBatches) || {});
      const r = await train.evaluate(model, valDs, { count: nVal });
      const bestSingle = Math.max(...history.map((h) => h.validationIoU ?? -Infinity));
      const kept = r.validationIoU > bestSingle;
      if (kept) await train.replaceModel(model, join(ckpt, 'best'));
      averaged = { epochs: [...average.epochs], validationIoU: r.validationIoU, kept };
      options.log(
        `weight average of epochs ${average.epochs[0]}-${average.epochs.at(-1)}: exhaustive validation IoU ${r.validationIoU.toFixed(4)} ` +
          `(best single epoch ${bestSingle.toFixed(4)}); keeping ${kept ? 'the average' : 'the best epoch'}`,
      );
    }
  } finally {
    model.dispose();
  }
  const seconds = (performance.now() - started) / 1000;

  // The best model becomes model.json + weights in outDir.
  await finishCheckpoints(place, outDir);
  const bestRow = history.filter((h) => h.best).at(-1);
  const result = averaged?.kept
    ? { history, bestEpoch: bestRow?.epoch, best: averaged.validationIoU }
    : { history, bestEpoch: bestRow?.epoch, best: bestRow?.validationIoU };

  const steps = history.reduce((n, h) => n + h.steps, 0);
  // Time in optimizer steps only (validation and precise BN excluded), when the trainer reports it.
  const trainSeconds = history.reduce((s, h) => s + ((h as { trainSeconds?: number }).trainSeconds ?? h.seconds), 0);
  const summary: TrainRunResult = {
    backend,
    epochs: result.history.length,
    bestEpoch: result.bestEpoch,
    bestValidationIoU: result.best,
    seconds,
    resumedEpochs: place.resumed?.history.length ?? 0,
    stoppedBy,
    history: result.history,
    nTrain,
    nVal,
    msPerStep: steps > 0 ? (trainSeconds * 1000) / steps : NaN,
    ...(averaged ? { weightAverage: averaged } : {}),
  };
  await writeFile(join(outDir, 'metrics.json'), JSON.stringify(summary, null, 2) + '\n');
  return summary;
}

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

/** TrainRunOptions from the command line (everything but the data and output directories). */
export function trainRunOptions(values: OptionValues, log: (line: string) => void): TrainRunOptions {
  const budget = stringOption(values, 'time-budget') === undefined ? undefined : numberOption(values, 'time-budget', 0, 1);
  const lr = stringOption(values, 'lr') === undefined ? undefined : numberOption(values, 'lr', 5e-4, 1e-8, 1);
  const backend = backendOption(values);
  const checkpointDir = stringOption(values, 'checkpoints');
  const resume = values.resume === true;
  const anneal = values.anneal === true;
  if (resume && checkpointDir === undefined) throw new UsageError('--resume needs --checkpoints DIR, the directory the run to continue checkpointed into');
  // The anneal follows one process's wall clock; a second process cannot continue that curve.
  if (resume && anneal) throw new UsageError('--resume cannot continue an --anneal run (its learning rate follows the wall-clock time of one process)');
  const noPreciseBN = values['no-precise-bn'] === true;
  const preciseBNBatches = noPreciseBN ? 0 : stringOption(values, 'precise-bn-batches') === undefined ? undefined : intOption(values, 'precise-bn-batches', 1, 1);
  return {
    epochs: intOption(values, 'epochs', 100, 1, 100_000),
    batch: intOption(values, 'batch', 7, 1, 100_000),
    seed: intOption(values, 'seed', 0, 0, 2 ** 31 - 1),
    ...(backend ? { backend } : {}),
    ...(lr !== undefined ? { learningRate: lr } : {}),
    anneal,
    weightAverage: values['weight-average'] === true,
    ...(budget !== undefined ? { timeBudget: budget } : {}),
    ...(preciseBNBatches !== undefined ? { preciseBNBatches } : {}),
    ...(checkpointDir !== undefined ? { checkpointDir } : {}),
    resume,
    log,
    progress: true,
  };
}

export const trainCommand: Command = {
  name: 'train',
  summary: 'train the BackBone on prepared TFRecords; keep the best model by validation IoU',
  usage: '--data DIR --out DIR [--epochs N] [--batch 7] [--backend B] [--seed S] [--time-budget SEC] [--no-precise-bn] [--checkpoints DIR [--resume]] [--json]',
  details: `
DIR is what \`prepare\` wrote (loc_train.tfr, loc_val.tfr). The input chain mirrors the
reference: parse, shuffle over the whole training set, prefetch, batch with drop_remainder.
Adam 5e-4 with exponential decay (x0.9 every 5000 steps), MSE loss. Before each validation the
BatchNorm statistics are recomputed over the whole training set ("precise BN";
--precise-bn-batches N limits it to N batches, --no-precise-bn turns it off), and the model with
the best exhaustive validation IoU is kept. --out receives that model (model.json +
weights.bin), metrics.json (per-epoch history) and the TensorBoard events.out.tfevents.* file.

The resumable checkpoint of each epoch is kept inside the output while training and dropped at
the end. With --checkpoints DIR it is kept in DIR instead, also after a failure or Ctrl-C, and
a later run with --checkpoints DIR --resume continues it where it stopped, with the same
weights, optimizer state, learning rate, best model and data order as an uninterrupted run
(the same data, --batch, --seed and --lr are required; --anneal runs cannot be resumed). Its
metrics.json lists every epoch; its TensorBoard file only the epochs it trained.`,
  options: {
    data: { type: 'string', value: 'DIR', description: 'directory written by prepare' },
    out: { type: 'string', value: 'DIR', description: 'output directory' },
    epochs: { type: 'string', value: 'N', description: 'epochs (a resumed run counts the earlier ones)', defaultText: '100' },
    batch: { type: 'string', value: 'N', description: 'batch size', defaultText: '7' },
    backend: BACKEND_OPTION,
    seed: { type: 'string', value: 'S', description: 'seed of weights, dropout and shuffling', defaultText: '0' },
    lr: { type: 'string', value: 'RATE', description: 'initial learning rate (decay x0.9 every 5000 steps)', defaultText: '5e-4' },
    'time-budget': { type: 'string', value: 'SEC', description: 'stop starting epochs after about SEC seconds of training', defaultText: 'none' },
    anneal: { type: 'boolean', description: 'with --time-budget: cosine-anneal the learning rate to 2% over the budget or the epochs, whichever ends first' },
    'weight-average': { type: 'boolean', description: 'with --anneal: average the weights of the epochs below 1/4 of the rate; keep the average if it validates better' },
    'precise-bn-batches': { type: 'string', value: 'N', description: 'training batches for the precise-BN statistics before each validation', defaultText: 'all' },
    'no-precise-bn': { type: 'boolean', description: 'keep the moving-average BatchNorm statistics' },
    checkpoints: { type: 'string', value: 'DIR', description: 'keep the resumable checkpoint in DIR (kept after the run)', defaultText: 'inside --out, removed at the end' },
    resume: { type: 'boolean', description: 'continue the checkpoint in --checkpoints DIR' },
    json: JSON_OPTION,
  },
  positionals: { min: 0, max: 0, names: '' },
  async run(ctx) {
    const data = requiredString(ctx.values, 'data');
    const out = requiredString(ctx.values, 'out');
    const options = trainRunOptions(ctx.values, ctx.log);
    // A failed run removes an --out it created, and everything inside it.
    if (options.checkpointDir !== undefined && `${resolve(options.checkpointDir)}${sep}`.startsWith(`${resolve(out)}${sep}`)) {
      throw new UsageError('--checkpoints must be outside --out (a failed run removes a new output directory with all it holds)');
    }
    const result = await staged(out, (staging) => trainInto(data, staging.dir, options));
    const { history, ...rest } = result;
    if (ctx.values.json === true) await ctx.stdout.json({ out, ...rest });
    else {
      await ctx.stdout.line(
        `${out}: ${result.epochs} epochs` +
          (result.resumedEpochs > 0 ? ` (${result.epochs - result.resumedEpochs} in this run, resumed after ${result.resumedEpochs})` : '') +
          ` in ${result.seconds.toFixed(0)} s on ${result.backend} (${result.msPerStep.toFixed(1)} ms/step); ` +
          `best epoch ${result.bestEpoch}, exhaustive validation IoU ${result.bestValidationIoU?.toFixed(4)}`,
      );
    }
    void history;
    return 0;
  },
};
