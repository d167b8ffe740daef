// recordflow prepare: the reference's steps 0 and 1 (npz sets → localization.npz → train/val TFRecords).
import { JSON_OPTION, UsageError, choiceOption, intOption, numberOption, requiredString, stringOption, type Command } from '../command.js';
import { writeFile, rm } from 'node:fs/promises';
import { assertDir, exists } from '../files.js';
import { staged, type Staging } from '../staging.js';
import { stagedToBucket } from '../remote-staging.js';
import { isS3Url, joinLocation } from '../../storage/url.js';
import { dirSpec, seedOption, seedSpec } from '../options.js';
import { readSplitFile, splitRows, type PrepareResult } from '../split-file.js';

/** What `prepare --task` accepts: the reference's one-person localization set, or every frame. */
export const PREPARE_TASKS = ['localize', 'detect'] as const;

/** The empty marker of a complete sharded output (Hadoop's and Spark's convention). */
export const SUCCESS = '_SUCCESS';

/** Shard file names: the plain name for one shard, else base-0000i-of-0000K. */
export async function shardNames(base: string, shards: number): Promise<string[]> {
  if (shards <= 1) return [base];
  const io = await import('../../io/index.js');
  return Array.from({ length: shards }, (_, i) => io.shardName(base, i, shards));
}

/** This process's part of a sharded write: worker `index` of `count` (`--worker I/N`). */
export interface PrepareWorker {
  index: number;
  count: number;
}

/** Parses `--worker I/N` (0 <= I < N). */
export function parseWorker(text: string): PrepareWorker {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = Number(m?.[1]);
  const count = Number(m?.[2]);
  if (!m || !Number.isSafeInteger(index) || !Number.isSafeInteger(count) || count < 1 || index >= count) {
    throw new UsageError(`--worker must be I/N with 0 <= I < N, got "${text}"`);
  }
  return { index, count };
}

/** Whether a file or object exists under the output (a directory or an s3:// prefix). */
async function outputExists(out: string, name: string): Promise<boolean> {
  const path = joinLocation(out, name);
  if (isS3Url(path)) return (await (await import('../../storage/objects.js')).headObject(path)) !== undefined;
  return exists(path);
}

async function writeEmpty(out: string, name: string): Promise<void> {
  const path = joinLocation(out, name);
  if (isS3Url(path)) await (await import('../../storage/objects.js')).putObjectBytes(path, new Uint8Array(0));
  else await writeFile(path, '');
}

async function removeOutput(out: string, name: string): Promise<void> {
  const path = joinLocation(out, name);
  if (isS3Url(path)) await (await import('../../storage/objects.js')).deleteObject(path);
  else await rm(path, { force: true });
}

