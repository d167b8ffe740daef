// TFRecord files as a Dataset source: the payload stream, the random-access view the shuffle
// fallback reads by position, and the record count when fresh PATH.idx files give it.
import { readFileSync, statSync } from 'node:fs';
import { fromChunks, type Chunked } from '../core/chunks.js';
import { compressionFromName } from '../io/compression.js';
import { readTFRecord, type TFRecordReadOptions } from '../io/tfrecord-reader.js';
import { openTFRecordIndexed, type IndexedTFRecord, type OpenIndexedOptions, type TFRecordIndexCache } from '../io/tfrecord-index.js';
import { eachChunk, RANDOM_ACCESS, type RandomAccess } from './source.js';

/** The payload stream of `files` and its record count (undefined when unknown). */
export function tfrecordSource(list: string[], options: TFRecordReadOptions): { source: Chunked<Uint8Array>; count: number | undefined } {
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
  return { source, count: compressed ? undefined : indexedCount(list) };
}

/** Record count from fresh PATH.idx files (one `offset length` line per record), else undefined. */
function indexedCount(files: string[]): number | undefined {
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
