// Byte sources: one small interface over every input the readers accept (a path, a Uint8Array,
// a Node Readable, a web ReadableStream, any AsyncIterable<Uint8Array>), in the shape of Apache
// Arrow JS's byte-stream adapters: a block-level `readBlock()` for the hot path, and
// `peek(n)` / `read(n)` / `skip(n)` / `unread(bytes)` (byte-reader.ts) for the few bytes that
// straddle blocks.
//
// Blocks are never reused: every block is fresh memory (or the caller's own Uint8Array / stream
// chunk, which Node streams hand over for good), so readers may return views into them.

import { open, type FileHandle } from 'node:fs/promises';
import { fileError, InputError } from '../core/errors.js';
import { isS3Url } from '../storage/url.js';
import { ObjectBlocks } from '../storage/object-blocks.js';

/** Everything `readTFRecord` and friends accept as a single byte input. */
export type ByteInput =
  | string
  | Uint8Array
  | NodeJS.ReadableStream
  | ReadableStream<Uint8Array>
  | AsyncIterable<Uint8Array>;

/** Size of the blocks read from files: large enough that per-block costs vanish. */
export const FILE_BLOCK_SIZE = 1 << 20;

/** File blocks read ahead of the one being framed (I/O on libuv's pool overlaps the CRC). */
const READ_AHEAD = 1;

/** Upper bound for blocks grown by `expect`. */
const MAX_FILE_BLOCK = 64 << 20;

/** A forward-only source of blocks. `next()` resolves null at the end. */
export interface BlockSource {
  next(): Promise<Uint8Array | null>;
  /**
   * Hint that a single item of n bytes is coming (e.g. a large record): sources that can, read
   * bigger blocks from now on, so that fewer such items straddle two blocks and need a copy.
   */
  expect?(n: number): void;
  /** Bytes not yet delivered when known (files and Uint8Arrays), else undefined. */
  remaining(): number | undefined;
  close(): Promise<void>;
}

const EMPTY = new Uint8Array(0);

/** A Buffer (or other Uint8Array subclass) as a plain Uint8Array view of the same memory. */
export function plain(b: Uint8Array): Uint8Array {
  return b.constructor === Uint8Array ? b : new Uint8Array(b.buffer, b.byteOffset, b.length);
}

function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  signal.throwIfAborted();
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

/**
 * Reads a file in FILE_BLOCK_SIZE blocks, keeping READ_AHEAD reads in flight. A path that is not
 * a regular file (a pipe, a FIFO, a character device, /dev/stdin, a shell's `<(...)`) has no
 * meaningful size: it is read in order until the OS reports its end, whatever stat() says.
 */
class FileBlocks implements BlockSource {
  private handle: FileHandle | undefined;
  private size = 0;
  private position = 0;
  private delivered = 0;
  /** Not a regular file: positionless reads, one after the other, up to end-of-file. */
  private stream = false;
  private ended = false;
  /** Reads in flight, in file order. */
  private ahead: Promise<Uint8Array>[] = [];
  private closed = false;

  constructor(
    readonly path: string,
    private blockSize: number,
    start = 0,
  ) {
    this.position = start;
    this.delivered = start;
  }

  expect(n: number): void {
    // Blocks of ~4 items, at most 64 MiB: then only about one item in four straddles.
    const want = Math.min(MAX_FILE_BLOCK, 2 ** Math.ceil(Math.log2(Math.max(1, n) * 4)));
    if (want > this.blockSize) this.blockSize = want;
  }

  private async ensureOpen(): Promise<FileHandle> {
    if (this.handle) return this.handle;
    if (this.closed) throw new InputError('read after close', this.path);
    let h: FileHandle;
    try {
      h = await open(this.path, 'r');
    } catch (e) {
      throw fileError(e, this.path);
    }
    if (this.closed) {
      await h.close();
      throw new InputError('read after close', this.path);
    }
    this.handle = h;
    const st = await h.stat();
    if (st.isDirectory()) throw new InputError('is a directory, expected a file', this.path);
    this.stream = !st.isFile();
    this.size = st.size;
    if (this.stream && this.position > 0) await this.discard(h, this.position);
    return h;
  }

