// recordflow curves: several runs' training curves in one picture, to compare seeds or recipes
// where no TensorBoard runs.
import { basename, resolve } from 'node:path';
import { JSON_OPTION, stringOption, type Command } from '../command.js';
import { pictureOut } from '../pictures.js';

export const curves: Command = {
  name: 'curves',
  summary: "overlay several runs' training curves (loss and IoU per epoch) in one PNG or SVG",
  usage: 'RUN_DIR... --out PNG|SVG [--title T] [--json]',
  details: `
Reads each RUN_DIR's metrics.json (a run of \`start\`, or the output directory of \`train\`) and
draws the loss (training dashed, validation solid) and the validation IoU per epoch of every run,
one colour per run, each run's best epoch marked and labelled. With one RUN_DIR it draws that
run's full curves picture. The legend names runs by their directory name. --out NAME.svg writes
SVG; the Vega-Lite spec is written beside the picture (NAME.vl.json).`,
  options: {
    out: { type: 'string', value: 'PNG|SVG', description: 'output picture (its spec goes beside it, NAME.vl.json)' },
    title: { type: 'string', value: 'T', description: 'title of the picture' },
    json: JSON_OPTION,
  },
  positionals: { min: 1, max: Infinity, names: 'RUN_DIR' },
  async run(ctx) {
    const out = pictureOut(ctx.values);
    const title = stringOption(ctx.values, 'title');
    const [{ readRunMetrics }, { curveRows }, { renderCurves }, { writePicture }] = await Promise.all([
      import('../report/run-metrics.js'),
      import('./train.js'),
      import('../../render/index.js'),
      import('../pictures.js'),
    ]);
    const runs = [];
    for (const dir of ctx.positionals) {
      const metrics = await readRunMetrics(dir);
      const history = Array.isArray(metrics.history) ? metrics.history : [];
      // Two runs of the same name (runs/a/model and runs/b/model) are told apart by their parent.
      const name = ctx.positionals.filter((d) => basename(resolve(d)) === basename(resolve(dir))).length > 1 ? `${basename(resolve(dir, '..'))}/${basename(resolve(dir))}` : basename(resolve(dir));
      runs.push({ name, rows: curveRows(history), ...(typeof metrics.bestEpoch === 'number' ? { bestEpoch: metrics.bestEpoch } : {}) });
    }
    const picture = await renderCurves(runs, title ? { title } : {});
    const written = await writePicture(picture, out);
    if (ctx.values.json === true) await ctx.stdout.json({ ...written, runs: runs.map((r) => ({ name: r.name, epochs: r.rows.length, bestEpoch: r.bestEpoch ?? null })) });
    else await ctx.stdout.line(`${out}: ${runs.length} run${runs.length === 1 ? '' : 's'} (${written.spec})`);
    return 0;
  },
};
