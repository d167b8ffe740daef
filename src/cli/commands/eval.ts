// recordflow eval: the reference's exhaustive validation IoU pass for a trained model.
import { join } from 'node:path';
import { JSON_OPTION, requiredString, type Command } from '../command.js';
import { batchOption, batchSpec, dirSpec } from '../options.js';
import { splitFiles } from '../data-files.js';
import { assertDir, assertFile } from '../files.js';
import { BACKEND_OPTION, backendOption } from '../model-files.js';

export function iouLine(iou: number): string {
  return `exhaustive validation IoU: ${iou.toFixed(4)}`;
}

export const evalCommand: Command = {
  name: 'eval',
  summary: 'print the exhaustive validation IoU of a trained model',
  usage: '--data DIR --model DIR [--batch 7] [--backend B] [--json]',
  details: `
Runs the model on loc_val.tfr in DIR (batches of --batch, the last partial batch dropped as in
the reference) and prints "exhaustive validation IoU: 0.xxxx": integer pixel boxes, boxes
that do not overlap add 0, the sum divided by the number of validation rows. A --batch larger
than the validation split is refused (no row would be evaluated).`,
  options: {
    data: dirSpec('directory written by prepare'),
    model: dirSpec('model directory (model.json + weights)'),
    batch: batchSpec('batch size (sets which samples survive drop_remainder)'),
    backend: BACKEND_OPTION,
    json: JSON_OPTION,
  },
  positionals: { min: 0, max: 0, names: '' },
  async run(ctx) {
    const data = requiredString(ctx.values, 'data');
    const modelDir = requiredString(ctx.values, 'model');
    const batch = batchOption(ctx.values);
    const backend = backendOption(ctx.values);
    await assertDir(modelDir);
    await assertFile(join(modelDir, 'model.json'));
    const { readSplit, refuseShortSplit } = await import('../../train/localization-data.js');
    const { exhaustiveIoU } = await import('../../train/exhaustive-pass.js');
    const { predictBoxes } = await import('../../train/predict.js');
    const files = await splitFiles(data, 'val');
    const val = await readSplit(files);
    refuseShortSplit('validation', val.images.length, batch, files);
    const result = await exhaustiveIoU((images) => predictBoxes(modelDir, images, backend), val, batch);
    if (ctx.values.json === true) await ctx.stdout.json({ exhaustiveValidationIoU: result.iou, samples: result.samples, nVal: result.nVal });
    else await ctx.stdout.line(iouLine(result.iou));
    return 0;
  },
};
