// Large plain files read through the background worker: the same records, errors and skip
// reports, in the same order, as on the reader's own thread (which the other reader tests cover,
// on files under the worker's 2 MiB threshold). Damage is met by the worker first; the reader
// takes over at that record.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { fileWorker } from '../../src/io/tfrecord-worker.js';
import { DataLossError } from '../../src/core/errors.js';
import { readTFRecord, type SkipInfo } from '../../src/io/tfrecord-reader.js';
import { frameRecord } from '../../src/io/tfrecord-writer.js';
import { equalBytes, openFds, randomBytes, rng } from './tfrecord-fixtures.js';

interface Fixture {
  path: string;
  payloads: Uint8Array[];
  /** Stream offset of each record's header. */
  offsets: number[];
}

/**
 * A file of `count` records of sizes drawn from [min, max), with one payload byte of each record
 * in `corrupt` flipped: byte 0, or the last byte when `last`.
 */
async function fixture(dir: string, name: string, count: number, min: number, max: number, corrupt: number[], last = false): Promise<Fixture> {
  const rand = rng(count);
  const payloads = Array.from({ length: count }, () => randomBytes(rand, min + Math.floor(rand() * (max - min))));
  const framed = payloads.map((p) => frameRecord(p));
  const offsets: number[] = [];
  let at = 0;
  for (const f of framed) {
    offsets.push(at);
    at += f.length;
  }
  for (const i of corrupt) framed[i]![last ? framed[i]!.length - 5 : 12] ^= 0x40;
  const path = join(dir, name);
  writeFileSync(path, Buffer.concat(framed));
  return { path, payloads, offsets };
}

