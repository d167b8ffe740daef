// Finding the files `prepare` wrote in a data directory: loc_train.tfr / loc_val.tfr, or their
// shards (loc_train.tfr-00000-of-00004 ...), in shard order; the directory may be an s3:// prefix. Reading them is train/localization-data.ts.
import { readdir } from 'node:fs/promises';
import { assertDir } from './files.js';
import { isS3Url, joinLocation } from '../storage/url.js';

/** The names directly inside a directory, or directly under an `s3://` prefix. */
async function namesIn(dir: string): Promise<string[]> {
  if (!isS3Url(dir)) {
    await assertDir(dir);
    return readdir(dir);
  }
  const { parseS3Url } = await import('../storage/url.js');
  const { listObjects } = await import('../storage/objects.js');
  const { bucket, key } = parseS3Url(dir);
  const prefix = key === '' || key.endsWith('/') ? key : `${key}/`;
  const names: string[] = [];
  for await (const o of listObjects(bucket, prefix, { delimiter: '/' })) names.push(o.key.slice(prefix.length));
  return names;
}

/** The files of one split in `dir` (a directory or an `s3://` prefix written by prepare). */
export async function splitFiles(dir: string, split: 'train' | 'val'): Promise<string[]> {
  const names = await namesIn(dir);
  const base = `loc_${split}.tfr`;
  if (names.includes(base)) return [joinLocation(dir, base)];
  const shards = names.filter((n) => new RegExp(`^loc_${split}\\.tfr-\\d{5}-of-\\d{5}$`).test(n)).sort();
  if (shards.length > 0) return shards.map((n) => joinLocation(dir, n));
  const { InputError, FILE_PROBLEMS } = await import('../io/index.js');
  throw new InputError(`${FILE_PROBLEMS.ENOENT} (nor are its shards there: run \`recordflow prepare\` first)`, joinLocation(dir, base));
}
