// Large GZIP and ZLIB files read through the background worker (inflate, framing and CRCs off
// this thread): the same records, errors and skip reports, in the same order, as the reader's own
// path (`worker: false`, which the golden tests pin down), whatever the damage.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import zlib from 'node:zlib';
import { DataLossError } from '../../src/core/errors.js';
import { readTFRecord, type SkipInfo, type TFRecordReadOptions } from '../../src/io/tfrecord-reader.js';
import { frameRecord } from '../../src/io/tfrecord-writer.js';
import { deliveredByWorkers, fileWorker } from '../../src/io/tfrecord-worker.js';
import { equalBytes, openFds, randomBytes, rng, withDir } from './tfrecord-fixtures.js';

type Kind = 'gzip' | 'zlib';

/** Payloads half noise, half smooth (so deflate makes Huffman blocks, where damage shows as zlib errors). */
function payloads(seed: number, sizes: number[]): Uint8Array[] {
  const rand = rng(seed);
  return sizes.map((n) => {
    const p = randomBytes(rand, n);
    for (let k = n >> 1; k < n; k++) p[k] = (k >> 5) & 7;
    return p;
  });
}

function sizes(seed: number, count: number, min: number, max: number): number[] {
  const rand = rng(seed);
  return Array.from({ length: count }, () => min + Math.floor(rand() * (max - min)));
}

function compress(kind: Kind, plain: Uint8Array): Buffer {
  return kind === 'gzip' ? zlib.gzipSync(plain, { level: 1 }) : zlib.deflateSync(plain, { level: 1 });
}

/** The framed records, and each record's offset in that stream. */
function stream(records: Uint8Array[], damage: number[] = []): { plain: Uint8Array; offsets: number[] } {
  const framed = records.map((p) => frameRecord(p));
  for (const i of damage) framed[i]![12] ^= 0x40;
  const offsets: number[] = [];
  let at = 0;
  for (const f of framed) {
    offsets.push(at);
    at += f.length;
  }
  return { plain: Buffer.concat(framed), offsets };
}

interface Outcome {
  records: Uint8Array[];
  error: unknown;
  skips: SkipInfo[];
}

async function collect(path: string | string[], options: TFRecordReadOptions): Promise<Outcome> {
  const records: Uint8Array[] = [];
  const skips: SkipInfo[] = [];
  let error: unknown;
  try {
    for await (const r of readTFRecord(path, { ...options, onSkip: (i) => skips.push(i) })) records.push(r);
  } catch (e) {
    error = e;
  }
  return { records, error, skips };
}

/** The worker's read of `path` gives exactly what the reader's own path gives; returns that. */
async function sameAsStreamPath(path: string | string[], options: TFRecordReadOptions = {}, what = String(path)): Promise<Outcome> {
  const before = deliveredByWorkers();
  const got = await collect(path, options);
  const through = deliveredByWorkers() - before;
  const want = await collect(path, { ...options, worker: false });
  assert.equal(got.records.length, want.records.length, `${what}: record count`);
  for (let i = 0; i < want.records.length; i++) assert.ok(equalBytes(got.records[i]!, want.records[i]!), `${what}: record ${i}`);
  if (want.error === undefined) assert.equal(got.error, undefined, `${what}: ${String(got.error)}`);
  else {
    assert.ok(got.error instanceof DataLossError, `${what}: a DataLossError, not ${String(got.error)}`);
    const w = want.error as DataLossError;
    assert.deepEqual([got.error.kind, got.error.file, got.error.recordIndex, got.error.offset, got.error.message], [w.kind, w.file, w.recordIndex, w.offset, w.message], what);
  }
  assert.deepEqual(got.skips.map((s) => [s.kind, s.recordIndex, s.offset, s.bytes]), want.skips.map((s) => [s.kind, s.recordIndex, s.offset, s.bytes]), `${what}: skips`);
  assert.ok(through > 0 || got.records.length === 0 || want.error !== undefined, `${what}: records came through the worker`);
  return got;
}

test('worker-inflated GZIP and ZLIB: the records of the stream path, small, straddling and larger than a block', async () => {
  assert.ok(fileWorker(), 'the file worker starts on this machine');
  await withDir('rf-inflate-worker-', async (dir) => {
    for (const kind of ['gzip', 'zlib'] as const) {
      const shapes: Record<string, number[]> = {
        small: sizes(1, 9000, 100, 1500),
        near: sizes(2, 9, (1 << 20) - 64, (1 << 20) + 64),
        large: [...sizes(3, 200, 10, 3000), 3 << 20, ...sizes(4, 200, 10, 3000), (5 << 20) + 7],
      };
      for (const [name, list] of Object.entries(shapes)) {
        const records = payloads(list.length, list);
        const path = join(dir, `${name}.tfrecord.${kind === 'gzip' ? 'gz' : 'zz'}`);
        writeFileSync(path, compress(kind, stream(records).plain));
        const before = deliveredByWorkers();
        const got = await sameAsStreamPath(path, {}, `${kind} ${name}`);
        assert.equal(got.records.length, records.length);
        for (let i = 0; i < records.length; i++) assert.ok(equalBytes(got.records[i]!, records[i]!), `${kind} ${name}: record ${i}`);
        assert.equal(deliveredByWorkers() - before, records.length, `${kind} ${name}: every record through the worker`);
        await sameAsStreamPath(path, { verify: false }, `${kind} ${name} unverified`);
      }
    }
  });
});

