// Dataset<T>: a thin fluent wrapper over the operators that also tracks cardinality where it is
// known. Iterating a Dataset again starts a new epoch (reshuffling shuffles draw a new order).
// Dataset imports the operators; operators never import Dataset.
import { readFileSync, statSync } from 'node:fs';
import { CHUNKS, fromChunks, type Chunked } from '../core/chunks.js';
import { compressionFromName } from '../io/compression.js';
import { readTFRecord, type TFRecordReadOptions } from '../io/tfrecord-reader.js';
import { openTFRecordIndexed, type IndexedTFRecord, type OpenIndexedOptions, type TFRecordIndexCache } from '../io/tfrecord-index.js';
import { npzRows, type NpzRow } from '../io/npz.js';
import { abortable } from './operators/abortable.js';
import { batch, type BatchOptions } from './operators/batch.js';
import { cache } from './operators/cache.js';
import { concat } from './operators/concat.js';
import { filter } from './operators/filter.js';
import { interleave, type InterleaveOptions } from './operators/interleave.js';
import { map, type MapFn, type MapOptions } from './operators/map.js';
import { prefetch } from './operators/prefetch.js';
import { repeat } from './operators/repeat.js';
import { shard } from './operators/shard.js';
import { shuffle, type ShuffleOptions } from './operators/shuffle.js';
import { skip } from './operators/skip.js';
import { take } from './operators/take.js';
import { zip } from './operators/zip.js';
import { eachChunk, from, RANDOM_ACCESS, type RandomAccess, type SourceLike } from './source.js';

export type Cardinality = number | undefined;

export class Dataset<T> implements Chunked<T> {
  /** Number of elements per epoch: a count, Infinity (repeat forever) or undefined (unknown). */
  readonly cardinality: Cardinality;
  readonly source: Chunked<T>;

  constructor(source: SourceLike<T>, cardinality?: Cardinality) {
    this.source = from(source);
    this.cardinality = cardinality;
  }

  /** From an array (cardinality = its length), a Dataset, or any (async) iterable (unknown). */
  static from<T>(source: SourceLike<T> | Dataset<T>): Dataset<T> {
    if (source instanceof Dataset) return source;
    return new Dataset(source, Array.isArray(source) ? source.length : undefined);
  }

  /**
   * TFRecord payloads of one or more files, in order. Uncompressed files also offer random
   * access (the shuffle fallback uses it). Cardinality is known when every file has a fresh
   * PATH.idx (written by io's indexTFRecord), else undefined.
   */
  static fromTFRecord(files: string | string[], options: TFRecordReadOptions = {}): Dataset<Uint8Array> {
    const list = typeof files === 'string' ? [files] : [...files];
    const stream = fromChunks(() => eachChunk(readTFRecord(list, options)));
    const compressed = list.some((f) => (options.compression ?? compressionFromName(f)) !== 'none');
    // Random access reads records by position and cannot resynchronize past damage, so it is
    // offered only when the stream would not skip corrupt records either.
    // Each epoch reopens the files; the index found by the first open serves the later ones.
    const cache: TFRecordIndexCache = new Map();
    const source = compressed || options.onCorrupt === 'skip'
      ? stream
      : Object.assign(stream, {
          [RANDOM_ACCESS]: () => openIndexedFiles(list, { verify: options.verify ?? true, cache }),
        });
    return new Dataset(source, compressed ? undefined : indexedCount(list));
  }

  /**
   * One element per row (axis 0) of the npz arrays named by keys: `{ [key]: typed-array view }`
   * (io's npzRows). Cardinality unknown until read.
   */
  static fromNpz<R = NpzRow>(path: string, keys?: string[]): Dataset<R> {
    return new Dataset(npzRows(path, keys) as unknown as Chunked<R>);
  }

  [CHUNKS](): AsyncIterator<T[]> {
    return this.source[CHUNKS]();
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    return this.source[Symbol.asyncIterator]();
  }

  /** Applies any operator; cardinality becomes unknown unless given. */
  pipe<R>(op: (source: AsyncIterable<T>) => AsyncIterable<R>, cardinality?: Cardinality): Dataset<R> {
    return new Dataset(op(this.source), cardinality);
  }

  map<R>(fn: MapFn<T, R>, options?: MapOptions): Dataset<R> {
    return new Dataset(map(fn, options)(this.source), this.cardinality);
  }

  filter<S extends T>(predicate: (value: T, index: number) => value is S): Dataset<S>;
  filter(predicate: (value: T, index: number) => unknown): Dataset<T>;
  filter(predicate: (value: T, index: number) => unknown): Dataset<T> {
    return new Dataset(filter(predicate)(this.source), this.cardinality === 0 ? 0 : undefined);
  }

  shuffle(bufferSize: number, options?: ShuffleOptions): Dataset<T> {
    return new Dataset(shuffle<T>(bufferSize, options)(this.source), this.cardinality);
  }

  batch(size: number, options: BatchOptions = {}): Dataset<T[]> {
    const c = this.cardinality;
    const n = c === undefined || c === Infinity ? c : options.dropRemainder ? Math.floor(c / size) : Math.ceil(c / size);
    return new Dataset(batch<T>(size, options)(this.source), n);
  }

  prefetch(n: number): Dataset<T> {
    return new Dataset(prefetch<T>(n)(this.source), this.cardinality);
  }

  take(count: number): Dataset<T> {
    const c = this.cardinality;
    const n = count < 0 ? c : count === 0 ? 0 : c === undefined ? undefined : Math.min(c, count);
    return new Dataset(take<T>(count)(this.source), n);
  }

