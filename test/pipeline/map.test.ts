import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Dataset, filter, map, OperatorError, pipe } from '../../src/pipeline/index.js';
import { chunked, collect, perElement, range, sleep } from './helpers.js';

test('map: sync fn over chunks gets each element and its index', async () => {
  const out = await collect(pipe(chunked(range(10, 100), [4]), map((x: number, i: number) => [x, i])));
  assert.deepEqual(out, range(10).map((i) => [100 + i, i]));
});

test('map: async fn with concurrency keeps input order and runs up to `concurrency` calls at once', async () => {
  let running = 0;
  let maxRunning = 0;
  const delays = [9, 1, 5, 0, 7, 2, 8, 3, 0, 4, 6, 1, 2, 9, 0, 3];
  const out = await collect(
    pipe(perElement(range(delays.length)), map(async (x: number) => {
      running++;
      maxRunning = Math.max(maxRunning, running);
      await sleep(delays[x] as number);
      running--;
      return x * 2;
    }, { concurrency: 4 })),
  );
  assert.deepEqual(out, range(delays.length).map((x) => x * 2));
  assert.equal(maxRunning, 4);
});

test('map: concurrency 1 runs async calls one at a time', async () => {
  let running = 0;
  let maxRunning = 0;
  await collect(pipe(chunked(range(8), [8]), map(async (x: number) => {
    running++;
    maxRunning = Math.max(maxRunning, running);
    await sleep(1);
    running--;
    return x;
  })));
  assert.equal(maxRunning, 1);
});

test('map: a fn returning sometimes a value, sometimes a promise keeps the order', async () => {
  const out = await collect(pipe(chunked(range(20), [3, 7]), map((x: number) => (x % 3 === 0 ? sleep(2).then(() => -x) : x), { concurrency: 3 })));
  assert.deepEqual(out, range(20).map((x) => (x % 3 === 0 ? -x : x)));
});

test('map: errors name the operator and the element, and keep the cause', async () => {
  const boom = new Error('bad row');
  for (const fn of [(x: number) => { if (x === 6) throw boom; return x; }, async (x: number) => { if (x === 6) throw boom; return x; }]) {
    const src = chunked(range(20), [4]);
    const err = await collect(pipe(src, map(fn, { concurrency: 2 }))).then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof OperatorError);
    assert.equal(err.operator, 'map');
    assert.equal(err.elementIndex, 6);
    assert.equal(err.cause, boom);
    assert.match(err.message, /^map: element 6: bad row$/);
    assert.equal(src.closed, 1);
  }
});

test('map: a break aborts the in-flight calls and starts no new ones', { timeout: 20_000 }, async () => {
  const src = perElement(range(100));
  const started: number[] = [];
  const aborted: number[] = [];
  // Element 0 finishes at once; the others finish only when aborted, so a break that waited for
  // in-flight calls instead of aborting them would never return (the timeout reports that).
  const op = map(async (x: number, _i: number, signal: AbortSignal) => {
    started.push(x);
    if (x === 0) return x;
    await new Promise<void>((resolve) => {
      signal.addEventListener('abort', () => {
        aborted.push(x);
        resolve();
      });
    });
    return x;
  }, { concurrency: 4 });
  for await (const x of op(src)) {
    assert.equal(x, 0);
    break;
  }
  assert.deepEqual(started, [0, 1, 2, 3]); // the window of 4, nothing after the break
  assert.deepEqual(aborted.sort(), [1, 2, 3]); // 0 had finished
  assert.equal(src.closed, 1);
});

test('map: an error downstream stops the map and closes the source', async () => {
  const src = chunked(range(5000), [100]);
  const failing = filter((x: number) => {
    if (x === 150) throw new Error('downstream');
    return true;
  });
  await assert.rejects(collect(pipe(src, map((x: number) => x + 1), failing)), (e: unknown) => e instanceof OperatorError && e.operator === 'filter' && e.elementIndex === 149);
  assert.equal(src.closed, 1);
  assert.ok(src.pulled <= 300);
});

test('map: concurrency must be a positive integer', () => {
  assert.throws(() => map((x) => x, { concurrency: 0 }), /concurrency/);
  assert.throws(() => map((x) => x, { concurrency: 1.5 }), /concurrency/);
});

test('map deterministic: false: results in completion order, at most concurrency calls at once', async () => {
  let now = 0;
  let max = 0;
  // Element 0 finishes only after element 3 has (no timing involved: a loaded machine cannot
  // reorder them); the others sleep a little.
  let release: () => void = () => {};
  const gate = new Promise<void>((r) => (release = r));
  const delays = [0, 0, 10, 0, 20, 0];
  const out = await Dataset.from([0, 1, 2, 3, 4, 5]).map(async (x) => {
    max = Math.max(max, ++now);
    if (x === 0) await gate;
    else await sleep(delays[x] as number);
    now--;
    if (x === 3) release();
    return x;
  }, { concurrency: 3, deterministic: false }).toArray();
  assert.deepEqual([...out].sort(), [0, 1, 2, 3, 4, 5]);
  assert.ok(out.indexOf(0) > out.indexOf(1) && out.indexOf(0) > out.indexOf(3), `the slow first element waits for nobody: ${out}`);
  assert.equal(max, 3);
  // Synchronous results keep input order; cardinality is kept.
  const sync = Dataset.range(5).map((x) => x * 2, { deterministic: false });
  assert.deepEqual(await sync.toArray(), [0, 2, 4, 6, 8]);
  assert.equal(sync.cardinality, 5);
});

test('map deterministic: false: an error names its element; a break aborts in-flight calls and closes the source', async () => {
  await assert.rejects(Dataset.range(10).map(async (x) => {
    if (x === 4) throw new Error('bad');
    return x;
  }, { concurrency: 2, deterministic: false }).toArray(), (e: unknown) => e instanceof OperatorError && e.elementIndex === 4);
  const src = perElement(Array.from({ length: 100 }, (_, i) => i));
  const signals: AbortSignal[] = [];
  for await (const _ of pipe(src, map(async (x: number, _i: number, signal: AbortSignal) => {
    signals.push(signal);
    await sleep(x === 0 ? 0 : 5);
    return x;
  }, { concurrency: 4, deterministic: false }))) break;
  assert.equal(src.closed, 1);
  assert.ok(src.pulled < 100);
  assert.ok(signals.every((s) => s.aborted));
});
