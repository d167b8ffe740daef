// Gathers a run directory into its report page (index.html): metrics.json's summary, the COCO
// metrics of a detection run, and the run's pictures, which are drawn from the history when a
// curves picture is missing.
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { writeFileAtomic } from '../files.js';
import { readRunMetrics } from './run-metrics.js';
import { reportHtml, type CocoTable, type PagePicture } from './page.js';

/** The pictures a run can hold, in page order, with their section titles. */
const KNOWN_PICTURES: [string, string][] = [
  ['curves.png', 'Training curves'],
  ['boxes.png', 'Validation frames: ground truth red, prediction blue'],
  ['detections.png', 'Detections: ground truth red, detections blue with their scores'],
  ['heatmaps.png', 'Frames beside their predicted heatmaps'],
];

/** Labels of metrics.json's summary fields, in table order; other scalar fields follow as named. */
const LABELS: [string, string][] = [
  ['exhaustiveValidationIoU', 'exhaustive validation IoU'],
  ['bestValidationIoU', 'best validation IoU'],
  ['task', 'task'],
  ['seed', 'seed'],
  ['trainingSeed', 'training seed'],
  ['scale', 'synthetic data scale'],
  ['frames', 'frames generated'],
  ['rows', 'rows'],
  ['train', 'training rows'],
  ['val', 'validation rows'],
  ['backend', 'backend'],
  ['epochs', 'epochs'],
  ['bestEpoch', 'best epoch'],
  ['stoppedBy', 'stopped by'],
  ['learningRate', 'initial learning rate'],
  ['schedule', 'schedule'],
  ['plannedEpochs', 'planned epochs'],
  ['batch', 'batch size'],
  ['nTrain', 'training frames'],
  ['nVal', 'validation frames'],
  ['decode', 'decoding'],
  ['msPerStep', 'ms per step'],
  ['trainSeconds', 'training seconds'],
  ['seconds', 'total seconds'],
  ['wallSeconds', 'wall seconds'],
  ['timeBudget', 'time budget (s)'],
];
const NOT_IN_SUMMARY = new Set(['history', 'run', 'coco', 'cocoStats', 'detectors']);

function formatValue(v: unknown): string {
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(5)));
  if (typeof v === 'string') return v;
  // A small flat object (e.g. decode: { topK, threshold }) as "key value" pairs, not JSON.
  if (v !== null && typeof v === 'object' && !Array.isArray(v) && Object.values(v).every((x) => x === null || typeof x !== 'object')) {
    return Object.entries(v).map(([k, x]) => `${k} ${formatValue(x)}`).join(', ');
  }
  return JSON.stringify(v);
}

/** metrics.json's scalar fields as label/value rows, known ones first. */
export function summaryRows(metrics: Record<string, unknown>): [string, string][] {
  const rows: [string, string][] = [];
  const seen = new Set<string>();
  for (const [key, label] of LABELS) {
    if (metrics[key] === undefined || metrics[key] === null) continue;
    rows.push([label, formatValue(metrics[key])]);
    seen.add(key);
  }
  for (const [key, v] of Object.entries(metrics)) {
    if (seen.has(key) || NOT_IN_SUMMARY.has(key) || v === undefined || v === null) continue;
    if (typeof v === 'object' && JSON.stringify(v).length > 200) continue;
    rows.push([key, formatValue(v)]);
  }
  // A detection study: how each detector trained (its COCO numbers are in their own table).
  const detectors = metrics.detectors;
  if (detectors !== null && typeof detectors === 'object' && !Array.isArray(detectors)) {
    for (const [name, d] of Object.entries(detectors as Record<string, Record<string, unknown> | null>)) {
      if (d === null || typeof d !== 'object') continue;
      const parts = [
        typeof d.epochs === 'number' ? `${d.epochs} epochs${d.stoppedBy === 'time-budget' ? ' (stopped by the time budget)' : ''}` : '',
        typeof d.trainSeconds === 'number' ? `${d.trainSeconds.toFixed(0)} s of training` : '',
        typeof d.msPerStep === 'number' ? `${d.msPerStep.toFixed(1)} ms per step` : '',
      ].filter(Boolean);
      if (parts.length > 0) rows.push([name, parts.join(', ')]);
    }
  }
  return rows;
}

/** The 12 numbers of one model's COCO stats in any of the shapes below, or undefined. */
function statsOf(raw: unknown, names: readonly string[]): number[] | undefined {
  if (raw === undefined || raw === null || typeof raw !== 'object') return undefined;
  const fromObject = raw as Record<string, unknown>;
  const stats: unknown[] = Array.isArray(raw) ? raw : Array.isArray(fromObject.stats) ? (fromObject.stats as unknown[]) : names.map((n) => fromObject[n]);
  return stats.length === names.length && stats.every((s) => typeof s === 'number') ? (stats as number[]) : undefined;
}

