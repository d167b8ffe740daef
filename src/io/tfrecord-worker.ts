// A background thread that reads, frames and checks uncompressed TFRecord files for the reader.
//
// Why: on two cores, reading is CPU-bound on the payload CRC (about half the cost of read+decode
// for small records, nearly all of it for large ones). The worker reads each block of the file
// into fresh memory, frames it and checks both CRCs of every record with the wasm kernels (one
// call per block), then transfers the block (zero-copy) with the records' (start, length) pairs.
// The reader's thread only makes the payload views, so it is free for the consumer's work. For
// large records the reader's thread has nothing else to do, so the two threads share their CRC:
// the worker runs it over the first SHARE of each payload, the reader continues from that state.
// Payloads are views of the very bytes the worker checked, in plain (unshared) ArrayBuffers.
//
// The worker handles only the clean case. At the first thing it cannot frame as a good record
// (a bad CRC, a bad or truncated header, the end of a cut file, a read error, a record over
// MAX_RECORD) it stops and tells the reader where: the reader goes on from that byte offset and
// record index with its own machinery, which raises or skips exactly as it always does.

import { Worker } from 'node:worker_threads';
import { crc32c, crc32cUpdate, crcKernelForWorker, maskCrc } from './crc32c.js';
import { u32 } from './tfrecord-frame.js';

/** Bytes read per block (the tail of a straddling record is carried into the next). */
const BLOCK = 1 << 20;
/** Records larger than this are left to the reader's own path (which grows its blocks). */
const MAX_RECORD = 64 << 20;
/** The worker's share of each large payload's CRC (it also reads; the reader only checks). */
const SHARE = 0.25;
/** Blocks a stream may have in flight to the reader before the worker waits for it. */
const CREDIT = 3;

