// TFRecordWriter / writeTFRecord: round trips, atomic temp file + rename, abort, backpressure.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { inflateRawSync, inflateSync } from 'node:zlib';
import { crc32c, crc32cKernel, crc32cUpdate, crc32cUpdateJs, maskedCrc32c } from '../../src/io/crc32c.js';
import { DataLossError, InputError } from '../../src/core/errors.js';
import { fromChunks } from '../../src/core/chunks.js';
import { readTFRecord } from '../../src/io/tfrecord-reader.js';
import { frameRecord, shardName, TFRecordWriter, writeTFRecord } from '../../src/io/tfrecord-writer.js';
import { GOLDEN, PAYLOADS, equalBytes, randomBytes, rng, withDir as withTempDir } from './tfrecord-fixtures.js';

const CRC32C = createRequire(import.meta.url)('crc-32/crc32c') as { buf(b: Uint8Array, seed?: number): number };
const CRC32 = createRequire(import.meta.url)('crc-32') as { buf(b: Uint8Array, seed?: number): number };

const withDir = <T>(fn: (dir: string) => Promise<T>): Promise<T> => withTempDir('rf-writer-', fn);

async function readAll(path: string): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for await (const r of readTFRecord(path)) out.push(r);
  return out;
}

test('crc32c: check value, masking, and agreement with crc-32 at every alignment and length', () => {
  assert.equal(crc32c(new TextEncoder().encode('123456789')), 0xe3069283);
  assert.equal(crc32c(new Uint8Array(0)), 0);
  // TensorFlow's mask of the CRC of 32 zero bytes (0x8a9136aa), computed by hand from the formula.
  const c = 0x8a9136aa;
  assert.equal(crc32c(new Uint8Array(32)), c);
  assert.equal(maskedCrc32c(new Uint8Array(32)), ((((c >>> 15) | (c << 17)) >>> 0) + 0xa282ead8) >>> 0);
  const rand = rng(1);
  const big = randomBytes(rand, 70000);
  for (let k = 0; k < 300; k++) {
    const start = Math.floor(rand() * 64);
    const len = k < 100 ? k : Math.floor(rand() * 69000);
    const view = big.subarray(start, start + len);
    assert.equal(crc32c(view), CRC32C.buf(view, 0) >>> 0, `start ${start} length ${len}`);
    assert.equal(crc32c(big, start, start + len), crc32c(view));
    assert.equal(crc32cUpdateJs(0, big, start, start + len), crc32c(view), 'JS kernel');
  }
  // Chaining: CRC(a ++ b) = update(CRC(a), b), across the wasm piece size too.
  const long = new Uint8Array(2_500_000).map((_, i) => (i * 2654435761) >>> 24);
  assert.equal(crc32cUpdate(crc32c(long, 0, 1000), long, 1000), CRC32C.buf(long, 0) >>> 0);
  assert.equal(crc32cKernel, process.env['RECORDFLOW_CRC'] === 'js' ? 'js' : 'wasm');
});

test('frameRecord: length, masked CRCs, payload', () => {
  const p = new Uint8Array([1, 2, 3, 4, 5]);
  const f = frameRecord(p);
  const v = new DataView(f.buffer);
  assert.equal(f.length, 21);
  assert.equal(v.getUint32(0, true), 5);
  assert.equal(v.getUint32(4, true), 0);
  assert.equal(v.getUint32(8, true), maskedCrc32c(f, 0, 8));
  assert.ok(equalBytes(f.subarray(12, 17), p));
  assert.equal(v.getUint32(17, true), maskedCrc32c(p));
});

