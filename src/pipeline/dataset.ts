// Dataset<T>: a thin fluent wrapper over the operators that also tracks cardinality where it is
// known. Iterating a Dataset again starts a new epoch (reshuffling shuffles draw a new order).
// Dataset imports the operators; operators never import Dataset.
import { type Chunked } from '../core/chunks.js';
import { DatasetBase, type Cardinality } from './dataset-base.js';
import type { TFRecordReadOptions } from '../io/tfrecord-reader.js';
import { npzRows, type NpzRow } from '../io/npz.js';
import { abortable } from './operators/abortable.js';
import { batch, type BatchOptions } from './operators/batch.js';
import { bucketBySequenceLength, type BucketBySequenceLengthOptions } from './operators/bucket-by-sequence-length.js';
import { cache } from './operators/cache.js';
import { chooseFromDatasets, type ChooseFromDatasetsOptions } from './operators/choose-from-datasets.js';
import { concat } from './operators/concat.js';
import { enumerate } from './operators/enumerate.js';
import { filter } from './operators/filter.js';
import { flatMap } from './operators/flat-map.js';
import { groupWindows, windowSizeRule, type WindowSizeOptions } from './operators/group-windows.js';
import { interleave, type InterleaveOptions } from './operators/interleave.js';
import { map, type MapFn, type MapOptions } from './operators/map.js';
import { paddedBatch, type PaddedBatchOptions } from './operators/padded-batch.js';
import { prefetch } from './operators/prefetch.js';
import { originalShare, rejectionResample, type RejectionResampleOptions } from './operators/rejection-resample.js';
import { repeat } from './operators/repeat.js';
import { sampleFromDatasets, type SampleFromDatasetsOptions } from './operators/sample-from-datasets.js';
import { scan, type ScanStep } from './operators/scan.js';
import { shard } from './operators/shard.js';
import { shuffle, type ShuffleOptions } from './operators/shuffle.js';
import { skip } from './operators/skip.js';
import { take } from './operators/take.js';
import { takeWhile } from './operators/take-while.js';
import { unbatch, type Unbatched } from './operators/unbatch.js';
import { unique } from './operators/unique.js';
import { window, windowCount, type Windowed, type WindowOptions } from './operators/window.js';
import { zip } from './operators/zip.js';
import { type Padded } from './padding.js';
import { range, rangeLength } from './range.js';
import { type SourceLike } from './source.js';
import { tfrecordFilesCount, tfrecordFilesSource } from './tfrecord-source.js';

export type { Cardinality } from './dataset-base.js';

/** Cardinality after an operator that may drop elements: 0 stays 0, anything else is unknown. */
const shrunk = (c: Cardinality): Cardinality => (c === 0 ? 0 : undefined);

/**
 * A lazy, re-iterable pipeline in tf.data's style: each method returns a new Dataset and
 * keeps the element count (`cardinality`) where tf.data knows it. A Dataset is a chunked
 * async iterable, so `for await`, `pipe` and every operator accept it.
 *
 * @example
 * const ds = Dataset.range(10).map((x) => x * 2).filter((x) => x % 3 === 0).batch(2);
 * for await (const b of ds) console.log(b); // [0, 6], [12, 18]
 */
export class Dataset<T> extends DatasetBase<T> {
  /**
   * From an array (cardinality = its length), a Dataset (itself), or any (async) iterable
   * (cardinality unknown).
   *
   * @example
   * const ds = Dataset.from(['a', 'b']); // cardinality 2
   */
  static from<T>(source: SourceLike<T> | Dataset<T>): Dataset<T> {
    if (source instanceof Dataset) return source;
    return new Dataset(source, Array.isArray(source) ? source.length : undefined);
  }

  /**
   * The numbers from start to stop (exclusive) by step, as tf.data's `Dataset.range`.
   *
   * @example
   * await Dataset.range(5).toArray();        // [0, 1, 2, 3, 4]
   * await Dataset.range(2, 5).toArray();     // [2, 3, 4]
   * await Dataset.range(1, 5, 2).toArray();  // [1, 3]
   * await Dataset.range(5, 1, -2).toArray(); // [5, 3]
   */
  static range(stop: number): Dataset<number>;
  static range(start: number, stop: number, step?: number): Dataset<number>;
  static range(a: number, b?: number, c?: number): Dataset<number> {
    const [start, stop, step] = b === undefined ? [0, a, 1] : [a, b, c ?? 1];
    return new Dataset(range(start, stop, step), rangeLength(start, stop, step));
  }

