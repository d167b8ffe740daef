import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pipe, prefetch } from '../../src/pipeline/index.js';
import { collect, range, sleep } from './helpers.js';

/** A source that takes ~1 ms per element and logs when each element was produced. */
function slowSource(n: number, log: string[]): AsyncIterable<number> {
  return {
    async *[Symbol.asyncIterator]() {
      for (let i = 0; i < n; i++) {
        await sleep(1);
        log.push(`p${i}`);
        yield i;
      }
    },
  };
}

async function consume(source: AsyncIterable<number>, log: string[]): Promise<number> {
  const t0 = performance.now();
  for await (const x of source) {
    log.push(`c${x}`);
    await sleep(1);
  }
  return performance.now() - t0;
}

test('prefetch: runs the producer ahead of a slow consumer (~1 ms/element instead of 2)', async () => {
  const n = 40;
  const seqLog: string[] = [];
  const ratios: number[] = [];
  // Timing on a shared, loaded box: the ideal ratio is 0.5; one quiet measurement below 0.75
  // out of up to four proves the overlap (sequential iteration cannot go below 1.0).
  for (let attempt = 0; attempt < 4; attempt++) {
    seqLog.length = 0;
    const sequential = await consume(slowSource(n, seqLog), seqLog);
    const prefetched = await consume(pipe(slowSource(n, []), prefetch(4)), []);
    ratios.push(prefetched / sequential);
    if (prefetched < 0.75 * sequential) break;
  }
  assert.deepEqual(seqLog.slice(0, 4), ['p0', 'c0', 'p1', 'c1']);
  assert.ok(Math.min(...ratios) < 0.75, `prefetched/sequential time: ${ratios.map((r) => r.toFixed(2)).join(', ')}`);
});

test('prefetch: the producer works while the consumer is busy (a lead that plain iteration never has)', async () => {
  const lead = async (source: AsyncIterable<number>, counter: { produced: number }): Promise<number> => {
    let consumed = 0;
    let max = 0;
    for await (const _ of source) {
      consumed++;
      await sleep(3);
      max = Math.max(max, counter.produced - consumed);
    }
    return max;
  };
  const make = (counter: { produced: number }): AsyncIterable<number> => ({
    async *[Symbol.asyncIterator]() {
      for (let i = 0; i < 15; i++) {
        await sleep(1);
        counter.produced++;
        yield i;
      }
    },
  });
  const plain = { produced: 0 };
  assert.equal(await lead(make(plain), plain), 0);
  const ahead = { produced: 0 };
  assert.ok((await lead(pipe(make(ahead), prefetch(4)), ahead)) >= 3);
});

test('prefetch: keeps at most n elements ready ahead of the consumer (per-element source)', async () => {
  let produced = 0;
  let consumed = 0;
  let maxAhead = 0;
  const src = {
    async *[Symbol.asyncIterator]() {
      for (let i = 0; i < 50; i++) {
        produced++;
        maxAhead = Math.max(maxAhead, produced - consumed);
        yield i;
      }
    },
  };
  for await (const _ of pipe(src, prefetch(3))) {
    consumed++;
    await sleep(0);
  }
  assert.ok(maxAhead <= 3 + 1, `ahead by ${maxAhead}`); // n ready + the one being handed over
  assert.ok(maxAhead >= 2);
});

test('prefetch: errors arrive in order, after the elements produced before them', async () => {
  const src = {
    async *[Symbol.asyncIterator]() {
      yield 1;
      yield 2;
      throw new Error('late failure');
    },
  };
  const got: number[] = [];
  await assert.rejects(async () => {
    for await (const x of pipe(src, prefetch(10))) got.push(x as number);
  }, /late failure/);
  assert.deepEqual(got, [1, 2]);
});

test('prefetch: a break stops the producer', async () => {
  let produced = 0;
  let closed = false;
  const src = {
    async *[Symbol.asyncIterator]() {
      try {
        for (let i = 0; ; i++) {
          produced++;
          await sleep(0);
          yield i;
        }
      } finally {
        closed = true;
      }
    },
  };
  for await (const x of pipe(src, prefetch(5))) if (x === 3) break;
  assert.ok(closed);
  const after = produced;
  await sleep(20);
  assert.equal(produced, after, 'nothing produced after the break');
  assert.ok(after <= 3 + 1 + 5 + 1);
  assert.deepEqual(await collect(pipe([], prefetch(2))), []);
});
