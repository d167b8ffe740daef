import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Random } from '../../src/core/random.js';
import { InputError } from '../../src/core/errors.js';
import { configureStorage, storageSettings } from '../../src/storage/client.js';
import { ObjectBlocks } from '../../src/storage/object-blocks.js';
import { putObjectBytes, readObjectRange } from '../../src/storage/objects.js';
import { StorageError } from '../../src/storage/retry.js';
import { NO_FAULTS, startS3, type S3Harness } from './s3-harness.js';

function bytes(n: number, seed: number): Uint8Array {
  const rng = new Random(seed);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = rng.int(256);
  return out;
}

async function readAll(src: ObjectBlocks, slow = false): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for (let b = await src.next(); b; b = await src.next()) {
    parts.push(b);
    if (slow) await new Promise((r) => setTimeout(r, 1));
  }
  await src.close();
  return new Uint8Array(Buffer.concat(parts));
}

describe('ObjectBlocks: streaming ranged reads', () => {
  let s3: S3Harness;
  const data = bytes(3 << 20, 7);
  before(async () => {
    s3 = await startS3(['blocks']);
    await putObjectBytes('s3://blocks/a.bin', data);
    await putObjectBytes('s3://blocks/empty.bin', new Uint8Array(0));
  });
  after(() => s3.close());

  test('reads every byte once, in order, through cuts and 503 SlowDown', async () => {
    s3.faults = { ...NO_FAULTS, cut: 0.7, maxCutBytes: 400_000, slowDown: 0.2 };
    const src = new ObjectBlocks('s3://blocks/a.bin', 256 << 10);
    const got = await readAll(src);
    s3.faults = { ...NO_FAULTS };
    assert.equal(got.length, data.length);
    assert.ok(Buffer.from(got).equals(Buffer.from(data)));
    assert.ok(src.requests > 1, `resumed (${src.requests} GETs, ${s3.stats.cuts} cuts)`);
    assert.ok(s3.stats.cuts > 0 && s3.stats.slowDowns > 0);
  });

  test('from a start offset, and an empty object', async () => {
    const got = await readAll(new ObjectBlocks('s3://blocks/a.bin', 1 << 20, 1_000_001));
    assert.ok(Buffer.from(got).equals(Buffer.from(data.subarray(1_000_001))));
    assert.equal((await readAll(new ObjectBlocks('s3://blocks/empty.bin'))).length, 0);
    assert.equal((await readAll(new ObjectBlocks('s3://blocks/a.bin', 1 << 20, data.length))).length, 0);
  });

  test('holds at most one block ahead plus one response chunk, however slow the reader', async () => {
    const block = 64 << 10;
    const src = new ObjectBlocks('s3://blocks/a.bin', block);
    const got = await readAll(src, true);
    assert.equal(got.length, data.length);
    assert.ok(src.peakHeld <= 2 * block + (64 << 10), `peak ${src.peakHeld}`);
  });

  test('a store that stays down: StorageError naming the URL and the byte offset', async () => {
    const src = new ObjectBlocks('s3://blocks/a.bin', 1 << 20);
    s3.faults = { ...NO_FAULTS, cut: 1, maxCutBytes: 200_000 };
    const first = await src.next();
    assert.ok(first && first.length === 1 << 20);
    s3.faults = { ...NO_FAULTS, down: true };
    await assert.rejects(
      async () => {
        while (await src.next());
      },
      (e: unknown) => e instanceof StorageError && /s3:\/\/blocks\/a\.bin/.test(e.message) && /byte offset \d+/.test(e.message) && e.offset !== undefined && e.offset >= 1 << 20,
    );
    s3.faults = { ...NO_FAULTS };
    await src.close();
  });

  test('a stalled body is cut after the idle timeout and resumed', async () => {
    configureStorage({ backoffMs: 1, idleTimeoutMs: 300 });
    try {
      s3.faults = { ...NO_FAULTS, stallAfter: 100_000 };
      const src = new ObjectBlocks('s3://blocks/a.bin');
      const got = await readAll(src);
      assert.ok(Buffer.from(got).equals(Buffer.from(data)));
      assert.equal(src.requests, 2);
    } finally {
      configureStorage({ backoffMs: 1 });
    }
  });

  test('a missing object or bucket is an InputError naming the URL', async () => {
    await assert.rejects(new ObjectBlocks('s3://blocks/nope.bin').next(), (e: unknown) => e instanceof InputError && /s3:\/\/blocks\/nope\.bin: no such object/.test((e as Error).message));
    await assert.rejects(new ObjectBlocks('s3://no-such-bucket/x').next(), (e: unknown) => e instanceof InputError && /no such bucket/.test((e as Error).message));
  });

  test('readObjectRange: exact ranges through cuts; past the end is refused', async () => {
    s3.faults = { ...NO_FAULTS, cut: 0.8, maxCutBytes: 50_000 };
    const r = await readObjectRange('s3://blocks/a.bin', 12345, 200_000);
    s3.faults = { ...NO_FAULTS };
    assert.ok(Buffer.from(r).equals(Buffer.from(data.subarray(12345, 212345))));
    await assert.rejects(readObjectRange('s3://blocks/a.bin', data.length - 10, 20), /shorter than expected/);
  });

  test('readObjectRange: every response cut, more cuts than attempts: each resumes at the next missing byte', async () => {
    // 2 MiB in cuts of at most 300 kB (about 150 kB on average): more cuts than attempts.
    s3.faults = { ...NO_FAULTS, cut: 1, maxCutBytes: 300_000 };
    const cuts = s3.stats.cuts;
    const r = await readObjectRange('s3://blocks/a.bin', 1000, 2 << 20);
    s3.faults = { ...NO_FAULTS };
    assert.ok(s3.stats.cuts - cuts > storageSettings().attempts, `${s3.stats.cuts - cuts} cuts, ${storageSettings().attempts} attempts`);
    assert.ok(Buffer.from(r).equals(Buffer.from(data.subarray(1000, 1000 + (2 << 20)))));
  });

  test('readObjectRange: a stalled body is cut after the idle timeout and resumed', async () => {
    configureStorage({ backoffMs: 1, idleTimeoutMs: 300 });
    try {
      s3.faults = { ...NO_FAULTS, stallAfter: 50_000 };
      const r = await readObjectRange('s3://blocks/a.bin', 0, 1 << 20);
      assert.ok(Buffer.from(r).equals(Buffer.from(data.subarray(0, 1 << 20))));
    } finally {
      s3.faults = { ...NO_FAULTS };
      configureStorage({ backoffMs: 1 });
    }
  });
});
