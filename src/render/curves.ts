// Training curves as a Vega-Lite spec: loss beside IoU per epoch, the best epoch marked; several
// runs overlay (colour per run, dash per split) to compare seeds or recipes.
import { renderSpec, type Picture, type VegaLiteSpec } from './draw.js';
import { chartConfig } from './theme.js';

/** One epoch of one run; a missing or non-finite value leaves a gap. */
export interface CurveRow {
  epoch: number;
  loss?: number;
  valLoss?: number;
  iou?: number;
  valIou?: number;
  /** The exhaustive validation IoU pass (the number the study reports). */
  exhaustive?: number;
}

/** One run's curves. */
export interface CurveRun {
  /** Legend name (a run directory's name, a seed, a recipe). */
  name: string;
  rows: readonly CurveRow[];
  /** The epoch whose weights became the model; default: the best exhaustive (else streaming) validation IoU. */
  bestEpoch?: number;
}

/** Title and panel size of the curves picture. */
export interface CurvesOptions {
  title?: string;
  /** Width of each of the two panels in SVG units (default 440); a loss panel alone is twice as wide. */
  panelWidth?: number;
}

const SERIES: { key: keyof CurveRow; panel: 'loss' | 'IoU'; name: string; split: string }[] = [
  { key: 'loss', panel: 'loss', name: 'train loss', split: 'train' },
  { key: 'valLoss', panel: 'loss', name: 'val loss', split: 'validation' },
  { key: 'iou', panel: 'IoU', name: 'train IoU', split: 'train' },
  { key: 'valIou', panel: 'IoU', name: 'val IoU (streaming)', split: 'validation' },
  { key: 'exhaustive', panel: 'IoU', name: 'val IoU (exhaustive pass)', split: 'validation' },
];
const SERIES_COLORS = ['#e8710a', '#1f5bb5', '#e8710a', '#1f5bb5', '#188038'];
const RUN_COLORS = ['#1f5bb5', '#e8710a', '#188038', '#c5221f', '#8430ce', '#007b83', '#b06000', '#5f6368'];

const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** The best epoch of a run: as given, else the highest exhaustive (else streaming) validation IoU. */
export function bestEpochOf(run: CurveRun): CurveRow | undefined {
  if (run.bestEpoch !== undefined) return run.rows.find((r) => r.epoch === run.bestEpoch);
  const key = run.rows.some((r) => finite(r.exhaustive)) ? 'exhaustive' : 'valIou';
  let best: CurveRow | undefined;
  for (const r of run.rows) if (finite(r[key]) && (best === undefined || r[key] > (best[key] as number))) best = r;
  return best;
}

/**
 * The Vega-Lite spec of the curves picture: loss (log scale once it spans more than a decade)
 * beside IoU (0 to 1), with a rule and a label at each run's best epoch.
 *
 * @example
 * const spec = curvesSpec([{ name: 'seed 0', rows: [{ epoch: 1, loss: 0.2, exhaustive: 0.5 }, { epoch: 2, loss: 0.1, exhaustive: 0.6 }] }]);
 * console.log(JSON.stringify(spec).length);
 */
