// Public names of the render room: charts as Vega-Lite specs, drawn to SVG by vega and to PNG by
// resvg. The libraries load on the first drawing, never on import.
export { renderSpec, specToSvg, svgToPng, type Picture, type RenderOptions, type VegaLiteSpec } from './draw.js';
export { CHART_FONT, chartConfig } from './theme.js';
export { bestEpochOf, curvesSpec, renderCurves, type CurveRow, type CurveRun, type CurvesOptions } from './curves.js';
export { boxesGridSpec, heatmapGridSpec, renderBoxesGrid, renderHeatmapGrid, type BoxesGridOptions, type GridBox, type GridFrame, type HeatmapGridOptions } from './grid.js';