  /**
   * Interleaves the inputs at random: each output comes from input i with probability
   * weights[i] / sum (tf.data's `sample_from_datasets`). Inputs of weight 0 are dropped; one
   * that runs out is dropped and the others renormalised, or with stopOnEmptyDataset ends the
   * output.
   *
   * @example
   * const mixed = Dataset.sampleFromDatasets([Dataset.range(0, 3), Dataset.range(100, 103)], { weights: [0.5, 0.5], seed: 42 });
   * await mixed.toArray(); // e.g. [100, 0, 1, 101, 2, 102]
   */
  static sampleFromDatasets<T>(datasets: readonly (Dataset<T> | SourceLike<T>)[], options: SampleFromDatasetsOptions = {}): Dataset<T> {
    const ds = datasets.map((d) => Dataset.from(d));
    return new Dataset(sampleFromDatasets(ds.map((d) => d.source), options), sampledCount(ds, options));
  }

  /**
   * For each index k of the choice dataset, the next element of datasets[k] (tf.data's
   * `choose_from_datasets`); a choice of an input that has run out ends the output unless
   * stopOnEmptyDataset is false; an index out of range is an error.
   *
   * @example
   * const words = [Dataset.from(['foo']).repeat(), Dataset.from(['bar']).repeat(), Dataset.from(['baz']).repeat()];
   * await Dataset.chooseFromDatasets(words, Dataset.range(3).repeat(3)).toArray();
   * // ['foo', 'bar', 'baz', 'foo', 'bar', 'baz', 'foo', 'bar', 'baz']
   */
  static chooseFromDatasets<T>(
    datasets: readonly (Dataset<T> | SourceLike<T>)[], choiceDataset: Dataset<number> | SourceLike<number>, options: ChooseFromDatasetsOptions = {},
  ): Dataset<T> {
    const ds = datasets.map((d) => Dataset.from(d));
    const choices = Dataset.from(choiceDataset);
    const c = choices.cardinality;
    const n = c === 0 ? 0 : ds.every((d) => d.cardinality === Infinity) ? c : undefined;
    return new Dataset(chooseFromDatasets(ds.map((d) => d.source), options)(choices.source), n);
  }

  /**
   * TFRecord payloads of one or more files, in order: local paths or `s3://` URLs, each possibly
   * a pattern (`shards/train-*`, expanded in byte-wise order when an epoch starts). With
   * numParallelReads N, N files at a time are read concurrently and their records interleaved
   * one by one (TensorFlow's num_parallel_reads). Uncompressed files read in order also offer
   * random access (the shuffle fallback uses it). Cardinality is known when every file is local,
   * named without a pattern and has a fresh PATH.idx (written by io's indexTFRecord), else
   * undefined.
   *
   * @example
   * const ds = Dataset.fromTFRecord('s3://my-bucket/prepared/loc_train.tfr-*').shuffle(1000, { seed: 0 });
   * const records = Dataset.fromTFRecord(['train-0.tfrecord.gz', 'train-1.tfrecord.gz'], { numParallelReads: 2 });
   */
  static fromTFRecord(files: string | string[], options: TFRecordReadOptions = {}): Dataset<Uint8Array> {
    const list = typeof files === 'string' ? [files] : [...files];
    const ds = new Dataset(tfrecordFilesSource(list, options), tfrecordFilesCount(list));
    ds.tfrecordFiles = { list, options };
    return ds;
  }

  /** The files and options of a Dataset made by fromTFRecord (nothing applied since), for shard. */
  private tfrecordFiles: { list: string[]; options: TFRecordReadOptions } | undefined;

  /**
   * One element per row (axis 0) of the npz arrays named by keys: `{ [key]: typed-array view }`
   * (io's npzRows). Cardinality unknown until read.
   *
   * @example
   * const rows = Dataset.fromNpz('train.npz', ['images', 'labels']);
   */
  static fromNpz<R = NpzRow>(path: string, keys?: string[]): Dataset<R> {
    return new Dataset(npzRows(path, keys) as unknown as Chunked<R>);
  }

