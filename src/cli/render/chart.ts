// Line charts with axes, tick numbers, a title and a legend, drawn on a Canvas region.
// Used for the training curves (loss and IoU per epoch).
import { COLORS, type Canvas, type Rgb } from './canvas.js';
import { GLYPH_HEIGHT, textWidth } from './font.js';

export interface Series {
  name: string;
  color: Rgb;
  /** [x, y] points; non-finite y values are skipped (a gap in the line). */
  points: ReadonlyArray<readonly [number, number]>;
}

export interface PanelOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  /** Fixed y range; default: the data's range with a little margin. */
  yMin?: number;
  yMax?: number;
  /** Draw the y axis on a log10 scale (for losses spanning decades). */
  logY?: boolean;
}

/** Round step sizes (1, 2, 5 times a power of ten) giving about `count` ticks over [lo, hi]. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const pow = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * pow).find((s) => s >= raw) ?? 10 * pow;
  const ticks: number[] = [];
  // Multiply rather than accumulate, and round, so 3 * 0.2 prints as 0.6.
  for (let k = Math.ceil(lo / step - 1e-9); k * step <= hi + step * 1e-9; k++) {
    ticks.push(k === 0 ? 0 : Number((k * step).toPrecision(12)));
  }
  return ticks;
}

/** Ticks for a log10 axis spanning [lo, hi] (in log10 units): 1-2-5 steps, or decades when wide. */
export function logTicks(lo: number, hi: number): number[] {
  const out: number[] = [];
  const decades = Math.ceil(hi) - Math.floor(lo);
  const mantissas = decades > 3 ? [1] : [1, 2, 5];
  for (let k = Math.floor(lo); k <= Math.ceil(hi); k++) {
    for (const m of mantissas) {
      const v = Number((m * 10 ** k).toPrecision(6));
      const l = Math.log10(v);
      if (l >= lo - 1e-9 && l <= hi + 1e-9) out.push(v);
    }
  }
  return out;
}

/** A short tick label: integers as is, otherwise up to 4 significant digits, exponents when tiny. */
export function formatTick(v: number): string {
  if (v === 0) return '0';
  if (Number.isInteger(v) && Math.abs(v) < 1e6) return String(v);
  const a = Math.abs(v);
  if (a < 1e-3 || a >= 1e6) return v.toExponential(0).replace('e', 'E');
  return String(Number(v.toPrecision(4)));
}

/** Draws one chart panel into the rectangle (x, y, w, h) of `canvas`. */
export function drawPanel(canvas: Canvas, x: number, y: number, w: number, h: number, series: Series[], options: PanelOptions): void {
  const scale = 2;
  const lineH = GLYPH_HEIGHT * scale;
  const top = y + lineH + 14;
  const right = x + w - 12;
  const bottom = y + h - lineH * 2 - 22;
  const plotH = bottom - top;

  const all = series.flatMap((s) => s.points.filter(([, v]) => Number.isFinite(v) && (!options.logY || v > 0)));
  let xMin = Math.min(...all.map(([px]) => px));
  let xMax = Math.max(...all.map(([px]) => px));
  if (!Number.isFinite(xMin)) [xMin, xMax] = [0, 1];
  if (xMax === xMin) xMax = xMin + 1;

  const fy = options.logY ? (v: number) => Math.log10(v) : (v: number) => v;
  let yLo = options.yMin ?? Math.min(...all.map(([, v]) => fy(v)));
  let yHi = options.yMax ?? Math.max(...all.map(([, v]) => fy(v)));
  if (!Number.isFinite(yLo) || !Number.isFinite(yHi)) [yLo, yHi] = [0, 1];
  if (yHi === yLo) [yLo, yHi] = [yLo - 0.5, yHi + 0.5];
  if (options.yMin === undefined || options.yMax === undefined) {
    const pad = (yHi - yLo) * 0.05;
    if (options.yMin === undefined) yLo -= pad;
    if (options.yMax === undefined) yHi += pad;
  }
  if (options.logY) {
    yLo = Math.floor(yLo * 2) / 2;
    yHi = Math.ceil(yHi * 2) / 2;
  }
  const yTicks = options.logY ? logTicks(yLo, yHi) : niceTicks(yLo, yHi, 5);
  // The plot starts right of the y title and the widest tick number.
  const left = x + 4 + lineH + 8 + Math.max(...yTicks.map((t) => textWidth(formatTick(t), scale))) + 8;
  const plotW = right - left;
  const sx = (v: number) => left + ((v - xMin) / (xMax - xMin)) * plotW;
  const sy = (v: number) => bottom - ((fy(v) - yLo) / (yHi - yLo)) * plotH;

  // Title, centred above the plot.
  canvas.text(left + (plotW - textWidth(options.title, scale)) / 2, y + 4, options.title, COLORS.black, scale);

  // Grid and tick numbers.
  for (const t of yTicks) {
    const py = sy(t);
    if (py < top - 0.5 || py > bottom + 0.5) continue;
    canvas.line(left, py, right, py, COLORS.lightGray);
    const label = formatTick(t);
    canvas.text(left - 6 - textWidth(label, scale), py - lineH / 2, label, COLORS.black, scale);
  }
  const xTicks = niceTicks(xMin, xMax, 6).filter((t) => Number.isInteger(t) || xMax - xMin < 6);
  for (const t of xTicks) {
    const px = sx(t);
    if (px < left - 0.5 || px > right + 0.5) continue;
    canvas.line(px, top, px, bottom, COLORS.lightGray);
    canvas.line(px, bottom, px, bottom + 4, COLORS.black);
    const label = formatTick(t);
    canvas.text(px - textWidth(label, scale) / 2, bottom + 8, label, COLORS.black, scale);
  }

  // Axes.
  canvas.line(left, top, left, bottom, COLORS.black, 2);
  canvas.line(left, bottom, right, bottom, COLORS.black, 2);
  canvas.text(left + (plotW - textWidth(options.xLabel, scale)) / 2, bottom + 12 + lineH, options.xLabel, COLORS.black, scale);
  canvas.textVertical(x + 4, top + (plotH - textWidth(options.yLabel, scale)) / 2, options.yLabel, COLORS.black, scale);

  // Lines, then a dot on each point so single-epoch runs still show something.
  for (const s of series) {
    let prev: [number, number] | undefined;
    for (const [px, v] of s.points) {
      if (!Number.isFinite(v) || (options.logY && v <= 0)) {
        prev = undefined;
        continue;
      }
      const cur: [number, number] = [sx(px), Math.min(bottom, Math.max(top, sy(v)))];
      if (prev) canvas.line(prev[0], prev[1], cur[0], cur[1], s.color, 2);
      if (s.points.length <= 60) canvas.fillRect(cur[0] - 2, cur[1] - 2, 5, 5, s.color);
      prev = cur;
    }
  }

  // Legend in the top-right corner of the plot.
  let ly = top + 6;
  for (const s of series) {
    const lw = textWidth(s.name, scale);
    const lx = right - lw - 30;
    canvas.fillRect(lx - 4, ly - 3, lw + 34, lineH + 6, COLORS.white);
    canvas.line(lx, ly + lineH / 2, lx + 18, ly + lineH / 2, s.color, 3);
    canvas.text(lx + 24, ly, s.name, COLORS.black, scale);
    ly += lineH + 8;
  }
}