  skip(count: number): Dataset<T> {
    const c = this.cardinality;
    const n = count < 0 ? (c === Infinity ? Infinity : 0) : c === undefined || c === Infinity ? c : Math.max(0, c - count);
    return new Dataset(skip<T>(count)(this.source), n);
  }

  repeat(count?: number): Dataset<T> {
    const c = this.cardinality;
    const forever = count === undefined || count < 0;
    const n = c === 0 || count === 0 ? 0 : forever ? (c === undefined ? undefined : Infinity) : c === undefined ? undefined : c * count;
    return new Dataset(repeat<T>(count)(this.source), n);
  }

  cache(file?: string): Dataset<T> {
    return new Dataset(cache<T>(file)(this.source), this.cardinality);
  }

  shard(numShards: number, index: number): Dataset<T> {
    const c = this.cardinality;
    const n = c === undefined || c === Infinity ? c : Math.floor(c / numShards) + (index < c % numShards ? 1 : 0);
    return new Dataset(shard<T>(numShards, index)(this.source), n);
  }

  interleave<R>(fn: (value: T, index: number) => SourceLike<R>, options?: InterleaveOptions): Dataset<R> {
    return new Dataset(interleave(fn, options)(this.source));
  }

  zip<O>(other: Dataset<O> | SourceLike<O>): Dataset<[T, O]> {
    const o = Dataset.from(other);
    const a = this.cardinality;
    const b = o.cardinality;
    const n = a === undefined || b === undefined ? (a === 0 || b === 0 ? 0 : undefined) : Math.min(a, b);
    return new Dataset(zip<T, [O]>(o.source)(this.source), n);
  }

  concatenate(other: Dataset<T> | SourceLike<T>): Dataset<T> {
    const o = Dataset.from(other);
    const a = this.cardinality;
    const b = o.cardinality;
    return new Dataset(concat<T>(o.source)(this.source), a === undefined || b === undefined ? undefined : a + b);
  }

  /** Stops iteration with signal.reason when the signal fires, closing the sources. */
  withSignal(signal: AbortSignal): Dataset<T> {
    return new Dataset(abortable<T>(signal)(this.source), this.cardinality);
  }

  /** All elements of one epoch. */
  async toArray(options: { signal?: AbortSignal } = {}): Promise<T[]> {
    const src = options.signal ? abortable<T>(options.signal)(this.source) : this.source;
    const out: T[] = [];
    const it = src[CHUNKS]();
    try {
      for (;;) {
        const r = await it.next();
        if (r.done) return out;
        for (const x of r.value) out.push(x);
      }
    } finally {
      await it.return?.();
    }
  }

  /** Calls fn on every element of one epoch (awaiting it when it returns a promise). */
  async forEach(fn: (value: T, index: number) => unknown, options: { signal?: AbortSignal } = {}): Promise<void> {
    const src = options.signal ? abortable<T>(options.signal)(this.source) : this.source;
    const it = src[CHUNKS]();
    let index = 0;
    try {
      for (;;) {
        const r = await it.next();
        if (r.done) return;
        for (const x of r.value) {
          const y = fn(x, index++);
          if (y !== null && typeof y === 'object' && typeof (y as PromiseLike<unknown>).then === 'function') await y;
        }
      }
    } finally {
      await it.return?.();
    }
  }
}

/** Record count from fresh PATH.idx files (one `offset length` line per record), else undefined. */
function indexedCount(files: string[]): Cardinality {
  let total = 0;
  for (const f of files) {
    try {
      const idx = `${f}.idx`;
      if (statSync(idx).mtimeMs < statSync(f).mtimeMs) return undefined;
      const text = readFileSync(idx, 'utf8');
      let lines = 0;
      for (const line of text.split('\n')) if (line.trim() !== '') lines++;
      total += lines;
    } catch {
      return undefined;
    }
  }
  return total;
}

/** Random access over several indexed files, concatenated in order. */
async function openIndexedFiles(files: string[], options: OpenIndexedOptions): Promise<RandomAccess<Uint8Array>> {
  const parts: IndexedTFRecord[] = [];
  try {
    for (const f of files) parts.push(await openTFRecordIndexed(f, options));
  } catch (e) {
    await Promise.allSettled(parts.map((p) => p.close()));
    throw e;
  }
  if (parts.length === 1) return parts[0] as IndexedTFRecord;
  const starts: number[] = [];
  let length = 0;
  let byteLength = 0;
  for (const p of parts) {
    starts.push(length);
    length += p.length;
    byteLength += p.byteLength;
  }
  return {
    length,
    byteLength,
    async getMany(indices: ArrayLike<number>): Promise<Uint8Array[]> {
      // Group positions by file, read each group, then restore the requested order.
      const perFile: number[][] = parts.map(() => []);
      const where: [number, number][] = [];
      for (let k = 0; k < indices.length; k++) {
        const i = indices[k] as number;
        let f = parts.length - 1;
        while (f > 0 && (starts[f] as number) > i) f--;
        const list = perFile[f] as number[];
        where.push([f, list.length]);
        list.push(i - (starts[f] as number));
      }
      const read = await Promise.all(parts.map((p, f) => ((perFile[f] as number[]).length > 0 ? p.getMany(perFile[f] as number[]) : [])));
      return where.map(([f, k]) => (read[f] as Uint8Array[])[k] as Uint8Array);
    },
    async close(): Promise<void> {
      await Promise.allSettled(parts.map((p) => p.close()));
    },
  };
}
