// The io functions the pipeline uses, with the signatures fixed in notes/SEAMS.md. They are
// loaded on first use from the io room's public index, so the pipeline type-checks and its
// in-memory operators work even where the io room is built independently.
import type { Chunked } from '../io/chunks.js';
import { RecordflowError } from '../io/errors.js';

export type Compression = 'none' | 'gzip' | 'zlib';

export interface ReadTFRecordOptions {
  compression?: Compression;
  verify?: boolean;
  onCorrupt?: 'throw' | 'skip';
  signal?: AbortSignal;
  onSkip?: (info: unknown) => void;
}

export interface TFRecordStream extends Chunked<Uint8Array> {
  readonly skipped: number;
}

export interface IndexedTFRecord {
  readonly length: number;
  readonly byteLength: number;
  get(i: number): Promise<Uint8Array>;
  getMany(indices: ArrayLike<number>): Promise<Uint8Array[]>;
  close(): Promise<void>;
}

export interface TFRecordWriterLike {
  write(payload: Uint8Array): Promise<void>;
  writeMany(payloads: Uint8Array[]): Promise<void>;
  close(): Promise<{ records: number; bytes: number }>;
  abort(): Promise<void>;
}

export interface IoSeam {
  readTFRecord(source: string | string[], options?: ReadTFRecordOptions): TFRecordStream;
  openTFRecordIndexed(path: string, options?: { verify?: boolean }): Promise<IndexedTFRecord>;
  TFRecordWriter: { open(path: string, options?: { compression?: Compression; atomic?: boolean }): Promise<TFRecordWriterLike> };
  npzRows(path: string, keys?: string[]): AsyncIterable<Record<string, unknown>>;
}

let loaded: Promise<Record<string, unknown>> | undefined;

/** One io function by name, or a clear error when the io room does not provide it. */
export async function ioFunction<K extends keyof IoSeam>(name: K): Promise<IoSeam[K]> {
  loaded ??= import('../io/index.js') as Promise<Record<string, unknown>>;
  const mod = await loaded;
  const value = mod[name];
  if (value === undefined) throw new RecordflowError(`pipeline: the io room does not export ${name} yet`);
  return value as IoSeam[K];
}
