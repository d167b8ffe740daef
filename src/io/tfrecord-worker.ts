// A background thread that reads, frames and checks TFRecord files for the reader: plain files
// (tfrecord-worker-plain.ts) and GZIP/ZLIB files, which it also inflates (tfrecord-worker-inflate.ts).
//
// Why: on two cores, reading is CPU-bound on the payload CRC (about half the cost of read+decode
// for small records, nearly all of it for large ones), and for compressed files on inflate and
// on handling zlib's output. The worker reads (and inflates) each block of the file into fresh
// memory, frames it and checks both CRCs of every record with the wasm kernels (one call per
// block), then transfers the block (zero-copy) with the records' (start, length) pairs. The
// reader's thread only makes the payload views, so it is free for the consumer's work, and files
// read at once (numParallelReads) spread over the cores. For large records in plain files the
// reader's thread has nothing else to do, so the two threads share their CRC: the worker runs it
// over the first SHARE of each payload, the reader continues from that state. Payloads are views
// of the very bytes the worker checked, in plain (unshared) ArrayBuffers.
//
// The worker handles only the clean case. At the first thing it cannot frame as a good record
// (a bad CRC, a bad or truncated header, the end of a cut file, a read error, a zlib error, a
// record over MAX_RECORD) it stops and tells the reader where: the reader goes on from that
// (decompressed) byte offset and record index with its own machinery, which raises or skips
// exactly as it always does.

import { Worker } from 'node:worker_threads';
import { crc32c, crc32cUpdate, crcKernelForWorker, maskCrc } from './crc32c.js';
import { u32 } from './tfrecord-frame.js';
import { PLAIN_SOURCE } from './tfrecord-worker-plain.js';
import { INFLATE_SOURCE } from './tfrecord-worker-inflate.js';
import { OUT_CHUNK } from './decompress.js';
import type { Compression } from './compression.js';

/** Bytes read per block (the tail of a straddling record is carried into the next). */
const BLOCK = 1 << 20;
/** Records larger than this are left to the reader's own path (which grows its blocks). */
const MAX_RECORD = 64 << 20;
/** The worker's share of each large payload's CRC (it also reads; the reader only checks). */
const SHARE = 0.25;
/** Blocks a stream may have in flight to the reader before the worker waits for it. */
const CREDIT = 3;
/** Compressed files: bytes read per block, and per write into zlib (fewer round trips to the pool). */
const IN_BLOCK = 1 << 20;
const IN_SLICE = 256 << 10;
/** Compressed files: decompressed bytes gathered before a framing pass (and a transfer). */
const MIN_BLOCK = 256 << 10;
/**
 * Decompressed bytes that must follow a block's last record before it is delivered (unless zlib
 * ended cleanly): more than the reader's own path can lose to a failing zlib call.
 */
const MARGIN = OUT_CHUNK + (64 << 10);

// Plain JS run with `eval: true` (no loader needed in the worker).
const WORKER_SOURCE = PLAIN_SOURCE + INFLATE_SOURCE + `
parentPort.on('message', (m) => {
  if (m.open) {
    const s = { id: m.id, path: m.path, verify: m.verify, compression: m.compression, credit: d.credit, closed: false, wake: null };
    streams.set(m.id, s);
    if (s.compression === 'none') run(s);
    else runInflate(s);
    return;
  }
  const s = streams.get(m.id);
  if (!s) return;
  if (m.credit) s.credit += m.credit;
  if (m.close) s.closed = true;
  if (s.wake) { const w = s.wake; s.wake = null; w(); }
});
`;

/** What the worker sends for one stream, in order. */
export type WorkerEvent =
  | { kind: 'records'; records: Uint8Array[]; offset: number; index: number }
  /** The worker stopped cleanly at `offset` (record `index`): the reader takes over from there. */
  | { kind: 'stop'; offset: number; index: number }
  | { kind: 'end'; index: number };

interface Message {
  id: number;
  buffer?: ArrayBuffer;
  ranges?: Int32Array;
  offset?: number;
  index?: number;
  /** Records (from the first) whose payload CRC the worker checked. */
  verified?: number;
  /**
   * For each record from `verified` on: how many leading payload bytes the worker has run the
   * CRC over, and that CRC, which the reader continues over the rest.
   */
  heads?: Int32Array | null;
  stop?: boolean;
  end?: boolean;
  closed?: boolean;
}

interface StreamState {
  queue: Message[];
  wake: (() => void) | null;
  closed: Promise<void>;
  markClosed: () => void;
}

class FileWorker {
  private readonly worker: Worker;
  private readonly streams = new Map<number, StreamState>();
  private nextId = 1;
  private broken = false;
  /** Awaits of worker answers in progress (the worker is ref'd while there are any). */
  private waiting = 0;
  /** Records delivered through the worker so far (for tests and benchmarks). */
  delivered = 0;

  /** Streams this worker is reading now. */
  get reading(): number {
    return this.streams.size;
  }

