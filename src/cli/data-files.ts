// Finding the files `prepare` wrote in a data directory: loc_train.tfr / loc_val.tfr, or their
// shards (loc_train.tfr-00000-of-00004 ...), in shard order.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { assertDir } from './files.js';

export async function splitFiles(dir: string, split: 'train' | 'val'): Promise<string[]> {
  await assertDir(dir);
  const names = await readdir(dir);
  const base = `loc_${split}.tfr`;
  if (names.includes(base)) return [join(dir, base)];
  const shards = names.filter((n) => new RegExp(`^loc_${split}\\.tfr-\\d{5}-of-\\d{5}$`).test(n)).sort();
  if (shards.length > 0) return shards.map((n) => join(dir, n));
  const { InputError } = await import('../io/index.js');
  throw new InputError(`no ${base} here (run \`recordflow prepare\` first)`, dir);
}

export interface ParsedSplit {
  images: Float32Array[];
  labels: Float32Array[];
}

/** Every record of a split, parsed as the reference does (image / 255, label [x, y, w, h]). */
export async function readSplit(files: string[]): Promise<ParsedSplit> {
  const io = await import('../io/index.js');
  const t = await import('../transforms/index.js');
  const images: Float32Array[] = [];
  const labels: Float32Array[] = [];
  for (const file of files) {
    let index = 0;
    for await (const payload of io.readTFRecord(file)) {
      let parsed;
      try {
        parsed = t.parseLocalization(payload);
      } catch (err) {
        const why = err instanceof Error ? err.message.split('\n')[0] : String(err);
        throw new io.InputError(`record ${index} does not match the localization schema (${why})`, file);
      }
      images.push(parsed.image);
      labels.push(parsed.label);
      index++;
    }
  }
  return { images, labels };
}

/**
 * The exhaustive validation IoU pass of the reference: predictions for the samples in full
 * batches (drop_remainder), summed, divided by N_VAL (all validation rows).
 */
export async function exhaustiveIoU(
  predict: (images: Float32Array[]) => Promise<Float32Array[]>,
  val: ParsedSplit,
  batch: number,
): Promise<{ iou: number; samples: number; nVal: number; predictions: Float32Array[] }> {
  const train = await import('../train/index.js');
  const nVal = val.images.length;
  const kept = Math.floor(nVal / batch) * batch;
  if (kept === 0) return { iou: 0, samples: 0, nVal, predictions: [] };
  const predictions = await predict(val.images.slice(0, kept));
  const gt = val.labels.slice(0, kept).map((l) => Array.from(l));
  const pred = predictions.map((p) => Array.from(p));
  return { iou: train.validationIoU(gt, pred, { width: 32, height: 24, count: nVal }), samples: kept, nVal, predictions };
}