async function withWorkerDir(fn: (dir: string) => Promise<void>): Promise<void> {
  assert.ok(fileWorker(), 'the file worker starts on this machine');
  const dir = await mkdtemp(join(tmpdir(), 'rf-crc-worker-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('worker-checked read: records intact, the first bad payload throws with its index and offset', async () => {
  await withWorkerDir(async (dir) => {
    const f = await fixture(dir, 'small.tfrecord', 6000, 200, 1500, [4000, 5000]);
    const before = fileWorker()!.delivered;
    const got: Uint8Array[] = [];
    let error: unknown;
    try {
      for await (const r of readTFRecord(f.path)) got.push(r);
    } catch (e) {
      error = e;
    }
    assert.ok(fileWorker()!.delivered > before, 'records of this read came through the worker');
    assert.equal(got.length, 4000);
    for (let i = 0; i < got.length; i++) assert.ok(equalBytes(got[i]!, f.payloads[i]!), `record ${i}`);
    assert.ok(error instanceof DataLossError);
    assert.equal(error.kind, 'data_crc_mismatch');
    assert.equal(error.recordIndex, 4000);
    assert.equal(error.offset, f.offsets[4000]);
    assert.equal(error.file, f.path);
    assert.match(error.message, /record 4000/);
  });
});

test('worker-checked read in skip mode: every good record, and reports after the records before them', async () => {
  await withWorkerDir(async (dir) => {
    const bad = [2600, 2601, 4999];
    const f = await fixture(dir, 'skip.tfrecord', 6000, 200, 1500, bad);
    const before = fileWorker()!.delivered;
    const log: string[] = [];
    const skips: SkipInfo[] = [];
    let n = 0;
    const stream = readTFRecord(f.path, {
      onCorrupt: 'skip',
      onSkip: (info) => {
        skips.push(info);
        log.push(`skip ${info.recordIndex} after ${n}`);
      },
    });
    const expected = f.payloads.filter((_, i) => !bad.includes(i));
    for await (const r of stream) {
      assert.ok(equalBytes(r, expected[n]!), `delivered record ${n}`);
      n++;
    }
    assert.equal(n, expected.length);
    assert.ok(fileWorker()!.delivered > before, 'records of this read came through the worker');
    assert.equal(stream.skipped, bad.length);
    assert.deepEqual(skips.map((s) => [s.kind, s.recordIndex, s.offset]), bad.map((i) => ['data_crc_mismatch', i, f.offsets[i]]));
    // Record k is delivered before the report of a bad record k' > k: with all good records before
    // it already delivered, the report for 2600 comes after exactly 2600 deliveries.
    assert.deepEqual(log, ['skip 2600 after 2600', 'skip 2601 after 2600', 'skip 4999 after 4997']);
  });
});

test('worker-checked read of 1 MB records, and an early break closes the file', async () => {
  await withWorkerDir(async (dir) => {
    const f = await fixture(dir, 'big.tfrecord', 14, 1 << 20, (1 << 20) + 4096, [11]);
    let n = 0;
    let error: unknown;
    try {
      for await (const r of readTFRecord(f.path)) {
        assert.ok(equalBytes(r, f.payloads[n]!), `record ${n}`);
        n++;
      }
    } catch (e) {
      error = e;
    }
    assert.equal(n, 11);
    assert.ok(error instanceof DataLossError, `a DataLossError, not ${String(error)}`);
    assert.deepEqual([error.recordIndex, error.offset], [11, f.offsets[11]]);

    const s = await fixture(dir, 'break.tfrecord', 6000, 200, 1500, []);
    const fds = openFds(dir);
    let seen = 0;
    for await (const r of readTFRecord(s.path)) {
      assert.ok(equalBytes(r, s.payloads[seen]!));
      if (++seen === 3500) break;
    }
    assert.equal(openFds(dir), fds);
    // The worker outlives a stream stopped early: the next read goes through it again.
    const before = fileWorker()!.delivered;
    let all = 0;
    for await (const r of readTFRecord(s.path)) assert.ok(equalBytes(r, s.payloads[all++]!));
    assert.equal(all, 6000);
    assert.equal(fileWorker()!.delivered - before, 6000);
  });
});

// The worker runs the CRC over the first part of each large payload and the reader continues it
// over the rest: damage in either part must be caught.
test('worker-checked 1 MB records: damage at a payload\'s end is caught too, and skip mode goes on', async () => {
  await withWorkerDir(async (dir) => {
    const f = await fixture(dir, 'tail.tfrecord', 12, 1 << 20, (1 << 20) + 4096, [3, 9], true);
    let n = 0;
    let error: unknown;
    try {
      for await (const r of readTFRecord(f.path)) assert.ok(equalBytes(r, f.payloads[n++]!), `record ${n - 1}`);
    } catch (e) {
      error = e;
    }
    assert.equal(n, 3);
    assert.ok(error instanceof DataLossError, `a DataLossError, not ${String(error)}`);
    assert.deepEqual([error.kind, error.recordIndex, error.offset], ['data_crc_mismatch', 3, f.offsets[3]]);
    const skips: number[] = [];
    const stream = readTFRecord(f.path, { onCorrupt: 'skip', onSkip: (info) => skips.push(info.recordIndex) });
    const kept = f.payloads.filter((_, i) => i !== 3 && i !== 9);
    let k = 0;
    for await (const r of stream) assert.ok(equalBytes(r, kept[k++]!), `kept record ${k - 1}`);
    assert.equal(k, kept.length);
    assert.deepEqual(skips, [3, 9]);
  });
});

test('an iterator left unfinished does not keep the process alive', async () => {
  await withWorkerDir(async (dir) => {
    const s = await fixture(dir, 'abandoned.tfrecord', 6000, 200, 1500, []);
    const reader = fileURLToPath(new URL('../../src/io/tfrecord-reader.ts', import.meta.url));
    const script = join(dir, 'abandon.mjs');
    writeFileSync(script, [
      `const { readTFRecord } = await import(${JSON.stringify(reader)});`,
      `const it = readTFRecord(${JSON.stringify(s.path)})[Symbol.asyncIterator]();`,
      `const r = await it.next();`,
      `console.log('first', r.value.length);`,
    ].join('\n'));
    const child = spawnSync(process.execPath, ['--import', 'tsx', script], { encoding: 'utf8', timeout: 20_000 });
    assert.equal(child.stdout.trim(), `first ${s.payloads[0]!.length}`, child.stderr);
    // A process kept alive by the reader would be killed at the timeout: status null, not 0.
    assert.equal(child.status, 0, 'exited on its own');
  });
});
