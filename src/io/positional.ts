// Reads at byte positions, from a local file or an object: the random access under the indexed
// TFRecord reader. A file is read with pread; an `s3://` object by ranged GETs pinned to the
// ETag its HEAD returned, each resumed after a cut (storage's readObjectRange).

import { open, readFile, stat, type FileHandle } from 'node:fs/promises';
import { FILE_PROBLEMS, fileError, InputError } from '../core/errors.js';
import { isS3Url } from '../storage/url.js';
import { getObjectBytes, headObject, readObjectRange } from '../storage/objects.js';

/** Random access to the bytes of one file or object. */
export interface Positional {
  readonly name: string;
  readonly size: number;
  /** Modification time in ms (an object's Last-Modified). */
  readonly mtimeMs: number;
  /** Whether reads cost a request each (then callers read bigger spans, fewer times). */
  readonly remote: boolean;
  /** Up to `length` bytes at `position` in fresh memory; fewer only where the data ends. */
  read(position: number, length: number): Promise<Uint8Array>;
  close(): Promise<void>;
}

async function openFile(path: string): Promise<Positional> {
  let h: FileHandle;
  try {
    h = await open(path, 'r');
  } catch (e) {
    throw fileError(e, path);
  }
  let s;
  try {
    s = await h.stat();
    if (s.isDirectory()) throw new InputError(FILE_PROBLEMS.EISDIR!, path);
    if (!s.isFile()) {
      throw new InputError(
        `not a regular file (a pipe, socket or device): random access needs a file it can read at any offset`,
        path,
      );
    }
  } catch (e) {
    await h.close();
    throw e;
  }
  const size = s.size;
  return {
    name: path,
    size,
    mtimeMs: s.mtimeMs,
    remote: false,
    async read(position, length) {
      const buf = Buffer.allocUnsafeSlow(Math.max(0, Math.min(length, size - position)));
      let got = 0;
      while (got < buf.length) {
        const { bytesRead } = await h.read(buf, got, buf.length - got, position + got);
        if (bytesRead === 0) break; // the file shrank while we read it
        got += bytesRead;
      }
      return new Uint8Array(buf.buffer, buf.byteOffset, got);
    },
    close: () => h.close(),
  };
}

async function openObject(url: string): Promise<Positional> {
  const info = await headObject(url);
  if (!info) throw new InputError('no such object', url);
  return {
    name: url,
    size: info.size,
    mtimeMs: info.lastModifiedMs,
    remote: true,
    read: (position, length) => readObjectRange(url, position, Math.max(0, Math.min(length, info.size - position)), { etag: info.etag }),
    close: async () => {},
  };
}

/** Opens a local path or an `s3://` URL for positional reads. */
export function openPositional(path: string): Promise<Positional> {
  return isS3Url(path) ? openObject(path) : openFile(path);
}

/** Size and mtime of a path or object, or undefined when it does not exist. */
export async function statLocation(path: string): Promise<{ size: number; mtimeMs: number } | undefined> {
  if (isS3Url(path)) {
    const info = await headObject(path);
    return info && { size: info.size, mtimeMs: info.lastModifiedMs };
  }
  try {
    const s = await stat(path);
    return { size: s.size, mtimeMs: s.mtimeMs };
  } catch {
    return undefined;
  }
}

/** A small file's or object's text, or undefined when it does not exist. */
export async function readText(path: string): Promise<string | undefined> {
  if (isS3Url(path)) {
    const bytes = await getObjectBytes(path);
    return bytes && new TextDecoder().decode(bytes);
  }
  try {
    return await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
}
