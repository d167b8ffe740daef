// The prepared detection data as the detectors read it: det_train.tfr / det_val.tfr parsed and
// checked record by record, and det_val_coco.json.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InputError } from '../core/errors.js';
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
 * const { train, val } = await readDetectionSplits('prepared');
 * console.log(train.length, val.length);
 */
export async function readDetectionSplits(dir: string): Promise<{ train: DetectionSample[]; val: DetectionSample[] }> {
  const open = async (name: string) => {
    try {
      return await readDetectionFrames(join(dir, name));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new InputError(`no ${name} here (run \`recordflow prepare --task detect\` first)`, dir);
      throw err;
    }
  };
  return { train: await open(DETECTION_FILES.train), val: await open(DETECTION_FILES.val) };
}

/** The JSON text of a file, parsed; bad JSON is an InputError naming the file. */
export async function readJsonFile(path: string): Promise<unknown> {
  const text = await readFile(path, 'utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new InputError(`not valid JSON (${err instanceof Error ? err.message : String(err)})`, path);
  }
}
