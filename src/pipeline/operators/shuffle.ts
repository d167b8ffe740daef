// shuffle(bufferSize, { seed, reshuffleEachIteration = true, maxBufferBytes }) with tf.data
// semantics: the buffer fills to bufferSize before the first output; each output is a
// uniformly random buffer element whose slot is refilled from upstream; at the end the buffer
// drains in random order. bufferSize >= dataset size gives a uniform full permutation.
//
// The fallback: when the source is random-access (an indexed TFRecord, possibly followed by
// maps) and the buffer would cover the whole dataset or exceed maxBufferBytes, the same
// buffer algorithm runs over element *positions* and payloads are read by position, so only
// indices sit in memory. Both paths draw the same random numbers for the same seed and epoch,
// so they produce the same order.
import { fromChunks, type Chunked } from '../../core/chunks.js';
import { InputError } from '../../core/errors.js';
import { deriveSeed, Random, randomSeed } from '../../core/random.js';
import { chunkIterator, DEFAULT_CHUNK, isRandomAccess, RANDOM_ACCESS, type RandomAccess } from '../source.js';

/** Options of {@link shuffle}. */
export interface ShuffleOptions {
  /** Fixes the order; without it every run differs. */
  seed?: number;
  /** A new order on each iteration (epoch), still derived from the seed. Default true. */
  reshuffleEachIteration?: boolean;
  /** Memory budget for the buffer; past it a random-access source is shuffled by index. */
  maxBufferBytes?: number;
}

/** How many positions the fallback reads per getMany call. */
const READ_BATCH = 256;

/**
 * The tf.data shuffle buffer, independent of what the elements are.
 *
 * @example
 * const buffer = new ShuffleBuffer<number>(3, new Random(1));
 * const out: number[] = [];
 * for (const x of [1, 2, 3, 4, 5]) buffer.push(x, out);
 * buffer.drain(out); // out holds 1..5 in a seeded random order
 */
export class ShuffleBuffer<T> {
  private readonly items: T[] = [];
  constructor(private readonly size: number, private readonly rng: Random) {}

  /** Adds x; once the buffer is full, first emits a random element into out and reuses its slot. */
  push(x: T, out: T[]): void {
    const items = this.items;
    if (items.length < this.size) {
      items.push(x);
      return;
    }
    const j = this.rng.nextInt(this.size);
    out.push(items[j] as T);
    items[j] = x;
  }

  /** Emits every remaining element in random order. */
  drain(out: T[], max = Infinity): void {
    const items = this.items;
    while (items.length > 0 && out.length < max) {
      const j = this.rng.nextInt(items.length);
      out.push(items[j] as T);
      const last = items.pop() as T;
      if (j < items.length) items[j] = last;
    }
  }

  get length(): number {
    return this.items.length;
  }
}

/**
 * tf.data's buffered shuffle: a uniformly random element of a buffer of bufferSize is emitted
 * and its slot refilled; a new order each epoch (derived from the seed) unless
 * reshuffleEachIteration is false. Random-access sources may be shuffled by position.
 *
 * @example
 * const shuffled = pipe(range(100), shuffle<number>(100, { seed: 42 }));
 */
export function shuffle<T>(bufferSize: number, options: ShuffleOptions = {}) {
  if (!(bufferSize > 0) || !Number.isInteger(bufferSize)) {
    throw new InputError(`shuffle: bufferSize must be a positive integer, got ${bufferSize}`);
  }
  const seed = options.seed ?? randomSeed();
  const reshuffle = options.reshuffleEachIteration ?? true;
  const maxBufferBytes = options.maxBufferBytes;
  return (source: AsyncIterable<T>): Chunked<T> => {
    let epoch = 0;
    // Once an epoch found the buffered path right for this source, later epochs skip opening
    // the random-access view just to decide again.
    const plan: Plan = { buffered: !isRandomAccess(source) };
    return fromChunks(() => {
      const rng = new Random(deriveSeed(seed, reshuffle ? epoch++ : 0));
      return shuffleChunks(source, bufferSize, rng, maxBufferBytes, plan);
    });
  };
}

interface Plan {
  buffered: boolean;
}

async function* shuffleChunks<T>(
  source: AsyncIterable<T>, bufferSize: number, rng: Random, maxBufferBytes: number | undefined, plan: Plan,
): AsyncGenerator<T[]> {
  if (!plan.buffered && isRandomAccess(source)) {
    const ra = await source[RANDOM_ACCESS]();
    let useIndex = false;
    try {
      useIndex = shouldShuffleIndex(ra, bufferSize, maxBufferBytes);
      plan.buffered = !useIndex;
      if (useIndex) yield* indexShuffle(ra, bufferSize, rng);
    } finally {
      await ra.close();
    }
    if (useIndex) return;
  }
  const buffer = new ShuffleBuffer<T>(bufferSize, rng);
  const it = chunkIterator(source);
  try {
    for (;;) {
      const r = await it.next();
      if (r.done) break;
      const out: T[] = [];
      for (const x of r.value) buffer.push(x, out);
      if (out.length > 0) yield out;
    }
    while (buffer.length > 0) {
      const out: T[] = [];
      buffer.drain(out, DEFAULT_CHUNK);
      yield out;
    }
  } finally {
    await it.return?.();
  }
}

/** The fallback applies when the buffer would hold everything or pass the memory budget. */
export function shouldShuffleIndex(ra: RandomAccess<unknown>, bufferSize: number, maxBufferBytes?: number): boolean {
  if (ra.length === 0) return true;
  const held = Math.min(bufferSize, ra.length);
  if (held >= ra.length) return true;
  if (maxBufferBytes === undefined || ra.byteLength === undefined) return false;
  return (ra.byteLength / ra.length) * held > maxBufferBytes;
}

async function* indexShuffle<T>(ra: RandomAccess<T>, bufferSize: number, rng: Random): AsyncGenerator<T[]> {
  // Positions flow through the same buffer as elements would, so the order equals the
  // buffered path's order for the same random stream.
  const buffer = new ShuffleBuffer<number>(bufferSize, rng);
  const n = ra.length;
  let positions: number[] = [];
  for (let i = 0; i < n; i++) {
    buffer.push(i, positions);
    if (positions.length >= READ_BATCH) {
      yield await ra.getMany(positions);
      positions = [];
    }
  }
  for (;;) {
    buffer.drain(positions, READ_BATCH);
    if (positions.length === 0) return;
    yield await ra.getMany(positions);
    positions = [];
  }
}