  /** Read and drop the first n bytes of a stream (which cannot seek). */
  private async discard(h: FileHandle, n: number): Promise<void> {
    const scratch = Buffer.allocUnsafe(Math.min(n, FILE_BLOCK_SIZE));
    for (let left = n; left > 0; ) {
      const { bytesRead } = await h.read(scratch, 0, Math.min(left, scratch.length), null);
      if (bytesRead === 0) {
        this.ended = true;
        return;
      }
      left -= bytesRead;
    }
  }

  private readAt(h: FileHandle): Promise<Uint8Array> | undefined {
    if (this.stream) return this.readOn(h);
    const n = Math.min(this.blockSize, this.size - this.position);
    if (n <= 0) return undefined;
    const at = this.position;
    this.position += n;
    // allocUnsafeSlow: fresh, unpooled memory that nothing else will ever write to.
    const buf = Buffer.allocUnsafeSlow(n);
    return (async () => {
      let got = 0;
      while (got < n) {
        const { bytesRead } = await h.read(buf, got, n - got, at + got);
        if (bytesRead === 0) break; // the file shrank while we read it
        got += bytesRead;
      }
      // Delivered as a plain Uint8Array view: its subarrays (the payloads) are cheaper to
      // create than Buffer slices, and users get the type the API promises.
      return new Uint8Array(buf.buffer, buf.byteOffset, got);
    })();
  }

  /** The next read of a stream, started only once the one before it is done (reads have no position). */
  private readOn(h: FileHandle): Promise<Uint8Array> | undefined {
    if (this.ended) return undefined;
    const before = this.ahead[this.ahead.length - 1];
    const size = this.blockSize;
    return (async () => {
      if (before) await before;
      if (this.ended || this.closed) return EMPTY;
      const buf = Buffer.allocUnsafeSlow(size);
      const { bytesRead } = await h.read(buf, 0, size, null);
      if (bytesRead === 0) {
        this.ended = true;
        return EMPTY;
      }
      // A pipe hands over what it holds (often 64 KiB): a short read is copied into a block of
      // its own size rather than pinning a mostly empty one.
      if (bytesRead < size >>> 1) {
        const own = plain(Buffer.allocUnsafeSlow(bytesRead));
        own.set(buf.subarray(0, bytesRead));
        return own;
      }
      return new Uint8Array(buf.buffer, buf.byteOffset, bytesRead);
    })();
  }

  /** Start reads until `n` are in flight (fewer at the end of the file). */
  private fill(h: FileHandle, n: number): void {
    while (this.ahead.length < n) {
      const r = this.readAt(h);
      if (!r) return;
      r.catch(() => {}); // surfaced when its turn comes, or dropped on close
      this.ahead.push(r);
    }
  }

  async next(): Promise<Uint8Array | null> {
    const h = await this.ensureOpen();
    this.fill(h, READ_AHEAD + 1);
    const current = this.ahead.shift();
    if (!current) return null;
    const block = await current;
    this.fill(h, READ_AHEAD); // keep the pipeline full while the caller works on this block
    this.delivered += block.length;
    return block.length > 0 ? block : null;
  }

  remaining(): number | undefined {
    return this.handle && !this.stream ? this.size - this.delivered : undefined;
  }

  async close(): Promise<void> {
    this.closed = true;
    const h = this.handle;
    this.handle = undefined;
    if (!h) return;
    // Never close the descriptor under an in-flight read: the number could be reused. A stream's
    // read may wait for a writer that never comes, so its descriptor is closed once that read
    // returns, without holding up the caller.
    const inFlight = this.ahead;
    this.ahead = [];
    const settled = Promise.all(inFlight.map((r) => r.catch(() => {}))).then(() => h.close());
    if (this.stream) settled.catch(() => {});
    else await settled;
  }
}

