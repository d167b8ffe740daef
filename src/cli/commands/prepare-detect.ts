// recordflow prepare --task detect: every frame of the eight sets → det_train.tfr, det_val.tfr,
// det_split.json and the COCO ground truth of the validation frames (det_val_coco.json).
import { writeFile } from 'node:fs/promises';
import { assertDir } from '../files.js';
import { staged } from '../staging.js';
import { readSplitFile, splitRows, type PrepareResult } from '../split-file.js';

/** The files `prepare --task detect` writes, in the order it lists them. */
export const DETECT_FILES = ['det_train.tfr', 'det_val.tfr', 'det_split.json', 'det_val_coco.json'] as const;

export async function runPrepareDetect(
  npzDir: string,
  out: string,
  options: { seed?: number | string; splitFile?: string; ratio?: number; log?: (line: string) => void },
): Promise<PrepareResult> {
  const io = await import('../../io/index.js');
  const t = await import('../../transforms/index.js');
  const { cocoGroundTruth } = await import('../../detect/coco-json.js');
  await assertDir(npzDir);
  const split0 = options.splitFile ? await readSplitFile(options.splitFile) : undefined;
  return staged(out, async (staging) => {
    const det = await t.buildDetectionSet(npzDir);
    const n = det.images.shape[0]!;
    const split = await splitRows(n, split0, options);
    const images = det.images.data as Uint8Array;
    const counts = det.numbers.data as BigInt64Array;
    const example = (row: number): Uint8Array =>
      t.toDetectionExample({ image: images.subarray(row * t.FRAME_BYTES, (row + 1) * t.FRAME_BYTES), boxes: t.detectionBoxes(det, row), count: Number(counts[row]) });
    await io.writeTFRecord(staging.path('det_train.tfr'), split.train.map(example));
    await io.writeTFRecord(staging.path('det_val.tfr'), split.val.map(example));
    const persons = (rows: number[]) => rows.reduce((s, r) => s + Number(counts[r]), 0);
    options.log?.(`det_train.tfr: ${split.train.length} frames, ${persons(split.train)} persons`);
    options.log?.(`det_val.tfr: ${split.val.length} frames, ${persons(split.val)} persons`);
    await writeFile(staging.path('det_split.json'), JSON.stringify({ permutation: split.permutation, train_count: split.trainCount }) + '\n');
    const gt = cocoGroundTruth(split.val.map((r) => t.detectionBoxes(det, r)));
    await writeFile(staging.path('det_val_coco.json'), JSON.stringify(gt) + '\n');
    return { rows: n, train: split.train.length, val: split.val.length, files: [...DETECT_FILES] };
  });
}