test('worker-inflated files with damage: the same records, error (class, message, index, offset) and skips as before', async () => {
  await withDir('rf-inflate-damage-', async (dir) => {
    for (const kind of ['gzip', 'zlib'] as const) {
      const records = payloads(7, sizes(7, 12000, 200, 1500));
      const bad = stream(records, [4100, 4101, 11900]);
      const good = compress(kind, stream(records).plain);
      const cases: Record<string, Uint8Array> = {
        'bad payload CRCs': compress(kind, bad.plain),
        'cut in the middle': good.subarray(0, good.length >> 1),
        'cut in the trailer': good.subarray(0, good.length - 3),
        'bad trailer': Uint8Array.from(good, (b, i) => (i === good.length - 6 ? b ^ 1 : b)),
        'damaged deflate data': Uint8Array.from(good, (b, i) => (i === Math.floor(good.length * 0.6) ? b ^ 0x5a : b)),
        'trailing garbage': Buffer.concat([good, Buffer.from('not a stream')]),
        'zero padding': Buffer.concat([good, new Uint8Array(5000)]),
        // Two members (two streams for zlib), split inside a record.
        'two members': Buffer.concat([compress(kind, bad.plain.subarray(0, 3_000_001)), compress(kind, stream(records).plain.subarray(3_000_001))]),
      };
      for (const [name, bytes] of Object.entries(cases)) {
        const path = join(dir, `${name.replaceAll(' ', '-')}.tfrecord.${kind === 'gzip' ? 'gz' : 'zz'}`);
        writeFileSync(path, bytes);
        const got = await sameAsStreamPath(path, {}, `${kind} ${name}`);
        if (name === 'bad payload CRCs') {
          assert.equal(got.records.length, 4100);
          assert.deepEqual([(got.error as DataLossError).recordIndex, (got.error as DataLossError).offset], [4100, bad.offsets[4100]]);
        }
        if (name.startsWith('cut')) assert.equal((got.error as DataLossError).kind, 'decompression_error', `${kind} ${name}`);
        await sameAsStreamPath(path, { onCorrupt: 'skip' }, `${kind} ${name} (skip)`);
      }
    }
  });
});

test('worker-inflated read: an early break closes the file and the worker stream, and numParallelReads keeps its order', async () => {
  await withDir('rf-inflate-break-', async (dir) => {
    const files: string[] = [];
    const all: Uint8Array[][] = [];
    for (let f = 0; f < 4; f++) {
      const records = payloads(20 + f, sizes(20 + f, 3000 + 500 * f, 200, 1500));
      const path = join(dir, `shard-${f}.tfrecord.${f % 2 ? 'zz' : 'gz'}`);
      writeFileSync(path, compress(f % 2 ? 'zlib' : 'gzip', stream(records).plain));
      files.push(path);
      all.push(records);
    }
    const fds = openFds(dir);
    let seen = 0;
    for await (const r of readTFRecord(files[0]!)) {
      assert.ok(equalBytes(r, all[0]![seen]!));
      if (++seen === 1200) break;
    }
    assert.equal(openFds(dir), fds, 'the file is closed once the loop is left');
    seen = 0;
    for await (const _ of readTFRecord(files, { numParallelReads: 3 })) if (++seen === 5000) break;
    assert.equal(openFds(dir), fds, 'every file is closed once the loop is left');
    const abort = new AbortController();
    seen = 0;
    await assert.rejects(async () => {
      for await (const _ of readTFRecord(files, { numParallelReads: 2, signal: abort.signal })) if (++seen === 2500) abort.abort();
    });
    assert.equal(openFds(dir), fds, 'every file is closed after an abort');
    // The workers outlive streams stopped early; interleaving is the same as on the stream path.
    const got = await sameAsStreamPath(files, { numParallelReads: 3 }, 'numParallelReads 3');
    assert.equal(got.records.length, all.reduce((n, r) => n + r.length, 0));
    assert.ok(equalBytes(got.records[0]!, all[0]![0]!) && equalBytes(got.records[1]!, all[1]![0]!) && equalBytes(got.records[2]!, all[2]![0]!));
  });
});
