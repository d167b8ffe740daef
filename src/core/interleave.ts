// Interleaving several chunk streams while pulling them concurrently: the engine under
// pipeline's interleave({ numParallelCalls }) and io's readTFRecord({ numParallelReads }).
//
// Inner streams come from an iterator of chunk iterators (the input) and sit in cycleLength
// slots; the consumer takes blockLength elements from a slot, then moves to the next. Every
// open stream keeps a pull in flight until it holds AHEAD chunks, with at most `parallelism`
// pulls in flight at once (slots first, from the consumer's position on), so streams that block
// on I/O or on another thread (zlib, a worker) progress side by side. Up to cycleLength further
// inputs are opened ahead in input order and wait, already pulling, for a slot.
//
// deterministic: the output order equals the sequential interleave's: a slot whose stream ended
// is refilled with the next input when the cycle comes back to it. Otherwise a slot with
// nothing ready is passed over for one that has something (tf.data's deterministic=False).
// Errors of a stream surface where the sequential order would reach them (deterministic) or
// when the consumer comes to that slot.

/** How the engine interleaves. */
export interface ConcurrentInterleaveOptions {
  cycleLength: number;
  blockLength: number;
  /** Pulls in flight at once, over all open streams (>= 1). */
  parallelism: number;
  /** Keep the sequential interleave's order (default true). */
  deterministic?: boolean;
}

/** Chunks each stream may hold ahead of the consumer. */
const AHEAD = 2;
const OUT_CHUNK = 1024;

interface Stream<R> {
  it: AsyncIterator<R[]>;
  chunks: R[][];
  pos: number;
  pulling: boolean;
  done: boolean;
  failed: boolean;
  error: unknown;
}

const DONE: IteratorReturnResult<undefined> = { done: true, value: undefined };

/**
 * The interleaved chunks of the streams `input` yields (each a chunk iterator); the input and
 * every stream are closed when the result is closed, ends, or fails.
 */
