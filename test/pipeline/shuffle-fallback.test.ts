// The shuffle fallback: over a random-access source, a buffer covering the dataset (or past
// maxBufferBytes) shuffles positions and reads payloads by position.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Dataset, map, pipe, shuffle } from '../../src/pipeline/index.js';
import { collect, range } from './helpers.js';
import { idOf, memoryRandomAccess, payloads } from './ra-source.js';
import { chiSquareBound, chiSquareOverPositions } from './stats.js';

test('fallback: a full-size buffer reads by position, never iterates, and matches the buffered order', async () => {
  const data = payloads(1000);
  const src = memoryRandomAccess(data);
  const out = (await collect(pipe(src, shuffle<Uint8Array>(1000, { seed: 11 })))).map(idOf);
  assert.equal(src.opened, 0, 'the sequential stream was not read');
  assert.equal(src.ra.opens, 1);
  assert.equal(src.ra.closes, 1);
  assert.equal(src.ra.positionsRead, 1000);
  assert.deepEqual([...out].sort((a, b) => a - b), range(1000));
  // Same seed over a plain (buffered) source: the same random draws, so the same order.
  const buffered = (await collect(pipe(data, shuffle<Uint8Array>(1000, { seed: 11 })))).map(idOf);
  assert.deepEqual(out, buffered);
  // bufferSize larger than the dataset behaves the same.
  const larger = (await collect(pipe(memoryRandomAccess(data), shuffle<Uint8Array>(5000, { seed: 11 })))).map(idOf);
  assert.deepEqual([...larger].sort((a, b) => a - b), range(1000));
});

test('fallback: maps after the source run on the payloads read by position', async () => {
  const src = memoryRandomAccess(payloads(300));
  const seen: number[] = [];
  const out = await collect(pipe(src, map((p: Uint8Array, i: number) => {
    seen.push(i);
    return { id: idOf(p), tag: `row${i}` };
  }), shuffle<{ id: number; tag: string }>(300, { seed: 5 })));
  assert.equal(src.opened, 0);
  assert.equal(src.ra.positionsRead, 300);
  assert.deepEqual(out.map((r) => r.id).sort((a, b) => a - b), range(300));
  for (const r of out) assert.equal(r.tag, `row${r.id}`, 'the map saw each payload with its position');
  assert.equal(seen.length, 300);
});

test('fallback: used past maxBufferBytes, not used within it', async () => {
  const data = payloads(200, 96); // 100 bytes each
  const over = memoryRandomAccess(data);
  const a = await collect(pipe(over, shuffle<Uint8Array>(50, { seed: 1, maxBufferBytes: 4000 })));
  assert.equal(over.opened, 0);
  assert.equal(over.ra.positionsRead, 200);
  const within = memoryRandomAccess(data);
  const b = await collect(pipe(within, shuffle<Uint8Array>(50, { seed: 1, maxBufferBytes: 1 << 20 })));
  assert.equal(within.opened, 1, 'buffered path iterates the stream');
  assert.equal(within.ra.closes, within.ra.opens, 'the random-access view was closed');
  assert.equal(within.ra.positionsRead, 0);
  // The decision is remembered: the next epoch does not open the random-access view again.
  const ds = pipe(within, shuffle<Uint8Array>(50, { seed: 1, maxBufferBytes: 1 << 20 }));
  await collect(ds);
  await collect(ds);
  assert.equal(within.ra.opens, 2);
  // Both paths run the same buffer algorithm on the same draws.
  assert.deepEqual(a.map(idOf), b.map(idOf));
  for (const [k, p] of a.entries()) assert.ok(idOf(p) < k + 50);
});

test('fallback: a break closes the random-access view', async () => {
  const src = memoryRandomAccess(payloads(2000));
  for await (const _ of pipe(src, shuffle<Uint8Array>(2000, { seed: 3 }))) break;
  assert.equal(src.ra.opens, 1);
  assert.equal(src.ra.closes, 1);
  assert.ok(src.ra.positionsRead < 2000);
});

test('fallback: uniform permutation (chi-square over positions), new order per epoch', async () => {
  const n = 8;
  const src = memoryRandomAccess(payloads(n));
  const ds = Dataset.from(src).shuffle(n, { seed: 77 }).map(idOf);
  const orders: number[][] = [];
  for (let epoch = 0; epoch < 2000; epoch++) orders.push(await ds.toArray());
  assert.equal(src.opened, 0);
  const { statistic, df } = chiSquareOverPositions(orders, n);
  assert.ok(statistic < chiSquareBound(df), `chi-square ${statistic.toFixed(1)} with df ${df}`);
  assert.notDeepEqual(orders[0], orders[1]);
});
