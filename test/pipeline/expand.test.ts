// expandEach, the loop under flatMap, chooseFromDatasets and groupWindows: outputs gathered from
// arrays leave as one chunk before every await, a returned inner source is drained in place,
// `stopped` ends the output, `end` adds leftovers, and the input is closed however it ends.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { expandEach } from '../../src/pipeline/expand.js';
import { chunked, perElement } from './helpers.js';

async function chunksOf<R>(it: AsyncIterable<R[]>): Promise<R[][]> {
  const out: R[][] = [];
  for await (const c of it) out.push(c);
  return out;
}

test('gathered outputs go out before an inner source, which passes through whole', async () => {
  const log: string[] = [];
  async function* inner(x: number): AsyncGenerator<number[]> {
    log.push(`inner ${x}`);
    yield [x * 10, x * 10 + 1];
  }
  const src = chunked([1, 2, 3, 4], [4]);
  const gen = expandEach<number, number>(src, (x, i, out) => {
    assert.equal(i, x - 1);
    if (x === 3) return inner(x);
    out.items.push(x);
    return undefined;
  });
  const chunks: number[][] = [];
  for await (const c of gen) {
    log.push(`chunk ${c.join(',')}`);
    chunks.push(c);
  }
  assert.deepEqual(chunks, [[1, 2], [30, 31], [4]]);
  assert.deepEqual(log, ['chunk 1,2', 'inner 3', 'chunk 30,31', 'chunk 4']);
  assert.equal(src.closed, 1);
});

test('stopped ends the output after what has gathered and closes the input; end adds leftovers', async () => {
  const src = chunked([1, 2, 3, 4, 5], [2]);
  const stopped = await chunksOf(expandEach<number, number>(src, (x, _i, out) => {
    out.items.push(x);
    if (x === 3) out.stopped = true;
    return undefined;
  }));
  assert.deepEqual(stopped.flat(), [1, 2, 3]);
  assert.equal(src.closed, 1);
  const ended = await chunksOf(expandEach<number, number>(perElement([1, 2]), (x, _i, out) => {
    out.items.push(x);
    return undefined;
  }, (out) => {
    out.items.push(99);
    return undefined;
  }));
  assert.deepEqual(ended.flat(), [1, 2, 99]);
});

test('an empty input yields nothing but the leftovers', async () => {
  const none = await chunksOf(expandEach<number, number>(perElement<number>([]), () => undefined));
  assert.deepEqual(none, []);
  async function* tail(): AsyncGenerator<number[]> {
    yield [7];
  }
  const left = await chunksOf(expandEach<number, number>(perElement<number>([]), () => undefined, () => tail()));
  assert.deepEqual(left, [[7]]);
});

test('a throwing input or step fails the loop and closes the input; break closes it too', async () => {
  const failing = perElement([1, 2, 3], 2);
  await assert.rejects(chunksOf(expandEach<number, number>(failing, (x, _i, out) => void out.items.push(x))), /source failed at 2/);
  assert.equal(failing.closed, 1);
  const src = chunked([1, 2, 3], [3]);
  await assert.rejects(chunksOf(expandEach<number, number>(src, (x) => {
    if (x === 2) throw new Error('step failed');
    return undefined;
  })), /step failed/);
  assert.equal(src.closed, 1);
  const many = chunked(Array.from({ length: 5000 }, (_, i) => i), [100]);
  for await (const c of expandEach<number, number>(many, (x, _i, out) => void out.items.push(x))) {
    assert.ok(c.length > 0);
    break;
  }
  assert.equal(many.closed, 1);
  assert.ok(many.pulled < 5000);
});