export function curvesSpec(runs: readonly CurveRun[], options: CurvesOptions = {}): VegaLiteSpec {
  const several = runs.length > 1;
  const points: { run: string; panel: string; series: string; split: string; epoch: number; value: number }[] = [];
  const best: { run: string; panel: string; epoch: number; value: number; label: string }[] = [];
  for (const run of runs) {
    // Overlaid runs keep to the comparable lines: losses, and one validation IoU per run.
    const iouKey = run.rows.some((r) => finite(r.exhaustive)) ? 'exhaustive' : 'valIou';
    for (const row of run.rows) {
      for (const s of SERIES) {
        const v = row[s.key];
        if (several && s.panel === 'IoU' && s.key !== iouKey) continue;
        if (finite(v) && finite(row.epoch)) {
          points.push({ run: run.name, panel: s.panel, series: s.name, split: s.split, epoch: row.epoch, value: v });
        }
      }
    }
    const b = bestEpochOf(run);
    if (b) {
      const iou = finite(b.exhaustive) ? b.exhaustive : b.valIou;
      const label = `best epoch ${b.epoch}${finite(iou) ? `: IoU ${iou.toFixed(4)}` : ''}`;
      best.push({ run: run.name, panel: 'IoU', epoch: b.epoch, value: finite(iou) ? iou : NaN, label: several ? `${run.name}: ${label}` : label });
      if (finite(b.valLoss ?? b.loss)) best.push({ run: run.name, panel: 'loss', epoch: b.epoch, value: (b.valLoss ?? b.loss) as number, label: '' });
    }
  }
  const epochs = points.map((p) => p.epoch);
  const firstEpoch = epochs.length ? Math.min(...epochs) : 1;
  const lastEpoch = epochs.length ? Math.max(...epochs) : 1;
  const xDomain = [firstEpoch, Math.max(lastEpoch, firstEpoch + 1)];
  const losses = points.filter((p) => p.panel === 'loss' && p.value > 0).map((p) => p.value);
  const logLoss = losses.length > 1 && Math.max(...losses) / Math.min(...losses) > 10;

  const x = { field: 'epoch', type: 'quantitative', title: 'epoch', scale: { domain: xDomain, nice: false }, axis: { tickMinStep: 1, format: 'd' } };
  // Overlaid runs name their best epoch in the legend: labels over the curves would collide
  // (runs peak at similar epochs and IoUs) and cross the other runs' rules.
  const legendLabels = Object.fromEntries(best.filter((b) => b.label !== '').map((b) => [b.run, b.label]));
  const runColor = {
    field: 'run',
    type: 'nominal',
    title: 'run',
    scale: { domain: runs.map((r) => r.name), range: RUN_COLORS },
    legend: { labelExpr: `${JSON.stringify(legendLabels)}[datum.label] || datum.label`, labelLimit: 480, orient: 'bottom', direction: 'vertical' },
  };
  const hasIoU = points.length === 0 || points.some((p) => p.panel === 'IoU');
  // Validation solid, training dashed: the validation curve is the one to read.
  const dash = { strokeDash: { field: 'split', type: 'nominal', title: 'split', scale: { domain: ['validation', 'train'], range: [[1, 0], [5, 3]] }, legend: { orient: 'bottom', direction: 'vertical', symbolStrokeWidth: 2 } } };

  const panel = (name: 'loss' | 'IoU'): VegaLiteSpec => {
    const y =
      name === 'loss'
        ? { field: 'value', type: 'quantitative', title: logLoss ? 'loss (log scale)' : 'loss', scale: logLoss ? { type: 'log', nice: false } : { zero: false } }
        : { field: 'value', type: 'quantitative', title: 'IoU', scale: { domain: [0, 1] } };
    const names = SERIES.filter((s) => s.panel === name && points.some((p) => p.series === s.name));
    // One run: a legend under each panel, where it never hides a curve.
    const seriesColor = {
      field: 'series',
      type: 'nominal',
      title: null,
      scale: { domain: names.map((s) => s.name), range: names.map((s) => SERIES_COLORS[SERIES.indexOf(s)]) },
      legend: { orient: 'bottom', direction: 'horizontal', columns: 3 },
    };
    const markers = best.filter((b) => b.panel === name);
    const byRun = several ? { color: { field: 'run', type: 'nominal' } } : {};
    return {
      // Alone, the loss panel takes both panels' width: the picture keeps its size on a page
      // (which would otherwise show a narrow picture at twice the size of its neighbours).
      width: hasIoU ? (options.panelWidth ?? 440) : 2 * (options.panelWidth ?? 440) + 100,
      height: 320,
      layer: [
        // The panel's title as text at a fixed height over the plot: a vega title sits above
        // its panel's bounds, which a point or a tick label poking out moves, so two panels'
        // titles would not be level.
        {
          data: { values: [{}] },
          mark: { type: 'text', text: name === 'loss' ? 'loss per epoch' : 'IoU per epoch', x: 0, y: -14, align: 'left', baseline: 'bottom', fontSize: 15, fontWeight: 'bold', color: '#202124' },
        },
        {
          data: { values: markers },
          mark: { type: 'rule', strokeDash: [4, 4], color: '#5f6368' },
          encoding: { x, ...byRun },
        },
        {
          data: { values: points },
          transform: [{ filter: { field: 'panel', equal: name } }],
          mark: { type: 'line', strokeWidth: 2, point: several ? false : { size: lastEpoch - firstEpoch > 60 ? 0 : 22 } },
          encoding: { x, y, ...(several ? { color: runColor, ...dash } : { color: seriesColor }), detail: { field: 'series', type: 'nominal' } },
        },
        ...(name === 'IoU'
          ? [
              {
                data: { values: markers.filter((m) => finite(m.value)) },
                mark: { type: 'point', shape: 'diamond', size: 160, filled: true, stroke: 'white', strokeWidth: 1, opacity: 1 },
                encoding: { x, y: { field: 'value', type: 'quantitative' }, ...(several ? byRun : { color: { value: '#188038' } }) },
              },
              // One run: the label beside the best-epoch rule (on its left when the rule is in
              // the right half), at the top of the panel, above the curves.
              ...markers
                .filter((m) => !several && m.label !== '')
                .map((m) => {
                  const right = m.epoch > (firstEpoch + lastEpoch) / 2;
                  return {
                    data: { values: [m] },
                    mark: { type: 'text', align: right ? 'right' : 'left', baseline: 'top', dx: right ? -6 : 6, fontSize: 12, fontWeight: 'bold', color: '#202124' },
                    encoding: { text: { field: 'label' }, x, y: { value: 6 } },
                  };
                }),
            ]
          : []),
      ],
      ...(several ? {} : { resolve: { scale: { color: 'independent' } } }),
    };
  };

  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    ...(options.title ? { title: options.title } : {}),
    background: 'white',
    padding: 12,
    // A run without IoU (a detector's training) gets the loss panel alone.
    hconcat: hasIoU ? [panel('loss'), panel('IoU')] : [panel('loss')],
    resolve: { scale: { y: 'independent', ...(several ? {} : { color: 'independent' }) } },
    config: chartConfig(),
    usermeta: { recordflow: { zoom: 2 } },
  };
}

/**
 * Draws training curves (one run, or several overlaid).
 *
 * @example
 * const picture = await renderCurves({ name: 'run', rows: [{ epoch: 1, loss: 0.2, valIou: 0.4 }, { epoch: 2, loss: 0.1, valIou: 0.5 }] });
 * console.log(picture.png.length > 0);
 */
export async function renderCurves(runs: CurveRun | readonly CurveRun[], options: CurvesOptions = {}): Promise<Picture> {
  return renderSpec(curvesSpec(Array.isArray(runs) ? runs : [runs as CurveRun], options));
}
