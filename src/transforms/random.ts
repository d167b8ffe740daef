// A small seeded PRNG (sfc32, seeded through splitmix32) shared by the split and the synthetic
// generator. Math.random cannot be seeded, and every random choice in recordflow must be
// reproducible from a seed across runs and machines.

/** A deterministic stream of random numbers. */
export interface Rng {
  /** Uniform float in [0, 1) with 53 random bits. */
  next(): number;
  /** Uniform integer in [0, n) (n ≥ 1, n ≤ 2^32), without modulo bias. */
  int(n: number): number;
  /** Uniform float in [lo, hi). */
  uniform(lo: number, hi: number): number;
  /** Standard normal sample (Box–Muller, one value per call; the pair's twin is cached). */
  normal(): number;
}

function splitmix32(state: number): () => number {
  let s = state >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** Folds a seed (number, bigint or string) into 32 bits: different seeds give different streams. */
export function seedTo32(seed: number | bigint | string): number {
  const text = typeof seed === 'string' ? seed : `#${String(seed)}`;
  let h = 0x811c9dc5; // FNV-1a
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** A seeded Rng; the same seed always gives the same sequence. */
export function createRng(seed: number | bigint | string): Rng {
  const mix = splitmix32(seedTo32(seed));
  let a = mix();
  let b = mix();
  let c = mix();
  let d = mix();
  const u32 = (): number => {
    // sfc32: passes PractRand/BigCrush, 32-bit state words, fast in JS integer math.
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) >>> 0;
    return t;
  };
  for (let i = 0; i < 12; i++) u32(); // discard the weakly mixed start
  let spare: number | undefined;
  const next = (): number => ((u32() >>> 5) * 67108864 + (u32() >>> 6)) / 9007199254740992;
  return {
    next,
    int(n: number): number {
      if (!(n >= 1 && n <= 4294967296 && Number.isInteger(n))) throw new RangeError(`Rng.int: bad bound ${n}`);
      // Rejection sampling on 32-bit draws: the largest multiple of n below 2^32 bounds the draw.
      const limit = 4294967296 - (4294967296 % n);
      for (;;) {
        const x = u32();
        if (x < limit) return x % n;
      }
    },
    uniform: (lo: number, hi: number): number => lo + (hi - lo) * next(),
    normal(): number {
      if (spare !== undefined) {
        const s = spare;
        spare = undefined;
        return s;
      }
      let u = 0;
      while (u === 0) u = next();
      const r = Math.sqrt(-2 * Math.log(u));
      const theta = 2 * Math.PI * next();
      spare = r * Math.sin(theta);
      return r * Math.cos(theta);
    },
  };
}

/** A uniformly random permutation of 0..n-1 (Fisher–Yates). */
export function randomPermutation(n: number, rng: Rng): number[] {
  const p = new Array<number>(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = p[i]!;
    p[i] = p[j]!;
    p[j] = t;
  }
  return p;
}
