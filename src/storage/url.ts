// s3:// URLs: `s3://bucket/key`. The key is everything after the bucket's slash, taken as the
// object store takes it (no normalization of `//`, `.` or `..`: those are legal key bytes).

import { join } from 'node:path';
import { InputError } from '../core/errors.js';

/** A parsed `s3://bucket/key` URL. */
export interface S3Location {
  bucket: string;
  /** The object key ('' for the bucket itself or a URL that ends at the bucket). */
  key: string;
}

// DNS-style names as S3 allows them, plus the underscores and capitals some S3-compatible
// stores accept; anything else (empty, slashes, spaces) is refused before a request is made.
const BUCKET = /^[A-Za-z0-9][A-Za-z0-9._-]{0,254}$/;

/**
 * Whether a path names an object in S3 (or an S3-compatible store) rather than a local file.
 *
 * @example
 * isS3Url('s3://my-bucket/shards/train-00000-of-00004.tfr'); // true
 * isS3Url('data/train.tfr'); // false
 */
export function isS3Url(path: unknown): path is string {
  return typeof path === 'string' && path.startsWith('s3://');
}

/**
 * Splits `s3://bucket/key` into bucket and key; a URL without a valid bucket is an InputError
 * naming it. With `requireKey`, a URL that names only the bucket is refused too.
 *
 * @example
 * const { bucket, key } = parseS3Url('s3://my-bucket/shards/a.tfr'); // 'my-bucket', 'shards/a.tfr'
 */
export function parseS3Url(url: string, options: { requireKey?: boolean } = {}): S3Location {
  if (!isS3Url(url)) throw new InputError('not an s3:// URL', url);
  const rest = url.slice(5);
  const slash = rest.indexOf('/');
  const bucket = slash < 0 ? rest : rest.slice(0, slash);
  const key = slash < 0 ? '' : rest.slice(slash + 1);
  if (!BUCKET.test(bucket)) throw new InputError(`"${bucket}" is not a bucket name`, url);
  if (options.requireKey && key === '') throw new InputError('the URL names a bucket, not an object', url);
  return { bucket, key };
}

/**
 * The URL of `key` in `bucket`.
 *
 * @example
 * s3Url('my-bucket', 'shards/a.tfr'); // 's3://my-bucket/shards/a.tfr'
 */
export function s3Url(bucket: string, key: string): string {
  return `s3://${bucket}/${key}`;
}

/**
 * Joins a directory (a local path or an `s3://` prefix) and a name: `path.join` for local
 * paths, a single `/` for URLs (path.join would fold `s3://` into `s3:/`).
 *
 * @example
 * joinLocation('s3://my-bucket/prepared', 'loc_train.tfr'); // 's3://my-bucket/prepared/loc_train.tfr'
 * joinLocation('prepared', 'loc_train.tfr'); // 'prepared/loc_train.tfr'
 */
export function joinLocation(dir: string, name: string): string {
  if (!isS3Url(dir)) return join(dir, name);
  return dir.endsWith('/') ? dir + name : `${dir}/${name}`;
}