  /**
   * Applies any operator (ours or ix's); cardinality becomes unknown unless given.
   *
   * @example
   * const tenths = Dataset.range(3).pipe(map((x: number) => x / 10), 3);
   */
  pipe<R>(op: (source: AsyncIterable<T>) => AsyncIterable<R>, cardinality?: Cardinality): Dataset<R> {
    return new Dataset(op(this.source), cardinality);
  }

  /**
   * fn applied to every element, in input order; async fns run `concurrency` at a time.
   *
   * @example
   * const squares = Dataset.range(4).map((x) => x * x); // 0, 1, 4, 9
   * const pages = Dataset.from(['a', 'b']).map(async (id) => id.toUpperCase(), { concurrency: 4 });
   */
  map<R>(fn: MapFn<T, R>, options?: MapOptions): Dataset<R> {
    return new Dataset(map(fn, options)(this.source), this.cardinality);
  }

  /**
   * The elements for which predicate is truthy.
   *
   * @example
   * const evens = Dataset.range(10).filter((x) => x % 2 === 0); // 0, 2, 4, 6, 8
   */
  filter<S extends T>(predicate: (value: T, index: number) => value is S): Dataset<S>;
  filter(predicate: (value: T, index: number) => unknown): Dataset<T>;
  filter(predicate: (value: T, index: number) => unknown): Dataset<T> {
    return new Dataset(filter(predicate)(this.source), shrunk(this.cardinality));
  }

  /**
   * tf.data's buffered shuffle; a new order each epoch unless reshuffleEachIteration is false.
   *
   * @example
   * const shuffled = Dataset.range(100).shuffle(100, { seed: 42 });
   */
  shuffle(bufferSize: number, options?: ShuffleOptions): Dataset<T> {
    return new Dataset(shuffle<T>(bufferSize, options)(this.source), this.cardinality);
  }

  /**
   * Arrays of `size` consecutive elements; the last one shorter unless dropRemainder.
   *
   * @example
   * await Dataset.range(5).batch(2).toArray(); // [[0, 1], [2, 3], [4]]
   */
  batch(size: number, options: BatchOptions = {}): Dataset<T[]> {
    const c = this.cardinality;
    const n = c === undefined || c === Infinity ? c : options.dropRemainder ? Math.floor(c / size) : Math.ceil(c / size);
    return new Dataset(batch<T>(size, options)(this.source), n);
  }

  /**
   * Batches with every component padded to a common shape (-1 = the batch maximum) under a
   * leading batch axis (tf.data's `padded_batch`); a value longer than its padded shape is an
   * error naming the element.
   *
   * @example
   * const seqs = Dataset.range(1, 5).map((x) => Array<number>(x).fill(x));
   * await seqs.paddedBatch(2).toArray(); // [[[1, 0], [2, 2]], [[3, 3, 3, 0], [4, 4, 4, 4]]]
   * const both = Dataset.from([{ ids: [1, 2, 3], label: 0 }, { ids: [4], label: 1 }]).paddedBatch(2);
   * // { ids: [[1, 2, 3], [4, 0, 0]], label: [0, 1] }
   */
  paddedBatch(size: number, options: PaddedBatchOptions = {}): Dataset<Padded<T>> {
    const c = this.cardinality;
    const n = c === undefined || c === Infinity ? c : options.dropRemainder ? Math.floor(c / size) : Math.ceil(c / size);
    return new Dataset(paddedBatch<T>(size, options)(this.source), n);
  }

  /**
   * Groups elements by key into windows and replaces each by `reduceFn(key, window)`'s elements
   * (tf.data's `group_by_window`); full windows are reduced at once, partial ones at the end in
   * ascending key order.
   *
   * @example
   * const ds = Dataset.range(10).groupByWindow((x) => x % 2, (key, w) => w.batch(5), { windowSize: 5 });
   * await ds.toArray(); // [[0, 2, 4, 6, 8], [1, 3, 5, 7, 9]]
   */
  groupByWindow<R>(
    keyFn: (value: T, index: number) => number, reduceFn: (key: number, window: Dataset<T>) => SourceLike<R>, options: WindowSizeOptions,
  ): Dataset<R> {
    const sizeOf = windowSizeRule('groupByWindow', options);
    const op = groupWindows<T, R>('groupByWindow', keyFn, (key, items) => reduceFn(key, new Dataset(items, items.length)), sizeOf);
    return new Dataset(op(this.source), shrunk(this.cardinality));
  }

