// The loop under the operators that turn each input element into zero or more outputs, taken
// from arrays without an await or drained from an inner source (flatMap, chooseFromDatasets,
// groupWindows): the input is read chunk by chunk, outputs gather into one chunk, and whatever
// has gathered goes out before every await, so neither a slow input nor a slow inner source
// holds back elements that are ready.
import { chunkIterator, DEFAULT_CHUNK } from './source.js';

/** The outputs a step has gathered, sent downstream as one chunk. */
export class Outbox<R> {
  /** Outputs not yet sent; a step pushes here. */
  items: R[] = [];
  /** Set by a step to end the output after what has gathered (the input is then closed). */
  stopped = false;

  /** The gathered outputs as one chunk, if there are any. */
  *flush(): Generator<R[], void, undefined> {
    if (this.items.length === 0) return;
    const chunk = this.items;
    this.items = [];
    yield chunk;
  }
}

/**
 * What a step hands back: nothing when its outputs went into the outbox, or chunks to pass on
 * whole (an inner source), which are drained before the next input element is read.
 */
export type StepResult<R> = AsyncIterable<R[]> | undefined;

/**
 * Calls `step(x, index, out)` for every element of `source` in order, then `end(out)` once the
 * input has ended (for leftovers). The gathered outputs go out before every await: before the
 * next input chunk is read and before a returned inner source is drained. The input is closed
 * however the loop ends.
 */
export async function* expandEach<T, R>(
  source: AsyncIterable<T>,
  step: (value: T, index: number, out: Outbox<R>) => StepResult<R>,
  end?: (out: Outbox<R>) => StepResult<R>,
): AsyncGenerator<R[], void, undefined> {
  const input = chunkIterator(source);
  const out = new Outbox<R>();
  let index = 0;
  try {
    for (;;) {
      yield* out.flush();
      const r = await input.next();
      if (r.done) break;
      for (const x of r.value) {
        const more = step(x, index++, out);
        if (more !== undefined) {
          yield* out.flush();
          yield* more;
        }
        if (out.stopped) {
          yield* out.flush();
          return;
        }
        if (out.items.length >= DEFAULT_CHUNK) yield* out.flush();
      }
    }
    const more = end?.(out);
    if (more !== undefined) {
      yield* out.flush();
      yield* more;
    }
    yield* out.flush();
  } finally {
    await input.return?.();
  }
}
