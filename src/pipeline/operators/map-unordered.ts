// map(fn, { concurrency, deterministic: false }): tf.data's map with deterministic=False. Up to
// `concurrency` calls run at once and each result goes out as soon as its call settles, so one
// slow element does not hold back the ones after it. A failed call's error goes out in its turn
// (completion order), naming its element.
import { Cursor } from '../cursor.js';
import { DEFAULT_CHUNK, isThenable } from '../source.js';
import { wrapError } from '../errors.js';

/** One iteration of an unordered map, as chunks of results in completion order. */
export async function* mapUnordered<T, R>(
  source: AsyncIterable<T>, fn: (value: T, index: number, signal: AbortSignal) => R | PromiseLike<R>, concurrency: number,
): AsyncGenerator<R[]> {
  const input = new Cursor(source);
  const abort = new AbortController();
  let index = 0;
  let sourceDone = false;
  let inFlight = 0;
  let ready: R[] = [];
  let failure: { error: unknown } | undefined;
  let wake: (() => void) | undefined;
  const settled = (): void => {
    inFlight--;
    const w = wake;
    wake = undefined;
    w?.();
  };
  try {
    for (;;) {
      while (inFlight < concurrency && failure === undefined && !sourceDone) {
        if (!input.ready) {
          if (ready.length > 0) {
            yield ready;
            ready = [];
          }
          if (!(await input.fill())) {
            sourceDone = true;
            break;
          }
        }
        const i = index++;
        let y: R | PromiseLike<R>;
        try {
          y = fn(input.take(), i, abort.signal);
        } catch (e) {
          throw wrapError('map', i, e);
        }
        if (!isThenable(y)) {
          ready.push(y);
          if (ready.length >= DEFAULT_CHUNK) {
            yield ready;
            ready = [];
          }
          continue;
        }
        inFlight++;
        Promise.resolve(y).then(
          (v) => {
            ready.push(v);
            settled();
          },
          (e: unknown) => {
            failure ??= { error: wrapError('map', i, e) };
            settled();
          },
        );
      }
      if (ready.length > 0) {
        yield ready;
        ready = [];
        continue;
      }
      if (failure !== undefined) throw failure.error;
      if (inFlight === 0) {
        if (sourceDone) return;
        continue;
      }
      await new Promise<void>((resolve) => (wake = resolve));
    }
  } finally {
    abort.abort();
    await input.close();
  }
}
