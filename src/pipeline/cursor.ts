// A cursor over one input of an operator that reads several (sampleFromDatasets,
// chooseFromDatasets, rejectionResample): elements one at a time from the input's chunks, an
// await only when a chunk runs out, opened on first use and closed however the operator ends.
import { chunkIterator, type SourceLike } from './source.js';

export class Cursor<T> {
  private it: AsyncIterator<T[]> | undefined;
  private chunk: T[] = [];
  private pos = 0;
  /** True once the input has ended. */
  done = false;

  constructor(private readonly source: SourceLike<T>) {}

  /** Whether an element can be taken without waiting. */
  get ready(): boolean {
    return this.pos < this.chunk.length;
  }

  /** The next element; only when `ready`. */
  take(): T {
    return this.chunk[this.pos++] as T;
  }

  /** Waits until an element is ready (true) or the input has ended (false). */
  async fill(): Promise<boolean> {
    while (this.pos >= this.chunk.length) {
      if (this.done) return false;
      this.it ??= chunkIterator(this.source);
      const r = await this.it.next();
      if (r.done) {
        this.done = true;
        this.it = undefined;
        return false;
      }
      this.chunk = r.value;
      this.pos = 0;
    }
    return true;
  }

  /** Closes the input if it is open. */
  async close(): Promise<void> {
    const it = this.it;
    this.it = undefined;
    this.chunk = [];
    this.pos = 0;
    await it?.return?.();
  }
}

/** Closes every cursor, reporting the first failure after all were tried. */
export async function closeAll(cursors: readonly Cursor<unknown>[]): Promise<void> {
  const results = await Promise.allSettled(cursors.map((c) => c.close()));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}
