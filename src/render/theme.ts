// The look every chart shares: the bundled font first in the stack, readable sizes.
import type { VegaLiteSpec } from './draw.js';

/** Font stack of every chart: the bundled face first, so text looks the same on every machine. */
export const CHART_FONT = 'Open Sans, Liberation Sans, DejaVu Sans, Arial, sans-serif';

/** Shared look of every chart: the bundled font and readable sizes. */
export function chartConfig(): VegaLiteSpec {
  return {
    font: CHART_FONT,
    title: { fontSize: 15, anchor: 'start', offset: 12 },
    axis: { labelFontSize: 12, titleFontSize: 13, titleFontWeight: 'bold', gridColor: '#e6e6e6' },
    legend: { labelFontSize: 12, titleFontSize: 12, labelLimit: 320 },
    header: { labelFontSize: 12, titleFontSize: 13 },
    view: { stroke: '#bbb' },
  };
}