export async function runPrepare(
  npzDir: string,
  out: string,
  options: {
    seed?: number | string;
    splitFile?: string;
    shards?: number;
    ratio?: number;
    /** Write only shards i with i % count == index (and, for worker 0, the unsharded files). */
    worker?: PrepareWorker;
    log?: (line: string) => void;
  },
): Promise<PrepareResult> {
  const io = await import('../../io/index.js');
  const t = await import('../../transforms/index.js');
  if (!isS3Url(npzDir)) await assertDir(npzDir);
  const split0 = options.splitFile ? await readSplitFile(options.splitFile) : undefined;
  const worker = options.worker;
  const mine = (i: number): boolean => worker === undefined || i % worker.count === worker.index;
  // Worker 0 also writes the unsharded files, so N workers together write what one process does.
  const primary = worker === undefined || worker.index === 0;
  const sharded = (options.shards ?? 1) > 1 || worker !== undefined;
  // A marker left by an earlier run would claim this run's output complete before it is.
  if (sharded) await removeOutput(out, SUCCESS);
  const expected: string[] = ['localization.npz', 'split.json'];
  const write = async (staging: Staging): Promise<PrepareResult> => {
    // Step 0: concatenate, keep one-person rows, first polygon → box.
    const loc = await t.buildLocalizationSet(npzDir);
    const images = loc.images;
    const boxes = loc.coordinates;
    const n = images.shape[0]!;
    const files: string[] = [];
    if (primary) {
      await io.writeNpz(staging.path('localization.npz'), loc as never);
      files.push('localization.npz');
      options.log?.(`localization.npz: ${n} rows`);
    }

    // Step 1: split and write the Examples.
    const split = await splitRows(n, split0, options);
    const imageBytes = images.data as Uint8Array;
    const boxData = boxes.data;
    const example = (row: number): Uint8Array =>
      t.toExample({
        image: imageBytes.subarray(row * 768, (row + 1) * 768),
        box: Int32Array.from({ length: 4 }, (_, k) => Number(boxData[row * 4 + k])),
      });
    for (const [base, rows] of [
      ['loc_train.tfr', split.train],
      ['loc_val.tfr', split.val],
    ] as const) {
      const names = await shardNames(base, options.shards ?? 1);
      const per = Math.ceil(rows.length / names.length);
      let written = 0;
      for (let s = 0; s < names.length; s++) {
        expected.push(names[s]!);
        if (!mine(s)) continue;
        const part = rows.slice(s * per, (s + 1) * per);
        await io.writeTFRecord(staging.path(names[s]!), part.map(example));
        files.push(names[s]!);
        written++;
      }
      const which = worker ? `, ${written} of them here` : '';
      options.log?.(`${base}${names.length > 1 ? ` (${names.length} shards${which})` : ''}: ${rows.length} records`);
    }
    if (primary) {
      const splitJson = { permutation: split.permutation, train_count: split.trainCount };
      await writeFile(staging.path('split.json'), JSON.stringify(splitJson) + '\n');
      files.push('split.json');
    }
    return { rows: n, train: split.train.length, val: split.val.length, files };
  };
  const result = isS3Url(out) ? await stagedToBucket(out, write) : await staged(out, write, { shared: worker !== undefined });
  // Hadoop's completion marker, written by whichever process finds every output there: the
  // only one of a single-process run, the last to finish of N workers (each looks after its
  // own files are in place, so the last one sees everything).
  if (sharded) {
    const present = await Promise.all(expected.map((name) => outputExists(out, name)));
    if (present.every(Boolean)) {
      await writeEmpty(out, SUCCESS);
      result.files.push(SUCCESS);
    }
  }
  return result;
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
frames (image ids 1..N in det_val.tfr order, category 1 person).

--npz and --out may be s3://bucket/prefix URLs: the sets are read by ranged GETs and the outputs
are staged locally, then uploaded (one multipart upload each) when everything succeeded.
--shards K writes loc_train.tfr-0000i-of-0000K (Beam's shard template) and an empty _SUCCESS once
every output is in place. --worker I/N writes only the shards i with i mod N == I (worker 0 also
localization.npz and split.json): N such processes, e.g. a Kubernetes Indexed Job with
--worker $JOB_COMPLETION_INDEX/N, together write byte for byte what one process writes, and the
last to finish writes _SUCCESS.`,
  options: {
    npz: dirSpec('directory with the eight dataset*.npz sets'),
    out: dirSpec('output directory'),
    task: { type: 'string', value: 'T', description: 'localize (one-person frames) or detect (every frame)', defaultText: 'localize' },
    split: { type: 'string', value: 'FILE', description: 'split.json to reproduce (permutation, train_count)' },
    seed: seedSpec('shuffle seed (integer or string)'),
    ratio: { type: 'string', value: 'R', description: 'train fraction', defaultText: '0.7' },
    shards: { type: 'string', value: 'K', description: 'write each TFRecord as K shards (name-0000i-of-0000K)', defaultText: '1' },
    worker: { type: 'string', value: 'I/N', description: 'write only the shards i with i mod N == I (one of N processes)' },
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
    const workerText = stringOption(ctx.values, 'worker');
    const worker = workerText === undefined ? undefined : parseWorker(workerText);
    if (choiceOption(ctx.values, 'task', PREPARE_TASKS, 'localize') === 'detect') {
      if (shards !== 1) throw new UsageError('--shards applies to --task localize only');
      if (worker) throw new UsageError('--worker applies to --task localize only');
      const { runPrepareDetect } = await import('./prepare-detect.js');
      const result = await runPrepareDetect(npz, out, { seed: seedOption(ctx.values), ...(splitFile ? { splitFile } : {}), ratio, log: json ? undefined : ctx.log });
      if (json) await ctx.stdout.json({ out, ...result });
      else await ctx.stdout.line(`${out}: ${result.rows} frames, ${result.train} train, ${result.val} val`);
      return 0;
    }
    const result = await runPrepare(npz, out, { seed: seedOption(ctx.values), ...(splitFile ? { splitFile } : {}), shards, ratio, ...(worker ? { worker } : {}), log: json ? undefined : ctx.log });
    if (json) await ctx.stdout.json({ out, ...result });
    else await ctx.stdout.line(`${out}: ${result.rows} rows, ${result.train} train, ${result.val} val`);
    return 0;
  },
};
