// Test sources for the pipeline tests: per-element and chunked sources that record whether
// they were closed, and sources that fail at a given element.
import { CHUNKS, fromChunks, type Chunked } from '../../src/core/chunks.js';

export interface Tracked<T> extends AsyncIterable<T> {
  /** How many iterations were closed (finished, broken out of, or failed). */
  closed: number;
  /** How many iterations were started. */
  opened: number;
  /** Elements handed out so far. */
  pulled: number;
}

/** A plain (non-chunked) async generator source. */
export function perElement<T>(items: readonly T[], failAt = -1): Tracked<T> {
  const t: Tracked<T> = {
    closed: 0,
    opened: 0,
    pulled: 0,
    async *[Symbol.asyncIterator]() {
      t.opened++;
      try {
        for (let i = 0; i < items.length; i++) {
          if (i === failAt) throw new Error(`source failed at ${i}`);
          t.pulled++;
          yield items[i] as T;
        }
        if (failAt === items.length) throw new Error(`source failed at ${failAt}`);
      } finally {
        t.closed++;
      }
    },
  };
  return t;
}

/** A chunked source cutting items into chunks of the given sizes (cycled). */
export function chunked<T>(items: readonly T[], sizes: number[] = [3], failAt = -1): Tracked<T> & Chunked<T> {
  const stats = { closed: 0, opened: 0, pulled: 0 };
  const source = fromChunks(async function* () {
    stats.opened++;
    try {
      let i = 0;
      let k = 0;
      while (i < items.length) {
        const n = sizes[k++ % sizes.length] as number;
        const chunk = items.slice(i, i + n);
        if (failAt >= i && failAt < i + chunk.length) throw new Error(`source failed at ${failAt}`);
        i += chunk.length;
        stats.pulled += chunk.length;
        yield chunk;
      }
      if (failAt === items.length) throw new Error(`source failed at ${failAt}`);
    } finally {
      stats.closed++;
    }
  });
  Object.defineProperties(source, {
    closed: { get: () => stats.closed },
    opened: { get: () => stats.opened },
    pulled: { get: () => stats.pulled },
  });
  return source as Tracked<T> & Chunked<T>;
}

export function range(n: number, start = 0): number[] {
  return Array.from({ length: n }, (_, i) => start + i);
}

export async function collect<T>(source: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of source) out.push(x);
  return out;
}

/** Collects through the chunk protocol, checking that no chunk is empty. */
export async function collectChunks<T>(source: Chunked<T>): Promise<T[]> {
  const out: T[] = [];
  const it = source[CHUNKS]();
  for (;;) {
    const r = await it.next();
    if (r.done) return out;
    if (r.value.length === 0) throw new Error('empty chunk');
    out.push(...r.value);
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
