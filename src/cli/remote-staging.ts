// Outputs for an s3:// prefix: a command stages its files in a local temporary directory, as for
// a local target, and they go up (one multipart upload each, streamed from the file) only when
// everything succeeded. Object stores have no rename, so "all or nothing" is kept by deleting
// the objects already uploaded when a later upload fails.
import { createReadStream } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { staged, type Staging } from './staging.js';
import { joinLocation } from '../storage/url.js';

/** Uploads the local file `path` to `url` (the object appears when the upload completes). */
export async function uploadFile(path: string, url: string): Promise<void> {
  const { ObjectWriteStream } = await import('../storage/object-writer.js');
  await pipeline(createReadStream(path), new ObjectWriteStream(url));
}

/** Runs `fn` with a local staging area and uploads what it wrote under the `target` prefix. */
export async function stagedToBucket<T>(target: string, fn: (staging: Staging) => Promise<T>): Promise<T> {
  const local = await mkdtemp(join(tmpdir(), 'recordflow-upload-'));
  try {
    const result = await staged(local, fn);
    const names = (await readdir(local)).sort();
    const done: string[] = [];
    try {
      for (const name of names) {
        const url = joinLocation(target, name);
        await uploadFile(join(local, name), url);
        done.push(url);
      }
    } catch (err) {
      const { deleteObject } = await import('../storage/objects.js');
      await Promise.allSettled(done.map((url) => deleteObject(url)));
      throw err;
    }
    return result;
  } finally {
    await rm(local, { recursive: true, force: true });
  }
}
