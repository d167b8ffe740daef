// Single requests on objects, each retried with backoff: metadata (HEAD), small whole objects
// (sidecar indexes, split files), byte ranges for random access, small writes, deletes and
// listings.

import type { Readable } from 'node:stream';
import { DataLossError } from '../core/errors.js';
import { s3, storageSettings } from './client.js';
import { httpStatus, IdleTimeoutError, ShortBodyError, StorageError, withRetries } from './retry.js';
import { parseS3Url } from './url.js';

/** What HEAD tells about an object. */
export interface ObjectInfo {
  size: number;
  /** Last-Modified in ms since the epoch (the store's clock, second resolution). */
  lastModifiedMs: number;
  etag: string | undefined;
}

/** One listed object. */
export interface ListedObject {
  key: string;
  size: number;
  lastModifiedMs: number;
}

/**
 * The size, modification time and ETag of an object; undefined when there is no such object.
 *
 * @example
 * const info = await headObject('s3://my-bucket/train.tfr');
 * console.log(info?.size);
 */
export async function headObject(url: string, signal?: AbortSignal): Promise<ObjectInfo | undefined> {
  const { bucket, key } = parseS3Url(url, { requireKey: true });
  const { sdk, client } = await s3();
  try {
    const r = await withRetries(url, 'HEAD', () => client.send(new sdk.HeadObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: signal }), { signal });
    return { size: Number(r.ContentLength ?? 0), lastModifiedMs: r.LastModified?.getTime() ?? 0, etag: r.ETag };
  } catch (e) {
    if (e instanceof Error && e.name === 'InputError' && /no such object/.test(e.message)) return undefined;
    throw e;
  }
}

/**
 * Reads a response body into `into` from `at`, counting each chunk into `onBytes` as it lands (so
 * a cut keeps what arrived); a body silent for the idle timeout is cut.
 */
async function drain(url: string, stream: Readable, into: Uint8Array, at: number, onBytes: (n: number) => void): Promise<void> {
  const it = stream[Symbol.asyncIterator]() as AsyncIterator<Uint8Array>;
  let got = 0;
  try {
    for (;;) {
      const timer = setTimeout(() => stream.destroy(new IdleTimeoutError('no data for too long')), storageSettings().idleTimeoutMs);
      let r;
      try {
        r = await it.next();
      } finally {
        clearTimeout(timer);
      }
      if (r.done) return;
      const chunk = r.value;
      if (chunk.length > into.length - at - got) throw new StorageError('the store sent more bytes than asked for', url, undefined, 1);
      into.set(chunk, at + got);
      got += chunk.length;
      onBytes(chunk.length);
    }
  } finally {
    stream.destroy();
  }
}

/**
 * Bytes [position, position + length) of an object in one ranged GET, resumed from the next
 * missing byte after a cut or a stall (failures without a byte arriving in between count against
 * the attempts). `etag` pins the read to one version of the object. A range past the
 * object's end is a DataLossError (the index or the caller expected more bytes).
 *
 * @example
 * const header = await readObjectRange('s3://my-bucket/train.tfr', 0, 12);
 */
export async function readObjectRange(
  url: string,
  position: number,
  length: number,
  options: { etag?: string; signal?: AbortSignal } = {},
): Promise<Uint8Array> {
  const { bucket, key } = parseS3Url(url, { requireKey: true });
  const out = new Uint8Array(length);
  if (length === 0) return out;
  const { sdk, client } = await s3();
  let got = 0;
  await withRetries(
    url,
    'ranged read',
    async () => {
      const from = position + got;
      const to = position + length - 1;
      let res;
      try {
        res = await client.send(
          new sdk.GetObjectCommand({ Bucket: bucket, Key: key, Range: `bytes=${from}-${to}`, ...(options.etag ? { IfMatch: options.etag } : {}) }),
          { abortSignal: options.signal },
        );
      } catch (e) {
        if (httpStatus(e) === 416) throw new DataLossError('truncated_data', url, -1, from, 'the object is shorter than expected');
        if (httpStatus(e) === 412) throw new StorageError('the object changed while it was being read', url, from, 1, { cause: e });
        throw e;
      }
      const stream = res.Body as Readable;
      if (!res.ContentRange && from > 0) {
        stream.destroy();
        throw new StorageError('the store ignored the Range header', url, from, 1);
      }
      await drain(url, stream, out, got, (n) => (got += n));
      if (got < length) {
        const total = /\/(\d+)$/.exec(res.ContentRange ?? '')?.[1];
        if (total !== undefined && Number(total) < position + length) {
          throw new DataLossError('truncated_data', url, -1, position + got, 'the object is shorter than expected');
        }
        throw new ShortBodyError(`ranged read ended at byte ${position + got}`);
      }
    },
    { offset: () => position + got, signal: options.signal, resumes: true },
  );
  return out;
}

/**
 * A whole (small) object's bytes, or undefined when there is no such object.
 *
 * @example
 * const idx = await getObjectBytes('s3://my-bucket/train.tfr.idx');
 */
export async function getObjectBytes(url: string, signal?: AbortSignal): Promise<Uint8Array | undefined> {
  const info = await headObject(url, signal);
  if (!info) return undefined;
  return readObjectRange(url, 0, info.size, { etag: info.etag, signal });
}

/**
 * Stores `bytes` under the URL in one PutObject: the object appears whole or not at all.
 *
 * @example
 * await putObjectBytes('s3://my-bucket/out/_SUCCESS', new Uint8Array(0));
 */
export async function putObjectBytes(url: string, bytes: Uint8Array, signal?: AbortSignal): Promise<void> {
  const { bucket, key } = parseS3Url(url, { requireKey: true });
  const { sdk, client } = await s3();
  await withRetries(url, 'upload', () => client.send(new sdk.PutObjectCommand({ Bucket: bucket, Key: key, Body: bytes }), { abortSignal: signal }), { signal });
}

/**
 * Removes an object (no error when it does not exist).
 *
 * @example
 * await deleteObject('s3://my-bucket/out/tmp.tfr');
 */
export async function deleteObject(url: string): Promise<void> {
  const { bucket, key } = parseS3Url(url, { requireKey: true });
  const { sdk, client } = await s3();
  await withRetries(url, 'delete', () => client.send(new sdk.DeleteObjectCommand({ Bucket: bucket, Key: key })));
}

/**
 * Every object whose key starts with `prefix`, page by page (1000 keys per request). With a
 * `delimiter` ('/'), keys below the next delimiter are left out, as a directory listing does.
 *
 * @example
 * for await (const o of listObjects('my-bucket', 'shards/train-')) console.log(o.key, o.size);
 */
export async function* listObjects(bucket: string, prefix: string, options: { delimiter?: string; signal?: AbortSignal } = {}): AsyncGenerator<ListedObject> {
  const url = `s3://${bucket}/${prefix}`;
  const { sdk, client } = await s3();
  let token: string | undefined;
  do {
    const page = await withRetries(
      url,
      'list',
      () =>
        client.send(
          new sdk.ListObjectsV2Command({
            Bucket: bucket,
            Prefix: prefix,
            ...(options.delimiter ? { Delimiter: options.delimiter } : {}),
            ...(token ? { ContinuationToken: token } : {}),
          }),
          { abortSignal: options.signal },
        ),
      { signal: options.signal },
    );
    for (const o of page.Contents ?? []) {
      if (o.Key === undefined) continue;
      yield { key: o.Key, size: Number(o.Size ?? 0), lastModifiedMs: o.LastModified?.getTime() ?? 0 };
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
}
