// The training-curves picture: loss (train and validation) beside IoU (train and validation).
import { Canvas, COLORS } from './canvas.js';
import { drawPanel, type Series } from './chart.js';
import { encodePng } from './png.js';

/** One row per epoch; any metric may be missing (drawn as a gap). */
export interface EpochMetrics {
  epoch: number;
  loss?: number;
  valLoss?: number;
  iou?: number;
  valIou?: number;
  /** The exhaustive validation IoU pass (the number the study reports). */
  exhaustive?: number;
}

function series(name: string, color: Series['color'], rows: EpochMetrics[], key: keyof EpochMetrics): Series | undefined {
  const points = rows
    .filter((r) => typeof r[key] === 'number' && Number.isFinite(r[key]))
    .map((r) => [r.epoch, r[key] as number] as const);
  return points.length > 0 ? { name, color, points } : undefined;
}

export function renderCurves(rows: EpochMetrics[], title = 'recordflow training'): Buffer {
  const panelW = 640;
  const panelH = 440;
  const canvas = new Canvas(panelW * 2, panelH + 40);
  canvas.text(16, 12, title, COLORS.black, 2);
  const lossSeries = [
    series('train loss', COLORS.orange, rows, 'loss'),
    series('val loss', COLORS.darkBlue, rows, 'valLoss'),
  ].filter((s): s is Series => s !== undefined);
  const iouSeries = [
    series('train IoU', COLORS.orange, rows, 'iou'),
    series('val IoU', COLORS.darkBlue, rows, 'valIou'),
    series('val IoU, exhaustive pass', COLORS.green, rows, 'exhaustive'),
  ].filter((s): s is Series => s !== undefined);
  const allLoss = lossSeries.flatMap((s) => s.points.map(([, v]) => v));
  // A log axis reads better once the loss spans more than a decade.
  const logY = allLoss.length > 1 && Math.min(...allLoss) > 0 && Math.max(...allLoss) / Math.min(...allLoss) > 10;
  drawPanel(canvas, 0, 40, panelW, panelH, lossSeries, { title: 'loss', xLabel: 'epoch', yLabel: logY ? 'loss (log)' : 'loss', logY });
  drawPanel(canvas, panelW, 40, panelW, panelH, iouSeries, { title: 'IoU', xLabel: 'epoch', yLabel: 'IoU', yMin: 0, yMax: 1 });
  return encodePng(canvas.toImage());
}
