// recordflow start --task detect: synth → prepare --task detect → train each detector → detect →
// coco-eval, into runs/<timestamp>/, with a small table on stdout and the run's pictures.
import { join } from 'node:path';
import { intOption, numberOption, stringOption, type CommandContext } from '../command.js';
import { writeFileAtomic } from '../files.js';
import { backendOption } from '../model-files.js';
import { epochsOption, seedOption, trainingSeed } from '../options.js';
import { inRunDirectory } from '../run-directory.js';
import { runPrepareDetect } from './prepare-detect.js';
import { PREDICTION_COLOR, TRUTH_COLOR } from './show.js';
import { runSynth } from './synth.js';

/**
 * Default training budget of `start --task detect`, shared by the detectors: each gets the
 * 420 s the issue's outside check gives `train --task`, as a cap (their epochs end them first on
 * an idle machine).
 */
export const DEFAULT_DETECT_TIME_BUDGET = 840;
/** Validation frames drawn per detector in detections.png and heatmaps.png. */
const PICTURE_FRAMES = 12;
const HEATMAP_FRAMES = 8;
/** Detections drawn only from this score up (the rest would hide the frame). */
const DRAWN_SCORE = 0.3;

/** One detector's line of the run: its COCO stats and how it trained. */
export interface DetectorRow {
  task: string;
  /** pycocotools' 12 summary numbers, in its order (AP, AP50, AP75, ..., AR1, AR10, AR100, ...). */
  stats: number[];
  epochs: number;
  trainSeconds: number;
  msPerStep: number;
  stoppedBy: string;
}

/** Columns of the table: name and index into pycocotools' stats. */
const TABLE_STATS: [string, number][] = [
  ['AP', 0],
  ['AP50', 1],
  ['AP75', 2],
  ['AR1', 6],
  ['AR10', 7],
  ['AR100', 8],
];