class BytesBlocks implements BlockSource {
  private done = false;
  constructor(private readonly bytes: Uint8Array) {}
  async next(): Promise<Uint8Array | null> {
    if (this.done || this.bytes.length === 0) return null;
    this.done = true;
    return plain(this.bytes);
  }
  remaining(): number | undefined {
    return this.done ? 0 : this.bytes.length;
  }
  async close(): Promise<void> {
    this.done = true;
  }
}

class IteratorBlocks implements BlockSource {
  constructor(
    private readonly it: AsyncIterator<Uint8Array>,
    private readonly signal: AbortSignal | undefined,
  ) {}
  async next(): Promise<Uint8Array | null> {
    for (;;) {
      const r = await abortable(this.it.next(), this.signal);
      if (r.done) return null;
      const v = r.value as unknown;
      if (!(v instanceof Uint8Array)) {
        throw new InputError(`byte source yielded ${typeof v === 'string' ? 'a string' : typeof v}, not a Uint8Array`);
      }
      if (v.length > 0) return plain(v);
    }
  }
  remaining(): number | undefined {
    return undefined;
  }
  async close(): Promise<void> {
    await this.it.return?.();
  }
}

class WebStreamBlocks implements BlockSource {
  private reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  constructor(
    private readonly stream: ReadableStream<Uint8Array>,
    private readonly signal: AbortSignal | undefined,
  ) {}
  async next(): Promise<Uint8Array | null> {
    this.reader ??= this.stream.getReader();
    for (;;) {
      const r = await abortable(this.reader.read(), this.signal);
      if (r.done) return null;
      if (r.value.length > 0) return plain(r.value);
    }
  }
  remaining(): number | undefined {
    return undefined;
  }
  async close(): Promise<void> {
    if (!this.reader) return;
    const reader = this.reader;
    await reader.cancel().catch(() => {});
    reader.releaseLock();
  }
}

function isWebStream(x: unknown): x is ReadableStream<Uint8Array> {
  return typeof (x as ReadableStream | null)?.getReader === 'function';
}

function isNodeReadable(x: unknown): x is NodeJS.ReadableStream & AsyncIterable<Uint8Array> {
  return typeof (x as NodeJS.ReadableStream | null)?.pipe === 'function' && Symbol.asyncIterator in (x as object);
}

/** Whether `x` is one of the inputs `blockSource` accepts. */
export function isByteInput(x: unknown): x is ByteInput {
  return (
    typeof x === 'string' ||
    x instanceof Uint8Array ||
    isWebStream(x) ||
    (x !== null && typeof x === 'object' && typeof (x as AsyncIterable<Uint8Array>)[Symbol.asyncIterator] === 'function')
  );
}

/**
 * A block source over any ByteInput. Paths are opened lazily on the first `next()`, read from
 * byte `start` on; an `s3://` URL streams the object by ranged GETs (storage's ObjectBlocks).
 */
export function blockSource(
  input: ByteInput,
  options: { signal?: AbortSignal; blockSize?: number; start?: number } = {},
): BlockSource {
  if (isS3Url(input)) return new ObjectBlocks(input, options.blockSize, options.start, options.signal);
  if (typeof input === 'string') return new FileBlocks(input, options.blockSize ?? FILE_BLOCK_SIZE, options.start);
  if (input instanceof Uint8Array) return new BytesBlocks(input);
  if (isWebStream(input)) return new WebStreamBlocks(input, options.signal);
  if (isNodeReadable(input)) {
    const it = input[Symbol.asyncIterator]() as AsyncIterator<Uint8Array>;
    return new IteratorBlocks(it, options.signal);
  }
  if (input && typeof (input as AsyncIterable<Uint8Array>)[Symbol.asyncIterator] === 'function') {
    return new IteratorBlocks((input as AsyncIterable<Uint8Array>)[Symbol.asyncIterator](), options.signal);
  }
  throw new InputError(
    'unsupported byte source: expected a path, a Uint8Array, a Node Readable, a web ReadableStream or an AsyncIterable<Uint8Array>',
  );
}