test('seeded round trips through write, writeMany and writeTFRecord, for none, gzip and zlib', async () => {
  await withDir(async (dir) => {
    const rand = rng(42);
    const pool = randomBytes(rand, 1_300_000);
    const slice = (n: number): Uint8Array => {
      const at = Math.floor(rand() * (pool.length - n));
      return pool.slice(at, at + n);
    };
    // Mostly small records, some larger than the 64 KiB "frame on its own" threshold, a few
    // larger than the 1 MiB block.
    const all = Array.from({ length: 1500 }, (_, i) =>
      slice(i % 500 === 7 ? 1_048_576 + Math.floor(rand() * 200_000) : i % 97 === 0 ? 65536 + Math.floor(rand() * 100_000) : Math.floor(rand() * 3000)),
    );
    for (const ext of ['', '.gz', '.zz']) {
      // Compressed: the same mix without the >1 MiB records (zlib on random bytes is the slow part).
      const payloads = ext === '' ? all : all.filter((p) => p.length < 1 << 20);
      const path = join(dir, `rt.tfrecord${ext}`);
      const w = await TFRecordWriter.open(path);
      for (let i = 0; i < 600; i++) await w.write(payloads[i]!);
      await w.writeMany(payloads.slice(600, 1200));
      await w.flush();
      await w.writeMany(payloads.slice(1200));
      const r = await w.close();
      assert.equal(r.records, payloads.length);
      assert.equal(r.bytes, (await readFile(path)).length);
      const back = await readAll(path);
      assert.equal(back.length, payloads.length, ext);
      back.forEach((p, i) => assert.ok(equalBytes(p, payloads[i]!), `${ext} record ${i}`));
      // writeTFRecord with a chunked source gives the same bytes.
      const path2 = join(dir, `rt2.tfrecord${ext}`);
      const chunks = [payloads.slice(0, 700), payloads.slice(700)];
      await writeTFRecord(path2, fromChunks(async function* () {
        yield* chunks;
      }));
      if (ext === '') assert.ok(equalBytes(await readFile(path2), await readFile(path)));
      else assert.equal((await readAll(path2)).length, payloads.length);
    }
  });
});

test('blocks reused after they are written never corrupt what is still queued (none, gzip)', async () => {
  await withDir(async (dir) => {
    const rand = rng(9);
    const pool = randomBytes(rand, 200_000);
    // ~12 MB of small records in one writeMany: many blocks queue up in the file stream while
    // written ones are framed into again.
    const payloads = Array.from({ length: 6000 }, (_, i) => {
      const n = 1000 + Math.floor(rand() * 3000);
      const p = pool.slice(i % 1000, (i % 1000) + n);
      new DataView(p.buffer).setUint32(0, i, true);
      return p;
    });
    for (const ext of ['', '.gz']) {
      const path = join(dir, `reuse.tfrecord${ext}`);
      await writeTFRecord(path, payloads);
      const back = await readAll(path);
      assert.equal(back.length, payloads.length, ext);
      back.forEach((p, i) => assert.ok(equalBytes(p, payloads[i]!), `${ext} record ${i}`));
    }
  });
});

test('an explicit compression applies to a name without a suffix: gzip as TensorFlow writes it, zlib', async () => {
  await withDir(async (dir) => {
    const plain = await readFile(join(GOLDEN, 'plain.tfrecord'));
    for (const compression of ['gzip', 'zlib'] as const) {
      const path = join(dir, `records-${compression}`);
      await writeTFRecord(path, PAYLOADS, { compression });
      const bytes = await readFile(path);
      if (compression === 'gzip') {
        // Magic, deflate, no flags, mtime 0; one member: its deflate data holds every byte, and
        // the file ends with that member's CRC-32 and size.
        assert.deepEqual([...bytes.subarray(0, 8)], [0x1f, 0x8b, 8, 0, 0, 0, 0, 0]);
        assert.ok(equalBytes(inflateRawSync(bytes.subarray(10)), plain), 'the first member holds the whole stream');
        assert.equal(bytes.readUInt32LE(bytes.length - 8), CRC32.buf(plain) >>> 0);
        assert.equal(bytes.readUInt32LE(bytes.length - 4), plain.length);
      } else {
        assert.ok(equalBytes(inflateSync(bytes), plain));
      }
      const back: Uint8Array[] = [];
      for await (const r of readTFRecord(path, { compression })) back.push(r);
      assert.equal(back.length, PAYLOADS.length, compression);
      back.forEach((r, i) => assert.ok(equalBytes(r, PAYLOADS[i]!), `${compression} record ${i}`));
      // The name alone says none: the compressed bytes are not TFRecord framing.
      await assert.rejects(readAll(path), (e: unknown) => e instanceof DataLossError && e.kind === 'length_crc_mismatch');
    }
  });
});

test('.deflate names ZLIB (Beam\'s and Hadoop\'s suffix), as .zz and .zlib do, for writing and reading', async () => {
  await withDir(async (dir) => {
    const plain = await readFile(join(GOLDEN, 'plain.tfrecord'));
    for (const name of ['records.tfr.deflate', 'records.zz', 'records.zlib', 'RECORDS.DEFLATE']) {
      const path = join(dir, name);
      await writeTFRecord(path, PAYLOADS);
      const bytes = await readFile(path);
      assert.equal(bytes[0], 0x78, `${name}: a zlib header, not gzip's or none`);
      assert.ok(equalBytes(inflateSync(bytes), plain), name);
      const back = await readAll(path);
      assert.equal(back.length, PAYLOADS.length, name);
    }
  });
});

