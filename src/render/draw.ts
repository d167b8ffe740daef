// A Vega-Lite spec to SVG (vega-lite compiles it, vega lays it out headless) and the SVG to PNG
// (resvg). The three libraries are imported on first use: programs that never draw never load
// them.
import { fileURLToPath } from 'node:url';
import { InputError } from '../core/errors.js';

/** A Vega-Lite spec as JSON (https://vega.github.io/vega-lite/docs/spec.html). */
export type VegaLiteSpec = { [key: string]: unknown };

/** A drawn chart: the spec it came from, its SVG and its PNG. */
export interface Picture {
  /** The Vega-Lite spec; edit it and pass it to `renderSpec` to restyle the picture. */
  spec: VegaLiteSpec;
  /** SVG source, as vega draws it (text as `<text>` elements, fonts named, not embedded). */
  svg: string;
  /** PNG bytes (RGBA), drawn from the SVG with the bundled Open Sans. */
  png: Uint8Array;
  /** Size of the PNG in pixels (the SVG's size times the zoom). */
  width: number;
  height: number;
}

/** How renderSpec draws (each falls back to the spec's `usermeta.recordflow`). */
export interface RenderOptions {
  /** PNG pixels per SVG unit (default: the spec's `usermeta.recordflow.zoom`, else 1). */
  zoom?: number;
  /** Draw shapes without anti-aliasing (default: the spec's `usermeta.recordflow.crisp`), so
   * pixel grids have no seams and box edges keep their exact colour. */
  crisp?: boolean;
}

const FONT_FILES = ['OpenSans-Regular.subset.ttf', 'OpenSans-Bold.subset.ttf'].map((name) =>
  fileURLToPath(new URL(`../../assets/fonts/${name}`, import.meta.url)),
);

/** What a spec asks of the renderer, kept in its `usermeta` so the file alone redraws alike. */
function specHints(spec: VegaLiteSpec): { zoom?: number; crisp?: boolean } {
  const meta = (spec.usermeta as { recordflow?: { zoom?: unknown; crisp?: unknown } } | undefined)?.recordflow;
  return {
    ...(typeof meta?.zoom === 'number' ? { zoom: meta.zoom } : {}),
    ...(typeof meta?.crisp === 'boolean' ? { crisp: meta.crisp } : {}),
  };
}

/** The SVG of a Vega-Lite spec, laid out by vega without a browser or canvas. */
export async function specToSvg(spec: VegaLiteSpec): Promise<string> {
  const [vl, vega] = await Promise.all([import('vega-lite'), import('vega')]);
  // vega tags the data objects it ingests; the caller's spec stays untouched.
  const compiled = vl.compile(structuredClone(spec) as unknown as Parameters<typeof vl.compile>[0]).spec;
  // The 'none' renderer builds the scenegraph without drawing; toSVG serializes it. The loader
  // refuses every URL, so a spec can never make the process read files or the network; vega
  // only logs a failed load, so the refusal is raised once the view has run.
  const refused: string[] = [];
  const loader = vega.loader();
  loader.load = async (uri: string) => {
    refused.push(uri);
    throw new Error(`charts load no external data (${uri})`);
  };
  const view = new vega.View(vega.parse(compiled), { renderer: 'none', loader, logLevel: vega.None });
  try {
    const svg = await view.toSVG();
    if (refused.length > 0) throw new InputError(`the spec asks to load ${refused.join(', ')}; charts load no external data (put it in data.values)`);
    return svg;
  } finally {
    view.finalize();
  }
}

/** A PNG of an SVG at `zoom` pixels per unit (`crisp`: no anti-aliasing of shapes), on a white background, with the bundled fonts. */
export async function svgToPng(svg: string, zoom = 1, crisp = false): Promise<{ png: Uint8Array; width: number; height: number }> {
  const { Resvg } = await import('@resvg/resvg-js');
  const resvg = new Resvg(svg, {
    fitTo: zoom === 1 ? { mode: 'original' } : { mode: 'zoom', value: zoom },
    background: 'white',
    ...(crisp ? { shapeRendering: 1 as const } : {}),
    // System fonts stay out: the bundled faces (and resvg's fallback to them) give the same
    // pixels on every machine.
    font: { fontFiles: FONT_FILES, loadSystemFonts: false, defaultFontFamily: 'Open Sans', sansSerifFamily: 'Open Sans' },
  });
  const image = resvg.render();
  return { png: image.asPng(), width: image.width, height: image.height };
}

/**
 * Draws a Vega-Lite spec: SVG through vega, PNG through resvg.
 *
 * @example
 * const picture = await renderSpec({
 *   data: { values: [{ epoch: 1, loss: 0.3 }, { epoch: 2, loss: 0.2 }] },
 *   mark: 'line',
 *   encoding: { x: { field: 'epoch', type: 'quantitative' }, y: { field: 'loss', type: 'quantitative' } },
 * });
 * console.log(picture.width, picture.height, picture.svg.length);
 */
export async function renderSpec(spec: VegaLiteSpec, options: RenderOptions = {}): Promise<Picture> {
  const hints = specHints(spec);
  const zoom = options.zoom ?? hints.zoom ?? 1;
  if (!(zoom > 0 && zoom <= 16)) throw new RangeError(`zoom must be in (0, 16], got ${zoom}`);
  const svg = await specToSvg(spec);
  const { png, width, height } = await svgToPng(svg, zoom, options.crisp ?? hints.crisp ?? false);
  return { spec, svg, png, width, height };
}
