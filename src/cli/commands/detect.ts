// recordflow detect: a trained detector's COCO results for the validation frames of a prepared
// directory (image ids 1..N in det_val.tfr order, as det_val_coco.json numbers them).
import { JSON_OPTION, choiceOption, intOption, numberOption, requiredString, stringOption, type Command } from '../command.js';
import { writeFileAtomic } from '../files.js';
import { BACKEND_OPTION, backendOption } from '../model-files.js';
import { dirSpec } from '../options.js';

export const detect: Command = {
  name: 'detect',
  summary: 'COCO results of a trained detector (train --task) on the validation frames',
  usage: '--data DIR --model DIR --out DETS.json [--top-k K] [--threshold T] [--task centernet|cornernet] [--backend B] [--json]',
  details: `
Runs the model in --model (written by \`recordflow train --task centernet\` or
\`--task cornernet\`; its model.json records which) on det_val.tfr in DIR (written by
\`prepare --task detect\`), decodes each frame and writes a COCO results list to DETS.json:
image_id 1..N in det_val.tfr order, category_id 1, bbox [x, y, w, h] in pixels, score, the
--top-k best of each frame at or above --threshold. CenterNet: heatmap peaks that equal their
3x3 maximum, box = centre + offset ± size / 2. CornerNet: the top K peaks of each corner
heatmap, every top-left above and left of a bottom-right corner with embeddings within 0.5,
scored by the mean of the two corner scores. Score it with
\`recordflow coco-eval DIR/det_val_coco.json DETS.json\` or pycocotools. A model directory that
is not a detector's (or not of --task, when given) is refused naming its model.json (exit 2).`,
  options: {
    data: dirSpec('directory written by prepare --task detect'),
    model: dirSpec('model directory written by train --task'),
    out: { type: 'string', value: 'FILE', description: 'COCO results JSON to write' },
    'top-k': { type: 'string', value: 'K', description: 'detections kept per frame', defaultText: '100' },
    threshold: { type: 'string', value: 'T', description: 'drop detections scoring below T', defaultText: '0' },
    task: { type: 'string', value: 'T', description: 'centernet or cornernet: refuse a model of the other task', defaultText: 'the task model.json records' },
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
    const expect = choiceOption(ctx.values, 'task', ['centernet', 'cornernet'] as const);
    const { detectValidation } = await import('../../detect/run.js');
    const { task, results, detections } = await detectValidation(model, data, decode, backendOption(ctx.values), expect);
    await writeFileAtomic(out, JSON.stringify(results) + '\n');
    if (ctx.values.json === true) await ctx.stdout.json({ out, task, frames: detections.length, detections: results.length });
    else await ctx.stdout.line(`${out}: ${results.length} ${task} detections on ${detections.length} validation frames`);
    return 0;
  },
};
