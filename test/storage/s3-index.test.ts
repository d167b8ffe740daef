// Random access to objects: KEY.idx beside an object, header scans by ranged GETs, coalesced
// reads, and the shuffle fallback over objects giving the same order as over local files.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../../src/core/errors.js';
import { indexTFRecord, openTFRecordIndexed } from '../../src/io/tfrecord-index.js';
import { Dataset } from '../../src/pipeline/dataset.js';
import { getObjectBytes, putObjectBytes } from '../../src/storage/objects.js';
import { NO_FAULTS, startS3, type S3Harness } from './s3-harness.js';
import { firstDifference, makeShard, shardPayload } from './shards.js';

const RECORDS = [60, 45, 52];
const name = (s: number): string => `part-${String(s).padStart(5, '0')}-of-00003.tfr`;

describe('indexed objects', () => {
  let s3: S3Harness;
  let dir: string;
  before(async () => {
    s3 = await startS3(['idx']);
    dir = await mkdtemp(join(tmpdir(), 'rf-s3-idx-'));
    for (let s = 0; s < 3; s++) {
      makeShard(dir, name(s), s, RECORDS[s]!);
      await putObjectBytes(`s3://idx/d/${name(s)}`, await readFile(join(dir, name(s))));
    }
  });
  after(async () => {
    await s3.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('indexTFRecord on an object stores KEY.idx, the same text as for the local file', async () => {
    s3.faults = { ...NO_FAULTS, cut: 0.5, maxCutBytes: 50_000 };
    const remote = await indexTFRecord(`s3://idx/d/${name(0)}`);
    s3.faults = { ...NO_FAULTS };
    const local = await indexTFRecord(join(dir, name(0)));
    assert.deepEqual(remote, local);
    const text = new TextDecoder().decode(await getObjectBytes(`s3://idx/d/${name(0)}.idx`));
    assert.equal(text, await readFile(join(dir, `${name(0)}.idx`), 'utf8'));
  });

  test('getMany through cuts: the payloads asked for, coalesced into few GETs', async () => {
    const f = await openTFRecordIndexed(`s3://idx/d/${name(1)}`);
    const want = [44, 0, 7, 7, 30, 12];
    const gets = s3.stats.gets;
    const got = await f.getMany(want);
    assert.ok(s3.stats.gets - gets <= 2, `${s3.stats.gets - gets} GETs`);
    assert.equal(firstDifference(got, want.map((i) => shardPayload(1, i))), undefined);
    s3.faults = { ...NO_FAULTS, cut: 0.7, maxCutBytes: 20_000 };
    const again = await f.getMany([3, 40, 5]);
    s3.faults = { ...NO_FAULTS };
    assert.equal(firstDifference(again, [3, 40, 5].map((i) => shardPayload(1, i))), undefined);
    await assert.rejects(f.get(45), InputError);
    await f.close();
  });

  test('KEY.idx is used when present (a consistent but wrong index is caught at the record)', async () => {
    const url = `s3://idx/d/${name(2)}`;
    const { offsets, lengths } = await indexTFRecord(join(dir, name(2)), { save: false });
    // Records 0 and 1 merged into one entry: consistent with the size, wrong at record 0.
    const lines = [`0 ${lengths[0]! + lengths[1]!}`, ...offsets.slice(2).map((o, i) => `${o} ${lengths[i + 2]}`)];
    await putObjectBytes(`${url}.idx`, new TextEncoder().encode(lines.join('\n') + '\n'));
    const f = await openTFRecordIndexed(url);
    assert.equal(f.length, RECORDS[2]! - 1);
    await assert.rejects(f.get(0), /does not match record 0/);
    await f.close();
  });

  test('the shuffle fallback over objects gives the order it gives over the same local files', async () => {
    const urls = [0, 1].map((s) => `s3://idx/d/${name(s)}`);
    const files = [0, 1].map((s) => join(dir, name(s)));
    s3.faults = { ...NO_FAULTS, cut: 0.3, maxCutBytes: 100_000 };
    const remote = await Dataset.fromTFRecord(urls).shuffle(1000, { seed: 5 }).toArray();
    const viaPattern = await Dataset.fromTFRecord('s3://idx/d/part-0000[01]-*').shuffle(1000, { seed: 5 }).toArray();
    s3.faults = { ...NO_FAULTS };
    const local = await Dataset.fromTFRecord(files).shuffle(1000, { seed: 5 }).toArray();
    assert.equal(local.length, RECORDS[0]! + RECORDS[1]!);
    assert.equal(firstDifference(remote, local), undefined);
    assert.equal(firstDifference(viaPattern, local), undefined);
  });

  test('shard over objects: by file with at least n files, by record with fewer', async () => {
    const byFile = await Dataset.fromTFRecord('s3://idx/d/part-*').shard(2, 1).toArray();
    assert.equal(firstDifference(byFile, Array.from({ length: RECORDS[1]! }, (_, i) => shardPayload(1, i))), undefined);
    const all = await Dataset.fromTFRecord('s3://idx/d/part-*').toArray();
    const byRecord = await Dataset.fromTFRecord('s3://idx/d/part-*').shard(5, 2).toArray();
    assert.equal(firstDifference(byRecord, all.filter((_, k) => k % 5 === 2)), undefined);
  });
});
