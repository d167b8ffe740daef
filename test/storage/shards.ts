// Shards written by an independent producer (fixtures/make_shards.py, Debian's python3 with
// crc32c) and the payloads the tests expect from them (not a test file itself).
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const MAKE = fileURLToPath(new URL('./fixtures/make_shards.py', import.meta.url));

/** Writes dir/name with `records` records of shard `shard` (see make_shards.py). */
export function makeShard(dir: string, name: string, shard: number, records: number, compression: 'none' | 'gzip' | 'zlib' = 'none'): void {
  execFileSync('/usr/bin/python3', [MAKE, dir, name, String(shard), String(records), compression]);
}

/** Payload i of shard s, by make_shards.py's rule. */
export function shardPayload(s: number, i: number): Uint8Array {
  const n = ((s * 7919 + i * 104729) % 5000) + (i % 17 === 5 ? 70000 : 0);
  const out = new Uint8Array(n);
  for (let k = 0; k < n; k++) out[k] = (s * 13 + i * 31 + k * 7 + (k >> 8)) & 255;
  return out;
}

/** Whether two payload lists are equal, element by element (reports the first difference). */
export function firstDifference(got: Uint8Array[], want: Uint8Array[]): string | undefined {
  for (let i = 0; i < Math.max(got.length, want.length); i++) {
    const a = got[i];
    const b = want[i];
    if (!a || !b) return `record ${i}: ${a ? 'extra' : 'missing'} (got ${got.length}, want ${want.length})`;
    if (!Buffer.from(a.buffer, a.byteOffset, a.length).equals(Buffer.from(b.buffer, b.byteOffset, b.length))) return `record ${i} differs`;
  }
  return undefined;
}
