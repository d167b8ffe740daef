// Grids of frames as Vega-Lite specs: each frame's pixels as rects (gray, stretched per frame;
// heatmaps in a colour scheme), boxes on top with optional labels, a caption under each cell.
// The pixels travel as one array per frame and are spread by the spec's own transforms, so the
// spec file stays small enough to edit.
import { renderSpec, type Picture, type VegaLiteSpec } from './draw.js';
import { chartConfig } from './theme.js';

/** One picture of a grid: row-major values, `height` rows of `width`. */
export interface GridFrame {
  pixels: ArrayLike<number>;
  width: number;
  height: number;
  /** Text under the cell, e.g. the record index and IoU. */
  caption?: string;
}

/** A box drawn over a frame. */
export interface GridBox {
  /** Index of the frame in `frames`. */
  frame: number;
  /** `[x, y, w, h]`: centre and size as fractions of the frame (the Example's x, y, w, h). */
  box: ArrayLike<number>;
  /** Any CSS colour. */
  color: string;
  /** Text at the box's top-left corner, e.g. a detection score. */
  label?: string;
  /** Legend entry (e.g. "ground truth"); the legend is drawn when every box names one. */
  series?: string;
  /** Line width in pixels; default: thick for the first series, thinner for later ones drawn over it. */
  strokeWidth?: number;
}

/** What renderBoxesGrid draws: frames, boxes over them, and the grid's layout. */
export interface BoxesGridOptions {
  frames: readonly GridFrame[];
  boxes?: readonly GridBox[];
  /** Cells per row (default 6). */
  columns?: number;
  /** Pixels per frame pixel (default 8). */
  scale?: number;
  title?: string;
}

/** What renderHeatmapGrid draws: frames, their heatmaps, boxes over the frames, the layout. */
export interface HeatmapGridOptions {
  frames: readonly GridFrame[];
  /** One heatmap per frame (any resolution: it is stretched over the frame's cell). */
  heatmaps: readonly GridFrame[];
  /** Boxes over the frames (not the heatmaps); `frame` indexes `frames`. */
  boxes?: readonly GridBox[];
  /** Frame-and-heatmap pairs per row (default 3). */
  columns?: number;
  scale?: number;
  title?: string;
  /** Value range of the colour scheme (default [0, 1], a heatmap's scores); 'auto': each heatmap's own range. */
  heatDomain?: readonly [number, number] | 'auto';
  /** A Vega colour scheme (default 'inferno'). */
  scheme?: string;
}

interface Panel {
  frame: GridFrame;
  kind: 'gray' | 'heat';
}

/** Four significant digits: enough for a picture, and a third of the JSON of full floats. */
const compact = (v: number): number | null => (Number.isFinite(v) ? Number(v.toPrecision(4)) : null);

function checkFrame(f: GridFrame, what: string): void {
  if (!Number.isInteger(f.width) || !Number.isInteger(f.height) || f.width < 1 || f.height < 1) {
    throw new RangeError(`${what}: width and height must be positive integers, got ${f.width}x${f.height}`);
  }
  if (f.pixels.length !== f.width * f.height) {
    throw new RangeError(`${what}: ${f.pixels.length} pixels, expected ${f.width}x${f.height} = ${f.width * f.height}`);
  }
}

