// indexTFRecord / readRecordAt / openTFRecordIndexed against golden/tfrecord (offsets from python).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { DataLossError, InputError } from '../../src/core/errors.js';
import { maskedCrc32c } from '../../src/io/crc32c.js';
import { readTFRecord } from '../../src/io/tfrecord-reader.js';
import { indexTFRecord, openTFRecordIndexed, readRecordAt } from '../../src/io/tfrecord-index.js';
import { writeTFRecord } from '../../src/io/tfrecord-writer.js';
import { GOLDEN, MANIFEST, PAYLOADS, equalBytes, openFds, rng, withDir as withTempDir } from './tfrecord-fixtures.js';

const withDir = <T>(fn: (dir: string) => Promise<T>): Promise<T> => withTempDir('rf-index-', fn);

test('indexTFRecord: offsets and framed lengths as python computed them, saved as PATH.idx', async () => {
  await withDir(async (dir) => {
    const path = join(dir, 'plain.tfrecord');
    copyFileSync(join(GOLDEN, 'plain.tfrecord'), path);
    const idx = await indexTFRecord(path);
    assert.deepEqual(idx.offsets, MANIFEST.offsets);
    assert.deepEqual(idx.lengths, MANIFEST.sizes.map((n) => n + 16));
    const text = await readFile(`${path}.idx`, 'utf8');
    assert.equal(text, MANIFEST.offsets.map((o, i) => `${o} ${MANIFEST.sizes[i]! + 16}\n`).join(''));
    await indexTFRecord(join(GOLDEN, 'empty.tfrecord'), { save: false }).then((e) => assert.deepEqual(e, { offsets: [], lengths: [] }));
  });
});

test('indexTFRecord reports damage with kind, record and offset; compressed files are refused', async () => {
  const cases: [string, string, number][] = [
    ['bad-length-crc.tfrecord', 'length_crc_mismatch', 3],
    ['truncated-header.tfrecord', 'truncated_header', MANIFEST.sizes.length],
    ['truncated-data.tfrecord', 'truncated_data', MANIFEST.sizes.length - 1],
    ['huge-length.tfrecord', 'truncated_data', 2],
  ];
  for (const [name, kind, index] of cases) {
    await assert.rejects(
      indexTFRecord(join(GOLDEN, name), { save: false }),
      (e: unknown) => e instanceof DataLossError && e.kind === kind && e.recordIndex === index,
      name,
    );
  }
  await assert.rejects(indexTFRecord(join(GOLDEN, 'gzip.tfrecord.gz')), InputError);
  await assert.rejects(openTFRecordIndexed(join(GOLDEN, 'zlib.tfrecord.zz')), InputError);
});

test('readRecordAt and get: every record, range checks, data CRC checked', async () => {
  const path = join(GOLDEN, 'plain.tfrecord');
  for (let i = 0; i < PAYLOADS.length; i++) assert.ok(equalBytes(await readRecordAt(path, i), PAYLOADS[i]!), `record ${i}`);
  await assert.rejects(readRecordAt(path, PAYLOADS.length), InputError);
  await assert.rejects(readRecordAt(path, -1), InputError);
  const bad = await openTFRecordIndexed(join(GOLDEN, 'bad-data-crc.tfrecord'));
  try {
    assert.ok(equalBytes(await bad.get(4), PAYLOADS[4]!));
    await assert.rejects(bad.get(5), (e: unknown) => e instanceof DataLossError && e.kind === 'data_crc_mismatch' && e.recordIndex === 5);
  } finally {
    await bad.close();
  }
  const unverified = await openTFRecordIndexed(join(GOLDEN, 'bad-data-crc.tfrecord'), { verify: false });
  assert.equal((await unverified.get(5)).length, PAYLOADS[5]!.length);
  await unverified.close();
});

test('getMany: any order, duplicates, coalesced reads; the file closes', async () => {
  await withDir(async (dir) => {
    const rand = rng(3);
    const payloads = Array.from({ length: 4000 }, (_, i) => {
      const n = i % 1000 === 1 ? 200_000 : Math.floor(rand() * 1500);
      const p = new Uint8Array(n);
      for (let k = 0; k < n; k++) p[k] = (i * 13 + k) & 255;
      return p;
    });
    const path = join(dir, 'many.tfrecord');
    await writeTFRecord(path, payloads);
    const before = openFds();
    const f = await openTFRecordIndexed(path);
    assert.equal(f.length, payloads.length);
    assert.equal(f.byteLength, readFileSync(path).length);
    const want = Array.from({ length: 1500 }, () => Math.floor(rand() * payloads.length));
    want.push(want[0]!, 0, payloads.length - 1);
    const got = await f.getMany(want);
    assert.equal(got.length, want.length);
    want.forEach((i, k) => assert.ok(equalBytes(got[k]!, payloads[i]!), `request ${k} (record ${i})`));
    assert.deepEqual(await f.getMany([]), []);
    await assert.rejects(f.getMany([1, 4000]), InputError);
    await f.close();
    assert.equal(openFds(), before);
  });
});

