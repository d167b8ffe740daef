// paddedBatch(n, { paddedShapes, paddingValues, dropRemainder }): tf.data's padded_batch over
// plain JS values (padding.ts says how the element structure is read and padded).
import { fromChunks, type Chunked } from '../../core/chunks.js';
import { InputError } from '../../core/errors.js';
import { checkPaddedShapes, padBatch, type Padded, type PaddedShapes, type PaddingValues } from '../padding.js';
import { eachChunk } from '../source.js';

/** Options of {@link paddedBatch}. */
export interface PaddedBatchOptions {
  /**
   * The shape each component is padded to: per axis an extent, or -1 for the batch maximum
   * (the default for every axis). An array of numbers is one tensor's shape; an array of
   * shapes, a tuple; an object of shapes, an object.
   */
  paddedShapes?: PaddedShapes;
  /** What fills the padding: one number for all components or a structure of them (default 0). */
  paddingValues?: PaddingValues;
  /** Drop the last batch when it holds fewer than n elements (default false). */
  dropRemainder?: boolean;
}

/**
 * Batches of n elements with every component padded to a common shape and stacked under a
 * leading batch axis (tf.data's `padded_batch`). Numbers, number arrays and typed arrays are
 * tensors; objects and arrays of arrays are structure. A value longer than a fixed padded shape
 * is an OperatorError naming the element.
 *
 * @example
 * const seqs = Dataset.range(1, 5).map((x) => Array<number>(x).fill(x));
 * await seqs.paddedBatch(2).toArray(); // [[[1, 0], [2, 2]], [[3, 3, 3, 0], [4, 4, 4, 4]]]
 * await seqs.paddedBatch(2, { paddedShapes: 5, paddingValues: -1 }).toArray();
 * // [[[1, -1, -1, -1, -1], [2, 2, -1, -1, -1]], [[3, 3, 3, -1, -1], [4, 4, 4, 4, -1]]]
 * const tuples = pipe([[[1, 2, 3], [10]], [[4, 5], [11, 12]]], paddedBatch(2, { paddedShapes: [[4], [-1]], paddingValues: [-1, 100] }));
 * // [[[1, 2, 3, -1], [4, 5, -1, -1]], [[10, 100], [11, 12]]]
 */
export function paddedBatch<T>(size: number, options: PaddedBatchOptions = {}) {
  if (!Number.isInteger(size) || size <= 0) throw new InputError(`paddedBatch: size must be a positive integer, got ${size}`);
  checkPaddedShapes(options.paddedShapes);
  const { paddedShapes, paddingValues } = options;
  const dropRemainder = options.dropRemainder ?? false;
  return (source: AsyncIterable<T>): Chunked<Padded<T>> =>
    fromChunks(async function* () {
      let current: T[] = [];
      let first = 0;
      for await (const chunk of eachChunk(source)) {
        const out: Padded<T>[] = [];
        for (const x of chunk) {
          current.push(x);
          if (current.length === size) {
            out.push(padBatch(current, first, paddedShapes, paddingValues, 'paddedBatch'));
            first += size;
            current = [];
          }
        }
        if (out.length > 0) yield out;
      }
      if (current.length > 0 && !dropRemainder) yield [padBatch(current, first, paddedShapes, paddingValues, 'paddedBatch')];
    });
}
