// cache(file?): the first complete pass fills the cache, later passes replay it without
// touching the source (tf.data semantics). In memory by default; with a file name, a TFRecord
// file (elements must be Uint8Array) written atomically, so a pass that stops early leaves no
// file and the next pass reads the source again. An existing file is reused as the cache.
import { access } from 'node:fs/promises';
import { fromChunks, type Chunked } from '../../core/chunks.js';
import { InputError } from '../../core/errors.js';
import { readTFRecord } from '../../io/tfrecord-reader.js';
import { TFRecordWriter } from '../../io/tfrecord-writer.js';
import { eachChunk } from '../source.js';

/**
 * Keeps the first complete pass and replays it on later passes (tf.data's `cache`): in
 * memory, or with a file name in a TFRecord file (byte elements only).
 *
 * @example
 * const once = pipe(range(1000), map((x: number) => Math.sqrt(x)), cache<number>());
 */
export function cache<T>(file?: string) {
  return (source: AsyncIterable<T>): Chunked<T> => (file === undefined ? memoryCache(source) : fileCache(source, file));
}

function memoryCache<T>(source: AsyncIterable<T>): Chunked<T> {
  let filled: T[][] | undefined;
  return fromChunks(async function* () {
    if (filled) {
      yield* filled;
      return;
    }
    const chunks: T[][] = [];
    for await (const chunk of eachChunk(source)) {
      chunks.push(chunk);
      yield chunk;
    }
    filled ??= chunks; // only reached after a complete pass
  });
}

function fileCache<T>(source: AsyncIterable<T>, file: string): Chunked<T> {
  return fromChunks(async function* () {
    if (await exists(file)) {
      yield* eachChunk(readTFRecord(file) as unknown as AsyncIterable<T>);
      return;
    }
    const writer = await TFRecordWriter.open(file, { atomic: true });
    let complete = false;
    let index = 0;
    try {
      for await (const chunk of eachChunk(source)) {
        for (const x of chunk) {
          if (!(x instanceof Uint8Array)) {
            throw new InputError(`cache: element ${index} is not a Uint8Array; a file cache stores byte records only`, file);
          }
          index++;
        }
        await writer.writeMany(chunk as Uint8Array[]);
        yield chunk;
      }
      complete = true;
    } finally {
      if (complete) await writer.close();
      else await writer.abort();
    }
  });
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
