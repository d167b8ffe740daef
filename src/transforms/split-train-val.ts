// Step 1 split of the reference: shuffle the row indices once, the first floor(n * 0.7) go to
// train and the rest to val. The floor is taken of the float64 product, exactly as Python's
// int(n * 0.7): 360 * 0.7 = 251.99999999999997 → 251.

import { InputError } from '../core/errors.js';
import { createRng, randomPermutation } from '../core/random.js';

/** Options of splitTrainVal: the training fraction and either a seed or a given permutation. */
export interface SplitOptions {
  /** Fraction of rows for training (default 0.7). */
  ratio?: number;
  /** Seed of the shuffle (default 0). Ignored when `permutation` is given. */
  seed?: number | bigint | string;
  /** A given order of the row indices (0..n-1, each once), to reproduce a split exactly. */
  permutation?: readonly number[];
  /** Train count to use with a given permutation (default floor(n * ratio)). */
  trainCount?: number;
}

/**
 * A train/validation split: the row indices of each part, the permutation it came from and the training count.
 */
export interface Split {
  train: number[];
  val: number[];
  permutation: number[];
  trainCount: number;
}

/** floor(n * ratio) in float64, as Python computes int(n * 0.7). */
export function trainCountOf(n: number, ratio = 0.7): number {
  return Math.floor(n * ratio);
}

function checkPermutation(p: readonly number[], n: number): void {
  if (!Array.isArray(p)) throw new InputError('splitTrainVal: permutation must be an array of row indices');
  if (p.length !== n) throw new InputError(`splitTrainVal: permutation has ${p.length} indices, expected ${n}`);
  const seen = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const v = p[i]!;
    if (!Number.isInteger(v) || v < 0 || v >= n) {
      throw new InputError(`splitTrainVal: permutation[${i}] = ${String(v)} is not a row index in 0..${n - 1}`);
    }
    if (seen[v]) throw new InputError(`splitTrainVal: permutation repeats index ${v}`);
    seen[v] = 1;
  }
}

/**
 * Splits row indices 0..n-1 into train and val as the reference does.
 *
 * @example
 * const split = splitTrainVal(2588, { seed: 0 }); // split.train: 1811 row indices, split.val: 777
 */
export function splitTrainVal(n: number, options: SplitOptions = {}): Split {
  if (!Number.isInteger(n) || n < 0) throw new InputError(`splitTrainVal: n must be an integer ≥ 0, got ${n}`);
  const ratio = options.ratio ?? 0.7;
  if (!(ratio >= 0 && ratio <= 1)) throw new InputError(`splitTrainVal: ratio must be in [0, 1], got ${ratio}`);
  let permutation: number[];
  if (options.permutation !== undefined) {
    checkPermutation(options.permutation, n);
    permutation = [...options.permutation];
  } else {
    permutation = randomPermutation(n, createRng(options.seed ?? 0));
  }
  const trainCount = options.trainCount ?? trainCountOf(n, ratio);
  if (!Number.isInteger(trainCount) || trainCount < 0 || trainCount > n) {
    throw new InputError(`splitTrainVal: train count ${trainCount} is not in 0..${n}`);
  }
  return { train: permutation.slice(0, trainCount), val: permutation.slice(trainCount), permutation, trainCount };
}