export function concurrentInterleave<R>(input: AsyncIterator<AsyncIterator<R[]>>, options: ConcurrentInterleaveOptions): AsyncIterator<R[]> {
  const { cycleLength, blockLength, parallelism } = options;
  const deterministic = options.deterministic ?? true;
  const slots: (Stream<R> | undefined)[] = new Array(cycleLength).fill(undefined);
  const staged: Stream<R>[] = [];
  let inputDone = false;
  let inputPulling = false;
  let inputFailed = false;
  let inputError: unknown;
  let inFlight = 0;
  const pending = new Set<Promise<unknown>>();
  let cycle = 0;
  let block = 0;
  let closed = false;
  let wake: (() => void) | undefined;
  const notify = (): void => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  const track = (p: Promise<unknown>): void => {
    pending.add(p);
    void p.finally(() => pending.delete(p));
  };

  const pull = (s: Stream<R>): void => {
    if (closed || s.pulling || s.done || s.failed || s.chunks.length >= AHEAD || inFlight >= parallelism) return;
    s.pulling = true;
    inFlight++;
    track(s.it.next().then(
      (r) => {
        if (r.done) s.done = true;
        else if (r.value.length > 0) s.chunks.push(r.value);
      },
      (e: unknown) => {
        s.failed = true;
        s.error = e;
      },
    ).finally(() => {
      s.pulling = false;
      inFlight--;
      schedule();
      notify();
    }));
  };

  const pullInput = (): void => {
    if (closed || inputPulling || inputDone || inputFailed || staged.length >= cycleLength) return;
    inputPulling = true;
    track(input.next().then(
      (r) => {
        if (r.done) inputDone = true;
        else staged.push({ it: r.value, chunks: [], pos: 0, pulling: false, done: false, failed: false, error: undefined });
      },
      (e: unknown) => {
        inputFailed = true;
        inputError = e;
      },
    ).finally(() => {
      inputPulling = false;
      schedule();
      notify();
    }));
  };

  function schedule(): void {
    for (let k = 0; k < cycleLength; k++) {
      const s = slots[(cycle + k) % cycleLength];
      if (s) pull(s);
    }
    for (const s of staged) pull(s);
    pullInput();
  }

  const sleep = (): Promise<void> => new Promise<void>((resolve) => (wake = resolve));

  /** Fills an empty slot from the staged inputs; false when it must wait for the input. */
  const refill = (k: number): 'filled' | 'wait' | 'none' => {
    const s = staged.shift();
    if (s) {
      slots[k] = s;
      schedule();
      return 'filled';
    }
    if (inputFailed) {
      inputFailed = false;
      inputDone = true;
      throw inputError;
    }
    if (inputDone) return 'none';
    pullInput();
    return 'wait';
  };

  const advance = (): void => {
    cycle = (cycle + 1) % cycleLength;
    block = 0;
  };

  const takeFrom = (s: Stream<R>, out: R[], max: number): number => {
    let taken = 0;
    while (taken < max && s.chunks.length > 0) {
      const c = s.chunks[0] as R[];
      const n = Math.min(max - taken, c.length - s.pos);
      for (let i = 0; i < n; i++) out.push(c[s.pos + i] as R);
      s.pos += n;
      taken += n;
      if (s.pos >= c.length) {
        s.chunks.shift();
        s.pos = 0;
        pull(s);
      }
    }
    return taken;
  };

  async function nextDeterministic(): Promise<IteratorResult<R[]>> {
    const out: R[] = [];
    for (;;) {
      if (out.length >= OUT_CHUNK) return { done: false, value: out };
      const s = slots[cycle];
      if (!s) {
        const r = refill(cycle);
        if (r === 'filled') continue;
        if (r === 'none') {
          if (slots.every((x) => x === undefined)) return out.length > 0 ? { done: false, value: out } : finish();
          advance();
          continue;
        }
        if (out.length > 0) return { done: false, value: out };
        await sleep();
        continue;
      }
      if (s.chunks.length > 0) {
        block += takeFrom(s, out, blockLength - block);
        if (block >= blockLength) advance();
        continue;
      }
      if (s.failed) throw s.error;
      if (s.done) {
        slots[cycle] = undefined;
        advance();
        continue;
      }
      if (out.length > 0) return { done: false, value: out };
      pull(s);
      await sleep();
    }
  }

  async function nextAny(): Promise<IteratorResult<R[]>> {
    const out: R[] = [];
    for (;;) {
      if (out.length >= OUT_CHUNK) return { done: false, value: out };
      let progressed = false;
      let waiting = false;
      for (let k = 0; k < cycleLength; k++) {
        const i = (cycle + k) % cycleLength;
        let s = slots[i];
        if (!s) {
          const r = refill(i);
          if (r === 'wait') waiting = true;
          if (r !== 'filled') continue;
          s = slots[i] as Stream<R>;
        }
        if (s.chunks.length > 0) {
          if (i !== cycle) {
            cycle = i;
            block = 0;
          }
          block += takeFrom(s, out, blockLength - block);
          if (block >= blockLength) advance();
          progressed = true;
          break;
        }
        if (s.failed) throw s.error;
        if (s.done) {
          slots[i] = undefined;
          progressed = true;
          break;
        }
        waiting = true;
      }
      if (progressed) continue;
      if (out.length > 0) return { done: false, value: out };
      if (!waiting && slots.every((x) => x === undefined)) return finish();
      schedule();
      await sleep();
    }
  }

  async function finish(): Promise<IteratorResult<R[]>> {
    await close();
    return DONE;
  }

  async function close(): Promise<void> {
    if (closed) return;
    closed = true;
    notify();
    // Streams with a pull in flight are closed once it settles (an async generator queues
    // return() behind next() anyway).
    await Promise.allSettled([...pending]);
    const streams = [...slots, ...staged].filter((s): s is Stream<R> => s !== undefined);
    slots.fill(undefined);
    staged.length = 0;
    const results = await Promise.allSettled([...streams.map((s) => s.it.return?.()), input.return?.()]);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }

  return {
    async next(): Promise<IteratorResult<R[]>> {
      if (closed) return DONE;
      schedule();
      try {
        return await (deterministic ? nextDeterministic() : nextAny());
      } catch (e) {
        // A consumer does not call return() after next() threw: close everything here.
        await close().catch(() => {});
        throw e;
      }
    },
    async return(): Promise<IteratorResult<R[]>> {
      await close();
      return DONE;
    },
  };
}
