// The compression of a TFRecord file and its default from the file name. A leaf module with no
// imports, so the CLI can resolve --compression without loading the io room (which it imports
// lazily per command).

/**
 * The compressions TFRecord files may use, as TensorFlow names them ('' in TF is 'none' here).
 */
export const COMPRESSIONS = ['none', 'gzip', 'zlib'] as const;
/** One of COMPRESSIONS. */
export type Compression = (typeof COMPRESSIONS)[number];

/**
 * The default compression for a file name: `.gz`/`.gzip` gzip, `.zz`/`.zlib`/`.deflate` zlib
 * (`.deflate` is the suffix Beam and Hadoop give ZLIB output), otherwise none.
 *
 * @example
 * compressionFromName('train.tfrecord.gz'); // 'gzip'
 */
export function compressionFromName(path: string): Compression {
  const p = path.toLowerCase();
  if (p.endsWith('.gz') || p.endsWith('.gzip')) return 'gzip';
  if (p.endsWith('.zz') || p.endsWith('.zlib') || p.endsWith('.deflate')) return 'zlib';
  return 'none';
}
