// Issue 13's closing rule for the tf.data operators: an early break, an error or an abort closes
// every source they opened, inner ones included, and every file. The sources here are slow (a
// macrotask per element), so the abort lands while an operator is waiting on one of them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { writeTFRecord } from '../../src/io/tfrecord-writer.js';
import { readTFRecord } from '../../src/io/tfrecord-reader.js';
import {
  bucketBySequenceLength, chooseFromDatasets, Dataset, enumerate, flatMap, groupByWindow, interleave, map, paddedBatch, pipe,
  rejectionResample, sampleFromDatasets, scan, takeWhile, unbatch, unique, window,
} from '../../src/pipeline/index.js';
import { openFds, withDir } from '../io/tfrecord-fixtures.js';
import { range } from './helpers.js';
import { idOf, payloads } from './ra-source.js';

/** Every source a case opened, with whether it was closed. */
class Tracker {
  opened = 0;
  closed = 0;
  /** A source of `items` that takes a macrotask per element and records its opening and closing. */
  slow<T>(items: readonly T[]): AsyncIterable<T> {
    const self = this;
    return {
      async *[Symbol.asyncIterator]() {
        self.opened++;
        try {
          for (const x of items) {
            await new Promise((r) => setImmediate(r));
            yield x;
          }
        } finally {
          self.closed++;
        }
      },
    };
  }
}

type Case = (t: Tracker) => AsyncIterable<unknown>;

const N = 400;
const cases: Record<string, Case> = {
  flatMap: (t) => pipe(t.slow(range(N)), flatMap((x: number) => t.slow([x, x]))),
  unbatch: (t) => pipe(t.slow(range(N).map((x) => [x, x])), unbatch<number[]>()),
  window: (t) => pipe(t.slow(range(N)), window(5, { shift: 2 })),
  'window of objects': (t) => pipe(t.slow(range(N).map((x) => ({ x }))), window(3)),
  paddedBatch: (t) => pipe(t.slow(range(N).map((x) => range(x % 5))), paddedBatch<number[]>(4)),
  scan: (t) => pipe(t.slow(range(N)), scan(0, (s: number, x: number) => [s + x, s])),
  enumerate: (t) => pipe(t.slow(range(N)), enumerate()),
  takeWhile: (t) => pipe(t.slow(range(N)), takeWhile(() => true)),
  unique: (t) => pipe(t.slow(range(N)), unique()),
  groupByWindow: (t) => pipe(t.slow(range(N)), groupByWindow((x: number) => x % 3, (k, w) => t.slow([k, w.cardinality]), { windowSize: 4 })),
  bucketBySequenceLength: (t) => pipe(t.slow(range(N).map((x) => range(x % 7))), bucketBySequenceLength((s: number[]) => s.length, [2, 4], [3, 3, 3])),
  sampleFromDatasets: (t) => sampleFromDatasets([t.slow(range(N)), t.slow(range(N)), t.slow(range(N))], { seed: 1 }),
  chooseFromDatasets: (t) => pipe(t.slow(range(N).map((x) => x % 2)), chooseFromDatasets([t.slow(range(N)), t.slow(range(N))])),
  rejectionResample: (t) => pipe(t.slow(range(N)), rejectionResample((x: number) => x % 2, [0.8, 0.2], { seed: 2 })),
  'rejectionResample, initialDist': (t) => pipe(t.slow(range(N)), rejectionResample((x: number) => x % 2, [0.8, 0.2], { initialDist: [0.5, 0.5], seed: 2 })),
  interleave: (t) => pipe(t.slow(range(N)), interleave((x: number) => t.slow([x, x, x]), { cycleLength: 3, blockLength: 2 })),
  'interleave numParallelCalls': (t) => pipe(t.slow(range(N)), interleave((x: number) => t.slow([x, x, x]), { cycleLength: 3, numParallelCalls: 3 })),
  'interleave, deterministic: false': (t) =>
    pipe(t.slow(range(N)), interleave((x: number) => t.slow([x, x]), { cycleLength: 2, numParallelCalls: 2, deterministic: false })),
};

/** Waits until every source of t is closed (closing after an abort is not awaited), or fails. */
async function allClosed(t: Tracker, name: string): Promise<void> {
  for (let i = 0; i < 200 && t.closed < t.opened; i++) await new Promise((r) => setTimeout(r, 2));
  assert.ok(t.opened > 0, `${name}: nothing was opened`);
  assert.equal(t.closed, t.opened, `${name}: ${t.opened} sources opened, ${t.closed} closed`);
}

