// Whole-stream decompression for TFRecord files (TensorFlow compresses the stream, not each
// record). Node's zlib already does the hard parts we need: multi-member gzip, optional header
// fields (file name, mtime, comment), and it fails on a bad CRC/size trailer, a bad Adler-32,
// a cut stream and trailing garbage. This module turns a BlockSource of compressed bytes into a
// BlockSource of decompressed blocks, with backpressure, and reports zlib failures as
// DecompressionFailure so the reader can attach the record index and offset.

import { once } from 'node:events';
import zlib from 'node:zlib';
import { plain, type BlockSource } from './byte-source.js';

export type Compression = 'none' | 'gzip' | 'zlib';

/** The default compression for a file name: `.gz` gzip, `.zz`/`.zlib` zlib, otherwise none. */
export function compressionFromName(path: string): Compression {
  const p = path.toLowerCase();
  if (p.endsWith('.gz') || p.endsWith('.gzip')) return 'gzip';
  if (p.endsWith('.zz') || p.endsWith('.zlib')) return 'zlib';
  return 'none';
}

/** A zlib error (bad header, bad checksum, cut stream); `cause` is zlib's own error. */
export class DecompressionFailure extends Error {
  override name = 'DecompressionFailure';
}

/** Decompressed output comes in blocks of this size (zlib slices them from fresh buffers). */
const OUT_CHUNK = 1 << 20;

function isZlibError(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException | null)?.code;
  return typeof code === 'string' && code.startsWith('Z_');
}

/**
 * Decompress `raw` as a whole stream. Zero compressed bytes count as an empty stream (zero
 * records), as TensorFlow treats an empty file. Output blocks are never reused by zlib: it hands
 * out consecutive slices of a buffer and allocates a new one when that is full.
 */
export function decompressBlocks(raw: BlockSource, kind: Exclude<Compression, 'none'>): BlockSource {
  let z: zlib.Gunzip | zlib.Inflate | undefined;
  let it: AsyncIterator<Buffer> | undefined;
  let pumpDone: Promise<void> | undefined;
  const stop = new AbortController();
  let sawInput = false;
  let finished = false;

  const start = (): AsyncIterator<Buffer> => {
    const opts = { chunkSize: OUT_CHUNK };
    const stream = kind === 'gzip' ? zlib.createGunzip(opts) : zlib.createInflate(opts);
    z = stream;
    // Feed compressed blocks into zlib, waiting for 'drain' so memory stays bounded.
    pumpDone = (async () => {
      try {
        for (;;) {
          const b = await raw.next();
          if (!b) break;
          sawInput = true;
          if (!stream.write(b)) await once(stream, 'drain', { signal: stop.signal });
        }
        if (!sawInput) {
          // An empty input is an empty stream, not a zlib "unexpected end of file".
          finished = true;
          stream.destroy();
          return;
        }
        stream.end();
      } catch (e) {
        if (!stop.signal.aborted) stream.destroy(e as Error);
      }
    })();
    return stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  };

  return {
    async next(): Promise<Uint8Array | null> {
      if (finished) return null;
      it ??= start();
      try {
        for (;;) {
          const r = await it.next();
          if (r.done) {
            finished = true;
            return null;
          }
          if (r.value.length > 0) return plain(r.value);
        }
      } catch (e) {
        if (finished && !sawInput) return null;
        if (isZlibError(e)) {
          throw new DecompressionFailure(`${kind}: ${(e as Error).message}`, { cause: e });
        }
        throw e;
      }
    },
    remaining(): number | undefined {
      return finished ? 0 : undefined;
    },
    async close(): Promise<void> {
      finished = true;
      stop.abort();
      z?.destroy();
      await pumpDone;
      await raw.close();
    },
  };
}
