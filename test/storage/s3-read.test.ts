// Reading TFRecord shards from a real S3-protocol server through a proxy that cuts connections
// mid-body and answers 503 SlowDown: every record exactly once, in order.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DataLossError, InputError } from '../../src/core/errors.js';
import { readTFRecord } from '../../src/io/tfrecord-reader.js';
import { expandInputs } from '../../src/io/patterns.js';
import { Dataset } from '../../src/pipeline/dataset.js';
import { putObjectBytes } from '../../src/storage/objects.js';
import { NO_FAULTS, startS3, type S3Harness } from './s3-harness.js';
import { firstDifference, makeShard, shardPayload } from './shards.js';

const GOLDEN = fileURLToPath(new URL('../../golden/tfrecord/', import.meta.url));
const RECORDS = [40, 25, 0, 33];
const NAMES = ['train-00000-of-00004.tfr', 'train-00001-of-00004.tfr.gz', 'train-00002-of-00004.tfr', 'train-00003-of-00004.tfr.deflate'];

function expected(shards: number[] = [0, 1, 2, 3]): Uint8Array[] {
  return shards.flatMap((s) => Array.from({ length: RECORDS[s]! }, (_, i) => shardPayload(s, i)));
}

async function all(it: AsyncIterable<Uint8Array>): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for await (const r of it) out.push(r);
  return out;
}

