// TFRecord reading: `readTFRecord(source, options)` streams the payloads of one or more TFRecord
// inputs. Record framing: uint64 LE length · uint32 LE masked CRC-32C(length bytes) · payload ·
// uint32 LE masked CRC-32C(payload).
//
// Speed: each block (1 MiB for files) is framed and checked in one call of the wasm kernel,
// which yields zero-copy payload views delivered through the chunk protocol (one await per
// block, not per record). Only a record that straddles two blocks, or a damaged one, takes the
// slow path through ByteReader.read(n), which copies it once. Uncompressed files of 2 MiB or
// more are read, framed and checked on a worker thread (tfrecord-worker.ts) up to the first
// damage, from where this path takes over.

import { blockSource, ByteReader, isByteInput, type BlockSource, type ByteInput } from './byte-source.js';
import { CHUNKS, type Chunked } from './chunks.js';
import { loadBlock, maskedCrc32c, maskedCrc32cOfLoaded, scanRecords } from './crc32c.js';
import { fileWorker } from './tfrecord-worker.js';
import { stat } from 'node:fs/promises';
import { constants as bufferConstants } from 'node:buffer';
import { compressionFromName, decompressBlocks, DecompressionFailure, type Compression } from './decompress.js';
import { DataLossError, InputError, type DataLossKind } from './errors.js';

export interface TFRecordReadOptions {
  /** Default per path from its name (`.gz` gzip, `.zz`/`.zlib` zlib, else none); none for other sources. */
  compression?: Compression;
  /**
   * Check the payload CRC of every record (default true). The 4-byte length CRC is always
   * checked: it costs nothing and is what stops a garbage length from being trusted.
   */
  verify?: boolean;
  /** 'throw' (default) raises DataLossError; 'skip' drops the damage, resynchronizes and goes on. */
  onCorrupt?: 'throw' | 'skip';
  /**
   * Read, frame and check uncompressed files of 2 MiB or more on a background thread, so that
   * this thread only hands out the payloads (default true). Damage is still reported by this
   * thread, identically: the worker stops short of it and the reader takes over there.
   */
  worker?: boolean;
  signal?: AbortSignal;
  /** Called once per skipped region in 'skip' mode. */
  onSkip?: (info: SkipInfo) => void;
}

export interface SkipInfo {
  kind: DataLossKind;
  file: string | undefined;
  /** Index the damaged record had (records before it in this file, good or skipped). */
  recordIndex: number;
  /** Offset in the uncompressed stream where the damage starts. */
  offset: number;
  /** Bytes of the uncompressed stream dropped. */
  bytes: number;
  error: DataLossError;
}

export interface TFRecordStream extends Chunked<Uint8Array> {
  /** Regions skipped so far by the current (or last) iteration in 'skip' mode. */
  readonly skipped: number;
}

/** TensorFlow's "length" is a uint64; beyond 2^53 it cannot be a real record in memory. */
const MAX_HI = 0x200000;

function u32(b: Uint8Array, p: number): number {
  return (b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24)) >>> 0;
}

interface FileState {
  file: string | undefined;
  verify: boolean;
  skip: boolean;
  onSkip: ((info: SkipInfo) => void) | undefined;
  /** Records seen in this file (delivered or dropped with a known extent). */
  index: number;
  /** Skipped regions, summed over all inputs of this iteration. */
  counter: { skipped: number };
}

type SlowResult = Uint8Array | 'end' | 'skipped';

/**
 * Frame every complete record of `block[pos..]` into `out`, checking only the length CRCs;
 * returns where framing stopped: the block's end, a straddling record, or a damaged header
 * (left for the slow path). The JS twin of the wasm kernel's scan (`scanRecords`).
 */
function frameBlock(block: Uint8Array, pos: number, out: Uint8Array[], st: FileState): number {
  const n = block.length;
  while (n - pos >= 12) {
    if (maskedCrc32c(block, pos, pos + 8) !== u32(block, pos + 8)) break;
    const hi = u32(block, pos + 4);
    if (hi >= MAX_HI) break;
    const start = pos + 12;
    const end = start + hi * 4294967296 + u32(block, pos);
    if (end + 4 > n) break;
    out.push(block.subarray(start, end));
    pos = end + 4;
    st.index++;
  }
  return pos;
}

