// recordflow show: a PNG grid of frames with ground-truth boxes (red) and predictions (blue).
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { intOption, requiredString, stringOption, JSON_OPTION, type Command } from '../command.js';
import { assertDir, assertFile } from '../files.js';
import { BACKEND_OPTION, backendOption } from '../model-files.js';
import { isValidationFile, pickSampleFile, readLabeledFrames } from '../samples.js';
import type { BackendChoice } from '../../train/index.js';
import { dirSpec } from '../options.js';
import { pictureOut } from '../pictures.js';

/** Box colours of every frames picture: ground truth red, predictions blue. */
export const TRUTH_COLOR = '#e31a1c';
export const PREDICTION_COLOR = '#1f5bff';

export interface ShowOptions {
  out: string;
  model?: string;
  count?: number;
  skip?: number;
  columns?: number;
  scale?: number;
  title?: string;
  backend?: BackendChoice;
}

export async function runShow(input: string, options: ShowOptions): Promise<{ file: string; frames: number; meanIoU?: number }> {
  const file = (await stat(input)).isDirectory() ? await pickSampleFile(input, options.model !== undefined) : input;
  if (options.model !== undefined && !isValidationFile(file)) {
    const { InputError } = await import('../../io/index.js');
    throw new InputError('--model draws predictions on validation rows only (loc_val.tfr or its shards, as prepare writes them); this file is not one', file);
  }
  const frames = await readLabeledFrames(file, options.count ?? 24, options.skip ?? 0);
  if (frames.length === 0) {
    const { InputError } = await import('../../io/index.js');
    throw new InputError('no frames to show', file);
  }
  let predictions: Float32Array[] | undefined;
  let ious: number[] | undefined;
  if (options.model) {
    await assertDir(options.model);
    await assertFile(join(options.model, 'model.json'));
    const { predictBoxes } = await import('../../train/predict.js');
    predictions = await predictBoxes(options.model, frames.map((f) => f.image), options.backend);
    const { validationIoU } = await import('../../train/index.js');
    ious = frames.map((f, i) => (f.label ? validationIoU(Array.from(f.label), Array.from(predictions![i]!)) : NaN));
  }
  const { renderBoxesGrid } = await import('../../render/index.js');
  const boxes = frames.flatMap((f, i) => [
    ...[f.label, ...(f.others ?? [])].filter((b) => b !== undefined).map((box) => ({ frame: i, box, color: TRUTH_COLOR, series: 'ground truth' })),
    ...(predictions ? [{ frame: i, box: predictions[i]!, color: PREDICTION_COLOR, series: 'prediction' }] : []),
  ]);
  const picture = await renderBoxesGrid({
    frames: frames.map((f, i) => ({
      pixels: f.image,
      width: 32,
      height: 24,
      caption: ious && Number.isFinite(ious[i]) ? `#${f.index} IoU ${ious[i]!.toFixed(2)}` : `#${f.index}`,
    })),
    boxes,
    title: options.title ?? file.split('/').slice(-2).join('/'),
    ...(options.columns ? { columns: options.columns } : {}),
    ...(options.scale ? { scale: options.scale } : {}),
  });
  const { writePicture } = await import('../pictures.js');
  await writePicture(picture, options.out);
  const valid = ious?.filter(Number.isFinite) ?? [];
  return { file, frames: frames.length, ...(valid.length ? { meanIoU: valid.reduce((a, b) => a + b, 0) / valid.length } : {}) };
}

export const show: Command = {
  name: 'show',
  summary: 'draw frames with ground-truth (red) and predicted (blue) boxes into a PNG',
  usage: 'FILE|DIR --out PNG|SVG [--model DIR] [--count N] [--skip N] [--columns C] [--scale S]',
  details: `
FILE is a localization TFRecord (loc_val.tfr, loc_train.tfr), localization.npz or a reference
npz set; for a DIR the validation file inside it is used (as \`prepare\` or \`start\` wrote it;
its first shard when sharded). With --model the model's predictions are drawn in blue and each
caption shows the sample's exhaustive-pass IoU; --model takes validation rows only (loc_val.tfr
or its shards), since predictions on training rows would pass for validation results. The
picture's Vega-Lite spec is written beside it (boxes.png → boxes.vl.json); --out NAME.svg writes
SVG instead of PNG.`,
  options: {
    out: { type: 'string', value: 'PNG|SVG', description: 'output picture (its spec goes beside it, NAME.vl.json)' },
    model: dirSpec('model directory (model.json + weights) for predictions'),
    count: { type: 'string', value: 'N', description: 'number of frames', defaultText: '24' },
    skip: { type: 'string', value: 'N', description: 'skip the first N frames', defaultText: '0' },
    columns: { type: 'string', value: 'C', description: 'frames per row', defaultText: '6' },
    scale: { type: 'string', value: 'S', description: 'pixels per frame pixel', defaultText: '8' },
    backend: BACKEND_OPTION,
    json: JSON_OPTION,
  },
  positionals: { min: 1, max: 1, names: 'FILE or DIR' },
  async run(ctx) {
    const out = pictureOut(ctx.values);
    const model = stringOption(ctx.values, 'model');
    const backend = backendOption(ctx.values);
    const result = await runShow(ctx.positionals[0]!, {
      out,
      ...(model ? { model } : {}),
      ...(backend ? { backend } : {}),
      count: intOption(ctx.values, 'count', 24, 1, 1000),
      skip: intOption(ctx.values, 'skip', 0, 0),
      columns: intOption(ctx.values, 'columns', 6, 1, 100),
      scale: intOption(ctx.values, 'scale', 8, 1, 64),
    });
    if (ctx.values.json === true) await ctx.stdout.json({ out, ...result });
    else await ctx.stdout.line(`${out}: ${result.frames} frames from ${result.file}${result.meanIoU !== undefined ? `, mean IoU ${result.meanIoU.toFixed(4)}` : ''}`);
    return 0;
  },
};