describe('TFRecord shards in an object store', () => {
  let s3: S3Harness;
  let dir: string;
  before(async () => {
    s3 = await startS3(['shards']);
    dir = await mkdtemp(join(tmpdir(), 'rf-s3-read-'));
    for (let s = 0; s < 4; s++) {
      const name = NAMES[s]!;
      makeShard(dir, name, s, RECORDS[s]!, name.endsWith('.gz') ? 'gzip' : name.endsWith('.deflate') ? 'zlib' : 'none');
      await putObjectBytes(`s3://shards/data/${name}`, await readFile(join(dir, name)));
    }
    // Decoys a pattern must skip: the completion marker, a hidden file, a sidecar index.
    await putObjectBytes('s3://shards/data/_SUCCESS', new Uint8Array(0));
    await putObjectBytes('s3://shards/data/.train-00009-of-00004.tfr.crc', new Uint8Array([1, 2, 3]));
    await putObjectBytes('s3://shards/data/train-00000-of-00004.tfr.idx', new TextEncoder().encode('garbage\n'));
    await putObjectBytes('s3://shards/data/deeper/train-00000-of-00004.tfr', new Uint8Array([9]));
    await putObjectBytes('s3://shards/golden/bad-data-crc.tfrecord', await readFile(join(GOLDEN, 'bad-data-crc.tfrecord')));
  });
  after(async () => {
    await s3.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('a pattern lists the bucket: byte-wise order, no _/. names, no .idx, one level', async () => {
    assert.deepEqual(await expandInputs(['s3://shards/data/train-*']), NAMES.map((n) => `s3://shards/data/${n}`));
    assert.deepEqual(await expandInputs(['s3://shards/data/*.idx']), ['s3://shards/data/train-00000-of-00004.tfr.idx']);
    assert.deepEqual(await expandInputs(['s3://shards/*/train-0000[0]-of-00004.tfr']), ['s3://shards/data/train-00000-of-00004.tfr']);
    await assert.rejects(expandInputs(['s3://shards/data/nothing-*']), (e: unknown) => e instanceof InputError && /s3:\/\/shards\/data\/nothing-\*/.test((e as Error).message));
  });

  test('readTFRecord over a pattern: every record exactly once, in order, through cuts and SlowDown', async () => {
    s3.faults = { ...NO_FAULTS, cut: 0.8, maxCutBytes: 20_000, slowDown: 0.3 };
    const got = await all(readTFRecord('s3://shards/data/train-*'));
    s3.faults = { ...NO_FAULTS };
    assert.equal(firstDifference(got, expected()), undefined);
    assert.ok(s3.stats.cuts > 0 && s3.stats.slowDowns > 0, JSON.stringify(s3.stats));
  });

  test('Dataset.fromTFRecord over a pattern and explicit URLs gives the same records', async () => {
    s3.faults = { ...NO_FAULTS, cut: 0.5, maxCutBytes: 30_000 };
    const viaPattern = await Dataset.fromTFRecord('s3://shards/data/train-*').toArray();
    const explicit = await Dataset.fromTFRecord(['s3://shards/data/train-00003-of-00004.tfr.deflate', 's3://shards/data/train-00000-of-00004.tfr']).toArray();
    s3.faults = { ...NO_FAULTS };
    assert.equal(firstDifference(viaPattern, expected()), undefined);
    assert.equal(firstDifference(explicit, expected([3, 0])), undefined);
  });

  test('numParallelReads 4: the four objects are fetched at once, records in TensorFlow\'s order (cycle 4, block 1)', async () => {
    // Four shards in four slots: one record of each in turn, a shard that ends dropping out
    // (the empty one at once), as tf.data's interleave does with cycle_length >= the files.
    const lists = [0, 1, 2, 3].map((s) => expected([s]));
    const want: Uint8Array[] = [];
    for (let i = 0; want.length < lists.flat().length; i++) for (const l of lists) if (i < l.length) want.push(l[i]!);
    // The proxy holds every GET until four are waiting: only a reader with the four objects
    // open at once gets past it without the gate's timeout.
    s3.faults = { ...NO_FAULTS, gateGets: 4, cut: 0.5, maxCutBytes: 30_000 };
    const timeouts = s3.stats.gateTimeouts;
    const got = await all(readTFRecord('s3://shards/data/train-*', { numParallelReads: 4 }));
    assert.equal(s3.stats.gateTimeouts, timeouts, 'the four GETs were open together');
    assert.equal(firstDifference(got, want), undefined);
    s3.faults = { ...NO_FAULTS, gateGets: 4 };
    const viaDataset = await Dataset.fromTFRecord('s3://shards/data/train-*', { numParallelReads: 4 }).toArray();
    assert.equal(s3.stats.gateTimeouts, timeouts);
    assert.equal(firstDifference(viaDataset, want), undefined);
    s3.faults = { ...NO_FAULTS };
  });

  test('numParallelReads 1 reads one object at a time (the gate above would time out)', async () => {
    s3.faults = { ...NO_FAULTS, gateGets: 2, gateMs: 300 };
    const timeouts = s3.stats.gateTimeouts;
    const got = await all(readTFRecord(['s3://shards/data/train-00002-of-00004.tfr', 's3://shards/data/train-00000-of-00004.tfr'], { numParallelReads: 1 }));
    s3.faults = { ...NO_FAULTS };
    assert.equal(s3.stats.gateTimeouts, timeouts + 1, 'the second GET came only after the first object was read');
    assert.equal(firstDifference(got, expected([2, 0])), undefined);
  });

  test('early break closes the object; a second epoch reads it again', async () => {
    const ds = Dataset.fromTFRecord('s3://shards/data/train-00000-of-00004.tfr');
    for await (const r of ds) {
      assert.equal(r.length, shardPayload(0, 0).length);
      break;
    }
    assert.equal((await ds.toArray()).length, RECORDS[0]);
  });

  test('damage in an object is a DataLossError naming the URL, record and offset', async () => {
    const m = JSON.parse(await readFile(join(GOLDEN, 'manifest.json'), 'utf8')) as { files: Record<string, { error: { recordIndex: number; offset: number } }> };
    const want = m.files['bad-data-crc.tfrecord']!.error;
    await assert.rejects(all(readTFRecord('s3://shards/golden/bad-data-crc.tfrecord')), (e: unknown) =>
      e instanceof DataLossError && e.file === 's3://shards/golden/bad-data-crc.tfrecord' && e.recordIndex === want.recordIndex && e.offset === want.offset);
  });

  test('a missing object is an InputError naming it', async () => {
    await assert.rejects(all(readTFRecord('s3://shards/data/none.tfr')), (e: unknown) => e instanceof InputError && /s3:\/\/shards\/data\/none\.tfr/.test((e as Error).message));
  });
});