/** Indices of the records in `records` (views of `block`, each followed by its CRC) whose payload CRC is wrong. */
function badPayloads(block: Uint8Array, records: Uint8Array[]): number[] {
  // With the wasm kernel the block is copied into its memory once, not once per record.
  loadBlock(block);
  const bad: number[] = [];
  for (let j = 0; j < records.length; j++) {
    const r = records[j]!;
    const start = r.byteOffset - block.byteOffset;
    const end = start + r.length;
    if (maskedCrc32cOfLoaded(block, start, end) !== u32(block, end)) bad.push(j);
  }
  return bad;
}

/** Records framed from one block, with the indices of those whose payload CRC is wrong. */
interface Framed {
  records: Uint8Array[];
  bad: number[];
  block: Uint8Array;
  /** Stream offset of block[0]; index of records[0]. */
  blockOffset: number;
  firstIndex: number;
}

function report(st: FileState, error: DataLossError, bytes: number): void {
  st.counter.skipped++;
  st.onSkip?.({ kind: error.kind, file: st.file, recordIndex: error.recordIndex, offset: error.offset, bytes, error });
}

/**
 * Scan forward from `from` (the byte after a bad header's first byte) for the next position whose
 * 8 length bytes match the CRC after them; leaves the reader there. Returns the bytes dropped.
 */
