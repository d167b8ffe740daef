// Random access to uncompressed TFRecord files: `indexTFRecord` (PATH.idx, one `offset length`
// line per record as vahidk/tfrecord and DALI write it: the offset of the record's header and the
// length of the whole framed record, 16 + payload), `readRecordAt`, and `openTFRecordIndexed`,
// whose `getMany` sorts the wanted records by position and reads neighbours in one pread. An
// `s3://` object works the same way through ranged GETs (KEY.idx beside it when present), with
// wider coalescing: a request costs about what a megabyte of transfer does.

import { rename, unlink, writeFile } from 'node:fs/promises';
import { maskedCrc32c } from './crc32c.js';
import { truncatedDetail } from './tfrecord-frame.js';
import { readTFRecord } from './tfrecord-reader.js';
import { chunksOf } from '../core/chunks.js';
import { openPositional, readText, statLocation, type Positional } from './positional.js';
import { isS3Url } from '../storage/url.js';
import { putObjectBytes } from '../storage/objects.js';
import { compressionFromName } from './compression.js';
import { DataLossError, InputError } from '../core/errors.js';

/**
 * Where each record of a TFRecord file starts and how long it is framed: what random access reads by.
 */
export interface TFRecordIndex {
  /** Byte offset of each record's header. */
  offsets: number[];
  /** Framed length of each record (12-byte header + payload + 4-byte CRC). */
  lengths: number[];
}

/** An uncompressed TFRecord file opened for random access: `length` records, read by index. */
export interface IndexedTFRecord {
  readonly length: number;
  /** Size of the file in bytes. */
  readonly byteLength: number;
  /** The payload of record `i` (0-based), its CRC checked unless `verify: false`. */
  get(i: number): Promise<Uint8Array>;
  /** Payloads in the order asked for; reads are sorted by position and neighbours coalesced. */
  getMany(indices: ArrayLike<number>): Promise<Uint8Array[]>;
  /** Closes the file. */
  close(): Promise<void>;
}

const SCAN_BLOCK = 1 << 20;
/** Records closer than this are read in one go (the gap is read and dropped). */
const COALESCE_GAP = 64 << 10;
/** Upper bound of one coalesced read. */
const MAX_RUN = 8 << 20;
/** Parallel preads in getMany (libuv has four threads by default). */
const READ_CONCURRENCY = 4;
/** For objects: header scans, coalescing gaps and runs sized to the cost of a request. */
const REMOTE_SCAN_BLOCK = 8 << 20;
const REMOTE_GAP = 1 << 20;
const REMOTE_RUN = 16 << 20;
const REMOTE_CONCURRENCY = 8;

function u32(b: Uint8Array, p: number): number {
  return (b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24)) >>> 0;
}

function refuseCompressed(path: string): void {
  if (compressionFromName(path) !== 'none') {
    throw new InputError('random access needs an uncompressed TFRecord file (this name says compressed)', path);
  }
}

/** The index from reading every record of `path` with both CRCs checked. */
async function scanRecords(path: string): Promise<TFRecordIndex> {
  const offsets: number[] = [];
  const lengths: number[] = [];
  let at = 0;
  for await (const chunk of chunksOf(readTFRecord(path, { compression: 'none' }))) {
    for (const payload of chunk) {
      offsets.push(at);
      lengths.push(payload.length + 16);
      at += payload.length + 16;
    }
  }
  return { offsets, lengths };
}

/**
 * Walk the headers of an open file: one 1 MiB read covers many small records, and a record
 * longer than the buffer is jumped over (its payload is never read). Checks length CRCs.
 */
async function scanHeaders(src: Positional): Promise<TFRecordIndex> {
  const { size, name: path } = src;
  const offsets: number[] = [];
  const lengths: number[] = [];
  const block = src.remote ? REMOTE_SCAN_BLOCK : SCAN_BLOCK;
  let at = 0; // next record header
  while (at < size) {
    const buf = await src.read(at, Math.min(block, size - at));
    const got = buf.length;
    if (got === 0) throw new DataLossError('truncated_header', path, offsets.length, at, 'the file shrank while being read');
    let p = 0;
    while (at < size) {
      if (got - p < 12) {
        if (size - at < 12) {
          throw new DataLossError('truncated_header', path, offsets.length, at, `${size - at} of 12 header bytes`);
        }
        break; // read the next buffer from this header
      }
      if (maskedCrc32c(buf, p, p + 8) !== u32(buf, p + 8)) {
        throw new DataLossError('length_crc_mismatch', path, offsets.length, at, 'corrupted record: the length CRC does not match');
      }
      const framed = u32(buf, p + 4) * 4294967296 + u32(buf, p) + 16;
      if (at + framed > size) {
        throw new DataLossError('truncated_data', path, offsets.length, at, truncatedDetail(u32(buf, p), u32(buf, p + 4), size - at - 12));
      }
      offsets.push(at);
      lengths.push(framed);
      at += framed;
      p += framed;
      if (p > got) break; // jumped past the buffer
    }
  }
  return { offsets, lengths };
}

