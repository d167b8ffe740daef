// A forward-only byte source over one object: a GET from the first unread byte to the end,
// streamed into fresh blocks of a fixed size. Memory stays bounded whatever the object's size:
// the block being handed out, one block filled ahead while the caller frames it, and the
// response chunk being copied (the socket's own backpressure holds back the rest).
//
// A cut connection, a stalled or short body, a 5xx or a throttle resumes with a ranged GET from
// the next byte not yet taken, pinned to the first response's ETag (If-Match), so a resumed read
// neither repeats nor skips a byte, nor splices two versions of the object. Failures without
// progress in between count against the attempts; past them the error names the URL and the
// byte offset reached.

import type { Readable } from 'node:stream';
import { InputError } from '../core/errors.js';
import { s3, storageSettings } from './client.js';
import { backoffDelay, httpStatus, IdleTimeoutError, isRetryable, ShortBodyError, sleep, storageFailure, StorageError } from './retry.js';
import { parseS3Url } from './url.js';

/** Block size for object reads (as for files: per-block costs vanish, records rarely straddle). */
export const OBJECT_BLOCK_SIZE = 1 << 20;

/** Upper bound for blocks grown by `expect` (two of them are held at once). */
const MAX_OBJECT_BLOCK = 16 << 20;

interface Body {
  stream: Readable;
  it: AsyncIterator<Uint8Array>;
  /** Response bytes still to drop before `received` (a server that ignored the Range header). */
  skip: number;
}

/**
 * `bytes FIRST-LAST/TOTAL` → [first, total]; undefined for anything else.
 *
 * @example
 * parseContentRange('bytes 100-199/1000'); // [100, 1000]
 */
export function parseContentRange(header: string | undefined): [number, number] | undefined {
  const m = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(header?.trim() ?? '');
  return m ? [Number(m[1]), Number(m[3])] : undefined;
}

/**
 * The blocks of an object from byte `start` on, in the shape of io's BlockSource: `next()`
 * resolves each fresh block (never reused, so views into it stay valid) and null at the end.
 *
 * @example
 * const blocks = new ObjectBlocks('s3://my-bucket/train.tfr');
 * for (let b = await blocks.next(); b; b = await blocks.next()) console.log(b.length);
 * await blocks.close();
 */
export class ObjectBlocks {
  private readonly bucket: string;
  private readonly key: string;
  private size: number | undefined;
  private etag: string | undefined;
  /** Absolute offset of the next byte to take from the store. */
  private received: number;
  private delivered: number;
  private body: Body | undefined;
  private carry: Uint8Array | undefined;
  private ahead: Promise<Uint8Array | null> | undefined;
  private closed = false;
  /** Failed attempts since the last byte that arrived. */
  private failures = 0;
  private readonly stop = new AbortController();
  private readonly onAbort = (): void => {
    this.stop.abort(this.signal?.reason);
    this.dropBody();
  };
  private held = 0;
  /** Largest number of bytes this source held at once outside the blocks it handed out. */
  peakHeld = 0;
  /** GET requests made (the first one and every resume). */
  requests = 0;