test('a fresh PATH.idx is used; a stale or inconsistent one is ignored', async () => {
  await withDir(async (dir) => {
    const path = join(dir, 'p.tfrecord');
    copyFileSync(join(GOLDEN, 'plain.tfrecord'), path);
    const real = await indexTFRecord(path);
    // A consistent but different index (records 0 and 1 merged) proves the file is used...
    const merged = [`0 ${real.lengths[0]! + real.lengths[1]!}`, ...real.offsets.slice(2).map((o, k) => `${o} ${real.lengths[k + 2]}`)];
    writeFileSync(`${path}.idx`, merged.join('\n') + '\n');
    const f = await openTFRecordIndexed(path);
    assert.equal(f.length, real.offsets.length - 1);
    await assert.rejects(f.get(0), InputError); // ...and get() notices the mismatch with the header
    await f.close();
    // ...unless it is older than the data file.
    const old = new Date(Date.now() - 60_000);
    utimesSync(`${path}.idx`, old, old);
    const g = await openTFRecordIndexed(path);
    assert.equal(g.length, real.offsets.length);
    await g.close();
    // An index that does not add up to the file size is ignored.
    writeFileSync(`${path}.idx`, '0 16\n');
    const h = await openTFRecordIndexed(path);
    assert.equal(h.length, real.offsets.length);
    assert.ok(equalBytes(await h.get(7), PAYLOADS[7]!));
    await h.close();
  });
});

test('the same damage, the same words: the streaming reader (file, stream, worker) and the index agree, lengths exact', async () => {
  await withDir(async (dir) => {
    const good = frameOf(new Uint8Array([1, 2, 3]));
    const claim = (lo: number, hi: number): Uint8Array => {
      const h = new Uint8Array(12);
      const v = new DataView(h.buffer);
      v.setUint32(0, lo, true);
      v.setUint32(4, hi, true);
      v.setUint32(8, maskedCrc32c(h, 0, 8), true);
      return h;
    };
    const cut = frameOf(new Uint8Array(8).fill(7));
    const big = new Uint8Array(3 << 20); // large enough for the worker thread
    const cases: [string, Uint8Array, RegExp][] = [
      ['a 2^60 length', cat(good, claim(0, 2 ** 28), new Uint8Array(3)), /the length says 1152921504606846976 payload bytes but only 3 follow/],
      ['a cut payload', cat(good, cut.subarray(0, 12 + 6)), /the length says 8 payload bytes but only 6 follow/],
      ['a cut CRC', cat(good, cut.subarray(0, 12 + 8 + 2)), /the 8-byte payload is followed by 2 of its 4 CRC bytes/],
      ['a cut payload after a large record', cat(frameOf(big), cut.subarray(0, 12 + 5)), /the length says 8 payload bytes but only 5 follow/],
    ];
    for (const [name, bytes, words] of cases) {
      const path = join(dir, 'damaged.tfrecord');
      writeFileSync(path, bytes);
      const messages: string[] = [];
      const expectLoss = (e: unknown): boolean => {
        assert.ok(e instanceof DataLossError && e.kind === 'truncated_data' && e.recordIndex === 1, `${name}: ${String(e)}`);
        messages.push(e.message.slice(e.message.indexOf(': ')));
        return true;
      };
      const drain = async (input: Parameters<typeof readTFRecord>[0], options?: Parameters<typeof readTFRecord>[1]): Promise<void> => {
        for await (const _ of readTFRecord(input, options)) void _;
      };
      await assert.rejects(drain(path), expectLoss);
      await assert.rejects(drain(path, { worker: false }), expectLoss);
      await assert.rejects(drain(Readable.from([bytes.subarray(0, 7), bytes.subarray(7)])), expectLoss);
      await assert.rejects(indexTFRecord(path, { save: false }), expectLoss);
      assert.match(messages[0]!, words, name);
      assert.ok(messages.every((m) => m === messages[0]), `${name}: ${messages.join(' | ')}`);
    }
  });
});

function frameOf(payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(payload.length + 16);
  const v = new DataView(out.buffer);
  v.setUint32(0, payload.length, true);
  v.setUint32(8, maskedCrc32c(out, 0, 8), true);
  out.set(payload, 12);
  v.setUint32(12 + payload.length, maskedCrc32c(payload, 0, payload.length), true);
  return out;
}

function cat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
