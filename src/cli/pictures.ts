// Writing a chart: the picture (PNG, or SVG when the name ends in .svg) and its Vega-Lite spec
// beside it (curves.png → curves.vl.json), so a user can restyle and redraw it.
import type { Picture } from '../render/index.js';
import { UsageError, requiredString, type OptionValues } from './command.js';
import { writeFileAtomic } from './files.js';

/** --out PNG|SVG: a name ending in .png or .svg, refused before anything is drawn otherwise. */
export function pictureOut(values: OptionValues): string {
  const out = requiredString(values, 'out');
  if (!/\.(png|svg)$/i.test(out)) throw new UsageError(`--out ${out}: the picture's name must end in .png or .svg`);
  return out;
}

/** The spec file that goes with a picture: the same name with `.vl.json` for the extension. */
export function specPathFor(out: string): string {
  return out.replace(/\.(png|svg)$/i, '') + '.vl.json';
}

/** Writes the picture to `out` (SVG if it ends in .svg, else PNG) and its spec beside it. */
export async function writePicture(picture: Picture, out: string): Promise<{ out: string; spec: string }> {
  const spec = specPathFor(out);
  await writeFileAtomic(out, /\.svg$/i.test(out) ? picture.svg : picture.png);
  await writeFileAtomic(spec, JSON.stringify(picture.spec) + '\n');
  return { out, spec };
}
