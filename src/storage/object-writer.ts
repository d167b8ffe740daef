// Writing one object as a Node Writable: bytes are gathered into parts and sent by multipart
// upload, a few parts at a time, so memory stays at partSize × (uploadConcurrency + 1) whatever
// the object's size. The object appears only when `end()` completes the upload (an object
// smaller than one part goes up in one PutObject at that moment). An error, `destroy()` or an
// abort aborts the upload; a killed process never completes it, and an uncompleted multipart
// upload is no object (its parts linger until aborted or expired by a lifecycle rule).

import { Writable } from 'node:stream';
import { s3, storageSettings } from './client.js';
import { withRetries } from './retry.js';
import { parseS3Url } from './url.js';

/** S3 accepts at most this many parts and parts of at most 5 GiB. */
const MAX_PARTS = 10_000;
const MAX_PART = 5 * 1024 ** 3;

/**
 * Size of part `n` (1-based): the configured size, doubled every 500 parts, so an object of any
 * size S3 accepts (5 TiB) fits in its 10,000 parts while small objects keep small parts.
 *
 * @example
 * partSizeFor(1, 8 << 20); // 8 MiB
 * partSizeFor(501, 8 << 20); // 16 MiB
 */
export function partSizeFor(n: number, base: number): number {
  return Math.min(MAX_PART, base * 2 ** Math.floor((n - 1) / 500));
}

/**
 * A Writable that stores what is written to it as the object at `url`, complete on `end()`.
 * `bytesWritten` counts the bytes taken so far.
 *
 * @example
 * const out = new ObjectWriteStream('s3://my-bucket/out/data.bin');
 * out.end(new Uint8Array([1, 2, 3]));
 * await new Promise((resolve, reject) => out.on('close', resolve).on('error', reject));
 */
export class ObjectWriteStream extends Writable {
  private readonly bucket: string;
  private readonly key: string;
  private part: Uint8Array;
  private fill = 0;
  private partNumber = 0;
  private uploadId: Promise<string> | undefined;
  private readonly done: { PartNumber: number; ETag: string | undefined }[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private completed = false;
  private readonly stop = new AbortController();
  /** Bytes taken so far. */
  bytesWritten = 0;
  /** Most part buffers (filling plus uploading) held at once: the memory bound, for tests. */
  peakParts = 0;

  constructor(readonly url: string) {
    super({ highWaterMark: 1 << 20 });
    ({ bucket: this.bucket, key: this.key } = parseS3Url(url, { requireKey: true }));
    this.part = new Uint8Array(0);
  }

  /** Node's Writable hook: buffers the chunk and uploads full parts. */
  override _write(chunk: Uint8Array, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.append(chunk).then(() => callback(), callback);
  }

  private async append(chunk: Uint8Array): Promise<void> {
    let at = 0;
    while (at < chunk.length) {
      if (this.part.length === 0) {
        this.part = new Uint8Array(partSizeFor(this.partNumber + 1, storageSettings().partSize));
        this.peakParts = Math.max(this.peakParts, this.inFlight.size + 1);
      }
      const n = Math.min(chunk.length - at, this.part.length - this.fill);
      this.part.set(chunk.subarray(at, at + n), this.fill);
      this.fill += n;
      at += n;
      this.bytesWritten += n;
      if (this.fill === this.part.length) await this.sendPart();
    }
  }

  private createUpload(): Promise<string> {
    this.uploadId ??= (async () => {
      const { sdk, client } = await s3();
      const r = await withRetries(this.url, 'starting the upload', () =>
        client.send(new sdk.CreateMultipartUploadCommand({ Bucket: this.bucket, Key: this.key }), { abortSignal: this.stop.signal }),
      );
      if (!r.UploadId) throw new Error('the store returned no UploadId');
      return r.UploadId;
    })();
    return this.uploadId;
  }

  /** Sends the filled part; waits while too many are in flight (the write's backpressure). */
  private async sendPart(): Promise<void> {
    const bytes = this.part.subarray(0, this.fill);
    this.part = new Uint8Array(0);
    this.fill = 0;
    const number = ++this.partNumber;
    if (number > MAX_PARTS) throw new Error(`more than ${MAX_PARTS} parts`);
    const offset = this.bytesWritten - bytes.length;
    const upload = (async () => {
      const id = await this.createUpload();
      const { sdk, client } = await s3();
      const r = await withRetries(
        this.url,
        `uploading part ${number}`,
        () => client.send(new sdk.UploadPartCommand({ Bucket: this.bucket, Key: this.key, UploadId: id, PartNumber: number, Body: bytes }), { abortSignal: this.stop.signal }),
        { offset: () => offset },
      );
      this.done.push({ PartNumber: number, ETag: r.ETag });
    })();
    this.inFlight.add(upload);
    upload.then(
      () => this.inFlight.delete(upload),
      () => {}, // kept in the set: the next wait surfaces it
    );
    while (this.inFlight.size >= storageSettings().uploadConcurrency) await Promise.race(this.inFlight);
  }

  /** Node's Writable hook: uploads the rest and completes the object. */
  override _final(callback: (error?: Error | null) => void): void {
    this.finish().then(() => callback(), callback);
  }

  private async finish(): Promise<void> {
    const { sdk, client } = await s3();
    if (this.uploadId === undefined && this.partNumber === 0) {
      const body = this.part.subarray(0, this.fill);
      await withRetries(this.url, 'upload', () =>
        client.send(new sdk.PutObjectCommand({ Bucket: this.bucket, Key: this.key, Body: body }), { abortSignal: this.stop.signal }),
      );
      this.completed = true;
      return;
    }
    if (this.fill > 0) await this.sendPart();
    await Promise.all(this.inFlight);
    const id = await this.createUpload();
    const parts = [...this.done].sort((a, b) => a.PartNumber - b.PartNumber);
    await withRetries(this.url, 'completing the upload', () =>
      client.send(
        new sdk.CompleteMultipartUploadCommand({ Bucket: this.bucket, Key: this.key, UploadId: id, MultipartUpload: { Parts: parts } }),
        { abortSignal: this.stop.signal },
      ),
    );
    this.completed = true;
  }

  /** Node's Writable hook: aborts an unfinished upload. */
  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.stop.abort(error ?? new Error('destroyed'));
    const pending = this.uploadId;
    if (this.completed || pending === undefined) {
      callback(error);
      return;
    }
    void (async () => {
      try {
        const id = await pending;
        await Promise.allSettled(this.inFlight);
        const { sdk, client } = await s3();
        await withRetries(this.url, 'aborting the upload', () =>
          client.send(new sdk.AbortMultipartUploadCommand({ Bucket: this.bucket, Key: this.key, UploadId: id })),
        );
      } catch {
        // Not started, or the abort failed: the upload was never completed, so no object exists.
      }
      callback(error);
    })();
  }
}
