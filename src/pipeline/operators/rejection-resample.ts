// rejectionResample(classFn, targetDist, { initialDist, seed }): tf.data's rejection_resample,
// built as tf.data builds it. Two independent passes over the source are mixed by
// sample_from_datasets (stopping when the chosen pass runs out): the source as it is, and a
// second pass that keeps an element of class i with probability a_i. With r_i = target_i /
// initial_i, m = min(r) and M = max(r): a_i = (r_i - m) / (M - m), and the first pass is chosen
// with probability m, which makes the mixture's class distribution the target. Elements may
// repeat, and the output may be longer than the input.
//
// Without initialDist the initial distribution is estimated as tf.data does: class counts
// starting at 10 each, updated a batch of 32 elements at a time, each element using the
// estimate after its batch; then one vector of weights per input element (a third pass over
// the classes), so the output ends after at most as many draws as the input has elements.
import { CHUNKS, fromChunks, type Chunked } from '../../core/chunks.js';
import { InputError } from '../../core/errors.js';
import { deriveSeed, Random, randomSeed } from '../../core/random.js';
import { OperatorError } from '../errors.js';
import { eachChunk } from '../source.js';
import { sampleFromDatasets } from './sample-from-datasets.js';

/** Options of {@link rejectionResample}. */
export interface RejectionResampleOptions {
  /** The class distribution of the input, when known; otherwise it is estimated as the input streams by. */
  initialDist?: readonly number[];
  /** Fixes the random choices; without it every iteration differs. */
  seed?: number;
}

/** float32's smallest normal number, which tf.data adds to the initial probabilities. */
const TINY = 1.1754943508222875e-38;
const ESTIMATE_BATCH = 32;
const SMOOTHING = 10;

function checkDist(d: readonly number[], name: string, classes?: number): void {
  if (d.length === 0 || (classes !== undefined && d.length !== classes)) {
    throw new InputError(`rejectionResample: ${name} must have ${classes ?? 'at least 1'} entries, got ${d.length}`);
  }
  let sum = 0;
  for (const p of d) {
    if (!(p >= 0 && p <= 1)) throw new InputError(`rejectionResample: ${name} holds ${p}, not a probability`);
    sum += p;
  }
  if (Math.abs(sum - 1) > 1e-4) throw new InputError(`rejectionResample: ${name} sums to ${sum}, not 1`);
}

/** The acceptance probability of each class and the probability of choosing the unfiltered pass. */
function mixing(initial: readonly number[], target: readonly number[]): { accept: number[]; original: number } {
  const ratio = target.map((t, i) => t / ((initial[i] as number) + TINY));
  const m = Math.min(...ratio);
  const M = Math.max(...ratio);
  return { accept: ratio.map((r) => (r - m) / (M - m)), original: m };
}

/**
 * The share of the output drawn from the unfiltered pass when the initial distribution is
 * known: min(target / initial). 1 means the input passes as it is (same length), 0 that every
 * element goes through the filter.
 */
export function originalShare(targetDist: readonly number[], initialDist: readonly number[]): number {
  return Math.min(...targetDist.map((t, i) => t / (initialDist[i] as number)));
}

/**
 * Resamples the input towards `targetDist` over the classes `classFn` gives (integers in
 * [0, classes)), yielding `[classIndex, element]` (tf.data's `rejection_resample`). Elements
 * may repeat; without initialDist the input's distribution is estimated as it streams by.
 *
 * @example
 * const labels = Dataset.from([0, 0, 0, 1, 0, 0, 1, 0, 0, 0]).repeat(100);
 * const balanced = labels.rejectionResample((x) => x, [0.5, 0.5], { initialDist: [0.8, 0.2], seed: 1 });
 * const onlyElements = balanced.map(([, x]) => x);
 * const pairs = pipe([0, 1, 1, 2], rejectionResample((x: number) => x, [1 / 3, 1 / 3, 1 / 3], { seed: 3 }));
 */
