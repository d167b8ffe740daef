// A distinct count in bounded memory: exact (a set of 53-bit fingerprints) up to 65,536 distinct
// values, then HyperLogLog (Flajolet et al. 2007) with 2^14 registers, about 0.8% standard
// error. Values are hashed with the house hash (mix32 over the bytes' 32-bit words, seeded), so
// the same data gives the same count on every run and machine.
import { mix32 } from '../../core/random.js';

const P = 14;
const M = 1 << P;
const ALPHA = 0.7213 / (1 + 1.079 / M);

/** A 32-bit hash of a byte string: mix32 over little-endian words, then the length. */
export function hashBytes(bytes: Uint8Array, seed: number): number {
  let h = mix32(seed ^ 0x5bd1e995);
  const n = bytes.length;
  const whole = n & ~3;
  for (let i = 0; i < whole; i += 4) {
    h = mix32(h ^ (bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24)));
  }
  let tail = 0;
  for (let i = whole; i < n; i++) tail |= bytes[i]! << ((i - whole) * 8);
  h = mix32(h ^ tail);
  return mix32(h ^ n);
}

/** Up to this many distinct values the count is exact (fingerprint collisions aside: ~1e-7). */
export const EXACT_LIMIT = 1 << 16;

export class DistinctCounter {
  private readonly registers = new Uint8Array(M);
  private exact: Set<number> | undefined = new Set();

  constructor(private readonly seed = 0) {}

  add(bytes: Uint8Array): void {
    const h = hashBytes(bytes, this.seed);
    if (this.exact !== undefined) {
      this.exact.add(h * 2 ** 21 + (hashBytes(bytes, this.seed + 1) >>> 11));
      if (this.exact.size > EXACT_LIMIT) this.exact = undefined;
    }
    const index = h >>> (32 - P);
    // Rank: position of the first set bit in the remaining 18 bits (19 when all are zero).
    const rest = (h << P) >>> 0;
    const rank = rest === 0 ? 32 - P + 1 : Math.clz32(rest) + 1;
    if (rank > this.registers[index]!) this.registers[index] = rank;
  }

  /** The number of distinct values added so far: exact while small, else HyperLogLog's estimate. */
  estimate(): number {
    if (this.exact !== undefined) return this.exact.size;
    let sum = 0;
    let zeros = 0;
    for (let i = 0; i < M; i++) {
      const r = this.registers[i]!;
      sum += 2 ** -r;
      if (r === 0) zeros++;
    }
    const raw = (ALPHA * M * M) / sum;
    const estimate = raw <= 2.5 * M && zeros > 0 ? M * Math.log(M / zeros) : raw;
    // More than EXACT_LIMIT distinct values were seen, whatever the estimate says: so a count
    // above the limit is always an estimate, and one at or below it always exact.
    return Math.max(estimate, EXACT_LIMIT + 1);
  }
}
