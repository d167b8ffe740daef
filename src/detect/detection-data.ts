// The prepared detection data as the detectors read it: det_train.tfr / det_val.tfr parsed and
// checked record by record, and det_val_coco.json.
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { fileProblem, InputError } from '../core/errors.js';
import { readTFRecord } from '../io/tfrecord-reader.js';
import { parseDetection, type DetectionSample } from '../transforms/detection-example.js';

/** The files `prepare --task detect` writes. */
export const DETECTION_FILES = {
  train: 'det_train.tfr',
  val: 'det_val.tfr',
  split: 'det_split.json',
  groundTruth: 'det_val_coco.json',
} as const;

/**
 * Every record of a detection TFRecord file, parsed; a record that does not match the
 * detection schema is an InputError naming the file and the record.
 *
 * @example
 * const val = await readDetectionFrames('prepared/det_val.tfr');
 * console.log(`${val.length} frames, ${val.reduce((n, f) => n + f.count, 0)} persons`);
 */
export async function readDetectionFrames(file: string): Promise<DetectionSample[]> {
  const frames: DetectionSample[] = [];
  for await (const payload of readTFRecord(file)) {
    try {
      frames.push(parseDetection(payload));
    } catch (err) {
      const why = err instanceof Error ? err.message.split('\n')[0] : String(err);
      throw new InputError(`record ${frames.length} does not match the detection schema (${why})`, file);
    }
  }
  return frames;
}

/**
 * The training and validation frames of a prepared directory; a directory without them (e.g.
 * one prepared for localization) is an InputError saying how to make them.
 *
 * @example
 * const splits = await readDetectionSplits('prepared');
 * console.log(splits.train.length, splits.val.length);
 */
export async function readDetectionSplits(dir: string): Promise<{ train: DetectionSample[]; val: DetectionSample[] }> {
  return { train: await readPrepared(dir, DETECTION_FILES.train), val: await readPrepared(dir, DETECTION_FILES.val) };
}

/**
 * The frames of one file `prepare --task detect` wrote into `dir`; its absence is an InputError
 * naming the file and how to make it.
 *
 * @example
 * const val = await readPrepared('prepared', DETECTION_FILES.val);
 * console.log(val.length);
 */
export async function readPrepared(dir: string, name: string): Promise<DetectionSample[]> {
  const file = join(dir, name);
  try {
    await access(file);
  } catch (e) {
    const problem = fileProblem(e);
    throw new InputError((e as NodeJS.ErrnoException).code === 'ENOENT' ? `${problem} (run \`recordflow prepare --task detect\` first)` : problem, file, { cause: e });
  }
  return readDetectionFrames(file);
}
