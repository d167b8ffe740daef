// recordflow coco-eval: scores a COCO results file against COCO ground truth exactly as
// pycocotools' COCOeval(gt, dt, 'bbox') does, and prints its 12 summary lines.
import { readFile } from 'node:fs/promises';
import { JSON_OPTION, type Command } from '../command.js';
import { assertFile } from '../files.js';

export const cocoEval: Command = {
  name: 'coco-eval',
  summary: "score COCO box detections as pycocotools' COCOeval does (AP, AP50, ... AR100)",
  usage: 'GT.json DETS.json [--json]',
  details: `
GT.json is a COCO dataset (images, annotations with bbox [x, y, w, h], area, iscrowd and
category_id, categories); DETS.json a COCO results list (image_id, category_id, bbox, score).
Prints pycocotools' 12 summary lines (-1.000 where no ground truth defines a figure), with its
default parameters: IoU .50:.05:.95, areas all/small/medium/large, maxDets 1/10/100. With --json
one object: {"stats": [12 numbers], "AP": ..., "AP50": ..., ..., "ARlarge": ...}. A file that is
not such JSON, a detection on an image the ground truth lacks, or a non-finite or negative box
exits 2 naming the file and the entry.`,
  options: { json: JSON_OPTION },
  positionals: { min: 2, max: 2, names: 'GT.json and DETS.json' },
  async run(ctx) {
    const [gtFile, dtFile] = ctx.positionals as [string, string];
    const coco = await import('../../detect/coco/index.js');
    await assertFile(gtFile);
    await assertFile(dtFile);
    const gt = coco.cocoGroundTruthFromJson(await readFile(gtFile, 'utf8'), gtFile);
    const dets = coco.cocoResultsFromJson(await readFile(dtFile, 'utf8'), dtFile);
    const result = coco.cocoEvaluate(gt, dets, undefined, { groundTruth: gtFile, detections: dtFile });
    if (ctx.values.json === true) {
      const named = Object.fromEntries(coco.COCO_STAT_NAMES.map((name) => [name, result[name]]));
      await ctx.stdout.json({ stats: result.stats, ...named });
    } else {
      await ctx.stdout.write(coco.cocoSummaryLines(result.stats, result.params).join('\n') + '\n');
    }
    return 0;
  },
};