/** Parse a PATH.idx text; undefined when it does not describe a file of `size` bytes. */
function parseIdx(text: string, size: number): TFRecordIndex | undefined {
  const offsets: number[] = [];
  const lengths: number[] = [];
  let expect = 0;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const [o, l] = line.trim().split(/\s+/).map(Number);
    if (o !== expect || !Number.isSafeInteger(l) || l! < 16) return undefined;
    offsets.push(o);
    lengths.push(l!);
    expect = o + l!;
  }
  return expect === size ? { offsets, lengths } : undefined;
}

/** The index in PATH.idx when that file is at least as new as PATH and consistent with its size. */
async function freshIdx(path: string, size: number, mtimeMs: number): Promise<TFRecordIndex | undefined> {
  const s = await statLocation(`${path}.idx`);
  if (s === undefined || s.mtimeMs < mtimeMs) return undefined;
  const text = await readText(`${path}.idx`);
  return text === undefined ? undefined : parseIdx(text, size);
}

/**
 * Scan `path` (a file or an `s3://` object) and (by default) save PATH.idx: a file written to a
 * temporary name and renamed, an object stored in one PutObject. The scan walks the record
 * headers (length CRCs checked, payloads jumped over); with `verify` every payload is read and
 * its CRC checked too, so a damaged record is an error rather than an index entry.
 *
 * @example
 * const { offsets } = await indexTFRecord('s3://my-bucket/prepared/loc_train.tfr');
 */
export async function indexTFRecord(path: string, options: { save?: boolean; verify?: boolean } = {}): Promise<TFRecordIndex> {
  refuseCompressed(path);
  let index: TFRecordIndex;
  if (options.verify === true) {
    index = await scanRecords(path);
  } else {
    const src = await openPositional(path);
    try {
      index = await scanHeaders(src);
    } finally {
      await src.close();
    }
  }
  if (options.save ?? true) {
    const lines = index.offsets.map((o, i) => `${o} ${index.lengths[i]}\n`).join('');
    if (isS3Url(path)) {
      await putObjectBytes(`${path}.idx`, new TextEncoder().encode(lines));
      return index;
    }
    const tmp = `${path}.idx.tmp-${process.pid}`;
    try {
      await writeFile(tmp, lines);
      await rename(tmp, `${path}.idx`);
    } catch (e) {
      await unlink(tmp).catch(() => {});
      throw e;
    }
  }
  return index;
}

class IndexedFile implements IndexedTFRecord {
  private readonly path: string;
  readonly byteLength: number;
  constructor(
    private readonly src: Positional,
    private readonly index: TFRecordIndex,
    private readonly verify: boolean,
  ) {
    this.path = src.name;
    this.byteLength = src.size;
  }

  get length(): number {
    return this.index.offsets.length;
  }

  private position(i: number): number {
    if (!Number.isInteger(i) || i < 0 || i >= this.length) {
      throw new InputError(`record ${i} is out of range (the file has ${this.length})`, this.path);
    }
    return i;
  }

  /** Check the framed record at buf[p..] (record i) and return its payload view. */
  private payload(buf: Uint8Array, p: number, i: number): Uint8Array {
    const offset = this.index.offsets[i]!;
    const framed = this.index.lengths[i]!;
    const n = framed - 16;
    if (maskedCrc32c(buf, p, p + 8) !== u32(buf, p + 8)) {
      throw new DataLossError('length_crc_mismatch', this.path, i, offset, 'corrupted record (or a stale index)');
    }
    if (u32(buf, p) !== n >>> 0 || u32(buf, p + 4) !== Math.floor(n / 4294967296)) {
      throw new InputError(`the index does not match record ${i} at offset ${offset}; rebuild ${this.path}.idx`, this.path);
    }
    if (this.verify && maskedCrc32c(buf, p + 12, p + 12 + n) !== u32(buf, p + 12 + n)) {
      throw new DataLossError('data_crc_mismatch', this.path, i, offset, 'corrupted record: the data CRC does not match');
    }
    return buf.subarray(p + 12, p + 12 + n);
  }