// Plain JS run with `eval: true` (no loader needed in the worker).
const WORKER_SOURCE = `
const { parentPort, workerData: d } = require('node:worker_threads');
const { open } = require('node:fs/promises');
const k = new WebAssembly.Instance(d.module).exports;
new Int32Array(k.memory.buffer, 0, 4096).set(d.tables);
const OUT = d.framesAt;
const AT = d.freeAt;
let mem = new Uint8Array(k.memory.buffer);
function room(n) {
  const need = AT + n - k.memory.buffer.byteLength;
  if (need > 0) k.memory.grow(Math.ceil(need / 65536));
  mem = new Uint8Array(k.memory.buffer);
}
room(16);
// The first part of a large payload's CRC is computed here, the rest by the reader's thread from
// that state on, so the two threads share the work (the reader's share is all its work).
function head(buf, start, len, heads = []) {
  const n = Math.floor(len * d.share) & ~15;
  let c = 0;
  if (n > 0) {
    room(n);
    mem.set(buf.subarray(start, start + n), AT);
    c = k.crc(AT, n, 0);
  }
  heads.push(n, c);
  return heads;
}
function u32(b, p) { return (b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24)) >>> 0; }
function masked(x) { return ((((x >>> 15) | (x << 17)) >>> 0) + 0xa282ead8) >>> 0; }
const streams = new Map();

function concat(a, b) {
  const out = new Uint8Array(new ArrayBuffer(a.length + b.length));
  out.set(a);
  out.set(b, a.length);
  return out;
}
/** The framed length (header to CRC) the header at h[p] claims; -1 if bad or too large. */
function claim(h, p) {
  mem.set(h.subarray(p, p + 8), AT);
  if (masked(k.crc(AT, 8, 0) >>> 0) !== u32(h, p + 8) || u32(h, p + 4) !== 0) return -1;
  const n = u32(h, p) + 16;
  return n <= d.maxRecord ? n : -1;
}

async function run(s) {
  let fh;
  let ahead = null; // the read of the next raw block, in flight
  let offset = 0; // stream offset of the first byte not yet delivered
  let index = 0;
  const stop = (why) => parentPort.postMessage({ id: s.id, stop: true, offset, index, why });
  const post = async (buffer, ranges, at, verified, heads) => {
    s.credit--;
    const count = ranges.length >> 1; // read before the transfer empties it
    const h = heads ? new Int32Array(heads) : null;
    parentPort.postMessage({ id: s.id, buffer, ranges, offset: at, index, verified, heads: h }, h ? [buffer, ranges.buffer, h.buffer] : [buffer, ranges.buffer]);
    index += count;
    while (s.credit <= 0 && !s.closed) await new Promise((r) => (s.wake = r));
  };
  try {
    fh = await open(s.path, 'r');
    const size = (await fh.stat()).size;
    let pos = 0; // file position of the next raw read
    let bsize = d.block;
    const readRaw = () => {
      const n = Math.min(bsize, size - pos);
      if (n <= 0) return null;
      const at = pos;
      pos += n;
      const buf = new Uint8Array(new ArrayBuffer(n));
      return (async () => {
        let got = 0;
        while (got < n) {
          const { bytesRead } = await fh.read(buf, got, n - got, at + got);
          if (bytesRead === 0) return null;
          got += bytesRead;
        }
        return buf;
      })();
    };
    // One raw block is read ahead (on libuv's pool) while this one is framed and checked.
    ahead = readRaw();
    let carry = null; // copy of a record begun in earlier blocks
    let need = 0; // its framed length once its header is complete
    for (;;) {
      if (s.closed) break;
      if (!ahead) {
        if (carry) stop('truncated');
        else parentPort.postMessage({ id: s.id, end: true, index });
        break;
      }
      const raw = await ahead;
      if (!raw) { stop('the file shrank'); break; }
      const rawAt = pos - raw.length; // stream offset of raw[0]
      ahead = readRaw();
      let from = 0;
      if (carry) {
        if (need === 0) {
          const h = concat(carry, raw.subarray(0, Math.min(raw.length, 12 - carry.length)));
          from = h.length - carry.length;
          carry = h;
          if (h.length < 12) continue;
          need = claim(h, 0);
          if (need < 0) { stop('header'); break; }
        }
        const take = Math.min(raw.length - from, need - carry.length);
        carry = concat(carry, raw.subarray(from, from + take));
        from += take;
        if (carry.length < need) continue;
        // A large record completed from pieces: the reader's thread finishes its payload check.
        const at = offset;
        offset += need;
        const rec = carry;
        carry = null;
        need = 0;
        await post(rec.buffer, new Int32Array([12, rec.length - 16]), at, s.verify ? 0 : 1, s.verify ? head(rec, 12, rec.length - 16) : null);
        if (s.closed) break;
      }
      const len = raw.length - from;
      const ranges = [];
      const heads = [];
      let at = 0; // relative to raw[from]
      let bad = false;
      // Large records (blocks grown for them): framed here from their headers alone, the CRC of
      // their payloads shared with the reader's thread. Small records: the whole block goes
      // through the kernel's scan.
      const split = bsize > d.block;
      if (split) {
        while (len - at >= 16) {
          const n = claim(raw, from + at);
          if (n < 0 || at + n > len) break;
          ranges.push(from + at + 12, n - 16);
          if (s.verify) head(raw, from + at + 12, n - 16, heads);
          at += n;
        }
      } else {
        room(len);
        mem.set(raw.subarray(from), AT);
        for (;;) {
          const count = k.scan(AT + at, AT + len, OUT, d.maxRecords, s.verify ? 1 : 0);
          const w = new Int32Array(k.memory.buffer, OUT, count * 3);
          for (let j = 0; j < count; j++) {
            if (w[3 * j + 2] !== 0) { bad = true; break; }
            ranges.push(from + w[3 * j] - AT, w[3 * j + 1]);
            at = w[3 * j] - AT + w[3 * j + 1] + 4;
          }
          if (bad || count < d.maxRecords) break;
        }
      }
      // What stops framing short of the block's end: a bad payload, or a record not whole in
      // it, which is carried on when its header checks out and the file holds the rest.
      let fine = !bad;
      if (fine && at < len) {
        const left = len - at;
        if (left >= 12) {
          const n = claim(raw, from + at);
          fine = n >= 0 && rawAt + from + at + n <= size;
          if (fine) {
            need = n;
            // Blocks of about four such records: fewer of them straddle.
            while (bsize < 4 * n && bsize < d.maxRecord) bsize *= 2;
          }
        } else fine = size - (rawAt + raw.length) >= 12 - left;
        if (fine) carry = raw.slice(from + at);
      }
      offset += at;
      if (ranges.length > 0) {
        const shared = s.verify && split;
        await post(raw.buffer, new Int32Array(ranges), rawAt, shared ? 0 : ranges.length >> 1, shared ? heads : null);
      }
      if (!fine) { stop(bad ? 'payload CRC' : 'header'); break; }
    }
  } catch (e) {
    stop(String(e));
  } finally {
    streams.delete(s.id);
    // Never close the descriptor under a read in flight.
    if (ahead) await ahead.catch(() => null);
    if (fh) await fh.close().catch(() => {});
    parentPort.postMessage({ id: s.id, closed: true });
  }
}

parentPort.on('message', (m) => {
  if (m.open) {
    const s = { id: m.id, path: m.path, verify: m.verify, credit: d.credit, closed: false, wake: null };
    streams.set(m.id, s);
    run(s);
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

  constructor(kernel: NonNullable<ReturnType<typeof crcKernelForWorker>>) {
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      execArgv: [], // plain JS: none of the parent's loaders (tsx) needed, so a faster start and less memory
      workerData: { ...kernel, share: SHARE, block: BLOCK, maxRecord: MAX_RECORD, maxRecords: BLOCK / 16, credit: CREDIT },
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
  async *read(path: string, verify: boolean, signal: AbortSignal | undefined): AsyncGenerator<WorkerEvent, void, undefined> {
    const id = this.nextId++;
    let markClosed: () => void = () => {};
    const closed = new Promise<void>((resolve) => (markClosed = resolve));
    const s: StreamState = { queue: [], wake: null, closed, markClosed };
    this.streams.set(id, s);
    this.worker.postMessage({ open: true, id, path, verify });
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

export type { FileWorker };
