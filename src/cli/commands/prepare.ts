// recordflow prepare: the reference's steps 0 and 1 (npz sets → localization.npz → train/val TFRecords).
import { JSON_OPTION, UsageError, choiceOption, intOption, numberOption, requiredString, stringOption, type Command } from '../command.js';
import { assertDir } from '../files.js';
import { staged } from '../staging.js';
import { seedOption, seedSpec } from '../options.js';
import { readSplitFile, splitRows, type PrepareResult } from '../split-file.js';

/** What `prepare --task` accepts: the reference's one-person localization set, or every frame. */
export const PREPARE_TASKS = ['localize', 'detect'] as const;

/** Shard file names: the plain name for one shard, else base-0000i-of-0000K. */
export async function shardNames(base: string, shards: number): Promise<string[]> {
  if (shards <= 1) return [base];
  const io = await import('../../io/index.js');
  return Array.from({ length: shards }, (_, i) => io.shardName(base, i, shards));
}

export async function runPrepare(
  npzDir: string,
  out: string,
  options: { seed?: number | string; splitFile?: string; shards?: number; ratio?: number; log?: (line: string) => void },
): Promise<PrepareResult> {
  const io = await import('../../io/index.js');
  const t = await import('../../transforms/index.js');
  await assertDir(npzDir);
  const split0 = options.splitFile ? await readSplitFile(options.splitFile) : undefined;
  return staged(out, async (staging) => {
    // Step 0: concatenate, keep one-person rows, first polygon → box.
    const loc = await t.buildLocalizationSet(npzDir);
    const images = loc.images;
    const boxes = loc.coordinates;
    const n = images.shape[0]!;
    await io.writeNpz(staging.path('localization.npz'), loc as never);
    options.log?.(`localization.npz: ${n} rows`);

    // Step 1: split and write the Examples.
    const split = await splitRows(n, split0, options);
    const imageBytes = images.data as Uint8Array;
    const boxData = boxes.data;
    const example = (row: number): Uint8Array =>
      t.toExample({
        image: imageBytes.subarray(row * 768, (row + 1) * 768),
        box: Int32Array.from({ length: 4 }, (_, k) => Number(boxData[row * 4 + k])),
      });
    const files = ['localization.npz'];
    for (const [base, rows] of [
      ['loc_train.tfr', split.train],
      ['loc_val.tfr', split.val],
    ] as const) {
      const names = await shardNames(base, options.shards ?? 1);
      const per = Math.ceil(rows.length / names.length);
      for (let s = 0; s < names.length; s++) {
        const part = rows.slice(s * per, (s + 1) * per);
        await io.writeTFRecord(staging.path(names[s]!), part.map(example));
        files.push(names[s]!);
      }
      options.log?.(`${base}${names.length > 1 ? ` (${names.length} shards)` : ''}: ${rows.length} records`);
    }
    const splitJson = { permutation: split.permutation, train_count: split.trainCount };
    const { writeFile } = await import('node:fs/promises');
    await writeFile(staging.path('split.json'), JSON.stringify(splitJson) + '\n');
    files.push('split.json');
    return { rows: n, train: split.train.length, val: split.val.length, files };
  });
}

export const prepare: Command = {
  name: 'prepare',
  summary: 'steps 0 and 1: npz sets → localization.npz, loc_train.tfr, loc_val.tfr, split.json (--task detect: det_*.tfr, det_split.json, det_val_coco.json)',
  usage: '--npz DIR --out DIR [--task localize|detect] [--split FILE] [--seed S] [--shards K] [--json]',
  details: `
Step 0 concatenates the eight sets in the reference order, keeps the rows with one person and
turns the first polygon into an integer box; it writes localization.npz (images, numbers,
coordinates = boxes). Step 1 shuffles the rows once, sends floor(N * 0.7) to loc_train.tfr and
the rest to loc_val.tfr (Examples with image bytes and x, y, w, h floats), and writes split.json
with "permutation" (row indices in shuffled order) and "train_count". --split FILE reads such a
file to reproduce a split exactly. Outputs appear only when everything succeeded.

--task detect keeps every frame (0-3 persons) of the eight sets in the reference order, shuffles
them by the seed and splits floor(N * 0.7) / rest: det_train.tfr and det_val.tfr (Examples with
image bytes, boxes = [xmin, ymin, xmax, ymax] per person, count), det_split.json
("permutation", "train_count") and det_val_coco.json, the COCO ground truth of the validation
frames (image ids 1..N in det_val.tfr order, category 1 person).`,
  options: {
    npz: { type: 'string', value: 'DIR', description: 'directory with the eight dataset*.npz sets' },
    out: { type: 'string', value: 'DIR', description: 'output directory' },
    task: { type: 'string', value: 'T', description: 'localize (one-person frames) or detect (every frame)', defaultText: 'localize' },
    split: { type: 'string', value: 'FILE', description: 'split.json to reproduce (permutation, train_count)' },
    seed: seedSpec('shuffle seed (integer or string)'),
    ratio: { type: 'string', value: 'R', description: 'train fraction', defaultText: '0.7' },
    shards: { type: 'string', value: 'K', description: 'write each TFRecord as K shards (name-0000i-of-0000K)', defaultText: '1' },
    json: JSON_OPTION,
  },
  positionals: { min: 0, max: 0, names: '' },
  async run(ctx) {
    const npz = requiredString(ctx.values, 'npz');
    const out = requiredString(ctx.values, 'out');
    const shards = intOption(ctx.values, 'shards', 1, 1, 10_000);
    const ratio = numberOption(ctx.values, 'ratio', 0.7, 0, 1);
    const splitFile = stringOption(ctx.values, 'split');
    const json = ctx.values.json === true;
    if (choiceOption(ctx.values, 'task', PREPARE_TASKS, 'localize') === 'detect') {
      if (shards !== 1) throw new UsageError('--shards applies to --task localize only');
      const { runPrepareDetect } = await import('./prepare-detect.js');
      const result = await runPrepareDetect(npz, out, { seed: seedOption(ctx.values), ...(splitFile ? { splitFile } : {}), ratio, log: json ? undefined : ctx.log });
      if (json) await ctx.stdout.json({ out, ...result });
      else await ctx.stdout.line(`${out}: ${result.rows} frames, ${result.train} train, ${result.val} val`);
      return 0;
    }
    const result = await runPrepare(npz, out, { seed: seedOption(ctx.values), ...(splitFile ? { splitFile } : {}), shards, ratio, log: json ? undefined : ctx.log });
    if (json) await ctx.stdout.json({ out, ...result });
    else await ctx.stdout.line(`${out}: ${result.rows} rows, ${result.train} train, ${result.val} val`);
    return 0;
  },
};
