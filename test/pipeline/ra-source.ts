// An in-memory random-access source of the shape io's openTFRecordIndexed returns, recording
// how it was used, so the shuffle fallback can be tested without files.
import { RANDOM_ACCESS, type RandomAccess, type RandomAccessSource } from '../../src/pipeline/index.js';
import { chunked, type Tracked } from './helpers.js';

export interface RaStats {
  opens: number;
  closes: number;
  getManyCalls: number;
  positionsRead: number;
}

export function memoryRandomAccess(payloads: Uint8Array[]): RandomAccessSource<Uint8Array> & Tracked<Uint8Array> & { ra: RaStats } {
  const ra: RaStats = { opens: 0, closes: 0, getManyCalls: 0, positionsRead: 0 };
  const byteLength = payloads.reduce((s, p) => s + p.length, 0);
  const sequential = chunked(payloads, [5]);
  return Object.assign(sequential, {
    ra,
    async [RANDOM_ACCESS](): Promise<RandomAccess<Uint8Array>> {
      ra.opens++;
      return {
        length: payloads.length,
        byteLength,
        async getMany(indices: ArrayLike<number>): Promise<Uint8Array[]> {
          ra.getManyCalls++;
          ra.positionsRead += indices.length;
          return Array.from(indices, (i) => {
            if (!(i >= 0 && i < payloads.length)) throw new RangeError(`position ${i}`);
            return payloads[i] as Uint8Array;
          });
        },
        async close(): Promise<void> {
          ra.closes++;
        },
      };
    },
  });
}

/** Payload i is 4 bytes holding i (little-endian) plus `pad` filler bytes. */
export function payloads(n: number, pad = 0): Uint8Array[] {
  return Array.from({ length: n }, (_, i) => {
    const p = new Uint8Array(4 + pad);
    new DataView(p.buffer).setUint32(0, i, true);
    return p;
  });
}

export const idOf = (p: Uint8Array): number => new DataView(p.buffer, p.byteOffset, 4).getUint32(0, true);