async function resync(r: ByteReader, from: Uint8Array): Promise<number> {
  let carry = from;
  let dropped = 1; // the first byte of the bad header
  for (;;) {
    const b = await r.readBlock();
    const win = b ? concat(carry, b) : carry;
    const last = win.length - 12;
    for (let p = 0; p <= last; p++) {
      if (maskedCrc32c(win, p, p + 8) === u32(win, p + 8) && u32(win, p + 4) < MAX_HI) {
        r.unread(win.subarray(p));
        return dropped + p;
      }
    }
    if (!b) return dropped + win.length;
    const keep = Math.min(11, win.length);
    dropped += win.length - keep;
    carry = win.subarray(win.length - keep);
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** One record through exact reads: straddling records and every kind of damage end up here. */
async function slowRecord(r: ByteReader, st: FileState): Promise<SlowResult> {
  const offset = r.offset;
  const fail = (kind: DataLossKind, detail: string): DataLossError =>
    new DataLossError(kind, st.file, st.index, offset, detail);

  const head = await r.read(12);
  if (head.length === 0) return 'end';
  if (head.length < 12) {
    const e = fail('truncated_header', `${head.length} of 12 header bytes`);
    if (!st.skip) throw e;
    report(st, e, head.length);
    return 'end';
  }
  if (maskedCrc32c(head, 0, 8) !== u32(head, 8)) {
    const e = fail('length_crc_mismatch', 'corrupted record: the length CRC does not match');
    if (!st.skip) throw e;
    const dropped = await resync(r, head.subarray(1));
    report(st, e, dropped);
    return 'skipped';
  }
  const length = u32(head, 4) * 4294967296 + u32(head, 0);
  const need = length + 4;
  // A claim beyond what a sized source still holds is truncation, decided before any allocation;
  // a claim no buffer can hold is drained without keeping the bytes.
  const left = r.remaining();
  let body: Uint8Array | undefined;
  let got: number;
  if ((left !== undefined && need > left) || need > bufferConstants.MAX_LENGTH) {
    got = await r.skip(left ?? need);
  } else {
    body = await r.read(need);
    got = body.length;
  }
  if (got < need || !body) {
    const e = got < need
      ? fail('truncated_data', `truncated record: the length says ${length} payload bytes but only ${Math.max(0, got - 4)} follow`)
      : fail('truncated_data', `record of ${length} bytes exceeds the buffer limit`);
    if (!st.skip) throw e;
    report(st, e, 12 + got);
    return 'end';
  }
  const bytes = body;
  st.index++;
  if (st.verify && maskedCrc32c(bytes, 0, length) !== u32(bytes, length)) {
    const e = new DataLossError('data_crc_mismatch', st.file, st.index - 1, offset, 'corrupted record: the data CRC does not match');
    if (!st.skip) throw e;
    report(st, e, 16 + length);
    return 'skipped';
  }
  return bytes.subarray(0, length);
}

/** Deliver a block's records: the good ones, and in order, each bad payload's error or skip report. */
async function* deliver(f: Framed, st: FileState): AsyncGenerator<Uint8Array[], void, undefined> {
  let from = 0;
  for (const j of f.bad) {
    // The records before a bad one go out first, so onSkip (and a throw) come after them.
    if (j > from) yield f.records.slice(from, j);
    from = j + 1;
    const r = f.records[j]!;
    const offset = f.blockOffset + (r.byteOffset - f.block.byteOffset) - 12;
    const e = new DataLossError('data_crc_mismatch', st.file, f.firstIndex + j, offset, 'corrupted record: the data CRC does not match');
    if (!st.skip) throw e;
    report(st, e, 16 + r.length);
  }
  if (from === 0) yield f.records;
  else if (from < f.records.length) yield f.records.slice(from);
}

/**
 * Frame one uncompressed byte stream, yielding arrays of payloads: each block is framed and
 * checked in one synchronous pass; only a record that straddles two blocks, or a damaged one,
 * takes the slow path through ByteReader.read(n), after the block's records are delivered.
 */
async function* frameStream(r: ByteReader, st: FileState): AsyncGenerator<Uint8Array[], void, undefined> {
  for (;;) {
    const block = await r.readBlock();
    if (!block) return;
    const f: Framed = { records: [], bad: [], block, blockOffset: r.offset - block.length, firstIndex: st.index };
    // The wasm kernel frames the block and checks every CRC in one call.
    let pos = st.verify ? scanRecords(block, true, f.records, f.bad) : -1;
    if (pos >= 0) st.index += f.records.length;
    else {
      pos = frameBlock(block, 0, f.records, st);
      if (st.verify && f.records.length > 0) f.bad = badPayloads(block, f.records);
    }
    if (f.records.length > 0) yield* deliver(f, st);
    if (pos < block.length) {
      r.unread(block.subarray(pos));
      const rec = await slowRecord(r, st);
      if (rec === 'end') return;
      if (rec !== 'skipped') yield [rec];
    }
  }
}

/** Frame one input, mapping zlib failures to DataLossError('decompression_error'). */
async function* readOne(
  input: ByteInput,
  file: string | undefined,
  compression: Compression,
  options: TFRecordReadOptions,
  counter: { skipped: number },
): AsyncGenerator<Uint8Array[], void, undefined> {
  const signal = options.signal;
  const st: FileState = {
    file,
    verify: options.verify ?? true,
    skip: options.onCorrupt === 'skip',
    onSkip: options.onSkip,
    index: 0,
    counter,
  };
  // Large plain files: the worker reads, frames and checks; this thread goes on where it stops.
  let start = 0;
  const worker = typeof input === 'string' && compression === 'none' && (options.worker ?? true) ? await workerFor(input) : null;
  if (worker) {
    for await (const ev of worker.read(input as string, st.verify, signal)) {
      if (ev.kind === 'records') {
        st.index = ev.index + ev.records.length;
        yield ev.records;
      } else if (ev.kind === 'end') return;
      else {
        start = ev.offset;
        st.index = ev.index;
      }
    }
  }
  let src: BlockSource = blockSource(input, { signal, start });
  if (compression === 'gzip' || compression === 'zlib') src = decompressBlocks(src, compression);
  const r = new ByteReader(src, signal);
  r.offset = start;
  try {
    yield* frameStream(r, st);
  } catch (e) {
    if (e instanceof DecompressionFailure) {
      const err = new DataLossError('decompression_error', file, st.index, r.offset, e.message, { cause: e });
      if (!st.skip) throw err;
      report(st, err, 0);
      return;
    }
    throw e;
  } finally {
    await r.close();
  }
}

/** Files at least this large go through the worker (smaller ones are not worth a thread). */
const WORKER_MIN_BYTES = 2 << 20;

async function workerFor(path: string): Promise<ReturnType<typeof fileWorker>> {
  try {
    if ((await stat(path)).size < WORKER_MIN_BYTES) return null;
  } catch {
    return null; // the reader's own open reports what is wrong with the path
  }
  return fileWorker();
}

function isPathList(x: unknown): x is string[] {
  return Array.isArray(x) && x.every((p) => typeof p === 'string');
}

/**
 * Stream the payloads of TFRecord input(s). Payloads stay valid forever: they are views into
 * blocks that are never reused (or into the caller's Uint8Array / stream chunks, which the
 * caller's source must not overwrite afterwards, as Node streams never do). Breaking out of the
 * loop closes the file before `return()` resolves.
 */
export function readTFRecord(
  source: ByteInput | string[],
  options: TFRecordReadOptions = {},
): TFRecordStream {
  if (options.onCorrupt !== undefined && options.onCorrupt !== 'throw' && options.onCorrupt !== 'skip') {
    throw new InputError(`unknown onCorrupt ${JSON.stringify(options.onCorrupt)} (expected throw or skip)`);
  }
  const inputs: { input: ByteInput; file: string | undefined; compression: Compression }[] = [];
  const list: ByteInput[] = isPathList(source) ? source : [source as ByteInput];
  for (const input of list) {
    if (!isByteInput(input)) {
      throw new InputError(
        'unsupported TFRecord source: expected a path, paths, a Uint8Array, a Node Readable, a web ReadableStream or an AsyncIterable<Uint8Array>',
      );
    }
    const file = typeof input === 'string' ? input : undefined;
    const compression = options.compression ?? (file !== undefined ? compressionFromName(file) : 'none');
    if (compression !== 'none' && compression !== 'gzip' && compression !== 'zlib') {
      throw new InputError(`unknown compression ${JSON.stringify(compression)} (expected none, gzip or zlib)`, file);
    }
    inputs.push({ input, file, compression });
  }
  const oneShot = list.some((x) => typeof x !== 'string' && !(x instanceof Uint8Array));
  let started = false;
  let counter = { skipped: 0 };

  async function* chunks(): AsyncGenerator<Uint8Array[], void, undefined> {
    if (oneShot && started) throw new InputError('this TFRecord stream reads a one-shot source and was already iterated');
    started = true;
    counter = { skipped: 0 };
    const c = counter;
    for (const { input, file, compression } of inputs) {
      options.signal?.throwIfAborted();
      yield* readOne(input, file, compression, options, c);
    }
  }

  return {
    [CHUNKS]: chunks,
    [Symbol.asyncIterator]: () => flatten(chunks()),
    get skipped(): number {
      return counter.skipped;
    },
  };
}

const DONE: IteratorResult<Uint8Array> = Object.freeze({ done: true, value: undefined });

/**
 * Per-record iteration over chunks. Like chunks.ts's fromChunks, but `next()` is a plain function
 * that hands out a record of the current chunk without entering an async function (measured
 * ~10–30% less overhead per record); only crossing into the next chunk awaits.
 */
function flatten(it: AsyncIterator<Uint8Array[]>): AsyncIterator<Uint8Array> {
  let chunk: Uint8Array[] = [];
  let i = 0;
  let finished = false;
  const pull = async (): Promise<IteratorResult<Uint8Array>> => {
    while (i >= chunk.length) {
      if (finished) return DONE;
      const r = await it.next();
      if (r.done) {
        finished = true;
        chunk = [];
        return DONE;
      }
      chunk = r.value;
      i = 0;
    }
    return { done: false, value: chunk[i++]! };
  };
  return {
    next: () => (i < chunk.length ? Promise.resolve({ done: false, value: chunk[i++]! }) : pull()),
    async return(): Promise<IteratorResult<Uint8Array>> {
      if (!finished) {
        finished = true;
        chunk = [];
        await it.return?.();
      }
      return DONE;
    },
  };
}
