// recordflow synth: write the eight seeded synthetic thermal npz sets.
import { JSON_OPTION, numberOption, requiredString, type Command } from '../command.js';
import { dirSpec, seedOption, seedSpec } from '../options.js';
import { staged } from '../staging.js';

export async function runSynth(
  out: string,
  seed: number | string,
  scale: number,
  progress?: (done: number, total: number) => void,
): Promise<{ files: string[]; rows: Record<string, number> }> {
  const synth = await import('../../synth/index.js');
  const transforms = await import('../../transforms/index.js');
  const io = await import('../../io/index.js');
  return staged(out, async (staging) => {
    const sets = synth.synthesizeThermal({ seed, scale });
    const rows: Record<string, number> = {};
    const names = transforms.REFERENCE_ORDER;
    let done = 0;
    for (const name of names) {
      const set = sets[name];
      await io.writeNpz(staging.path(transforms.referenceFileName(name)), set as never);
      rows[name] = set.images.shape[0]!;
      progress?.(++done, names.length);
    }
    return { files: names.map((n) => transforms.referenceFileName(n)), rows };
  });
}

export const synth: Command = {
  name: 'synth',
  summary: 'write the eight seeded synthetic thermal npz sets of the reference layout',
  usage: '--out DIR [--seed S] [--scale K] [--json]',
  details: `
Writes dataset{1,2}_{origin,horizon,vertical,vh}.npz into DIR: 24x32 uint8 thermal frames with
0-3 warm persons, their 4-vertex polygons, filter images, and the three flips. The default
scale gives about 2,600 one-person rows after \`prepare\`, like the original study.`,
  options: {
    out: dirSpec('output directory'),
    seed: seedSpec('seed (integer or string)'),
    scale: { type: 'string', value: 'K', description: 'multiplies every frame count', defaultText: '1' },
    json: JSON_OPTION,
  },
  positionals: { min: 0, max: 0, names: '' },
  async run(ctx) {
    const out = requiredString(ctx.values, 'out');
    const seed = seedOption(ctx.values);
    const scale = numberOption(ctx.values, 'scale', 1, Number.MIN_VALUE, 1000);
    const bar = ctx.progress('synth', 8);
    const { files, rows } = await runSynth(out, seed, scale, (d) => bar.update(d));
    bar.finish();
    const total = Object.values(rows).reduce((a, b) => a + b, 0);
    if (ctx.values.json === true) await ctx.stdout.json({ out, seed, scale, files, rows });
    else await ctx.stdout.line(`${out}: ${files.length} npz sets, ${total} frames (seed ${seed}, scale ${scale})`);
    return 0;
  },
};
