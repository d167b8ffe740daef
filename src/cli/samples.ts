// Frames with their ground-truth boxes for `show`, from any of the files the workflow produces:
// a localization TFRecord (loc_*.tfr), localization.npz, a reference npz set, or a directory
// holding one of them.
import { readdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { stat } from 'node:fs/promises';

export interface LabeledFrame {
  index: number;
  /** 768 values in [0, 1], row-major 24x32. */
  image: Float32Array;
  /** [x, y, w, h] normalized, or undefined for frames without a person. */
  label?: Float32Array;
  /** Boxes of the other persons of a reference-set frame (people 2..n). */
  others?: Float32Array[];
}

const VALIDATION_FILE = /^loc_val\.tfr(-\d+-of-\d+)?$/;

/** Does this file (by its name, as `prepare` writes it) hold validation rows only? */
export function isValidationFile(file: string): boolean {
  return VALIDATION_FILE.test(basename(file));
}

/**
 * The file `show` reads for a directory: the validation split first (whole or its first shard),
 * as the reference plots it. With `validationOnly` (predictions are drawn) nothing else will do:
 * a model's boxes on the rows it trained on would pass for validation results.
 */
export async function pickSampleFile(dir: string, validationOnly = false): Promise<string> {
  const names = await readdir(dir);
  const val = names.filter((n) => VALIDATION_FILE.test(n)).sort()[0];
  if (val) return join(dir, val);
  const prepared = names.includes('prepared') ? join(dir, 'prepared') : undefined;
  if (prepared && (await stat(prepared)).isDirectory()) return pickSampleFile(prepared, validationOnly);
  const { InputError } = await import('../io/index.js');
  if (validationOnly) throw new InputError('no loc_val.tfr (or its shards) in this directory, and --model draws predictions on validation rows only', dir);
  const other = ['loc_train.tfr', 'localization.npz'].find((n) => names.includes(n)) ?? names.filter((n) => n.endsWith('.npz')).sort()[0];
  if (other) return join(dir, other);
  throw new InputError('no loc_val.tfr, loc_train.tfr or .npz file in this directory', dir);
}

export async function readLabeledFrames(file: string, count: number, skip = 0): Promise<LabeledFrame[]> {
  const io = await import('../io/index.js');
  const t = await import('../transforms/index.js');
  const out: LabeledFrame[] = [];
  if (file.endsWith('.npz')) {
    const arrays = await io.readNpz(file);
    const images = arrays.images;
    const coords = arrays.coordinates;
    if (!images) throw new io.InputError("npz has no 'images' array", file);
    if (images.dtype !== 'uint8' || images.shape.length !== 3 || images.shape[1] !== 24 || images.shape[2] !== 32) {
      throw new io.InputError(`'images' must be uint8 (N, 24, 32), got ${images.dtype} (${images.shape.join(', ')})`, file);
    }
    const n = images.shape[0]!;
    const numbers = arrays.numbers?.data;
    for (let i = skip; i < Math.min(n, skip + count); i++) {
      const image = new Float32Array(768);
      const px = images.data as Uint8Array;
      for (let k = 0; k < 768; k++) image[k] = px[i * 768 + k]! / 255;
      let label: Float32Array | undefined;
      const others: Float32Array[] = [];
      if (coords && coords.shape[0] === n) {
        const per = coords.data.length / n;
        const hasPerson = numbers === undefined || Number(numbers[i]) >= 1;
        const toXywh = (box: ArrayLike<number>) => {
          const xywh = t.boxToXywh(box);
          return Float32Array.of(xywh.x, xywh.y, xywh.w, xywh.h);
        };
        if (hasPerson && per === 4) {
          // localization.npz holds boxes (N, 4).
          label = toXywh(Array.from({ length: 4 }, (_, k) => Number(coords.data[i * 4 + k])));
        } else if (hasPerson && per % 8 === 0) {
          // A reference set holds polygons (N, P, 8); `numbers` says how many are people.
          const persons = Math.min(per / 8, numbers === undefined ? 1 : Number(numbers[i]));
          const boxes = Array.from({ length: persons }, (_, k) => toXywh(t.polygonBox(coords.data as ArrayLike<bigint | number>, i * per + k * 8)));
          label = boxes[0];
          if (boxes.length > 1) others.push(...boxes.slice(1));
        }
      }
      out.push({ index: i, image, ...(label ? { label } : {}), ...(others.length ? { others } : {}) });
    }
    return out;
  }
  let index = 0;
  for await (const payload of io.readTFRecord(file)) {
    if (index >= skip + count) break;
    if (index >= skip) {
      let parsed;
      try {
        parsed = t.parseLocalization(payload);
      } catch (err) {
        const why = err instanceof Error ? err.message.split('\n')[0] : String(err);
        throw new io.InputError(`record ${index} is not a localization Example (${why})`, file);
      }
      out.push({ index, image: parsed.image, label: parsed.label });
    }
    index++;
  }
  return out;
}
