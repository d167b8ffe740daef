// Whole-stream decompression for TFRecord files (TensorFlow compresses the stream, not each
// record). Node's zlib already does the hard parts we need: multi-member gzip, optional header
// fields (file name, mtime, comment), and it fails on a bad CRC/size trailer, a bad Adler-32,
// a cut stream and trailing garbage. This module turns a BlockSource of compressed bytes into a
// BlockSource of decompressed blocks, with backpressure, and reports zlib failures as
// DecompressionFailure so the reader can attach the record index and offset.

import { once } from 'node:events';
import zlib from 'node:zlib';
import { plain, type BlockSource } from './byte-source.js';
import type { Compression } from './compression.js';


/** A zlib error (bad header, bad checksum, cut stream); `cause` is zlib's own error. */
export class DecompressionFailure extends Error {
  override name = 'DecompressionFailure';
}

/**
 * Decompressed output comes in blocks of this size (zlib slices them from fresh buffers); it is
 * also the most output a failing zlib call can take with it.
 */
export const OUT_CHUNK = 1 << 20;

function isZlibError(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException | null)?.code;
  return typeof code === 'string' && code.startsWith('Z_');
}

/**
 * Backpressure: compressed input goes to zlib in slices of IN_SLICE bytes, and the next slice
 * waits while more than QUEUE_HIGH decompressed bytes are queued for the reader. (zlib's
 * readable side is never paused: data it buffered would be lost if an error followed.)
 */
const IN_SLICE = 16 << 10;
const QUEUE_HIGH = 4 << 20;

/**
 * Decompress `raw` as a whole stream. Zero compressed bytes count as an empty stream (zero
 * records), as TensorFlow treats an empty file. Output blocks are never reused by zlib: it hands
 * out consecutive slices of a buffer and allocates a new one when that is full.
 *
 * Records before an error must still come out (TensorFlow delivers them, then fails). Node's
 * zlib drops the output of a write whose processing fails, and its async iterator drops what is
 * buffered once the stream is destroyed; so the last bytes of the input (the gzip/zlib trailer
 * with the checksum) are written on their own, and output is collected from 'data' events into
 * our own queue where an error can only come after the data before it.
 */
export function decompressBlocks(raw: BlockSource, kind: Exclude<Compression, 'none'>): BlockSource {
  const trailer = kind === 'gzip' ? 8 : 4;
  let z: zlib.Gunzip | zlib.Inflate | undefined;
  let pumpDone: Promise<void> | undefined;
  const stop = new AbortController();
  const queue: Buffer[] = [];
  let queued = 0;
  let roomWaiter: (() => void) | undefined;
  let failure: unknown;
  let ended = false;
  let wake: (() => void) | undefined;
  const notify = (): void => {
    const w = wake;
    wake = undefined;
    w?.();
  };

  const start = (): zlib.Gunzip | zlib.Inflate => {
    const opts = { chunkSize: OUT_CHUNK };
    const stream = kind === 'gzip' ? zlib.createGunzip(opts) : zlib.createInflate(opts);
    stream.on('data', (c: Buffer) => {
      queue.push(c);
      queued += c.length;
      notify();
    });
    stream.on('end', () => {
      ended = true;
      notify();
    });
    stream.on('error', (e: unknown) => {
      failure ??= e;
      notify();
    });
    const write = async (b: Uint8Array): Promise<void> => {
      for (let at = 0; at < b.length; at += IN_SLICE) {
        while (queued > QUEUE_HIGH && !stop.signal.aborted) await new Promise<void>((resolve) => (roomWaiter = resolve));
        if (stop.signal.aborted) return;
        if (!stream.write(b.subarray(at, at + IN_SLICE))) await once(stream, 'drain', { signal: stop.signal });
      }
    };
    // Resolves once zlib has processed `bytes` (or failed on them, or the reader closed): an
    // error reaches the reader through 'error', never through this promise.
    const processed = (bytes: Uint8Array): Promise<void> =>
      new Promise<void>((resolve) => {
        const done = (): void => {
          stream.off('close', done);
          stop.signal.removeEventListener('abort', done);
          resolve();
        };
        stream.once('close', done);
        stop.signal.addEventListener('abort', done, { once: true });
        stream.write(bytes, done);
      });
    // Feed compressed blocks into zlib, always holding back the last `trailer` bytes seen so
    // that the checksum at the very end is processed by a write of its own.
    pumpDone = (async () => {
      try {
        let held = new Uint8Array(0);
        let sawInput = false;
        for (;;) {
          const b = await raw.next();
          if (!b) break;
          sawInput = true;
          if (b.length >= trailer) {
            await write(held);
            await write(b.subarray(0, b.length - trailer));
            held = b.slice(b.length - trailer);
          } else {
            const joined = new Uint8Array(held.length + b.length);
            joined.set(held);
            joined.set(b, held.length);
            const cut = Math.max(0, joined.length - trailer);
            await write(joined.subarray(0, cut));
            held = joined.slice(cut);
          }
        }
        if (!sawInput) {
          // An empty input is an empty stream, not a zlib "unexpected end of file".
          ended = true;
          stream.destroy();
          notify();
          return;
        }
        // end() makes a last write that is still queued a Z_FINISH call, and zlib drops that
        // call's output when it fails: a cut stream would lose its last decompressed bytes. The
        // held bytes (at most the trailer) are therefore processed before end().
        if (!stop.signal.aborted) await processed(held);
        stream.end();
      } catch (e) {
        if (!stop.signal.aborted) stream.destroy(e as Error);
      }
    })();
    return stream;
  };

  return {
    async next(): Promise<Uint8Array | null> {
      z ??= start();
      for (;;) {
        const c = queue.shift();
        if (c !== undefined) {
          queued -= c.length;
          if (queued <= QUEUE_HIGH && roomWaiter) {
            const w = roomWaiter;
            roomWaiter = undefined;
            w();
          }
          if (c.length > 0) return plain(c);
          continue;
        }
        if (failure !== undefined) {
          if (isZlibError(failure)) {
            throw new DecompressionFailure(`${kind}: ${(failure as Error).message}`, { cause: failure });
          }
          throw failure;
        }
        if (ended) return null;
        await new Promise<void>((resolve) => (wake = resolve));
      }
    },
    remaining(): number | undefined {
      return ended && queue.length === 0 ? 0 : undefined;
    },
    async close(): Promise<void> {
      ended = true;
      stop.abort();
      z?.destroy();
      notify();
      roomWaiter?.();
      await pumpDone;
      await raw.close();
    },
  };
}
