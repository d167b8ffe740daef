// A small seeded PRNG (sfc32, 32-bit state words) so shuffles are reproducible from a seed and
// cheap enough to call once per element. Math.random cannot be seeded, hence this file.

/** Mixes a 32-bit value into a well-spread 32-bit value (splitmix32-style finaliser). */
export function mix32(x: number): number {
  x = (x + 0x9e3779b9) | 0;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/** A seed for epoch `epoch` of a stream seeded with `seed`: distinct per epoch, fixed by the seed. */
export function deriveSeed(seed: number, epoch: number): number {
  return mix32(mix32(seed >>> 0) ^ mix32((epoch + 0x632be5ab) | 0));
}

/** A fresh unpredictable seed, used when the caller gives none. */
export function randomSeed(): number {
  return (Math.random() * 0x100000000) >>> 0;
}

export class Random {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    this.a = mix32(seed);
    this.b = mix32(this.a ^ 0x1b873593);
    this.c = mix32(this.b ^ 0xcc9e2d51);
    this.d = 1;
    // Warm up so that nearby seeds diverge before the first draw.
    for (let i = 0; i < 12; i++) this.nextUint32();
  }

  /** A uniform integer in [0, 2^32). */
  nextUint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** A uniform float in [0, 1). */
  nextFloat(): number {
    return this.nextUint32() / 0x100000000;
  }

  /**
   * A uniform integer in [0, n) for 1 <= n <= 2^32, without modulo bias: draws that fall in the
   * incomplete last block of size 2^32 mod n are redrawn.
   */
  nextInt(n: number): number {
    if (n <= 1) return 0;
    const limit = 0x100000000 - (0x100000000 % n);
    let r = this.nextUint32();
    while (r >= limit) r = this.nextUint32();
    return r % n;
  }
}
