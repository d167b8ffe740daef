// Shared helpers for the TFRecord tests (not a test file itself).
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { Readable } from 'node:stream';

export const GOLDEN = fileURLToPath(new URL('../../golden/tfrecord/', import.meta.url));

export interface GoldenEntry {
  compression: 'none' | 'gzip' | 'zlib';
  records: number[];
  error?: { kind: string; recordIndex: number; offset: number };
  /** onCorrupt 'skip': the records delivered, the regions skipped, the bytes the first drops. */
  skip?: { records: number[]; skipped: number; bytes: number };
  note: string;
}

export const MANIFEST = JSON.parse(readFileSync(join(GOLDEN, 'manifest.json'), 'utf8')) as {
  sizes: number[];
  offsets: number[];
  files: Record<string, GoldenEntry>;
};

/** Payload i of the golden files: byte k = (i*31 + k*7 + (k>>8)) & 255. */
export function goldenPayload(i: number): Uint8Array {
  const n = MANIFEST.sizes[i]!;
  const out = new Uint8Array(n);
  for (let k = 0; k < n; k++) out[k] = (i * 31 + k * 7 + (k >> 8)) & 255;
  return out;
}

export const PAYLOADS = MANIFEST.sizes.map((_, i) => goldenPayload(i));

/** Mulberry32: a small seeded PRNG for reproducible "random" tests. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randomBytes(rand: () => number, n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (rand() * 256) | 0;
  return out;
}

/** The bytes cut in pieces of random sizes in [1, maxPiece], as fresh copies. */
export async function* piecewise(bytes: Uint8Array, seed: number, maxPiece: number): AsyncGenerator<Uint8Array> {
  const rand = rng(seed);
  for (let at = 0; at < bytes.length; ) {
    const n = Math.min(bytes.length - at, 1 + Math.floor(rand() * maxPiece));
    yield bytes.slice(at, at + n);
    at += n;
  }
}

export function webStream(bytes: Uint8Array, piece: number): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream<Uint8Array>({
    pull(c) {
      if (at >= bytes.length) return c.close();
      c.enqueue(bytes.slice(at, at + piece));
      at += piece;
    },
  });
}

export function nodeStream(bytes: Uint8Array, seed: number, maxPiece: number): Readable {
  return Readable.from(piecewise(bytes, seed, maxPiece), { objectMode: false });
}

/** Open file descriptors of this process (Linux). */
/**
 * Open descriptors of files on disk (links to absolute paths, under `under` when given): what a
 * reader must close. Pipes, sockets and event fds (a worker thread's, for one) are not counted,
 * nor, with `under`, files other code opens meanwhile (the TS loader's cache, for one).
 */
export function openFds(under = '/'): number {
  let n = 0;
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`).startsWith(under)) n++;
    } catch {
      // closed between the listing and the readlink (e.g. the listing's own descriptor)
    }
  }
  return n;
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(a, b) === 0;
}

/** Runs fn in a fresh temporary directory (named after `prefix`), removed afterwards. */
export async function withDir<T>(prefix: string, fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
