// The bench harness's fairness: every side runs the same rounds, in rotating turns, the warm-up
// is not counted, and ratios pair the same round's figures.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { pairedRatios, report, roundOrder, roundRobin, spread, type Side } from '../../bench/rounds.js';

describe('roundRobin', () => {
  test('each side runs warm-up + rounds times; the first side rotates every round', async () => {
    const calls: string[] = [];
    const sides: Side<number>[] = ['a', 'b', 'c'].map((name) => ({ name, run: () => (calls.push(name), 7) }));
    const checked: string[] = [];
    const results = await roundRobin(sides, { rounds: 3, warmup: 2, check: (name, r) => (checked.push(name), assert.equal(r, 7)) });
    assert.equal(calls.join(''), 'abc' + 'bca' + 'cab' + 'abc' + 'bca');
    assert.equal(checked.join(''), 'cab' + 'abc' + 'bca', 'only counted rounds are checked');
    for (const r of results) {
      assert.equal(r.samples['ms']!.length, 3);
      assert.equal(r.samples['cpuMs']!.length, 3);
    }
    assert.deepEqual(results.map((r) => r.name), ['a', 'b', 'c']);
  });

  test('setup runs before every run, untimed; figures can come from the result', async () => {
    let prepared = 0;
    const side: Side<{ rss: number }> = { name: 'x', setup: () => void prepared++, run: () => ({ rss: prepared }) };
    const [r] = await roundRobin([side], { rounds: 2, warmup: 1, figures: (_t, result) => ({ rss: result.rss }) });
    assert.equal(prepared, 3);
    assert.deepEqual(r!.samples, { rss: [2, 3] });
  });

  test('a failing check stops the bench', async () => {
    const sides: Side<number>[] = [{ name: 'a', run: () => 1 }, { name: 'b', run: () => 2 }];
    await assert.rejects(
      roundRobin(sides, { rounds: 1, warmup: 0, check: (name, r) => assert.equal(r, 1, name) }),
      /b/,
    );
  });
});

describe('summaries', () => {
  test('spread: median of an odd and an even count, min, max', () => {
    assert.deepEqual(spread([3, 1, 2]), { median: 2, min: 1, max: 3 });
    assert.deepEqual(spread([4, 1, 2, 3]), { median: 2.5, min: 1, max: 4 });
    assert.ok(Number.isNaN(spread([]).median));
  });

  test('ratios pair the same round, and the report quotes their median and range', () => {
    const base = { name: 'ours', samples: { ms: [1, 2, 4] } };
    const peer = { name: 'theirs', samples: { ms: [10, 10, 20] } };
    assert.deepEqual(pairedRatios(peer, base, 'ms'), [10, 5, 5]);
    assert.deepEqual(roundOrder(2, 1), [1, 0]);
    const [ours, theirs] = report([base, peer], { baseline: 'ours', unit: 'ms' });
    assert.match(ours!, /^ours\s+2 ms\s+\(spread 0\.50–2\.00\)$/);
    assert.match(theirs!, /10 ms\s+\(spread 1\.00–2\.00\)\s+5\.00x ours \(rounds 5\.00–10\.00\)$/);
    assert.throws(() => report([peer], { baseline: 'ours' }), /no side named ours/);
  });
});