export function rejectionResample<T>(classFn: (value: T) => number, targetDist: readonly number[], options: RejectionResampleOptions = {}) {
  checkDist(targetDist, 'targetDist');
  const classes = targetDist.length;
  const { initialDist, seed } = options;
  if (initialDist !== undefined) checkDist(initialDist, 'initialDist', classes);
  if (seed !== undefined && !Number.isFinite(seed)) throw new InputError(`rejectionResample: seed must be a number, got ${seed}`);
  const classOf = (x: T, index: number): number => {
    let c: number;
    try {
      c = classFn(x);
    } catch (e) {
      throw new OperatorError('rejectionResample', index, e);
    }
    if (!Number.isInteger(c) || c < 0 || c >= classes) {
      throw new OperatorError('rejectionResample', index, new InputError(`class ${String(c)} is not an integer in [0, ${classes})`));
    }
    return c;
  };
  return (source: AsyncIterable<T>): Chunked<[number, T]> => {
    // The unfiltered pass.
    const original = fromChunks(async function* () {
      let index = 0;
      for await (const chunk of eachChunk(source)) yield chunk.map((x): [number, T] => [classOf(x, index++), x]);
    });
    return fromChunks(() => {
      const s = seed ?? randomSeed();
      const keep = new Random(deriveSeed(s, 1));
      const pick = { seed: deriveSeed(s, 2), stopOnEmptyDataset: true };
      if (initialDist !== undefined) {
        const { accept, original: m } = mixing(initialDist, targetDist);
        const staticM = originalShare(targetDist, initialDist);
        const filtered = fromChunks(() => filterPass(source, classOf, accept, keep));
        if (staticM === 1) return original[CHUNKS]();
        if (staticM === 0) return filtered[CHUNKS]();
        const weights = fromChunks(async function* () {
          const chunk = new Array<readonly number[]>(1024).fill([m, 1 - m]);
          for (;;) yield chunk;
        });
        return sampleFromDatasets([original, filtered], { ...pick, weights })[CHUNKS]();
      }
      const filtered = fromChunks(() => estimatedPass<T, [number, T]>(source, classOf, classes, (dist) => {
        const { accept } = mixing(dist, targetDist);
        return (c, x, out) => {
          if (keep.nextFloat() < (accept[c] as number)) out.push([c, x]);
        };
      }));
      const weights = fromChunks(() => estimatedPass<T, readonly number[]>(source, classOf, classes, (dist) => {
        const m = mixing(dist, targetDist).original;
        const w = [m, 1 - m];
        return (_c, _x, out) => out.push(w);
      }));
      return sampleFromDatasets([original, filtered], { ...pick, weights })[CHUNKS]();
    });
  };
}

/** The filtered pass with a known initial distribution. */
async function* filterPass<T>(
  source: AsyncIterable<T>, classOf: (x: T, i: number) => number, a: readonly number[], keep: Random,
): AsyncGenerator<[number, T][]> {
  let index = 0;
  for await (const chunk of eachChunk(source)) {
    const out: [number, T][] = [];
    for (const x of chunk) {
      const c = classOf(x, index++);
      if (keep.nextFloat() < (a[c] as number)) out.push([c, x]);
    }
    if (out.length > 0) yield out;
  }
}

/**
 * A pass over the source in batches of 32 with tf.data's running estimate of the class
 * distribution: `perBatch(estimate)` gives the visitor of the batch's elements.
 */
async function* estimatedPass<T, R>(
  source: AsyncIterable<T>, classOf: (x: T, i: number) => number, classes: number,
  perBatch: (dist: readonly number[]) => (c: number, x: T, out: R[]) => void,
): AsyncGenerator<R[]> {
  const counts = new Array<number>(classes).fill(SMOOTHING);
  let total = SMOOTHING * classes;
  let index = 0;
  let batch: T[] = [];
  let labels: number[] = [];
  const flush = (): R[] => {
    for (const c of labels) counts[c] = (counts[c] as number) + 1;
    total += labels.length;
    const visit = perBatch(counts.map((n) => n / total));
    const out: R[] = [];
    for (let k = 0; k < batch.length; k++) visit(labels[k] as number, batch[k] as T, out);
    batch = [];
    labels = [];
    return out;
  };
  for await (const chunk of eachChunk(source)) {
    const out: R[] = [];
    for (const x of chunk) {
      labels.push(classOf(x, index++));
      batch.push(x);
      if (batch.length === ESTIMATE_BATCH) out.push(...flush());
    }
    if (out.length > 0) yield out;
  }
  if (batch.length > 0) {
    const out = flush();
    if (out.length > 0) yield out;
  }
}
