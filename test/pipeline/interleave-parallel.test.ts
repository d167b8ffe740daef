// interleave with numParallelCalls: inner sources are pulled concurrently (never more at once
// than asked), deterministic gives exactly the sequential interleave's order whatever the inner
// sources' timing, deterministic: false takes what is ready, and every source is closed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Dataset, interleave, OperatorError, pipe, Random } from '../../src/index.js';
import { collect, perElement, sleep } from './helpers.js';

/** Counts pulls in flight over a set of inner sources. */
class Gauge {
  now = 0;
  max = 0;
  opened = 0;
  closed = 0;
}

/** An inner source of `items` whose every next() waits `delay(i)` ms (0 = a macrotask turn). */
function slow(items: number[], gauge: Gauge, delay: (i: number) => number, failAt = -1): AsyncIterable<number> {
  return {
    async *[Symbol.asyncIterator]() {
      gauge.opened++;
      try {
        for (let i = 0; i < items.length; i++) {
          gauge.now++;
          gauge.max = Math.max(gauge.max, gauge.now);
          try {
            await sleep(delay(i));
          } finally {
            gauge.now--;
          }
          if (i === failAt) throw new Error(`inner failed at ${i}`);
          yield items[i] as number;
        }
      } finally {
        gauge.closed++;
      }
    },
  };
}

test('interleave numParallelCalls, deterministic: the sequential order, for any timing, cycle and block', async () => {
  const rng = new Random(1);
  for (let round = 0; round < 24; round++) {
    const lengths = Array.from({ length: 1 + rng.int(7) }, () => rng.int(6));
    const inner = (k: number): number[] => Array.from({ length: lengths[k] as number }, (_, i) => k * 100 + i);
    const cycleLength = 1 + rng.int(4);
    const blockLength = 1 + rng.int(3);
    const numParallelCalls = 1 + rng.int(4);
    const want = await collect(pipe(lengths.map((_, k) => k), interleave(inner, { cycleLength, blockLength })));
    const gauge = new Gauge();
    const delays = new Random(round);
    const got = await collect(pipe(lengths.map((_, k) => k), interleave(
      (k: number) => slow(inner(k), gauge, () => delays.int(3)), { cycleLength, blockLength, numParallelCalls })));
    assert.deepEqual(got, want, `lengths ${lengths} cycle ${cycleLength} block ${blockLength} parallel ${numParallelCalls}`);
    assert.equal(gauge.closed, gauge.opened);
    assert.ok(gauge.max <= numParallelCalls, `${gauge.max} pulls at once, limit ${numParallelCalls}`);
  }
});

test('interleave numParallelCalls: inner sources are pulled side by side, up to the limit', async () => {
  const gauge = new Gauge();
  const out = await Dataset.range(8).interleave((k) => slow([k, k, k], gauge, () => 2), { cycleLength: 4, numParallelCalls: 3 }).toArray();
  assert.equal(out.length, 24);
  assert.equal(gauge.max, 3);
  const one = new Gauge();
  await Dataset.range(4).interleave((k) => slow([k, k], one, () => 1), { cycleLength: 4, numParallelCalls: 1 }).toArray();
  assert.equal(one.max, 1);
});

test('interleave deterministic: false yields what is ready first, and everything once', async () => {
  const gauge = new Gauge();
  const ds = Dataset.from([0, 1, 2]).interleave(
    (k) => slow([k * 10, k * 10 + 1], gauge, () => (k === 0 ? 40 : 0)), { cycleLength: 3, numParallelCalls: 3, deterministic: false });
  const out = await ds.toArray();
  assert.deepEqual([...out].sort((a, b) => a - b), [0, 1, 10, 11, 20, 21]);
  assert.ok(out.indexOf(0) > out.indexOf(11) && out.indexOf(0) > out.indexOf(21), `slow source first: ${out}`);
  assert.equal(gauge.closed, 3);
});

test('interleave numParallelCalls: errors name the element or pass through; a break closes every source', async () => {
  await assert.rejects(Dataset.range(5).interleave((k) => {
    if (k === 3) throw new Error('no inner');
    return [k];
  }, { cycleLength: 2, numParallelCalls: 2 }).toArray(), (e: unknown) => e instanceof OperatorError && e.operator === 'interleave' && e.elementIndex === 3);
  const failing = new Gauge();
  const src = perElement([0, 1, 2, 3]);
  await assert.rejects(collect(pipe(src, interleave((k: number) => slow([k, k, k], failing, () => 0, k === 1 ? 1 : -1),
    { cycleLength: 2, numParallelCalls: 2 }))), /inner failed at 1/);
  assert.equal(failing.closed, failing.opened);
  assert.equal(src.closed, 1);
  const open = new Gauge();
  const outer = perElement([0, 1, 2, 3, 4, 5]);
  for await (const _ of pipe(outer, interleave((k: number) => slow([k, k, k, k], open, () => 1), { cycleLength: 2, numParallelCalls: 2 }))) break;
  assert.ok(open.opened >= 2, `${open.opened} opened`);
  assert.equal(open.closed, open.opened);
  assert.equal(outer.closed, 1);
  assert.throws(() => interleave((x: number) => [x], { numParallelCalls: 0 }), /numParallelCalls/);
});