test('atomic: a temporary file in the same directory while writing, renamed on close', async () => {
  await withDir(async (dir) => {
    const path = join(dir, 'out.tfrecord');
    const w = await TFRecordWriter.open(path);
    await w.write(new Uint8Array(10));
    await w.flush();
    assert.equal(existsSync(path), false);
    const temps = readdirSync(dir);
    assert.equal(temps.length, 1);
    assert.match(temps[0]!, /^\.out\.tfrecord\.tmp-/);
    await w.close();
    assert.deepEqual(readdirSync(dir), ['out.tfrecord']);
    assert.equal((await readAll(path)).length, 1);
    // atomic:false writes the target directly.
    const direct = join(dir, 'direct.tfrecord');
    const d = await TFRecordWriter.open(direct, { atomic: false });
    await d.write(new Uint8Array(3));
    await d.flush();
    assert.equal(existsSync(direct), true);
    await d.close();
  });
});

test('abort and a failing source remove the partial file and keep an existing target', async () => {
  await withDir(async (dir) => {
    const path = join(dir, 'x.tfrecord.gz');
    const w = await TFRecordWriter.open(path);
    await w.writeMany(Array.from({ length: 5000 }, () => new Uint8Array(500)));
    await w.abort();
    assert.deepEqual(readdirSync(dir), []);
    await assert.rejects(w.write(new Uint8Array(1)), InputError);

    const keep = join(dir, 'keep.tfrecord');
    await writeTFRecord(keep, [new Uint8Array([7])]);
    async function* failing(): AsyncGenerator<Uint8Array> {
      for (let i = 0; i < 3000; i++) yield new Uint8Array(1000);
      throw new Error('source broke');
    }
    await assert.rejects(writeTFRecord(keep, failing()), /source broke/);
    assert.deepEqual(readdirSync(dir), ['keep.tfrecord']);
    assert.deepEqual((await readAll(keep)).map((r) => [...r]), [[7]]);
  });
});

test('backpressure: write() waits while the file stream holds too much', async () => {
  await withDir(async (dir) => {
    const w = await TFRecordWriter.open(join(dir, 'bp.tfrecord'));
    const file = (w as unknown as { file: { writableLength: number } }).file;
    const record = new Uint8Array(200_000);
    let maxQueued = 0;
    for (let i = 0; i < 300; i++) {
      await w.write(record); // 60 MB in all
      maxQueued = Math.max(maxQueued, file.writableLength);
    }
    await w.close();
    assert.ok(maxQueued <= 6 << 20, `at most ~4 MiB + a block queued after each write (saw ${maxQueued})`);
  });
});

test('writes that are not awaited keep their order; abort wakes a write waiting for drain', async () => {
  await withDir(async (dir) => {
    const path = join(dir, 'order.tfrecord');
    const w = await TFRecordWriter.open(path);
    const pending: Promise<void>[] = [];
    const sizes = [10, 900_000, 300_000, 5, 2_000_000, 7, 600_000, 1];
    for (let round = 0; round < 4; round++) {
      sizes.forEach((n, k) => pending.push(w.write(new Uint8Array(n).fill(round * 10 + k))));
      pending.push(w.writeMany([new Uint8Array(3).fill(99)]));
    }
    pending.push(w.flush());
    await Promise.all(pending);
    await w.close();
    const back = await readAll(path);
    const expected = [0, 1, 2, 3].flatMap((round) => [...sizes.map((n, k) => [n, round * 10 + k]), [3, 99]]);
    assert.deepEqual(back.map((r) => [r.length, r[0]]), expected);

    const slow = await TFRecordWriter.open(join(dir, 'slow.tfrecord'));
    const writes = Array.from({ length: 40 }, () => slow.write(new Uint8Array(1_000_000)));
    await slow.abort();
    const results = await Promise.allSettled(writes);
    assert.ok(results.some((r) => r.status === 'rejected'), 'queued writes fail after abort');
    assert.deepEqual(readdirSync(dir), ['order.tfrecord']);
  });
});

test('shardName and bad options', async () => {
  assert.equal(shardName('train', 3, 10), 'train-00003-of-00010');
  assert.equal(shardName('/d/x.tfrecord', 0, 1), '/d/x.tfrecord-00000-of-00001');
  assert.equal(shardName('b', 123456, 200000), 'b-123456-of-200000');
  assert.throws(() => shardName('b', 4, 4), InputError);
  await assert.rejects(TFRecordWriter.open('/nonexistent-dir/x.tfrecord'), InputError);
  await assert.rejects(TFRecordWriter.open(join(tmpdir(), 'x.tfrecord'), { compression: 'lz4' as never }), InputError);
});