  /**
   * Batches elements of similar length: bucket i holds lengths in [boundaries[i-1],
   * boundaries[i]), and each bucket pads into batches of batchSizes[i] (tf.data's
   * `bucket_by_sequence_length`).
   *
   * @example
   * const seqs = [[0], [1, 2, 3, 4], [5, 6, 7], [7, 8, 9, 10, 11], [13, 14, 15, 16, 19, 20], [21, 22]];
   * const ds = Dataset.from(seqs).bucketBySequenceLength((s) => s.length, [4, 7], [2, 2, 2], { padToBucketBoundary: true, paddingValues: -1 });
   * await ds.toArray();
   * // [[[0, -1, -1], [5, 6, 7]], [[1, 2, 3, 4, -1, -1], [7, 8, 9, 10, 11, -1]], [[21, 22, -1]], [[13, 14, 15, 16, 19, 20]]]
   */
  bucketBySequenceLength(
    lengthFn: (value: T) => number, boundaries: readonly number[], batchSizes: readonly number[],
    options: BucketBySequenceLengthOptions & { noPadding: true },
  ): Dataset<T[]>;
  bucketBySequenceLength(
    lengthFn: (value: T) => number, boundaries: readonly number[], batchSizes: readonly number[], options?: BucketBySequenceLengthOptions,
  ): Dataset<Padded<T>>;
  bucketBySequenceLength(
    lengthFn: (value: T) => number, boundaries: readonly number[], batchSizes: readonly number[], options: BucketBySequenceLengthOptions = {},
  ): Dataset<Padded<T> | T[]> {
    const op = bucketBySequenceLength<T>(lengthFn, boundaries, batchSizes, options as BucketBySequenceLengthOptions);
    return new Dataset<Padded<T> | T[]>(op(this.source), shrunk(this.cardinality));
  }

  /**
   * Splits each element along its first axis (tf.data's `unbatch`): arrays into items, typed
   * arrays into numbers, objects of those component-wise.
   *
   * @example
   * await Dataset.from([[1, 2, 3], [1, 2], [1, 2, 3, 4]]).unbatch().toArray(); // [1, 2, 3, 1, 2, 1, 2, 3, 4]
   */
  unbatch(): Dataset<Unbatched<T>> {
    return new Dataset(unbatch<T>()(this.source), shrunk(this.cardinality));
  }

  /**
   * Sliding windows of `size` elements, each an array (tf.data's `window`, materialized); a
   * window of plain objects is an object of windows, as tf.data windows nested elements.
   *
   * @example
   * await Dataset.range(7).window(3).toArray(); // [[0, 1, 2], [3, 4, 5], [6]]
   * await Dataset.range(7).window(3, { shift: 1, dropRemainder: true }).toArray(); // [[0, 1, 2], [1, 2, 3], [2, 3, 4], [3, 4, 5], [4, 5, 6]]
   * await Dataset.from([{ a: 1, b: 4 }, { a: 2, b: 5 }, { a: 3, b: 6 }]).window(2).toArray(); // [{ a: [1, 2], b: [4, 5] }, { a: [3], b: [6] }]
   */
  window(size: number, options: WindowOptions = {}): Dataset<Windowed<T>> {
    const c = this.cardinality;
    const op = window<T>(size, options);
    return new Dataset(op(this.source), c === undefined ? c : windowCount(c, size, options));
  }

  /**
   * Maps each element to a source and yields its elements, source after source (tf.data's
   * `flat_map`).
   *
   * @example
   * await Dataset.from([[1, 2, 3], [4, 5, 6]]).flatMap((xs) => xs).toArray(); // [1, 2, 3, 4, 5, 6]
   * const twice = Dataset.range(3).flatMap((x) => Dataset.from([x, x]));
   */
  flatMap<R>(fn: (value: T, index: number) => SourceLike<R>): Dataset<R> {
    return new Dataset(flatMap(fn)(this.source), shrunk(this.cardinality));
  }

  /**
   * Threads a state through the elements and yields fn's outputs (tf.data's `scan`).
   *
   * @example
   * await Dataset.range(5).scan(0, (sum, x) => [sum + x, sum + x]).toArray(); // [0, 1, 3, 6, 10]
   */
  scan<S, R>(initialState: S, fn: (state: S, value: T, index: number) => ScanStep<S, R> | PromiseLike<ScanStep<S, R>>): Dataset<R> {
    return new Dataset(scan(initialState, fn)(this.source), this.cardinality);
  }

