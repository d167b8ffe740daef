import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DistinctCounter, EXACT_LIMIT, hashBytes } from '../../../src/cli/inspect/hyperloglog.js';

const bytesOf = (i: number) => new TextEncoder().encode(`value-${i}`);

test('hashBytes is seeded, deterministic and sees every byte and the length', () => {
  const a = Uint8Array.of(1, 2, 3, 4, 5);
  assert.equal(hashBytes(a, 0), hashBytes(Uint8Array.of(1, 2, 3, 4, 5), 0));
  assert.notEqual(hashBytes(a, 0), hashBytes(a, 1));
  assert.notEqual(hashBytes(a, 0), hashBytes(Uint8Array.of(1, 2, 3, 4, 6), 0));
  assert.notEqual(hashBytes(Uint8Array.of(0), 0), hashBytes(Uint8Array.of(0, 0), 0));
  assert.notEqual(hashBytes(new Uint8Array(0), 0), hashBytes(Uint8Array.of(0), 0));
});

test('distinct counts are exact while small, repeats ignored', () => {
  const c = new DistinctCounter();
  assert.equal(c.estimate(), 0);
  for (let round = 0; round < 3; round++) for (let i = 0; i < 5000; i++) c.add(bytesOf(i));
  c.add(new Uint8Array(0));
  assert.equal(c.estimate(), 5001);
});

test('past the exact limit the HyperLogLog estimate is within 3%, and the same on every run', () => {
  const n = EXACT_LIMIT * 3;
  const run = () => {
    const c = new DistinctCounter(7);
    for (let i = 0; i < n; i++) c.add(bytesOf(i));
    return c.estimate();
  };
  const first = run();
  assert.ok(Math.abs(first - n) / n < 0.03, `${first} for ${n}`);
  assert.equal(run(), first);
});

test('just past the exact limit the count stays above it (an estimate is never mistaken for an exact count)', () => {
  const c = new DistinctCounter(3);
  for (let i = 0; i <= EXACT_LIMIT; i++) c.add(bytesOf(i));
  assert.ok(c.estimate() > EXACT_LIMIT, String(c.estimate()));
});