function gridSpec(panels: readonly Panel[], boxes: readonly GridBox[], boxPanel: (frame: number) => number, o: { columns: number; scale: number; title?: string; heatDomain?: readonly [number, number] | 'auto'; scheme?: string }): VegaLiteSpec {
  panels.forEach((p, i) => checkFrame(p.frame, `frame ${i}`));
  const cellW = Math.max(1, ...panels.map((p) => p.frame.width)) * o.scale;
  const cellH = Math.max(1, ...panels.map((p) => p.frame.height)) * o.scale;
  const rows: Record<string, unknown>[] = panels.map((p, i) => ({
    kind: p.kind,
    panel: i,
    w: p.frame.width,
    h: p.frame.height,
    v: Array.from(p.frame.pixels, compact),
  }));

  const series: string[] = [];
  const seriesColor = new Map<string, string>();
  for (const b of boxes) {
    if (b.series !== undefined && !seriesColor.has(b.series)) {
      series.push(b.series);
      seriesColor.set(b.series, b.color);
    }
  }
  const legend = boxes.length > 0 && boxes.every((b) => b.series !== undefined);
  const base = Math.max(2, Math.round(o.scale / 3));
  for (const b of boxes) {
    if (!Number.isInteger(b.frame) || b.frame < 0 || b.frame >= panels.length) throw new RangeError(`box on frame ${b.frame}: there are ${panels.length} frames`);
    const [x, y, w, h] = [b.box[0], b.box[1], b.box[2], b.box[3]] as number[];
    if (![x, y, w, h].every(Number.isFinite)) continue;
    // Truth (the first series) is drawn wider underneath, so it still shows where a prediction
    // lies exactly on it.
    const first = b.series === undefined ? boxes[0]?.color === b.color : series[0] === b.series;
    rows.push({
      kind: 'box',
      panel: boxPanel(b.frame),
      x0: x - w / 2,
      x1: x + w / 2,
      y0: y - h / 2,
      y1: y + h / 2,
      color: b.color,
      series: b.series ?? b.color,
      strokeWidth: b.strokeWidth ?? (first ? 2 * base : base),
      ...(b.label !== undefined ? { label: b.label } : {}),
    });
  }

  // Frame pixels: one row per pixel with its cell rectangle in [0, 1] coordinates, whatever the
  // frame's resolution.
  const pixelsOf = (kind: Panel['kind']) => [
    { filter: { field: 'kind', equal: kind } },
    { flatten: ['v'] },
    { window: [{ op: 'row_number', as: 'i' }], groupby: ['panel'] },
    { calculate: '(datum.i - 1) % datum.w', as: 'col' },
    { calculate: 'floor((datum.i - 1) / datum.w)', as: 'row' },
    { calculate: 'datum.col / datum.w', as: 'px0' },
    { calculate: '(datum.col + 1) / datum.w', as: 'px1' },
    { calculate: 'datum.row / datum.h', as: 'py0' },
    { calculate: '(datum.row + 1) / datum.h', as: 'py1' },
  ];
  const unit = { type: 'quantitative', axis: null, scale: { domain: [0, 1], nice: false, zero: false } };
  const unitY = { type: 'quantitative', axis: null, scale: { domain: [0, 1], nice: false, zero: false, reverse: true } };
  const cell = (x0: string, x1: string, y0: string, y1: string) => ({
    x: { field: x0, ...unit },
    x2: { field: x1 },
    y: { field: y0, ...unitY },
    y2: { field: y1 },
  });
  const hasHeat = panels.some((p) => p.kind === 'heat');
  const heatDomain = o.heatDomain ?? [0, 1];
  const captions = panels.map((p) => p.frame.caption ?? '');

  const layers: VegaLiteSpec[] = [
    {
      transform: pixelsOf('gray'),
      mark: { type: 'rect', strokeWidth: 0 },
      // Each frame stretched over its own min..max (independent scales), so faint frames read.
      encoding: { ...cell('px0', 'px1', 'py0', 'py1'), color: { field: 'v', type: 'quantitative', scale: { range: ['black', 'white'], zero: false, nice: false }, legend: null } },
    },
  ];
  if (hasHeat) {
    layers.push({
      transform: pixelsOf('heat'),
      mark: { type: 'rect', strokeWidth: 0 },
      encoding: {
        ...cell('px0', 'px1', 'py0', 'py1'),
        fill: {
          field: 'v',
          type: 'quantitative',
          scale: { scheme: o.scheme ?? 'inferno', ...(heatDomain === 'auto' ? { zero: false, nice: false } : { domain: [...heatDomain], clamp: true }) },
          legend: heatDomain === 'auto' ? null : { title: 'heatmap', orient: 'right', gradientLength: Math.min(200, cellH) },
        },
      },
    });
  }
  if (boxes.length > 0) {
    layers.push({
      transform: [{ filter: { field: 'kind', equal: 'box' } }],
      mark: { type: 'rect', filled: false, clip: true },
      encoding: {
        ...cell('x0', 'x1', 'y0', 'y1'),
        stroke: legend
          ? { field: 'series', type: 'nominal', title: null, scale: { domain: series, range: series.map((s) => seriesColor.get(s)) }, legend: { orient: 'top', symbolType: 'square', symbolStrokeWidth: 3, symbolFillColor: 'transparent' } }
          : { field: 'color', type: 'nominal', scale: null },
        strokeWidth: { field: 'strokeWidth', type: 'quantitative', scale: null, legend: null },
      },
    });
    if (boxes.some((b) => b.label !== undefined)) {
      // The label inside the box's top-left corner, its own colour over a white halo, so it
      // reads on dark and bright frames alike.
      const text = { type: 'text', align: 'left', baseline: 'top', dx: 4, dy: 4, fontSize: 12, fontWeight: 'bold', clip: true };
      const at = { x: { field: 'x0', ...unit }, y: { field: 'y0', ...unitY }, text: { field: 'label' } };
      const labelled = [{ filter: 'datum.kind === "box" && isValid(datum.label)' }];
      layers.push(
        { transform: labelled, mark: { ...text, stroke: 'white', strokeWidth: 3, strokeJoin: 'round', fill: 'white' }, encoding: at },
        { transform: labelled, mark: text, encoding: { ...at, fill: { field: 'color', type: 'nominal', scale: null } } },
      );
    }
  }

  const theme = chartConfig();
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    ...(o.title ? { title: o.title } : {}),
    background: 'white',
    padding: 10,
    data: { values: rows },
    facet: {
      field: 'panel',
      type: 'ordinal',
      title: null,
      // Captions a size up from the charts': a grid is often shown scaled down (the run page).
      header: { labelOrient: 'bottom', labelPadding: 4, labelFontSize: 14, labelExpr: `${JSON.stringify(captions)}[datum.value]`, labelLimit: cellW },
    },
    columns: o.columns,
    spacing: { row: 6, column: 8 },
    spec: { width: cellW, height: cellH, layer: layers },
    resolve: { scale: { color: 'independent', ...(heatDomain === 'auto' ? { fill: 'independent' } : {}) } },
    config: { ...theme, view: { stroke: null }, title: { ...(theme.title as object), fontSize: 16 }, legend: { ...(theme.legend as object), labelFontSize: 14 } },
    usermeta: { recordflow: { zoom: 1, crisp: true } },
  };
}

