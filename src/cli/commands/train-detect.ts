// recordflow train --task centernet|cornernet: a detector's training run (detect/run.ts) from
// the directory `prepare --task detect` wrote. Parsing and printing only.
import { UsageError, intOption, numberOption, requiredString, stringOption, type CommandContext } from '../command.js';
import { backendOption } from '../model-files.js';
import { epochsOption, seedOption, trainingSeed } from '../options.js';
import { staged } from '../staging.js';

/** The localization run's flags, which a detector run does not take. */
const LOCALIZATION_ONLY = ['anneal', 'weight-average', 'precise-bn-batches', 'no-precise-bn', 'checkpoints', 'resume'];

/** `train --task T`: trains the detector, prints one summary line (or --json). */
export async function runTrainDetect(ctx: CommandContext, task: string): Promise<number> {
  const data = requiredString(ctx.values, 'data');
  const out = requiredString(ctx.values, 'out');
  for (const flag of LOCALIZATION_ONLY) {
    if (ctx.values[flag] !== undefined) throw new UsageError(`--${flag} applies to the localization study (train without --task) only`);
  }
  const { detectorFor, trainDetectorInto } = await import('../../detect/run.js');
  const detector = detectorFor(task);
  const budget = stringOption(ctx.values, 'time-budget') === undefined ? undefined : numberOption(ctx.values, 'time-budget', 0, 1);
  const lr = stringOption(ctx.values, 'lr') === undefined ? undefined : numberOption(ctx.values, 'lr', 0, 1e-8, 1);
  const backend = backendOption(ctx.values);
  const options = {
    epochs: epochsOption(ctx.values, detector.defaults.epochs),
    batch: intOption(ctx.values, 'batch', detector.defaults.batch, 1, 100_000),
    seed: trainingSeed(seedOption(ctx.values)),
    ...(lr !== undefined ? { learningRate: lr } : {}),
    ...(budget !== undefined ? { timeBudget: budget } : {}),
    ...(backend ? { backend } : {}),
    log: ctx.log,
  };
  const result = await staged(out, (staging) => trainDetectorInto(task, data, staging.dir, options));
  const { history, ...rest } = result;
  void history;
  if (ctx.values.json === true) await ctx.stdout.json({ out, ...rest });
  else {
    await ctx.stdout.line(
      `${out}: ${result.task} ${result.epochs}${result.epochs < result.plannedEpochs ? ` of ${result.plannedEpochs}` : ''} epochs in ` +
        `${result.trainSeconds.toFixed(0)} s on ${result.backend} (${result.msPerStep.toFixed(1)} ms/step); ` +
        `validation AP ${result.coco.AP.toFixed(4)}, AP50 ${result.coco.AP50.toFixed(4)}`,
    );
  }
  return 0;
}
