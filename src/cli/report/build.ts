// Gathers a run directory into its report page (index.html): metrics.json's summary, the COCO
// metrics of a detection run, and the run's pictures, which are drawn from the history when a
// curves picture is missing.
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { writeFileAtomic } from '../files.js';
import { readRunMetrics } from './run-metrics.js';
import { reportHtml, type PageContent, type PagePicture } from './page.js';

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
  ['msPerStep', 'ms per step'],
  ['trainSeconds', 'training seconds'],
  ['wallSeconds', 'wall seconds'],
];
const NOT_IN_SUMMARY = new Set(['history', 'run', 'coco', 'cocoStats']);

function formatValue(v: unknown): string {
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(5)));
  if (typeof v === 'string') return v;
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
  return rows;
}

/**
 * The 12 COCO numbers of a detection run's metrics.json, wherever they are: `coco` or
 * `cocoStats` as pycocotools' stats array, as `{ stats: [...] }`, or as an object keyed by
 * COCO_STAT_NAMES (AP, AP50, ..., ARlarge).
 */
export async function cocoRows(metrics: Record<string, unknown>): Promise<PageContent['coco']> {
  const raw = metrics.coco ?? metrics.cocoStats;
  if (raw === undefined || raw === null || typeof raw !== 'object') return undefined;
  const { COCO_STAT_NAMES, cocoDefaultParams, cocoSummaryLines } = await import('../../detect/coco/index.js');
  const fromObject = raw as Record<string, unknown>;
  const stats: unknown[] = Array.isArray(raw)
    ? raw
    : Array.isArray(fromObject.stats)
      ? (fromObject.stats as unknown[])
      : COCO_STAT_NAMES.map((n) => fromObject[n]);
  if (stats.length !== COCO_STAT_NAMES.length || !stats.every((s) => typeof s === 'number')) return undefined;
  const numbers = stats as number[];
  const lines = cocoSummaryLines(numbers, cocoDefaultParams());
  return COCO_STAT_NAMES.map((name, i) => ({ name, description: (lines[i] ?? '').replace(/\s*=\s*-?[\d.]+\s*$/, '').trim(), value: numbers[i]! }));
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
    coco ? `COCO AP ${coco[0]!.value.toFixed(3)}, AP50 ${coco[1]!.value.toFixed(3)}` : '',
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