/** The Vega-Lite spec of a boxes grid (see renderBoxesGrid). */
export function boxesGridSpec(options: BoxesGridOptions): VegaLiteSpec {
  const columns = Math.max(1, Math.min(options.columns ?? 6, options.frames.length || 1));
  return gridSpec(
    options.frames.map((frame) => ({ frame, kind: 'gray' })),
    options.boxes ?? [],
    (f) => f,
    { columns, scale: options.scale ?? 8, ...(options.title ? { title: options.title } : {}) },
  );
}

/**
 * Draws frames in a grid with boxes over them: e.g. ground truth in red and predictions in blue,
 * or detections with their scores as labels.
 *
 * @example
 * const frame = { pixels: new Float32Array(32 * 24).map((_, i) => i % 32), width: 32, height: 24, caption: '#0' };
 * const picture = await renderBoxesGrid({
 *   frames: [frame],
 *   boxes: [
 *     { frame: 0, box: [0.5, 0.5, 0.4, 0.6], color: 'red', series: 'ground truth' },
 *     { frame: 0, box: [0.55, 0.5, 0.4, 0.5], color: 'blue', series: 'detection', label: '0.93' },
 *   ],
 * });
 * console.log(picture.width, picture.height);
 */
export async function renderBoxesGrid(options: BoxesGridOptions): Promise<Picture> {
  return renderSpec(boxesGridSpec(options));
}

/** The Vega-Lite spec of a heatmap grid (see renderHeatmapGrid). */
export function heatmapGridSpec(options: HeatmapGridOptions): VegaLiteSpec {
  if (options.heatmaps.length !== options.frames.length) {
    throw new RangeError(`${options.frames.length} frames but ${options.heatmaps.length} heatmaps`);
  }
  const panels: Panel[] = options.frames.flatMap((frame, i) => [
    { frame, kind: 'gray' as const },
    { frame: { ...options.heatmaps[i]!, caption: options.heatmaps[i]!.caption ?? 'heatmap' }, kind: 'heat' as const },
  ]);
  const pairs = Math.max(1, Math.min(options.columns ?? 3, options.frames.length || 1));
  return gridSpec(panels, options.boxes ?? [], (f) => 2 * f, {
    columns: 2 * pairs,
    scale: options.scale ?? 8,
    ...(options.title ? { title: options.title } : {}),
    ...(options.heatDomain ? { heatDomain: options.heatDomain } : {}),
    ...(options.scheme ? { scheme: options.scheme } : {}),
  });
}

/**
 * Draws each frame beside its heatmap (e.g. a CenterNet centre heatmap), boxes over the frames.
 *
 * @example
 * const frame = { pixels: new Float32Array(32 * 24).map((_, i) => i % 32), width: 32, height: 24 };
 * const heatmap = { pixels: new Float32Array(16 * 12).map((_, i) => (i % 16) / 16), width: 16, height: 12 };
 * const picture = await renderHeatmapGrid({ frames: [frame], heatmaps: [heatmap] });
 * console.log(picture.width, picture.height);
 */
export async function renderHeatmapGrid(options: HeatmapGridOptions): Promise<Picture> {
  return renderSpec(heatmapGridSpec(options));
}