for (const [name, make] of Object.entries(cases)) {
  test(`${name}: an abort mid-stream ends the iteration with the signal's reason and closes every source, inner ones too`, async () => {
    const t = new Tracker();
    const stop = new AbortController();
    let seen = 0;
    await assert.rejects(
      Dataset.from(make(t)).forEach(() => {
        if (++seen === 7) stop.abort(new Error('stopped'));
      }, { signal: stop.signal }),
      /stopped/,
    );
    assert.equal(seen, 7);
    await allClosed(t, name);
  });

  test(`${name}: a break and a downstream error close every source, inner ones too`, async () => {
    const t = new Tracker();
    let n = 0;
    for await (const _ of make(t)) if (++n === 5) break;
    await allClosed(t, name);
    const u = new Tracker();
    const failing = pipe(make(u), map((_x: unknown, i: number) => {
      if (i === 6) throw new Error('downstream');
      return i;
    }));
    await assert.rejects(Dataset.from(failing).toArray(), /downstream/);
    await allClosed(u, name);
  });
}

/** Cases reading real files (given the paths of four of them: two plain, two gzip). */
const fileCases: Record<string, (files: string[]) => AsyncIterable<unknown>> = {
  'flatMap over files': (files) => Dataset.from(files).flatMap((f) => Dataset.fromTFRecord(f)),
  'interleave over files': (files) => pipe(files, interleave((f: string) => readTFRecord(f), { cycleLength: 2 })),
  'interleave over files, numParallelCalls': (files) => pipe(files, interleave((f: string) => readTFRecord(f), { cycleLength: 4, numParallelCalls: 4 })),
  'fromTFRecord numParallelReads 4, window': (files) => Dataset.fromTFRecord(files, { numParallelReads: 4 }).window(8),
  sampleFromDatasets: (files) => Dataset.sampleFromDatasets(files.map((f) => Dataset.fromTFRecord(f)), { seed: 3 }),
  chooseFromDatasets: (files) => Dataset.chooseFromDatasets(files.map((f) => Dataset.fromTFRecord(f)), Dataset.range(4).repeat()),
  groupByWindow: (files) =>
    Dataset.fromTFRecord(files[0] as string).groupByWindow((p) => idOf(p) % 2, (k) => Dataset.fromTFRecord(files[k + 1] as string).take(3), { windowSize: 2 }),
  rejectionResample: (files) => Dataset.fromTFRecord(files).rejectionResample((p) => idOf(p) % 2, [0.9, 0.1], { seed: 4 }),
};

test('over TFRecord files: a break, an error and an abort leave no file open, for every operator here that opens files', async () => {
  await withDir('rf-tfdata-closing-', async (dir) => {
    // Each file larger than a read block, so it is still open when the iteration stops.
    const all = payloads(4000, 1500);
    const files = ['a.tfrecord', 'b.tfrecord.gz', 'c.tfrecord', 'd.tfrecord.gz'].map((f) => join(dir, f));
    for (let k = 0; k < files.length; k++) await writeTFRecord(files[k] as string, all.slice(k * 1000, (k + 1) * 1000));
    const before = openFds(dir);
    for (const [name, make] of Object.entries(fileCases)) {
      let n = 0;
      for await (const _ of make(files)) if (++n === 10) break;
      assert.equal(openFds(dir), before, `${name}: files left open after a break`);
      await assert.rejects(Dataset.from(make(files)).map((x, i) => {
        if (i === 20) throw new Error('bad element');
        return x;
      }).toArray(), /bad element/);
      assert.equal(openFds(dir), before, `${name}: files left open after an error`);
      const stop = new AbortController();
      n = 0;
      await assert.rejects(Dataset.from(make(files)).forEach(() => {
        if (++n === 30) stop.abort(new Error('stopped'));
      }, { signal: stop.signal }), /stopped/);
      // Closing after an abort is not awaited (a stuck source must not hold the consumer).
      for (let i = 0; i < 200 && openFds(dir) > before; i++) await new Promise((r) => setTimeout(r, 5));
      assert.equal(openFds(dir), before, `${name}: files left open after an abort`);
    }
  });
});
