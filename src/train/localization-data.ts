// The data of the localization study as training sees it: the two splits' TFRecord files,
// checked record by record before anything trains, read whole for the exhaustive pass, or turned
// into the reference's input chains (REFERENCE.md §1 step 2).
import { chunksOf } from '../core/chunks.js';
import { InputError } from '../core/errors.js';
import { readTFRecord } from '../io/tfrecord-reader.js';
import { Dataset } from '../pipeline/dataset.js';
import { collate } from '../transforms/collate.js';
import { parseLocalization } from '../transforms/parse-localization.js';
import type { Batch } from './batch.js';

/** The TFRecord files of the two splits, in shard order. */
export interface SplitFiles {
  train: string[];
  val: string[];
}

/** Every record of one split, parsed as the reference does (image / 255, label [x, y, w, h]). */
export interface ParsedSplit {
  images: Float32Array[];
  labels: Float32Array[];
}

/** Rows of each split, as checkData counted them. */
export interface SplitCounts {
  nTrain: number;
  nVal: number;
}

/** The reference's two input chains, ready for train(). */
export interface Pipelines {
  train: Dataset<Batch>;
  val: Dataset<Batch>;
}

/** Parses every record of `files`, naming the file and record of the first that is not a localization Example. */
async function* parsedRecords(files: string[]): AsyncGenerator<{ image: Float32Array; label: Float32Array }> {
  for (const file of files) {
    let index = 0;
    for await (const chunk of chunksOf(readTFRecord(file))) {
      for (const payload of chunk) {
        let parsed;
        try {
          parsed = parseLocalization(payload);
        } catch (err) {
          const why = err instanceof Error ? err.message.split('\n')[0] : String(err);
          throw new InputError(`record ${index} does not match the localization schema (${why})`, file);
        }
        yield parsed;
        index++;
      }
    }
  }
}

async function countRecords(files: string[]): Promise<number> {
  let n = 0;
  for await (const _ of parsedRecords(files)) n++;
  return n;
}

/**
 * Stage 1 of a training run: counts both splits and checks each record against the
 * localization schema, so bad data fails with the file and record named before any training
 * starts. A split that cannot fill one batch is refused: training drops the remainder (it would
 * take no step) and so does validation (it would measure nothing).
 */
export async function checkData(files: SplitFiles, batch: number): Promise<SplitCounts> {
  const nTrain = await countRecords(files.train);
  const nVal = await countRecords(files.val);
  refuseShortSplit('training', nTrain, batch, files.train);
  refuseShortSplit('validation', nVal, batch, files.val);
  return { nTrain, nVal };
}

/**
 * Refuses a split of `n` rows that holds no complete batch of `batch`, naming its first file.
 * An empty split says so; a short one names both numbers.
 */
export function refuseShortSplit(split: string, n: number, batch: number, files: readonly string[]): void {
  const where = files.length === 1 ? files[0] : files.length > 1 ? `${files[0]} (+${files.length - 1} shards)` : undefined;
  if (n === 0) throw new InputError(`the ${split} split is empty: nothing to ${split === 'training' ? 'train on' : 'validate on'}`, where);
  if (n < batch) throw new InputError(`only ${n} ${split} records, fewer than one batch of ${batch}`, where);
}

/** Every record of a split, parsed as the reference does (image / 255, label [x, y, w, h]). */
export async function readSplit(files: string[]): Promise<ParsedSplit> {
  const images: Float32Array[] = [];
  const labels: Float32Array[] = [];
  for await (const parsed of parsedRecords(files)) {
    images.push(parsed.image);
    labels.push(parsed.label);
  }
  return { images, labels };
}

/**
 * Stage 2 of a training run: the reference chain, TFRecordDataset → map(parse) →
 * shuffle(N_TRAIN) → prefetch → batch(drop_remainder), and for validation the same without the
 * shuffle. cache() after parsing keeps later epochs off the disk (the set is small). The shuffle
 * is seeded and prefetch keeps upstream order, so the batches depend on the seed alone.
 */
export function buildPipelines(files: SplitFiles, counts: SplitCounts, options: { batch: number; seed: number }): Pipelines {
  const parsed = (names: string[]) => Dataset.fromTFRecord(names).map((b: Uint8Array) => parseLocalization(b)).cache();
  const collated = (b: { image: Float32Array; label: Float32Array }[]): Batch => collate(b);
  return {
    train: parsed(files.train).shuffle(counts.nTrain, { seed: options.seed }).prefetch(64).batch(options.batch, { dropRemainder: true }).map(collated),
    val: parsed(files.val).batch(options.batch, { dropRemainder: true }).map(collated),
  };
}