  private async readSpan(start: number, end: number): Promise<Uint8Array> {
    const buf = await this.src.read(start, end - start);
    if (buf.length < end - start) {
      throw new DataLossError('truncated_data', this.path, -1, start, 'the file is shorter than its index says');
    }
    return buf;
  }

  async get(i: number): Promise<Uint8Array> {
    this.position(i);
    const offset = this.index.offsets[i]!;
    const buf = await this.readSpan(offset, offset + this.index.lengths[i]!);
    return this.payload(buf, 0, i);
  }

  async getMany(indices: ArrayLike<number>): Promise<Uint8Array[]> {
    const n = indices.length;
    const order = new Array<number>(n);
    for (let k = 0; k < n; k++) {
      this.position(indices[k]!);
      order[k] = k;
    }
    const { offsets, lengths } = this.index;
    order.sort((a, b) => offsets[indices[a]!]! - offsets[indices[b]!]!);
    const gap = this.src.remote ? REMOTE_GAP : COALESCE_GAP;
    const maxRun = this.src.remote ? REMOTE_RUN : MAX_RUN;
    // Runs of requests whose records are close together in the file.
    const runs: { start: number; end: number; from: number; to: number }[] = [];
    for (let k = 0; k < n; ) {
      const first = indices[order[k]!]!;
      const start = offsets[first]!;
      let end = start + lengths[first]!;
      let j = k + 1;
      for (; j < n; j++) {
        const r = indices[order[j]!]!;
        const o = offsets[r]!;
        const e = Math.max(end, o + lengths[r]!);
        if (o - end > gap || e - start > maxRun) break;
        end = e;
      }
      runs.push({ start, end, from: k, to: j });
      k = j;
    }
    const out = new Array<Uint8Array>(n);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < runs.length) {
        const run = runs[next++]!;
        const buf = await this.readSpan(run.start, run.end);
        for (let k = run.from; k < run.to; k++) {
          const i = indices[order[k]!]!;
          out[order[k]!] = this.payload(buf, offsets[i]! - run.start, i);
        }
      }
    };
    const concurrency = this.src.remote ? REMOTE_CONCURRENCY : READ_CONCURRENCY;
    await Promise.all(Array.from({ length: Math.min(concurrency, runs.length) }, worker));
    return out;
  }

  async close(): Promise<void> {
    await this.src.close();
  }
}

/**
 * Indexes found by earlier opens, by path, each with the size and mtime of the file it indexes.
 * A reader that reopens the same files every epoch (the shuffle fallback) keeps one, so that
 * only the first open scans the headers or reads PATH.idx.
 */
export type TFRecordIndexCache = Map<string, { size: number; mtimeMs: number; index: TFRecordIndex }>;

/** Options of openTFRecordIndexed: payload CRC checks (default true) and an index cache. */
export interface OpenIndexedOptions {
  verify?: boolean;
  /** Reuse an index found earlier for this path while the file's size and mtime are unchanged. */
  cache?: TFRecordIndexCache;
}

/**
 * Open an uncompressed TFRecord file (or `s3://` object) for reads by record number. Uses
 * PATH.idx when it is fresh (not older than the file and consistent with its size), else scans
 * the headers (without saving).
 *
 * @example
 * const f = await openTFRecordIndexed('s3://my-bucket/prepared/loc_train.tfr');
 * const [first, tenth] = await f.getMany([0, 9]);
 * await f.close();
 */
export async function openTFRecordIndexed(path: string, options: OpenIndexedOptions = {}): Promise<IndexedTFRecord> {
  refuseCompressed(path);
  const src = await openPositional(path);
  try {
    const known = options.cache?.get(path);
    let index: TFRecordIndex;
    if (known !== undefined && known.size === src.size && known.mtimeMs === src.mtimeMs) index = known.index;
    else {
      index = (await freshIdx(path, src.size, src.mtimeMs)) ?? (await scanHeaders(src));
      options.cache?.set(path, { size: src.size, mtimeMs: src.mtimeMs, index });
    }
    return new IndexedFile(src, index, options.verify ?? true);
  } catch (e) {
    await src.close();
    throw e;
  }
}

/** The payload of record i (0-based) of an uncompressed TFRecord file. */
export async function readRecordAt(path: string, i: number): Promise<Uint8Array> {
  const f = await openTFRecordIndexed(path);
  try {
    return await f.get(i);
  } finally {
    await f.close();
  }
}