  /**
   * `[start + i, element]` pairs (tf.data's `enumerate`).
   *
   * @example
   * await Dataset.from([1, 2, 3]).enumerate(5).toArray(); // [[5, 1], [6, 2], [7, 3]]
   */
  enumerate(start = 0): Dataset<[number, T]> {
    return new Dataset(enumerate<T>(start)(this.source), this.cardinality);
  }

  /**
   * The elements before the first that fails predicate (tf.data's `take_while`).
   *
   * @example
   * await Dataset.range(10).takeWhile((x) => x < 5).toArray(); // [0, 1, 2, 3, 4]
   */
  takeWhile<S extends T>(predicate: (value: T, index: number) => value is S): Dataset<S>;
  takeWhile(predicate: (value: T, index: number) => unknown): Dataset<T>;
  takeWhile(predicate: (value: T, index: number) => unknown): Dataset<T> {
    return new Dataset(takeWhile(predicate)(this.source), shrunk(this.cardinality));
  }

  /**
   * Each distinct value once, at its first appearance; arrays and typed arrays compare by
   * content (tf.data's `unique`).
   *
   * @example
   * await Dataset.from([1, 37, 2, 37, 2, 1]).unique().toArray(); // [1, 37, 2]
   */
  unique(): Dataset<T> {
    return new Dataset(unique<T>()(this.source), shrunk(this.cardinality));
  }

  /**
   * Resamples towards `targetDist` over the classes classFn gives, yielding `[classIndex,
   * element]` (tf.data's `rejection_resample`); elements may repeat.
   *
   * @example
   * const labels = Dataset.from([0, 0, 0, 1, 0, 0, 1, 0, 0, 0]).repeat(100);
   * const balanced = labels.rejectionResample((x) => x, [0.5, 0.5], { initialDist: [0.8, 0.2], seed: 1 }).map(([, x]) => x);
   */
  rejectionResample(classFn: (value: T) => number, targetDist: readonly number[], options: RejectionResampleOptions = {}): Dataset<[number, T]> {
    const { initialDist } = options;
    // As tf.data: with the target equal to the known initial distribution the input passes as it is.
    const same = initialDist !== undefined && initialDist.length === targetDist.length && originalShare(targetDist, initialDist) === 1;
    return new Dataset(rejectionResample(classFn, targetDist, options)(this.source), same ? this.cardinality : shrunk(this.cardinality));
  }

  /**
   * Keeps up to n elements produced ahead of the consumer.
   *
   * @example
   * const ready = Dataset.range(100).map(async (x) => x).prefetch(8);
   */
  prefetch(n: number): Dataset<T> {
    return new Dataset(prefetch<T>(n)(this.source), this.cardinality);
  }

  /**
   * The first `count` elements; a negative count keeps all.
   *
   * @example
   * await Dataset.range(10).take(3).toArray(); // [0, 1, 2]
   */
  take(count: number): Dataset<T> {
    const c = this.cardinality;
    const n = count < 0 ? c : count === 0 ? 0 : c === undefined ? undefined : Math.min(c, count);
    return new Dataset(take<T>(count)(this.source), n);
  }

  /**
   * Drops the first `count` elements; a negative count drops all.
   *
   * @example
   * await Dataset.range(5).skip(3).toArray(); // [3, 4]
   */
  skip(count: number): Dataset<T> {
    const c = this.cardinality;
    const n = count < 0 ? (c === Infinity ? Infinity : 0) : c === undefined || c === Infinity ? c : Math.max(0, c - count);
    return new Dataset(skip<T>(count)(this.source), n);
  }

  /**
   * Iterates the source `count` times (forever without a count); each pass is a new epoch.
   *
   * @example
   * await Dataset.from([1, 2]).repeat(2).toArray(); // [1, 2, 1, 2]
   */
  repeat(count?: number): Dataset<T> {
    const c = this.cardinality;
    const forever = count === undefined || count < 0;
    const n = c === 0 || count === 0 ? 0 : forever ? (c === undefined ? undefined : Infinity) : c === undefined ? undefined : c * count;
    return new Dataset(repeat<T>(count)(this.source), n);
  }