  constructor(
    readonly url: string,
    private blockSize = OBJECT_BLOCK_SIZE,
    start = 0,
    private readonly signal?: AbortSignal,
  ) {
    ({ bucket: this.bucket, key: this.key } = parseS3Url(url, { requireKey: true }));
    this.received = start;
    this.delivered = start;
    signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  /** A large item is coming: later blocks grow to hold about four of them (up to 16 MiB). */
  expect(n: number): void {
    const want = Math.min(MAX_OBJECT_BLOCK, 2 ** Math.ceil(Math.log2(Math.max(1, n) * 4)));
    if (want > this.blockSize) this.blockSize = want;
  }

  /** Bytes not yet handed out, once the first response has told the object's size. */
  remaining(): number | undefined {
    return this.size === undefined ? undefined : this.size - this.delivered;
  }

  /** The next block of the object's bytes, or null at its end. */
  async next(): Promise<Uint8Array | null> {
    if (this.closed) throw new InputError('read after close', this.url);
    const pending = this.ahead ?? this.fill();
    this.ahead = undefined;
    const block = await pending;
    if (!block) return null;
    this.delivered += block.length;
    this.held -= block.length;
    if (this.size === undefined || this.received < this.size) {
      // Fill the next block while the caller frames this one.
      this.ahead = this.fill();
      this.ahead.catch(() => {}); // surfaced by the next call, or dropped on close
    }
    return block;
  }

  private track(delta: number): void {
    this.held += delta;
    if (this.held > this.peakHeld) this.peakHeld = this.held;
  }

  private async fill(): Promise<Uint8Array | null> {
    const want = this.size === undefined ? this.blockSize : Math.min(this.blockSize, this.size - this.received);
    if (want <= 0) return null;
    // Fresh, unpooled memory: every byte handed out is written below.
    const buf = Buffer.allocUnsafeSlow(want);
    const block = new Uint8Array(buf.buffer, buf.byteOffset, want);
    this.track(want);
    let at = 0;
    try {
      while (at < want) {
        const piece = await this.take(want - at);
        if (!piece) break;
        block.set(piece, at);
        at += piece.length;
      }
    } catch (e) {
      this.track(-want);
      throw e;
    }
    this.track(at - want);
    return at === 0 ? null : block.subarray(0, at);
  }

  /** Up to n next bytes of the object (resuming after failures); null at its end. */
  private async take(n: number): Promise<Uint8Array | null> {
    for (;;) {
      const carry = this.carry;
      if (carry) {
        const piece = carry.length > n ? carry.subarray(0, n) : carry;
        this.carry = carry.length > n ? carry.subarray(n) : undefined;
        this.track(-piece.length);
        this.received += piece.length;
        return piece;
      }
      if (this.size !== undefined && this.received >= this.size) return null;
      try {
        if (!this.body) await this.open();
        const body = this.body;
        if (!body) return null; // the object ends where the read starts
        let chunk = await this.chunk(body);
        if (chunk === null) throw new ShortBodyError(`the response ended at byte ${this.received} of ${this.size}`);
        if (body.skip > 0) {
          const drop = Math.min(body.skip, chunk.length);
          body.skip -= drop;
          chunk = chunk.subarray(drop);
          if (chunk.length === 0) continue;
        }
        this.failures = 0;
        this.carry = chunk;
        this.track(chunk.length);
      } catch (e) {
        this.dropBody();
        if (this.stop.signal.aborted) throw this.signal?.reason ?? e;
        if (e instanceof InputError || e instanceof StorageError) throw e;
        this.failures++;
        if (this.failures >= storageSettings().attempts || !isRetryable(e)) {
          throw storageFailure(e, this.url, 'read', this.received, this.failures);
        }
        await sleep(backoffDelay(this.failures + 1), this.stop.signal);
      }
    }
  }

  /** The next response chunk, or null when the response ended; a stall past the idle timeout cuts it. */
  private async chunk(body: Body): Promise<Uint8Array | null> {
    const timer = setTimeout(() => body.stream.destroy(new IdleTimeoutError('no data for too long')), storageSettings().idleTimeoutMs);
    try {
      const r = await body.it.next();
      return r.done ? null : (r.value as Uint8Array);
    } finally {
      clearTimeout(timer);
    }
  }

  private async open(): Promise<void> {
    const { sdk, client } = await s3();
    const at = this.received;
    this.requests++;
    let res;
    try {
      res = await client.send(
        new sdk.GetObjectCommand({
          Bucket: this.bucket,
          Key: this.key,
          ...(at > 0 ? { Range: `bytes=${at}-` } : {}),
          ...(this.etag !== undefined ? { IfMatch: this.etag } : {}),
        }),
        { abortSignal: this.stop.signal },
      );
    } catch (e) {
      const status = httpStatus(e);
      if (status === 416 && at > 0) {
        // Nothing from here on: the read started at (or past) the object's end.
        this.size ??= at;
        return;
      }
      if (status === 412) {
        throw new StorageError(`the object changed while it was being read (at byte offset ${at})`, this.url, at, 1, { cause: e });
      }
      throw e;
    }
    const stream = res.Body as Readable | undefined;
    const range = parseContentRange(res.ContentRange);
    let total: number;
    let skip = 0;
    if (range) {
      if (range[0] !== at) {
        stream?.destroy();
        throw new StorageError(`asked for bytes from ${at}, the store sent them from ${range[0]}`, this.url, at, 1);
      }
      total = range[1];
    } else {
      total = Number(res.ContentLength ?? 0);
      skip = at; // the whole object came back: drop what was read already
    }
    if (this.size !== undefined && total !== this.size) {
      stream?.destroy();
      throw new StorageError(`the object changed size while it was being read (${this.size} → ${total} bytes)`, this.url, at, 1);
    }
    this.size = total;
    this.etag ??= res.ETag;
    if (!stream || total <= at) {
      stream?.destroy();
      return;
    }
    this.body = { stream, it: stream[Symbol.asyncIterator]() as AsyncIterator<Uint8Array>, skip };
  }

  private dropBody(): void {
    const body = this.body;
    this.body = undefined;
    // A body not read to its end cannot go back to the connection pool: destroy its socket.
    body?.stream.destroy();
  }

  /** Stops reading and releases the open response. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.signal?.removeEventListener('abort', this.onAbort);
    this.stop.abort(new Error('closed'));
    this.dropBody();
    const ahead = this.ahead;
    this.ahead = undefined;
    await ahead?.catch(() => {});
    this.dropBody();
    this.carry = undefined;
  }
}
