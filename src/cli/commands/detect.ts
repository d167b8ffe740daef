// recordflow detect: a trained detector's COCO results for the validation frames of a prepared
// directory (image ids 1..N in det_val.tfr order, as det_val_coco.json numbers them).
import { JSON_OPTION, intOption, numberOption, requiredString, stringOption, type Command } from '../command.js';
import { writeFileAtomic } from '../files.js';
import { BACKEND_OPTION, backendOption } from '../model-files.js';
import { dirSpec } from '../options.js';

export const detect: Command = {
  name: 'detect',
  summary: 'COCO results of a trained detector (train --task) on the validation frames',
  usage: '--data DIR --model DIR --out DETS.json [--top-k K] [--threshold T] [--backend B] [--json]',
  details: `
Runs the model in --model (written by \`recordflow train --task centernet\`) on det_val.tfr in
DIR (written by \`prepare --task detect\`), decodes each frame (CenterNet: heatmap peaks that
equal their 3x3 maximum, the --top-k best at or above --threshold, box = centre + offset ±
size / 2) and writes a COCO results list to DETS.json: image_id 1..N in det_val.tfr order,
category_id 1, bbox [x, y, w, h] in pixels, score. Score it with
\`recordflow coco-eval DIR/det_val_coco.json DETS.json\` or pycocotools. A model directory of
another task is refused (exit 2).`,
  options: {
    data: dirSpec('directory written by prepare --task detect'),
    model: dirSpec('model directory written by train --task'),
    out: { type: 'string', value: 'FILE', description: 'COCO results JSON to write' },
    'top-k': { type: 'string', value: 'K', description: 'detections kept per frame', defaultText: '100' },
    threshold: { type: 'string', value: 'T', description: 'drop detections scoring below T', defaultText: '0' },
    backend: BACKEND_OPTION,
    json: JSON_OPTION,
  },
  positionals: { min: 0, max: 0, names: '' },
  async run(ctx) {
    const data = requiredString(ctx.values, 'data');
    const model = requiredString(ctx.values, 'model');
    const out = requiredString(ctx.values, 'out');
    const decode = {
      ...(stringOption(ctx.values, 'top-k') !== undefined ? { topK: intOption(ctx.values, 'top-k', 100, 0, 100_000) } : {}),
      ...(stringOption(ctx.values, 'threshold') !== undefined ? { threshold: numberOption(ctx.values, 'threshold', 0, 0, 1) } : {}),
    };
    const { detectValidation } = await import('../../detect/run.js');
    const { task, results, detections } = await detectValidation(model, data, decode, backendOption(ctx.values));
    await writeFileAtomic(out, JSON.stringify(results) + '\n');
    if (ctx.values.json === true) await ctx.stdout.json({ out, task, frames: detections.length, detections: results.length });
    else await ctx.stdout.line(`${out}: ${results.length} ${task} detections on ${detections.length} validation frames`);
    return 0;
  },
};