/**
 * The COCO table of a detection run's metrics.json: one column per entry of `detectors` (what
 * \`start --task detect\` writes: each detector's `stats`), else one column from `coco` or
 * `cocoStats`. Each model's numbers may be pycocotools' stats array, `{ stats: [...] }`, or
 * an object keyed by COCO_STAT_NAMES (AP, AP50, ..., ARlarge).
 */
export async function cocoRows(metrics: Record<string, unknown>): Promise<CocoTable | undefined> {
  const { COCO_STAT_NAMES, cocoDefaultParams, cocoSummaryLines } = await import('../../detect/coco/index.js');
  const columns: [string, number[]][] = [];
  const detectors = metrics.detectors;
  if (detectors !== null && typeof detectors === 'object' && !Array.isArray(detectors)) {
    for (const [name, entry] of Object.entries(detectors)) {
      const stats = statsOf(entry, COCO_STAT_NAMES);
      if (stats) columns.push([name, stats]);
    }
  }
  if (columns.length === 0) {
    const stats = statsOf(metrics.coco ?? metrics.cocoStats, COCO_STAT_NAMES);
    if (stats) columns.push(['value', stats]);
  }
  if (columns.length === 0) return undefined;
  const lines = cocoSummaryLines(columns[0]![1], cocoDefaultParams());
  return {
    columns: columns.map(([name]) => name),
    rows: COCO_STAT_NAMES.map((name, i) => ({ name, description: (lines[i] ?? '').replace(/\s*=\s*-?[\d.]+\s*$/, '').trim(), values: columns.map(([, stats]) => stats[i]!) })),
  };
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** Builds the page of a run directory and writes it to RUN_DIR/index.html; returns its path. */
export async function writeReport(runDir: string, options: { name?: string } = {}): Promise<string> {
  const dir = resolve(runDir);
  const metrics = await readRunMetrics(dir);
  const name = options.name ?? basename(dir);

  const entries = (await readdir(dir)).filter((f) => !f.startsWith('.')).sort();
  const pictures: PagePicture[] = [];
  const known = new Set(KNOWN_PICTURES.map(([f]) => f));
  for (const [file, title] of [...KNOWN_PICTURES, ...entries.filter((f) => f.endsWith('.png') && !known.has(f)).map((f): [string, string] => [f, f])]) {
    const spec = file.replace(/\.png$/, '.vl.json');
    const specHere = entries.includes(spec) ? { spec } : {};
    if (entries.includes(file)) {
      pictures.push({ title, png: await readFile(join(dir, file)), file, ...specHere });
    } else if (file === 'curves.png' && Array.isArray(metrics.history) && metrics.history.length > 0) {
      // No curves picture (a train output, an older run): drawn from the history for the page.
      const [{ renderCurves }, { curveRows }] = await Promise.all([import('../../render/index.js'), import('../commands/train.js')]);
      const best = typeof metrics.bestEpoch === 'number' ? { bestEpoch: metrics.bestEpoch } : {};
      pictures.push({ title, png: (await renderCurves({ name, rows: curveRows(metrics.history), ...best })).png });
    }
  }
  const linked = new Set(pictures.flatMap((p) => [p.file, p.spec]));
  const files = [];
  for (const f of entries) {
    if (f === 'index.html' || linked.has(f)) continue;
    files.push((await stat(join(dir, f))).isDirectory() ? `${f}/` : f);
  }

  const iou = metrics.exhaustiveValidationIoU ?? metrics.bestValidationIoU;
  const coco = await cocoRows(metrics);
  const headline = [
    typeof iou === 'number' ? `exhaustive validation IoU ${iou.toFixed(4)}` : '',
    ...(coco?.columns.map((name, c) => `${name === 'value' ? 'COCO' : name} AP ${coco.rows[0]!.values[c]!.toFixed(3)}, AP50 ${coco.rows[1]!.values[c]!.toFixed(3)}`) ?? []),
  ].filter(Boolean).join(' · ');
  const { readFileSync } = await import('node:fs');
  const version = (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  const html = reportHtml({
    title: `recordflow run ${name}`,
    ...(headline ? { headline } : {}),
    summary: summaryRows(metrics),
    pictures,
    ...(coco ? { coco } : {}),
    files,
    generator: `Written by recordflow ${version} (recordflow report ${name} rebuilds it). Self-contained: no network access needed.`,
  });
  const out = join(dir, 'index.html');
  await writeFileAtomic(out, html);
  return out;
}
