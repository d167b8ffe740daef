// TFRecord files or objects as a Dataset source (behind Dataset.fromTFRecord): patterns
// expanded when an epoch starts, the record count from fresh PATH.idx files, random access over
// the files concatenated, and `shard(n, i)` by file (tf.data's AutoShardPolicy.FILE) when there
// are at least n files, else by record.

import { readFileSync, statSync } from 'node:fs';
import { fromChunks, type Chunked } from '../core/chunks.js';
import { compressionFromName } from '../io/compression.js';
import { expandInputs, hasPattern } from '../io/patterns.js';
import { readTFRecord, type TFRecordReadOptions } from '../io/tfrecord-reader.js';
import { openTFRecordIndexed, type IndexedTFRecord, type OpenIndexedOptions, type TFRecordIndexCache } from '../io/tfrecord-index.js';
import { shard } from './operators/shard.js';
import { eachChunk, RANDOM_ACCESS, type RandomAccess } from './source.js';

/** How a set of TFRecord files is split among workers: every file, or shard i of n. */
export interface FileSharding {
  numShards: number;
  index: number;
}

/** Records of `files`, or of shard `sharding.index` of them, as a chunked (and maybe random-access) source. */
export function tfrecordFilesSource(files: readonly string[], options: TFRecordReadOptions, sharding?: FileSharding): Chunked<Uint8Array> {
  const list = [...files];
  const pick = async (): Promise<{ files: string[]; byRecord: boolean }> => {
    const all = await expandInputs(list);
    if (!sharding) return { files: all, byRecord: false };
    // Whole files per worker when every worker gets one; else every worker reads all files
    // and keeps its records.
    if (all.length >= sharding.numShards) return { files: all.filter((_, k) => k % sharding.numShards === sharding.index), byRecord: false };
    return { files: all, byRecord: true };
  };
  const stream = fromChunks(async function* () {
    const { files: chosen, byRecord } = await pick();
    const records = readTFRecord(chosen, options);
    yield* eachChunk(byRecord ? shard<Uint8Array>(sharding!.numShards, sharding!.index)(records) : records);
  });
  const compressed = list.some((f) => (options.compression ?? compressionFromName(f)) !== 'none');
  // Random access reads records by position in file order and cannot resynchronize past
  // damage, so it is offered only when the stream reads in that order (no numParallelReads)
  // and does not skip corrupt records either.
  if (compressed || (options.numParallelReads ?? 1) > 1 || options.onCorrupt === 'skip') return stream;
  // Each epoch reopens the files; the index found by the first open serves the later ones.
  const cache: TFRecordIndexCache = new Map();
  return Object.assign(stream, {
    [RANDOM_ACCESS]: async (): Promise<RandomAccess<Uint8Array>> => {
      const { files: chosen, byRecord } = await pick();
      const ra = await openIndexedFiles(chosen, { verify: options.verify ?? true, cache });
      return byRecord ? strided(ra, sharding!.numShards, sharding!.index) : ra;
    },
  });
}

/** Record count of `files` (after sharding) from fresh PATH.idx files, else undefined. */
export function tfrecordFilesCount(files: readonly string[], sharding?: FileSharding): number | undefined {
  if (files.some((f) => hasPattern(f))) return undefined;
  if (!sharding) return indexedCount(files);
  const { numShards: n, index: i } = sharding;
  if (files.length >= n) return indexedCount(files.filter((_, k) => k % n === i));
  const c = indexedCount(files);
  return c === undefined ? undefined : Math.floor(c / n) + (i < c % n ? 1 : 0);
}

/** Record count from fresh PATH.idx files (one `offset length` line per record), else undefined. */
function indexedCount(files: readonly string[]): number | undefined {
  let total = 0;
  for (const f of files) {
    try {
      // An object's index is not read synchronously: its count shows once read (undefined here).
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

/** Every n-th record of `ra` from record i on: the random-access twin of shard(n, i). */
function strided(ra: RandomAccess<Uint8Array>, n: number, i: number): RandomAccess<Uint8Array> {
  const length = ra.length > i ? Math.floor((ra.length - i - 1) / n) + 1 : 0;
  return {
    length,
    ...(ra.byteLength !== undefined ? { byteLength: ra.length > 0 ? (ra.byteLength * length) / ra.length : 0 } : {}),
    getMany: (indices) => ra.getMany(Array.from(indices as ArrayLike<number>, (k) => k * n + i)),
    close: () => ra.close(),
  };
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
