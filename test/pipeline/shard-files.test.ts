// Dataset.shard over TFRecord files: whole files per shard when there are at least n files
// (tf.data's AutoShardPolicy.FILE), records otherwise; cardinality from PATH.idx.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../../src/core/errors.js';
import { indexTFRecord } from '../../src/io/tfrecord-index.js';
import { writeTFRecord } from '../../src/io/tfrecord-writer.js';
import { Dataset } from '../../src/pipeline/dataset.js';

let dir: string;
const files: string[] = [];
const COUNTS = [5, 3, 4, 0, 6];
const payload = (f: number, i: number): Uint8Array => new Uint8Array([f, i, 7]);

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rf-shard-files-'));
  for (let f = 0; f < COUNTS.length; f++) {
    const path = join(dir, `s-${f}.tfr`);
    await writeTFRecord(path, Array.from({ length: COUNTS[f]! }, (_, i) => payload(f, i)));
    await indexTFRecord(path);
    files.push(path);
  }
});
after(() => rm(dir, { recursive: true, force: true }));

const key = (b: Uint8Array): string => `${b[0]}:${b[1]}`;
const keys = async (ds: Dataset<Uint8Array>): Promise<string[]> => (await ds.toArray()).map(key);

test('at least n files: shard i reads files k with k % n == i, with the cardinality of those files', async () => {
  const ds = Dataset.fromTFRecord(files).shard(2, 1);
  assert.equal(ds.cardinality, COUNTS[1]! + COUNTS[3]!);
  assert.deepEqual(await keys(ds), ['1:0', '1:1', '1:2']);
  const viaPattern = Dataset.fromTFRecord(join(dir, 's-*.tfr')).shard(2, 0);
  assert.equal(viaPattern.cardinality, undefined);
  assert.deepEqual(await keys(viaPattern), [0, 2, 4].flatMap((f) => Array.from({ length: COUNTS[f]! }, (_, i) => `${f}:${i}`)));
});

test('fewer files than shards: records k % n == i of all files; shuffle over it equals a buffered shuffle', async () => {
  const all = await keys(Dataset.fromTFRecord(files));
  const ds = Dataset.fromTFRecord(files).shard(7, 3);
  assert.equal(ds.cardinality, all.filter((_, k) => k % 7 === 3).length);
  assert.deepEqual(await keys(ds), all.filter((_, k) => k % 7 === 3));
  // The shuffle fallback reads the shard by position; the buffered path reads it in order.
  const indexed = await keys(Dataset.fromTFRecord(files).shard(7, 3).shuffle(100, { seed: 3 }));
  const buffered = await keys(Dataset.fromTFRecord(files).shard(7, 3).map((x) => x).shuffle(100, { seed: 3 }));
  assert.deepEqual(indexed, buffered);
});

test('after another operator, shard keeps records as before', async () => {
  const all = await keys(Dataset.fromTFRecord(files));
  assert.deepEqual(await keys(Dataset.fromTFRecord(files).map((x) => x).shard(2, 1)), all.filter((_, k) => k % 2 === 1));
});

test('empty shards, a missing file, bad arguments, early break', async () => {
  assert.deepEqual(await keys(Dataset.fromTFRecord([files[3]!]).shard(2, 1)), []);
  await assert.rejects(Dataset.fromTFRecord([files[0]!, join(dir, 'missing.tfr')]).shard(2, 1).toArray(), InputError);
  assert.throws(() => Dataset.fromTFRecord(files).shard(2, 2), InputError);
  for await (const r of Dataset.fromTFRecord(files).shard(2, 0)) {
    assert.equal(key(r), '0:0');
    break;
  }
});