/** The table `start --task detect` prints: one row per detector. */
export function detectTable(rows: readonly DetectorRow[]): string[] {
  const head = ['detector', ...TABLE_STATS.map(([name]) => name), 'epochs', 'train s', 'ms/step'];
  const cells = rows.map((r) => [
    r.task,
    ...TABLE_STATS.map(([, i]) => (r.stats[i]! < 0 ? 'n/a' : r.stats[i]!.toFixed(4))),
    `${r.epochs}${r.stoppedBy === 'time-budget' ? '*' : ''}`,
    r.trainSeconds.toFixed(0),
    r.msPerStep.toFixed(1),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) => c.map((v, i) => (i === 0 ? v.padEnd(widths[i]!) : v.padStart(widths[i]!))).join('  ').trimEnd();
  // An asterisk: the time budget ended training before its epochs.
  return [line(head), ...cells.map(line), ...(rows.some((r) => r.stoppedBy === 'time-budget') ? ['* stopped by the time budget'] : [])];
}

/** `start --task detect` (the start command's options; its training budget is shared by the detectors). */
export async function runStartDetect(ctx: CommandContext, o: { runs: string; name: string }): Promise<number> {
  const t0 = performance.now();
  const seed = seedOption(ctx.values);
  const scale = numberOption(ctx.values, 'scale', 1, Number.MIN_VALUE, 1000);
  const timeBudget = numberOption(ctx.values, 'time-budget', DEFAULT_DETECT_TIME_BUDGET, 1);
  const backend = backendOption(ctx.values);
  const epochs = stringOption(ctx.values, 'epochs') === undefined ? undefined : epochsOption(ctx.values, 1);
  const lr = stringOption(ctx.values, 'lr') === undefined ? undefined : numberOption(ctx.values, 'lr', 0, 1e-8, 1);
  const batch = stringOption(ctx.values, 'batch') === undefined ? undefined : intOption(ctx.values, 'batch', 16, 1, 100_000);
  const json = ctx.values.json === true;
  const seconds = () => ((performance.now() - t0) / 1000).toFixed(1);
  const { metrics, rows, final } = await inRunDirectory(o.runs, o.name, async (partial, final) => {
    ctx.log(`recordflow start --task detect: run ${final}`);
    const bar = ctx.progress('synth', 8);
    await runSynth(join(partial, 'data'), seed, scale, (d) => bar.update(d));
    bar.finish();
    const prepared = join(partial, 'prepared');
    const split = await runPrepareDetect(join(partial, 'data'), prepared, { seed, log: ctx.log });
    ctx.log(`prepared ${split.rows} frames: ${split.train} train, ${split.val} val (${seconds()} s)`);

    const { DETECTOR_TASKS, DETECTORS, trainDetectorInto, detectValidation, loadDetector, readPrepared, DETECTION_FILES, cocoEvaluate, cocoGroundTruthFromJson } =
      await import('../../detect/index.js');
    // The training budget is shared: each detector gets its part as a cap on its epochs.
    const share = timeBudget / DETECTOR_TASKS.length;
    const { readFile } = await import('node:fs/promises');
    const gtFile = join(prepared, DETECTION_FILES.groundTruth);
    const groundTruth = cocoGroundTruthFromJson(await readFile(gtFile, 'utf8'), gtFile);
    const rows: DetectorRow[] = [];
    const detected: { task: string; boxes: import('../../detect/index.js').DetectedBox[][] }[] = [];
    for (const task of DETECTOR_TASKS) {
      const dir = join(partial, task);
      const trained = await trainDetectorInto(task, prepared, dir, {
        seed: trainingSeed(seed),
        timeBudget: share,
        ...(epochs !== undefined ? { epochs } : {}),
        ...(lr !== undefined ? { learningRate: lr } : {}),
        ...(batch !== undefined ? { batch } : {}),
        ...(backend ? { backend } : {}),
        log: ctx.log,
      });
      // detect and coco-eval as a user runs them: from the saved model and the written results.
      const { results, detections } = await detectValidation(dir, prepared, {}, backend, task);
      const written = join(dir, 'detections.json');
      await writeFileAtomic(written, JSON.stringify(results) + '\n');
      const scored = cocoEvaluate(groundTruth, JSON.parse(await readFile(written, 'utf8')), undefined, { groundTruth: gtFile, detections: written });
      ctx.log(`${task}: ${trained.epochs} epochs in ${trained.trainSeconds.toFixed(0)} s, AP ${scored.AP.toFixed(4)}, AP50 ${scored.AP50.toFixed(4)} (${seconds()} s)`);
      rows.push({ task, stats: Array.from(scored.stats), epochs: trained.epochs, trainSeconds: trained.trainSeconds, msPerStep: trained.msPerStep, stoppedBy: trained.stoppedBy });
      detected.push({ task, boxes: detections });
    }

    const val = await readPrepared(prepared, DETECTION_FILES.val);
    const { renderBoxesGrid, renderHeatmapGrid } = await import('../../render/index.js');
    const { writePicture } = await import('../pictures.js');
    // Boxes as the grids take them: centre and size in fractions of the frame.
    const xywh = (b: ArrayLike<number>) => [(b[0]! + b[2]!) / 2 / 32, (b[1]! + b[3]!) / 2 / 24, (b[2]! - b[0]!) / 32, (b[3]! - b[1]!) / 24];
    const truthOf = (f: (typeof val)[number], cell: number) =>
      Array.from({ length: f.count }, (_, k) => ({ frame: cell, box: xywh(f.boxes.subarray(4 * k, 4 * k + 4)), color: TRUTH_COLOR, series: 'ground truth' }));
    const frameOf = (f: (typeof val)[number], i: number, task: string) => ({ pixels: f.image, width: 32, height: 24, caption: `#${i + 1} ${task}: ${f.count} person${f.count === 1 ? '' : 's'}` });
    // Each validation frame once per detector, side by side: the same frame's detections of
    // every detector in one row, all of them blue.
    const cells = val.slice(0, PICTURE_FRAMES).flatMap((f, i) => detected.map(({ task, boxes }) => ({ f, i, task, boxes: boxes[i]! })));
    await writePicture(
      await renderBoxesGrid({
        frames: cells.map((c) => frameOf(c.f, c.i, c.task)),
        boxes: [
          ...cells.flatMap((c, cell) => truthOf(c.f, cell)),
          ...cells.flatMap((c, cell) => c.boxes.filter((b) => b.score >= DRAWN_SCORE).map((b) => ({ frame: cell, box: xywh(b.box), color: PREDICTION_COLOR, series: 'detection', label: b.score.toFixed(2) }))),
        ],
        columns: 2 * detected.length,
        title: `validation frames: ground truth red, detections (score ≥ ${DRAWN_SCORE}) blue with their scores — ${rows.map((r) => `${r.task} AP ${r.stats[0]!.toFixed(3)}`).join(', ')}`,
      }),
      join(partial, 'detections.png'),
    );
    const maps: { f: (typeof val)[number]; i: number; task: string; heat: import('../../detect/index.js').DetectorHeatmap & { caption: string } }[] = [];
    const shown = val.slice(0, HEATMAP_FRAMES);
    for (const task of DETECTOR_TASKS) {
      const { detector, model } = await loadDetector(join(partial, task), task, backend);
      try {
        const heat = await detector.heatmaps(model, shown.map((f) => f.image));
        heat.forEach((h, i) => maps.push({ f: shown[i]!, i, task, heat: { ...h, caption: `${task}: ${DETECTORS[task].heatmapName}` } }));
      } finally {
        model.dispose();
      }
    }
    maps.sort((a, b) => a.i - b.i);
    await writePicture(
      await renderHeatmapGrid({
        frames: maps.map((m) => frameOf(m.f, m.i, m.task)),
        heatmaps: maps.map((m) => m.heat),
        boxes: maps.flatMap((m, cell) => truthOf(m.f, cell)),
        columns: DETECTOR_TASKS.length,
        title: `validation frames (ground truth red) beside each detector's heatmap: ${DETECTOR_TASKS.map((t) => `${t} ${DETECTORS[t].heatmapName}`).join(', ')}`,
      }),
      join(partial, 'heatmaps.png'),
    );

    const metrics = {
      run: final,
      task: 'detect',
      seed,
      trainingSeed: trainingSeed(seed),
      scale,
      frames: split.rows,
      train: split.train,
      val: split.val,
      timeBudget,
      budgetPerDetector: share,
      detectors: Object.fromEntries(rows.map((r) => [r.task, { ...r, ...Object.fromEntries(TABLE_STATS.map(([name, i]) => [name, r.stats[i]!])) }])),
      wallSeconds: (performance.now() - t0) / 1000,
    };
    await writeFileAtomic(join(partial, 'metrics.json'), JSON.stringify(metrics, null, 2) + '\n');
    const { writeReport } = await import('../report/build.js');
    await writeReport(partial, { name: o.name });
    return { metrics, rows, final };
  });
  if (json) await ctx.stdout.json(metrics);
  else {
    for (const line of detectTable(rows)) await ctx.stdout.line(line);
    ctx.log(`run: ${final} (${seconds()} s): index.html, metrics.json, detections.png, heatmaps.png, prepared/, ${rows.map((r) => r.task).join('/, ')}/`);
  }
  return 0;
}
