import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pipe, prefetch } from '../../src/pipeline/index.js';
import { collect, range, sleep } from './helpers.js';

/** Lets pending promise callbacks and I/O callbacks run `n` times over (no clock involved). */
async function turns(n: number): Promise<void> {
  for (let k = 0; k < n; k++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/** A per-element source that counts what it produced and does async work for each element. */
function countingSource(n: number, counter: { produced: number }): AsyncIterable<number> {
  return {
    async *[Symbol.asyncIterator]() {
      for (let i = 0; i < n; i++) {
        await turns(1);
        counter.produced++;
        yield i;
      }
    },
  };
}

test('prefetch: the producer runs ahead while the consumer holds an element; plain iteration never does', async () => {
  // A controlled consumer: it takes one element, then holds it while the event loop turns.
  const leadWhileHolding = async (source: AsyncIterable<number>, counter: { produced: number }): Promise<number[]> => {
    const it = source[Symbol.asyncIterator]();
    const leads: number[] = [];
    for (let consumed = 1; consumed <= 6; consumed++) {
      const r = await it.next();
      assert.equal(r.done, false);
      await turns(50);
      leads.push(counter.produced - consumed);
    }
    await it.return?.();
    return leads;
  };
  const plain = { produced: 0 };
  assert.deepEqual(await leadWhileHolding(countingSource(30, plain), plain), [0, 0, 0, 0, 0, 0]);
  const ahead = { produced: 0 };
  const leads = await leadWhileHolding(pipe(countingSource(30, ahead), prefetch(4)), ahead);
  // n elements ready, plus at most the one being handed over.
  for (const lead of leads) assert.ok(lead >= 4 && lead <= 5, `leads ${leads}`);
});

test('prefetch: a slow consumer gets every element in order', async () => {
  const counter = { produced: 0 };
  const got: number[] = [];
  for await (const x of pipe(countingSource(40, counter), prefetch(4))) {
    got.push(x);
    await turns(3);
  }
  assert.deepEqual(got, range(40));
  assert.equal(counter.produced, 40);
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
  await turns(50);
  assert.equal(produced, after, 'nothing produced after the break');
  assert.ok(after <= 3 + 1 + 5 + 1);
  assert.deepEqual(await collect(pipe([], prefetch(2))), []);
});
