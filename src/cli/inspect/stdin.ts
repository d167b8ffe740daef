// Standard input without --compression: what its first bytes say. A TFRecord stream starts
// with a length whose masked CRC-32C follows it, which compressed bytes match by chance once in
// 2^32; else gzip's magic (1f 8b) or a zlib header (deflate, window <= 32K, check bits) names
// the compression, and anything else is read as a plain stream (the reader then names the damage).
import type { Compression } from '../../io/index.js';

/** The compression the first bytes of a stream show (at least 12 bytes unless the stream is shorter). */
export function compressionOfHead(head: Uint8Array, maskedCrc32c: (bytes: Uint8Array) => number): Compression {
  if (head.length >= 12) {
    const view = new DataView(head.buffer, head.byteOffset, 12);
    if (maskedCrc32c(head.subarray(0, 8)) === view.getUint32(8, true)) return 'none';
  }
  if (head.length >= 2) {
    const [a, b] = [head[0]!, head[1]!];
    if (a === 0x1f && b === 0x8b) return 'gzip';
    if ((a & 0x0f) === 8 && a >> 4 <= 7 && ((a << 8) | b) % 31 === 0) return 'zlib';
  }
  return 'none';
}

/**
 * Reads the first bytes of `stream` and says its compression; `source` gives the whole stream
 * again (those bytes first) and closes it however its reader stops.
 */
export async function sniffCompression(
  stream: AsyncIterable<Uint8Array | string>,
): Promise<{ source: AsyncIterable<Uint8Array>; compression: Compression }> {
  const { maskedCrc32c } = await import('../../io/index.js');
  const it = stream[Symbol.asyncIterator]();
  const pieces: Uint8Array[] = [];
  let n = 0;
  let ended = false;
  while (n < 12) {
    const r = await it.next();
    if (r.done) {
      ended = true;
      break;
    }
    const piece = typeof r.value === 'string' ? Buffer.from(r.value) : r.value;
    pieces.push(piece);
    n += piece.length;
  }
  const head = Buffer.concat(pieces);
  async function* source(): AsyncGenerator<Uint8Array> {
    try {
      if (head.length > 0) yield head;
      while (!ended) {
        const r = await it.next();
        if (r.done) return;
        yield typeof r.value === 'string' ? Buffer.from(r.value) : r.value;
      }
    } finally {
      await it.return?.();
    }
  }
  return { source: source(), compression: compressionOfHead(head, maskedCrc32c) };
}
