// sampleFromDatasets(datasets, { weights, seed, stopOnEmptyDataset }): tf.data's
// sample_from_datasets. Each output comes from input i with probability weights[i] / sum; inputs
// of weight 0 are dropped up front (never opened). When an input runs out, stopOnEmptyDataset
// (default false, as tf.data) either ends the output or goes on with the others, their weights
// renormalised. Weights may also be a source of weight vectors, one per draw (tf.data's dataset
// weights): then zero weights stay, and the output ends with that source.
import { fromChunks, type Chunked } from '../../core/chunks.js';
import { InputError } from '../../core/errors.js';
import { deriveSeed, Random, randomSeed } from '../../core/random.js';
import { Cursor, closeAll } from '../cursor.js';
import { OperatorError } from '../errors.js';
import { DEFAULT_CHUNK, type SourceLike } from '../source.js';

/** Options of {@link sampleFromDatasets}. */
export interface SampleFromDatasetsOptions {
  /**
   * Relative probability of each input (default: all equal), or a source yielding one such
   * vector per draw.
   */
  weights?: readonly number[] | SourceLike<readonly number[]>;
  /** Fixes the draws; without it every iteration draws afresh. */
  seed?: number;
  /** End the output when the chosen input has run out, instead of going on without it (default false). */
  stopOnEmptyDataset?: boolean;
  /** With a seed, draw a new sequence on every iteration, still derived from the seed (default false, as tf.data). */
  rerandomizeEachIteration?: boolean;
}

const isVector = (w: unknown): w is readonly number[] => Array.isArray(w) && w.every((x) => typeof x === 'number');

function checkWeights(w: readonly number[], n: number, where: string): void {
  if (w.length !== n) throw new InputError(`sampleFromDatasets: ${where} has ${w.length} weights for ${n} datasets`);
  for (const x of w) if (!(x >= 0 && Number.isFinite(x))) throw new InputError(`sampleFromDatasets: ${where}: weights must be finite and >= 0, got ${x}`);
}

/** Index drawn with probability w[i] / sum(w) over the entries with live[i]; -1 if none has weight. */
export function drawIndex(rng: Random, w: readonly number[], live: readonly boolean[]): number {
  let total = 0;
  for (let i = 0; i < w.length; i++) if (live[i]) total += w[i] as number;
  if (!(total > 0)) return -1;
  let u = rng.next() * total;
  let last = -1;
  for (let i = 0; i < w.length; i++) {
    if (!live[i] || !((w[i] as number) > 0)) continue;
    last = i;
    u -= w[i] as number;
    if (u < 0) return i;
  }
  return last; // rounding left u at or just above 0
}

/**
 * Interleaves the inputs at random, each output drawn from input i with probability
 * weights[i] / sum(weights) (tf.data's `sample_from_datasets`). Sampling is without
 * replacement: every input element comes out at most once, in its input's order.
 *
 * @example
 * const mixed = Dataset.sampleFromDatasets([Dataset.range(0, 3), Dataset.range(100, 103)], { weights: [0.5, 0.5], seed: 1 });
 * await mixed.toArray(); // e.g. [100, 0, 1, 101, 2, 102]: all six, each input in order
 * const mostlyA = sampleFromDatasets([['a', 'a', 'a'], ['b']], { weights: [0.9, 0.1], seed: 7 });
 */
export function sampleFromDatasets<T>(datasets: readonly SourceLike<T>[], options: SampleFromDatasetsOptions = {}): Chunked<T> {
  const n = datasets.length;
  if (n === 0) throw new InputError('sampleFromDatasets: datasets must not be empty');
  const { weights, seed } = options;
  const stop = options.stopOnEmptyDataset ?? false;
  const perDraw = weights !== undefined && !isVector(weights);
  if (!perDraw) checkWeights(weights ?? new Array<number>(n).fill(1), n, 'weights');
  if (seed !== undefined && !Number.isFinite(seed)) throw new InputError(`sampleFromDatasets: seed must be a number, got ${seed}`);
  let epoch = 0;
  return fromChunks(() => {
    const rng = new Random(seed === undefined ? randomSeed() : options.rerandomizeEachIteration ? deriveSeed(seed, epoch++) : seed);
    return sample(datasets, perDraw ? new Cursor(weights as SourceLike<readonly number[]>) : (weights as readonly number[] | undefined) ?? new Array<number>(n).fill(1), rng, stop);
  });
}

/** One iteration: fixed weights (zero weights dropped) or a cursor over one weight vector per draw. */
async function* sample<T>(
  datasets: readonly SourceLike<T>[], weights: readonly number[] | Cursor<readonly number[]>, rng: Random, stop: boolean,
): AsyncGenerator<T[]> {
  const cursors = datasets.map((d) => new Cursor(d));
  const fixed = Array.isArray(weights) ? (weights as readonly number[]) : undefined;
  const vectors = fixed ? undefined : (weights as Cursor<readonly number[]>);
  const live = datasets.map((_, i) => fixed === undefined || (fixed[i] as number) > 0);
  let alive = live.filter(Boolean).length;
  let out: T[] = [];
  let draw = 0;
  try {
    while (alive > 0) {
      let w = fixed;
      if (vectors) {
        if (!vectors.ready) {
          if (out.length > 0) {
            yield out;
            out = [];
          }
          if (!(await vectors.fill())) break;
        }
        w = vectors.take();
        try {
          checkWeights(w, datasets.length, `weight vector ${draw}`);
        } catch (e) {
          throw new OperatorError('sampleFromDatasets', draw, e);
        }
      }
      draw++;
      const k = drawIndex(rng, w as readonly number[], live);
      if (k < 0) continue; // a per-draw vector that puts all weight on inputs that ended
      const c = cursors[k] as Cursor<T>;
      if (!c.ready) {
        if (out.length > 0) {
          yield out;
          out = [];
        }
        if (!(await c.fill())) {
          if (stop) break;
          live[k] = false;
          alive--;
          continue;
        }
      }
      out.push(c.take());
      if (out.length >= DEFAULT_CHUNK) {
        yield out;
        out = [];
      }
    }
    if (out.length > 0) yield out;
  } finally {
    await closeAll([...cursors, ...(vectors ? [vectors] : [])] as Cursor<unknown>[]);
  }
}
