// recordflow report: (re)builds a run directory's self-contained index.html.
import { JSON_OPTION, type Command } from '../command.js';
import { assertDir } from '../files.js';

export const report: Command = {
  name: 'report',
  summary: "rebuild a run directory's report page (RUN_DIR/index.html)",
  usage: 'RUN_DIR [--json]',
  details: `
Writes RUN_DIR/index.html, one self-contained page (inline CSS, pictures as data: URLs, nothing
fetched from the network) with the run's summary from metrics.json, the training curves, the
validation frames and, for a detection run, the detection pictures and the COCO metrics (the
12 numbers of metrics.json's "coco"). \`recordflow start\` writes it at the end of each run; run
this after adding or restyling pictures. A missing curves.png is drawn from metrics.json's history.`,
  options: { json: JSON_OPTION },
  positionals: { min: 1, max: 1, names: 'RUN_DIR' },
  async run(ctx) {
    const dir = ctx.positionals[0]!;
    await assertDir(dir);
    const { writeReport } = await import('../report/build.js');
    const out = await writeReport(dir);
    if (ctx.values.json === true) await ctx.stdout.json({ out });
    else await ctx.stdout.line(out);
    return 0;
  },
};