  /**
   * Keeps the first complete pass (in memory, or in a TFRecord file for byte elements) and
   * replays it on later passes.
   *
   * @example
   * const decoded = Dataset.range(1000).map((x) => Math.sqrt(x)).cache();
   */
  cache(file?: string): Dataset<T> {
    return new Dataset(cache<T>(file)(this.source), this.cardinality);
  }

  /**
   * Keeps the elements whose index % numShards == index (tf.data's shard). Directly on
   * Dataset.fromTFRecord with at least numShards files, it keeps whole files instead (file k
   * when k % numShards == index: tf.data's AutoShardPolicy.FILE), so each worker reads only its
   * own files; with fewer files, it keeps records.
   *
   * @example
   * const mine = Dataset.fromTFRecord('s3://my-bucket/shards/train-*').shard(4, 1);
   */
  shard(numShards: number, index: number): Dataset<T> {
    const files = this.tfrecordFiles;
    if (files) {
      shard(numShards, index); // checks the arguments now, as the record path does
      const sharding = { numShards, index };
      const source = tfrecordFilesSource(files.list, files.options, sharding) as unknown as Chunked<T>;
      return new Dataset(source, tfrecordFilesCount(files.list, sharding));
    }
    const c = this.cardinality;
    const n = c === undefined || c === Infinity ? c : Math.floor(c / numShards) + (index < c % numShards ? 1 : 0);
    return new Dataset(shard<T>(numShards, index)(this.source), n);
  }

  /**
   * Maps elements to sources and cycles over `cycleLength` of them, `blockLength` elements
   * at a time (tf.data's `interleave`).
   *
   * @example
   * const ds = Dataset.range(1, 6).interleave((x) => Array<number>(6).fill(x), { cycleLength: 2, blockLength: 4 });
   * // 1 1 1 1 2 2 2 2 1 1 2 2 3 3 3 3 4 4 4 4 3 3 4 4 5 5 5 5 5 5
   */
  interleave<R>(fn: (value: T, index: number) => SourceLike<R>, options?: InterleaveOptions): Dataset<R> {
    return new Dataset(interleave(fn, options)(this.source));
  }

  /**
   * `[a, b]` pairs, position by position, ending with the shorter input.
   *
   * @example
   * await Dataset.range(3).zip(['a', 'b']).toArray(); // [[0, 'a'], [1, 'b']]
   */
  zip<O>(other: Dataset<O> | SourceLike<O>): Dataset<[T, O]> {
    const o = Dataset.from(other);
    const a = this.cardinality;
    const b = o.cardinality;
    const n = a === undefined || b === undefined ? (a === 0 || b === 0 ? 0 : undefined) : Math.min(a, b);
    return new Dataset(zip<T, [O]>(o.source)(this.source), n);
  }

  /**
   * This Dataset's elements, then other's.
   *
   * @example
   * await Dataset.range(2).concatenate([7]).toArray(); // [0, 1, 7]
   */
  concatenate(other: Dataset<T> | SourceLike<T>): Dataset<T> {
    const o = Dataset.from(other);
    const a = this.cardinality;
    const b = o.cardinality;
    return new Dataset(concat<T>(o.source)(this.source), a === undefined || b === undefined ? undefined : a + b);
  }

  /**
   * Stops iteration with signal.reason when the signal fires, closing the sources.
   *
   * @example
   * const stop = new AbortController();
   * const bounded = Dataset.range(1e9).withSignal(stop.signal);
   */
  withSignal(signal: AbortSignal): Dataset<T> {
    return new Dataset(abortable<T>(signal)(this.source), this.cardinality);
  }
}

/** sampleFromDatasets' length where the inputs' lengths fix it. */
function sampledCount(ds: readonly Dataset<unknown>[], options: SampleFromDatasetsOptions): Cardinality {
  const w = options.weights;
  if (w !== undefined && !Array.isArray(w)) return undefined;
  const kept = ds.filter((_, i) => w === undefined || ((w as readonly number[])[i] as number) > 0);
  const counts = kept.map((d) => d.cardinality);
  if (kept.length === 0) return 0;
  if (options.stopOnEmptyDataset) return counts.every((c) => c === Infinity) ? Infinity : undefined;
  if (counts.some((c) => c === Infinity)) return Infinity;
  return counts.some((c) => c === undefined) ? undefined : counts.reduce((a, b) => (a as number) + (b as number), 0);
}
