// The boxes picture: a grid of 24x32 thermal frames, upscaled, with the ground-truth box in red
// and the predicted box in blue, like the reference study's plots.
import { Canvas, COLORS, type Rgb } from './canvas.js';
import { textWidth } from './font.js';
import { encodePng } from './png.js';

export const FRAME_HEIGHT = 24;
export const FRAME_WIDTH = 32;

export interface FrameSample {
  /** 768 pixels, row-major (24 rows of 32): uint8 values or floats in [0, 1]. */
  image: ArrayLike<number>;
  /** Ground truth [x, y, w, h], normalized centre and size (the Example's x, y, w, h). */
  label?: ArrayLike<number>;
  /** More ground-truth boxes (other persons in the frame), same form, also red. */
  moreLabels?: ArrayLike<number>[];
  /** Prediction, same form. */
  prediction?: ArrayLike<number>;
  /** Text under the frame, e.g. the record index and IoU. */
  caption?: string;
}

export interface GridOptions {
  columns?: number;
  /** Upscale factor per frame pixel. */
  scale?: number;
  title?: string;
}

/** Gray level of each pixel, stretched to the frame's own min..max so faint frames stay readable. */
function grayLevels(image: ArrayLike<number>): Uint8Array {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < FRAME_HEIGHT * FRAME_WIDTH; i++) {
    const v = image[i] as number;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const out = new Uint8Array(FRAME_HEIGHT * FRAME_WIDTH);
  const span = hi > lo ? hi - lo : 1;
  for (let i = 0; i < out.length; i++) out[i] = Math.round((((image[i] as number) - lo) / span) * 255);
  return out;
}

function drawBox(canvas: Canvas, ox: number, oy: number, scale: number, xywh: ArrayLike<number>, color: Rgb): void {
  const [x, y, w, h] = [xywh[0], xywh[1], xywh[2], xywh[3]] as number[];
  if (![x, y, w, h].every(Number.isFinite)) return;
  const clampX = (v: number) => Math.min(FRAME_WIDTH * scale - 1, Math.max(0, v));
  const clampY = (v: number) => Math.min(FRAME_HEIGHT * scale - 1, Math.max(0, v));
  const x0 = clampX(Math.round((x - w / 2) * FRAME_WIDTH * scale));
  const x1 = clampX(Math.round((x + w / 2) * FRAME_WIDTH * scale) - 1);
  const y0 = clampY(Math.round((y - h / 2) * FRAME_HEIGHT * scale));
  const y1 = clampY(Math.round((y + h / 2) * FRAME_HEIGHT * scale) - 1);
  canvas.strokeRect(ox + x0, oy + y0, ox + x1, oy + y1, color, Math.max(1, Math.round(scale / 4)));
}

export function renderGrid(samples: FrameSample[], options: GridOptions = {}): Buffer {
  const scale = options.scale ?? 8;
  const columns = Math.max(1, Math.min(options.columns ?? 6, samples.length || 1));
  const rows = Math.max(1, Math.ceil(samples.length / columns));
  const gap = 8;
  const captionH = 22;
  const headerH = 40;
  const cellW = FRAME_WIDTH * scale;
  const cellH = FRAME_HEIGHT * scale + captionH;
  const width = gap + columns * (cellW + gap);
  const height = headerH + rows * (cellH + gap) + gap;
  const canvas = new Canvas(width, height);

  // Header: title on the left, colour legend on the right.
  canvas.text(gap, 12, options.title ?? 'boxes', COLORS.black, 2);
  const hasPred = samples.some((s) => s.prediction);
  const legend: [string, Rgb][] = [['ground truth', COLORS.red]];
  if (hasPred) legend.push(['prediction', COLORS.blue]);
  let lx = width - gap;
  for (const [name, color] of legend.reverse()) {
    lx -= textWidth(name, 2);
    canvas.text(lx, 12, name, COLORS.black, 2);
    canvas.fillRect(lx - 26, 12, 18, 14, color);
    lx -= 46;
  }

  samples.forEach((sample, k) => {
    const ox = gap + (k % columns) * (cellW + gap);
    const oy = headerH + Math.floor(k / columns) * (cellH + gap);
    const gray = grayLevels(sample.image);
    for (let py = 0; py < FRAME_HEIGHT; py++) {
      for (let px = 0; px < FRAME_WIDTH; px++) {
        const g = gray[py * FRAME_WIDTH + px] as number;
        canvas.fillRect(ox + px * scale, oy + py * scale, scale, scale, [g, g, g]);
      }
    }
    if (sample.label) drawBox(canvas, ox, oy, scale, sample.label, COLORS.red);
    for (const more of sample.moreLabels ?? []) drawBox(canvas, ox, oy, scale, more, COLORS.red);
    if (sample.prediction) drawBox(canvas, ox, oy, scale, sample.prediction, COLORS.blue);
    if (sample.caption) canvas.text(ox, oy + FRAME_HEIGHT * scale + 5, sample.caption, COLORS.black, 2);
  });
  return encodePng(canvas.toImage());
}
