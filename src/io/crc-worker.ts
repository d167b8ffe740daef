// A background thread that checks TFRecord payload CRCs while the reader frames the next block.
//
// Why: on two cores the payload CRC is the largest single cost of reading small records (about a
// third of read+decode) and nearly all of reading large ones. The reader copies each block into
// one of a few slots of a shared wasm memory (a memcpy, ~10x faster than the CRC) and posts the
// record ranges; the worker runs the same wasm kernel over them and answers with the indices of
// records whose stored CRC does not match. Payloads handed to users stay views of the reader's
// own (unshared) blocks.
//
// The worker is optional at every step: before it is up, when all slots are busy, for blocks
// larger than a slot, or if it dies, `check` returns undefined or rejects and the reader checks
// on its own thread. It is unref'd while idle, so it never keeps a process alive.

import { Worker } from 'node:worker_threads';
import { CRC_TABLE_BYTES, sharedCrcKernel } from './crc32c.js';

/** Largest block the worker takes (readers use 1 MiB blocks, more only for big records). */
export const CRC_SLOT_BYTES = 8 << 20;
const SLOTS = 3;
const PAGES = Math.ceil((CRC_TABLE_BYTES + SLOTS * CRC_SLOT_BYTES) / 65536);

// Plain JS run with `eval: true` (no loader needed). Message in: { id, base, ranges } with ranges
// as (start, length) pairs relative to `base`, each payload followed by its masked CRC; out:
// { id, bad } with the indices of mismatching records.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const crc = new WebAssembly.Instance(workerData.module, { env: { memory: workerData.memory } }).exports.crc;
const bytes = new Uint8Array(workerData.memory.buffer);
parentPort.on('message', ({ id, base, ranges }) => {
  const bad = [];
  for (let i = 0, j = 0; i < ranges.length; i += 2, j++) {
    const at = base + ranges[i];
    const end = at + ranges[i + 1];
    const c = crc(at, ranges[i + 1], 0) >>> 0;
    const masked = ((((c >>> 15) | (c << 17)) >>> 0) + 0xa282ead8) >>> 0;
    const stored = (bytes[end] | (bytes[end + 1] << 8) | (bytes[end + 2] << 16) | (bytes[end + 3] << 24)) >>> 0;
    if (masked !== stored) bad.push(j);
  }
  parentPort.postMessage({ id, bad });
});
parentPort.postMessage('ready');
`;

interface Job {
  slot: number;
  resolve: (bad: number[]) => void;
  reject: (e: unknown) => void;
}

class CrcWorker {
  private ready = false;
  /** Resolves true once the worker answers, false if it fails first. */
  readonly started: Promise<boolean>;
  private settleStarted: (up: boolean) => void = () => {};
  /** Jobs answered so far (for tests and benchmarks). */
  jobsDone = 0;
  private broken = false;
  private readonly free: number[] = [];
  private readonly jobs = new Map<number, Job>();
  private nextId = 1;
  private readonly bytes: Uint8Array;
  private readonly worker: Worker;

  constructor(kernel: { module: WebAssembly.Module; memory: WebAssembly.Memory }) {
    this.started = new Promise((resolve) => (this.settleStarted = resolve));
    this.bytes = new Uint8Array(kernel.memory.buffer);
    for (let s = SLOTS - 1; s >= 0; s--) this.free.push(s);
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData: kernel });
    this.worker.on('message', (m: 'ready' | { id: number; bad: number[] }) => {
      if (m === 'ready') {
        this.ready = true;
        this.settleStarted(true);
        if (this.jobs.size === 0) this.worker.unref();
        return;
      }
      const job = this.jobs.get(m.id);
      if (!job) return;
      this.jobs.delete(m.id);
      this.jobsDone++;
      this.free.push(job.slot);
      if (this.jobs.size === 0) this.worker.unref();
      job.resolve(m.bad);
    });
    const fail = (e: unknown): void => {
      this.broken = true;
      this.settleStarted(false);
      for (const job of this.jobs.values()) job.reject(e);
      this.jobs.clear();
    };
    this.worker.on('error', fail);
    this.worker.on('exit', (code) => fail(new Error(`CRC worker exited with code ${code}`)));
    // Referenced until it is up (someone may await `started`), then only while jobs are pending.
  }

  /**
   * Check the records of `data` (ranges as (start, length) pairs; each payload is followed by
   * its masked CRC inside `data`). Resolves with the indices of bad records; undefined when the
   * worker cannot take the job now (the caller checks inline).
   */
  check(data: Uint8Array, ranges: Int32Array): Promise<number[]> | undefined {
    if (!this.ready || this.broken || data.length > CRC_SLOT_BYTES) return undefined;
    const slot = this.free.pop();
    if (slot === undefined) return undefined;
    const base = CRC_TABLE_BYTES + slot * CRC_SLOT_BYTES;
    this.bytes.set(data, base);
    const id = this.nextId++;
    if (this.jobs.size === 0) this.worker.ref(); // a pending answer must keep the process alive
    return new Promise((resolve, reject) => {
      this.jobs.set(id, { slot, resolve, reject });
      this.worker.postMessage({ id, base, ranges });
    });
  }
}

let instance: CrcWorker | null | undefined;

/**
 * The process-wide CRC worker, started on the first call (it answers jobs once it is up, some
 * tens of milliseconds later). Null when unavailable or disabled with RECORDFLOW_CRC_WORKER=0.
 */
export function crcWorker(): CrcWorker | null {
  if (instance !== undefined) return instance;
  instance = null;
  if (process.env['RECORDFLOW_CRC_WORKER'] === '0') return instance;
  const kernel = sharedCrcKernel(PAGES);
  if (!kernel) return instance;
  try {
    instance = new CrcWorker(kernel);
  } catch {
    instance = null;
  }
  return instance;
}

export type { CrcWorker };
