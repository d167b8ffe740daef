// The hand-written per-element async generators the pipeline benches set beside recordflow's
// operators (the floor without chunking: one await per element per stage), the element type
// they run on, and the count every side returns so that nothing is optimised away.

/** The bench's element: a small object. */
export interface Item {
  id: number;
  value: number;
}

/** Elements of a stream, or of the batches when it yields arrays. */
export async function count(source: AsyncIterable<unknown>): Promise<number> {
  let n = 0;
  for await (const x of source) n += Array.isArray(x) ? x.length : 1;
  return n;
}

/** A `check` for roundRobin: every side (but those in `except`) must count the same elements. */
export function sameCount(except: readonly string[] = []): (side: string, n: number) => void {
  const counts = new Set<number>();
  return (side, n) => {
    if (except.includes(side)) return;
    counts.add(n);
    if (counts.size > 1) throw new Error(`${side}: ${n} elements, others ${[...counts][0]}`);
  };
}

export async function* genFrom<T>(xs: T[]): AsyncGenerator<T> {
  for (const x of xs) yield x;
}
export async function* genFlatMap<T, R>(src: AsyncIterable<T>, f: (x: T) => R[]): AsyncGenerator<R> {
  for await (const x of src) for (const y of f(x)) yield y;
}
export async function* genBatch<T>(src: AsyncIterable<T>, n: number): AsyncGenerator<T[]> {
  let b: T[] = [];
  for await (const x of src) {
    b.push(x);
    if (b.length === n) {
      yield b;
      b = [];
    }
  }
  if (b.length) yield b;
}
export async function* genMap<T, R>(src: AsyncIterable<T>, f: (x: T) => R): AsyncGenerator<R> {
  for await (const x of src) yield f(x);
}
export async function* genFilter<T>(src: AsyncIterable<T>, f: (x: T) => boolean): AsyncGenerator<T> {
  for await (const x of src) if (f(x)) yield x;
}
export async function* genUnbatch<T>(src: AsyncIterable<T[]>): AsyncGenerator<T> {
  for await (const b of src) for (const x of b) yield x;
}
/** Windows of items as tf.data gives them for dict elements: one object of windows. */
export async function* genWindow(src: AsyncIterable<Item>, size: number, shift: number): AsyncGenerator<{ id: number[]; value: number[] }> {
  let buf: Item[] = [];
  const rows = (w: Item[]) => ({ id: w.map((x) => x.id), value: w.map((x) => x.value) });
  for await (const x of src) {
    buf.push(x);
    if (buf.length === size) {
      yield rows(buf);
      buf = buf.slice(shift);
    }
  }
  while (buf.length > 0) {
    yield rows(buf);
    buf = buf.slice(shift);
  }
}
export async function* genPaddedBatch(src: AsyncIterable<number[]>, n: number): AsyncGenerator<number[][]> {
  for await (const b of genBatch(src, n)) {
    let len = 0;
    for (const s of b) len = Math.max(len, s.length);
    yield b.map((s) => {
      const out = new Array<number>(len).fill(0);
      for (let i = 0; i < s.length; i++) out[i] = s[i] as number;
      return out;
    });
  }
}
export async function* genEnumerate<T>(src: AsyncIterable<T>): AsyncGenerator<[number, T]> {
  let i = 0;
  for await (const x of src) yield [i++, x];
}
/** The same tf.data buffer algorithm, one element per await (used for ix and generators). */
export async function* genShuffle<T>(src: AsyncIterable<T>, size: number): AsyncGenerator<T> {
  const buf: T[] = [];
  for await (const x of src) {
    if (buf.length < size) buf.push(x);
    else {
      const j = Math.floor(Math.random() * size);
      yield buf[j] as T;
      buf[j] = x;
    }
  }
  while (buf.length) {
    const j = Math.floor(Math.random() * buf.length);
    yield buf[j] as T;
    buf[j] = buf[buf.length - 1] as T;
    buf.pop();
  }
}
