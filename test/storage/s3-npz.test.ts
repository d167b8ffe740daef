// readNpz on s3:// objects: the zip directory and the members by ranged GETs (resumed after
// cuts), the same arrays as from the local file; numpy wrote the files (golden/npz).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { InputError } from '../../src/core/errors.js';
import { readNpz } from '../../src/io/npz.js';
import { putObjectBytes } from '../../src/storage/objects.js';
import { NO_FAULTS, startS3, type S3Harness } from './s3-harness.js';

const GOLDEN = fileURLToPath(new URL('../../golden/npz/', import.meta.url));
const FILES = ['basic.npz', 'compressed.npz', 'reference_like.npz', 'zip64.npz'];

describe('readNpz on objects', () => {
  let s3: S3Harness;
  before(async () => {
    s3 = await startS3(['npz']);
    for (const f of FILES) await putObjectBytes(`s3://npz/sets/${f}`, await readFile(GOLDEN + f));
  });
  after(() => s3.close());

  test('every array equals the local file\'s, through cut connections and SlowDown', async () => {
    for (const f of FILES) {
      const local = await readNpz(GOLDEN + f);
      s3.faults = { ...NO_FAULTS, cut: 0.5, maxCutBytes: 2000, slowDown: 0.2 };
      const remote = await readNpz(`s3://npz/sets/${f}`);
      s3.faults = { ...NO_FAULTS };
      assert.deepEqual(Object.keys(remote), Object.keys(local), f);
      for (const k of Object.keys(local)) {
        assert.deepEqual(remote[k]!.shape, local[k]!.shape, `${f}:${k}`);
        assert.deepEqual(remote[k]!.data, local[k]!.data, `${f}:${k}`);
      }
    }
    assert.ok(s3.stats.cuts > 0);
  });

  test('a missing object is an InputError naming the URL', async () => {
    await assert.rejects(readNpz('s3://npz/sets/none.npz'), (e: unknown) => e instanceof InputError && /s3:\/\/npz\/sets\/none\.npz/.test((e as Error).message));
  });
});
