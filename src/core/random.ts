// The one seeded generator and the one integer hash of recordflow. Math.random cannot be
// seeded, and every random choice (the split, the synthetic sets, shuffles, dropout masks) must
// repeat from its seed on any machine.

/**
 * lowbias32: an avalanche finaliser on 32 bits (xor-shift / multiply rounds, a bijection). The
 * dropout kernels compute it in SIMD lanes, so it is the house hash for every seed mix too.
 *
 * @example
 * const h = mix32(42); // a well-spread 32-bit value
 */
export function mix32(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}

/** The Weyl step (2^32 / golden ratio) that spreads consecutive counters before mix32. */
export const WEYL = 0x9e3779b9;

/**
 * Folds a seed (number, bigint or string) into 32 bits: different seeds give different streams,
 * and a number seed and its string spelling differ on purpose (FNV-1a over a tagged text).
 *
 * @example
 * seedTo32(0) !== seedTo32('0'); // true
 */
export function seedTo32(seed: number | bigint | string): number {
  const text = typeof seed === 'string' ? seed : `#${String(seed)}`;
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * A seed for epoch `epoch` of a stream seeded with `seed`: distinct per epoch, fixed by the seed.
 *
 * @example
 * const epochSeed = deriveSeed(7, 2);
 */
export function deriveSeed(seed: number, epoch: number): number {
  return mix32((mix32(seed >>> 0) ^ mix32((epoch + 0x632be5ab) >>> 0)) >>> 0);
}

/** A fresh unpredictable seed, for callers that ask for no seed. */
export function randomSeed(): number {
  return (Math.random() * 0x100000000) >>> 0;
}

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

/**
 * sfc32 (passes PractRand and BigCrush with 32-bit state words, fast in JS integer math),
 * seeded through a SplitMix sequence of the folded seed.
 *
 * @example
 * const rng = new Random(0);
 * const die = rng.int(6) + 1;
 */
export class Random implements Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  private spare: number | undefined;

  constructor(seed: number | bigint | string) {
    let s = seedTo32(seed);
    const step = (): number => {
      s = (s + WEYL) >>> 0;
      return mix32(s);
    };
    this.a = step();
    this.b = step();
    this.c = step();
    this.d = step();
    for (let i = 0; i < 12; i++) this.nextUint32(); // discard the weakly mixed start
  }

  /** A uniform integer in [0, 2^32). */
  nextUint32(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) >>> 0;
    return t;
  }

  /** A uniform float in [0, 1) with 53 random bits. */
  next(): number {
    return ((this.nextUint32() >>> 5) * 67108864 + (this.nextUint32() >>> 6)) / 9007199254740992;
  }

  /** A uniform float in [0, 1) with 32 random bits (one draw). */
  nextFloat(): number {
    return this.nextUint32() / 0x100000000;
  }

  /** A uniform integer in [0, n) for 1 <= n <= 2^32 (rejection sampling, no modulo bias). */
  int(n: number): number {
    if (!(n >= 1 && n <= 4294967296 && Number.isInteger(n))) throw new RangeError(`Random.int: bad bound ${n}`);
    const limit = 4294967296 - (4294967296 % n);
    for (;;) {
      const x = this.nextUint32();
      if (x < limit) return x % n;
    }
  }

  /** Same as {@link Random.int}; the name the shuffle buffer has always called. */
  nextInt(n: number): number {
    return this.int(n);
  }

  /** A uniform float in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** A standard normal sample (Box–Muller; the pair's twin is kept for the next call). */
  normal(): number {
    if (this.spare !== undefined) {
      const s = this.spare;
      this.spare = undefined;
      return s;
    }
    let u = 0;
    while (u === 0) u = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    const theta = 2 * Math.PI * this.next();
    this.spare = r * Math.sin(theta);
    return r * Math.cos(theta);
  }
}

/**
 * A seeded Rng; the same seed always gives the same sequence.
 *
 * @example
 * const rng = createRng('split');
 * const u = rng.next();
 */
export function createRng(seed: number | bigint | string): Rng {
  return new Random(seed);
}

/**
 * A uniformly random permutation of 0..n-1 (Fisher–Yates).
 *
 * @example
 * const order = randomPermutation(10, createRng(0));
 */
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
