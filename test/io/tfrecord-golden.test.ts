// Reading golden/tfrecord (made by golden/make_tfrecord_golden.py with python's crc32c, gzip and
// zlib) from every kind of source, in 'throw' and 'skip' modes, and writing them back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import zlib from 'node:zlib';
import { DataLossError } from '../../src/core/errors.js';
import { readTFRecord, type SkipInfo, type TFRecordReadOptions } from '../../src/io/tfrecord-reader.js';
import { writeTFRecord } from '../../src/io/tfrecord-writer.js';
import type { ByteInput } from '../../src/io/byte-source.js';
import { GOLDEN, MANIFEST, PAYLOADS, equalBytes, nodeStream, piecewise, webStream } from './tfrecord-fixtures.js';

async function collect(
  source: ByteInput,
  options: TFRecordReadOptions,
): Promise<{ records: Uint8Array[]; error: unknown; skipped: number }> {
  const records: Uint8Array[] = [];
  const stream = readTFRecord(source, options);
  let error: unknown;
  try {
    for await (const r of stream) records.push(r);
  } catch (e) {
    error = e;
  }
  return { records, error, skipped: stream.skipped };
}

function assertRecords(got: Uint8Array[], ids: number[], what: string): void {
  assert.equal(got.length, ids.length, `${what}: record count`);
  ids.forEach((id, k) => assert.ok(equalBytes(got[k]!, PAYLOADS[id]!), `${what}: record ${k} is payload ${id}`));
}

type SourceKind = 'path' | 'bytes' | 'tiny-pieces' | 'random-pieces' | 'node-readable' | 'web-stream';
const KINDS: SourceKind[] = ['path', 'bytes', 'tiny-pieces', 'random-pieces', 'node-readable', 'web-stream'];

function sourceOf(kind: SourceKind, name: string): ByteInput {
  const path = join(GOLDEN, name);
  if (kind === 'path') return path;
  const bytes = new Uint8Array(readFileSync(path));
  switch (kind) {
    case 'bytes':
      return bytes;
    case 'tiny-pieces':
      return piecewise(bytes, 7, 13);
    case 'random-pieces':
      return piecewise(bytes, 11, 5000);
    case 'node-readable':
      return nodeStream(bytes, 3, 4096);
    case 'web-stream':
      return webStream(bytes, 1000);
  }
}

for (const [name, entry] of Object.entries(MANIFEST.files)) {
  test(`golden ${name}: ${entry.note || 'read'}`, async () => {
    for (const kind of KINDS) {
      const what = `${name} via ${kind}`;
      const { records, error } = await collect(sourceOf(kind, name), { compression: entry.compression });
      if (entry.error) {
        assert.ok(error instanceof DataLossError, `${what}: expected DataLossError, got ${String(error)}`);
        assert.equal(error.kind, entry.error.kind, what);
        assert.equal(error.recordIndex, entry.error.recordIndex, `${what}: recordIndex`);
        assert.equal(error.offset, entry.error.offset, `${what}: offset`);
        assert.match(error.message, new RegExp(`record ${entry.error.recordIndex}\\b`));
        assert.match(error.message, new RegExp(`offset ${entry.error.offset}\\b`));
        assert.equal(error.file, kind === 'path' ? join(GOLDEN, name) : undefined, `${what}: file`);
        // Compressed too: every record whole in what zlib yields before failing comes out first.
        assertRecords(records, entry.records, what);
      } else {
        assert.equal(error, undefined, `${what}: ${String(error)}`);
        assertRecords(records, entry.records, what);
      }
      if (entry.skip) {
        const infos: SkipInfo[] = [];
        const skipped = await collect(sourceOf(kind, name), {
          compression: entry.compression,
          onCorrupt: 'skip',
          onSkip: (i) => infos.push(i),
        });
        assert.equal(skipped.error, undefined, `${what} (skip): ${String(skipped.error)}`);
        assertRecords(skipped.records, entry.skip.records, `${what} (skip)`);
        assert.equal(skipped.skipped, entry.skip.skipped, `${what}: skipped count`);
        assert.equal(infos.length, entry.skip.skipped);
        assert.equal(infos[0]!.kind, entry.error!.kind);
        assert.equal(infos[0]!.recordIndex, entry.error!.recordIndex, `${what}: skipped recordIndex`);
        assert.equal(infos[0]!.offset, entry.error!.offset, `${what}: skipped offset`);
        assert.equal(infos[0]!.bytes, entry.skip.bytes, `${what}: bytes skipped`);
      }
    }
  });
}