  constructor(kernel: NonNullable<ReturnType<typeof crcKernelForWorker>>) {
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      execArgv: [], // plain JS: none of the parent's loaders (tsx) needed, so a faster start and less memory
      workerData: { ...kernel, share: SHARE, block: BLOCK, maxRecord: MAX_RECORD, maxRecords: BLOCK / 16, credit: CREDIT,
        inBlock: IN_BLOCK, inSlice: IN_SLICE, outChunk: OUT_CHUNK, minBlock: MIN_BLOCK, margin: MARGIN },
    });
    this.worker.on('message', (m: Message) => {
      const s = this.streams.get(m.id);
      if (!s) return;
      if (m.closed) {
        this.streams.delete(m.id);
        s.markClosed();
      } else s.queue.push(m);
      const wake = s.wake;
      s.wake = null;
      wake?.();
    });
    const fail = (): void => {
      this.broken = true;
      for (const s of this.streams.values()) {
        s.markClosed();
        s.wake?.();
      }
    };
    this.worker.on('error', fail);
    this.worker.on('exit', fail);
    this.worker.unref(); // after the listeners: adding one refs the port again
  }

  /**
   * Await an answer of the worker, keeping the process alive meanwhile (the worker is unref'd
   * otherwise: an iterator left unfinished must not keep a process from exiting).
   */
  private async awaiting(answer: Promise<void>): Promise<void> {
    if (this.waiting++ === 0) this.worker.ref();
    try {
      await answer;
    } finally {
      if (--this.waiting === 0) this.worker.unref();
    }
  }

  /**
   * Read `path` on the worker: yields its events; stopping early (break, throw) closes the
   * worker's descriptor before the generator returns. If the worker dies, the stream stops at
   * the last delivered offset (a 'stop' event), so the reader goes on by itself.
   */
  async *read(path: string, verify: boolean, signal: AbortSignal | undefined, compression: Compression = 'none'): AsyncGenerator<WorkerEvent, void, undefined> {
    const id = this.nextId++;
    let markClosed: () => void = () => {};
    const closed = new Promise<void>((resolve) => (markClosed = resolve));
    const s: StreamState = { queue: [], wake: null, closed, markClosed };
    this.streams.set(id, s);
    this.worker.postMessage({ open: true, id, path, verify, compression });
    let offset = 0;
    let index = 0;
    let finished = false;
    const onAbort = (): void => {
      const wake = s.wake;
      s.wake = null;
      wake?.();
    };
    signal?.addEventListener('abort', onAbort);
    try {
      for (;;) {
        signal?.throwIfAborted();
        const m = s.queue.shift();
        if (!m) {
          if (this.broken) {
            yield { kind: 'stop', offset, index };
            return;
          }
          await this.awaiting(new Promise<void>((resolve) => (s.wake = resolve)));
          continue;
        }
        if (m.buffer && m.ranges) {
          this.worker.postMessage({ id, credit: 1 });
          const r = m.ranges;
          const bytes = new Uint8Array(m.buffer);
          let records: Uint8Array[] = new Array<Uint8Array>(r.length >> 1);
          for (let j = 0; j < records.length; j++) records[j] = bytes.subarray(r[2 * j]!, r[2 * j] + r[2 * j + 1]!);
          // The worker leaves the payload CRCs of large records from `verified` on to this thread.
          let bad = -1;
          const heads = m.heads;
          for (let j = m.verified!; j < records.length && bad < 0; j++) {
            const p = records[j]!;
            const h = 2 * (j - m.verified!);
            const crc = heads ? crc32cUpdate(heads[h + 1]! >>> 0, p, heads[h]!) : crc32c(p);
            if (maskCrc(crc) !== u32(bytes, p.byteOffset + p.length)) bad = j;
          }
          if (bad >= 0) records = records.slice(0, bad);
          if (records.length > 0) {
            const last = records[records.length - 1]!;
            offset = m.offset! + last.byteOffset + last.length + 4;
            index = m.index! + records.length;
            this.delivered += records.length;
            yield { kind: 'records', records, offset: m.offset!, index: m.index! };
          }
          if (bad >= 0) {
            // The reader reports it from here, by itself.
            finished = false;
            yield { kind: 'stop', offset: m.offset! + r[2 * bad]! - 12, index: m.index! + bad };
            return;
          }
        } else if (m.stop) {
          finished = true;
          yield { kind: 'stop', offset: m.offset!, index: m.index! };
          return;
        } else if (m.end) {
          finished = true;
          yield { kind: 'end', index: m.index! };
          return;
        }
      }
    } finally {
      signal?.removeEventListener('abort', onAbort);
      if (!finished && !this.broken) this.worker.postMessage({ id, close: true });
      if (!this.broken) await this.awaiting(s.closed);
      this.streams.delete(id);
    }
  }
}

let instance: FileWorker | null | undefined;

/**
 * The process-wide file worker, started on the first call. Null when unavailable (no wasm, no
 * worker threads) or disabled with RECORDFLOW_READ_WORKER=0.
 */
export function fileWorker(): FileWorker | null {
  if (instance !== undefined) return instance;
  instance = null;
  if (process.env['RECORDFLOW_READ_WORKER'] === '0') return instance;
  const kernel = crcKernelForWorker();
  if (!kernel) return instance;
  try {
    instance = new FileWorker(kernel);
  } catch {
    instance = null;
  }
  return instance;
}

/** Workers besides the process-wide one, started as compressed streams need them. */
const extra: FileWorker[] = [];
/** At most this many workers inflate at once (each is a thread with its own heap). */
const INFLATE_WORKERS = 2;

/**
 * A worker for one more compressed stream: the least busy one, a new one while all are busy
 * and fewer than INFLATE_WORKERS run (inflating streams keep a worker's thread busy with zlib's
 * callbacks and framing, so streams read at once should not queue behind one thread).
 */
export function inflateWorker(): FileWorker | null {
  const first = fileWorker();
  if (!first) return first;
  let best = first;
  for (const w of extra) if (w.reading < best.reading) best = w;
  if (best.reading > 0 && extra.length + 1 < INFLATE_WORKERS) {
    try {
      best = new FileWorker(crcKernelForWorker()!);
      extra.push(best);
    } catch {
      // Fewer threads then: the ones running take the stream.
    }
  }
  return best;
}

/** Records delivered through the file workers so far (for tests and benchmarks). */
export function deliveredByWorkers(): number {
  return (instance?.delivered ?? 0) + extra.reduce((n, w) => n + w.delivered, 0);
}

export type { FileWorker };
