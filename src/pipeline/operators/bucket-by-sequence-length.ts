// bucketBySequenceLength(lengthFn, boundaries, batchSizes, options): tf.data's
// bucket_by_sequence_length, built the way tf.data builds it: group_by_window keyed by bucket
// with the bucket's batch size as window size, each window padded into one batch. Bucket i
// holds lengths with boundaries[i-1] <= length < boundaries[i] (a length equal to a boundary
// goes up); with padToBucketBoundary the unknown extents pad to boundary - 1, so every length
// must be below the last boundary.
import { type Chunked } from '../../core/chunks.js';
import { InputError } from '../../core/errors.js';
import { boundedShapes, checkPaddedShapes, padBatch, type Padded, type PaddedShapes, type PaddingValues } from '../padding.js';
import { groupWindows } from './group-windows.js';

/** Options of {@link bucketBySequenceLength}. */
export interface BucketBySequenceLengthOptions {
  /** Shapes to pad each component to (-1 = the batch maximum, or boundary - 1 with padToBucketBoundary). */
  paddedShapes?: PaddedShapes;
  /** What fills the padding (default 0); see paddedBatch. */
  paddingValues?: PaddingValues;
  /** Pad unknown extents to the bucket's boundary - 1 instead of the batch maximum (default false). */
  padToBucketBoundary?: boolean;
  /** Batch without padding: each batch is an array of the elements as they are (default false). */
  noPadding?: boolean;
  /** Drop the batches that hold fewer than their bucket's batch size (default false). */
  dropRemainder?: boolean;
}

/**
 * Batches elements of similar length together: each element goes to the bucket of its
 * `lengthFn` value, and a bucket that holds its batch size is padded into a batch (tf.data's
 * `bucket_by_sequence_length`). `batchSizes` has one entry per bucket: boundaries.length + 1.
 *
 * @example
 * const seqs = [[0], [1, 2, 3, 4], [5, 6, 7], [7, 8, 9, 10, 11], [13, 14, 15, 16, 19, 20], [21, 22]];
 * const batches = Dataset.from(seqs).bucketBySequenceLength((s) => s.length, [3, 5], [2, 2, 2]);
 * await batches.toArray();
 * // [[[1, 2, 3, 4], [5, 6, 7, 0]], [[7, 8, 9, 10, 11, 0], [13, 14, 15, 16, 19, 20]], [[0, 0], [21, 22]]]
 * const bounded = pipe(seqs, bucketBySequenceLength((s: number[]) => s.length, [4, 7], [2, 2, 2], { padToBucketBoundary: true, paddingValues: -1 }));
 */
export function bucketBySequenceLength<T>(
  lengthFn: (value: T) => number, boundaries: readonly number[], batchSizes: readonly number[],
  options: BucketBySequenceLengthOptions & { noPadding: true },
): (source: AsyncIterable<T>) => Chunked<T[]>;
export function bucketBySequenceLength<T>(
  lengthFn: (value: T) => number, boundaries: readonly number[], batchSizes: readonly number[], options?: BucketBySequenceLengthOptions,
): (source: AsyncIterable<T>) => Chunked<Padded<T>>;
export function bucketBySequenceLength<T>(
  lengthFn: (value: T) => number, boundaries: readonly number[], batchSizes: readonly number[], options: BucketBySequenceLengthOptions = {},
): (source: AsyncIterable<T>) => Chunked<Padded<T> | T[]> {
  const op = 'bucketBySequenceLength';
  if (batchSizes.length !== boundaries.length + 1) {
    throw new InputError(`${op}: batchSizes needs boundaries.length + 1 = ${boundaries.length + 1} entries, got ${batchSizes.length}`);
  }
  boundaries.forEach((b, i) => {
    if (!Number.isFinite(b) || (i > 0 && b <= (boundaries[i - 1] as number))) {
      throw new InputError(`${op}: boundaries must be finite and strictly increasing, got [${boundaries.join(', ')}]`);
    }
  });
  for (const n of batchSizes) if (!Number.isInteger(n) || n <= 0) throw new InputError(`${op}: batch sizes must be positive integers, got ${n}`);
  checkPaddedShapes(options.paddedShapes);
  const { paddedShapes, paddingValues, padToBucketBoundary = false, noPadding = false, dropRemainder = false } = options;
  const last = boundaries.length;
  const bucketOf = (x: T): number => {
    const len = lengthFn(x);
    if (typeof len !== 'number' || Number.isNaN(len)) throw new InputError(`the length must be a number, got ${String(len)}`);
    let b = 0;
    while (b < last && len >= (boundaries[b] as number)) b++;
    if (padToBucketBoundary && !noPadding && b === last) {
      throw new InputError(`length ${len} is not below the last boundary ${boundaries[last - 1]}, which padToBucketBoundary needs`);
    }
    return b;
  };
  return groupWindows<T, Padded<T> | T[]>(op, bucketOf, (bucket, items, indices) => {
    if (dropRemainder && items.length < (batchSizes[bucket] as number)) return [];
    if (noPadding) return [items];
    const shapes = padToBucketBoundary ? boundedShapes(items[0], paddedShapes, (boundaries[bucket] as number) - 1) : paddedShapes;
    return [padBatch(items, indices, shapes, paddingValues, op)];
  }, (bucket) => batchSizes[bucket] as number);
}