test('golden: the compression default comes from the file name, and the option overrides it', async () => {
  const bytes = readFileSync(join(GOLDEN, 'zlib.tfrecord.zz'));
  assertRecords((await collect(join(GOLDEN, 'zlib.tfrecord.zz'), {})).records, MANIFEST.files['plain.tfrecord']!.records, 'zz');
  assertRecords((await collect(join(GOLDEN, 'gzip.tfrecord.gz'), {})).records, MANIFEST.files['plain.tfrecord']!.records, 'gz');
  // A Uint8Array has no name: none by default, so the zlib bytes are garbage framing.
  const raw = await collect(new Uint8Array(bytes), {});
  assert.ok(raw.error instanceof DataLossError);
  assertRecords((await collect(new Uint8Array(bytes), { compression: 'zlib' })).records, MANIFEST.files['plain.tfrecord']!.records, 'zlib option');
});

test('golden: zero compressed bytes are zero records for zlib too (TensorFlow meets EOF before any input)', async () => {
  for (const compression of ['zlib', 'gzip'] as const) {
    for (const source of [new Uint8Array(0), piecewise(new Uint8Array(0), 1, 1)]) {
      const { records, error, skipped } = await collect(source, { compression });
      assert.deepEqual([records.length, error, skipped], [0, undefined, 0], compression);
    }
  }
});

test('golden: verify:false skips the data CRC (the length CRC is still checked)', async () => {
  const { records, error } = await collect(join(GOLDEN, 'bad-data-crc.tfrecord'), { verify: false });
  assert.equal(error, undefined);
  assert.equal(records.length, MANIFEST.sizes.length);
  const bad = await collect(join(GOLDEN, 'bad-length-crc.tfrecord'), { verify: false });
  assert.ok(bad.error instanceof DataLossError && bad.error.kind === 'length_crc_mismatch');
});

test('golden: our writer reproduces plain.tfrecord byte for byte, and gzip/zlib decompress to it', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'rf-golden-'));
  try {
    const plain = readFileSync(join(GOLDEN, 'plain.tfrecord'));
    const r = await writeTFRecord(join(dir, 'a.tfrecord'), PAYLOADS);
    assert.deepEqual(r, { records: PAYLOADS.length, bytes: plain.length });
    assert.ok(equalBytes(await readFile(join(dir, 'a.tfrecord')), plain));

    await writeTFRecord(join(dir, 'a.tfrecord.gz'), PAYLOADS);
    const gz = await readFile(join(dir, 'a.tfrecord.gz'));
    assert.ok(equalBytes(zlib.gunzipSync(gz), plain));
    // As TensorFlow writes it: magic, deflate, no flags, mtime 0, and one member only.
    assert.deepEqual([...gz.subarray(0, 8)], [0x1f, 0x8b, 8, 0, 0, 0, 0, 0]);
    const member = zlib.inflateRawSync(gz.subarray(10), { info: true }) as unknown as { engine: { bytesWritten: number } };
    assert.equal(10 + member.engine.bytesWritten + 8, gz.length, 'a single gzip member');

    await writeTFRecord(join(dir, 'a.tfrecord.zz'), PAYLOADS);
    assert.ok(equalBytes(zlib.inflateSync(await readFile(join(dir, 'a.tfrecord.zz'))), plain));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
