// readTFRecord behaviour beyond the golden files: resources, abort, memory, chunks, big records.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CHUNKS } from '../../src/core/chunks.js';
import { maskedCrc32c } from '../../src/io/crc32c.js';
import { DataLossError, InputError } from '../../src/core/errors.js';
import { readTFRecord } from '../../src/io/tfrecord-reader.js';
import { frameRecord, writeTFRecord } from '../../src/io/tfrecord-writer.js';
import { GOLDEN, equalBytes, openFds, randomBytes, rng, withDir as withTempDir } from './tfrecord-fixtures.js';

const withDir = <T>(fn: (dir: string) => Promise<T>): Promise<T> => withTempDir('rf-reader-', fn);

/** A header (length + masked CRC) claiming `length` payload bytes. */
function header(length: number): Uint8Array {
  const h = new Uint8Array(12);
  const v = new DataView(h.buffer);
  v.setUint32(0, length % 4294967296, true);
  v.setUint32(4, Math.floor(length / 4294967296), true);
  v.setUint32(8, maskedCrc32c(h, 0, 8), true);
  return h;
}

test('breaking out of the loop closes the file at once (plain and gzip)', async () => {
  await withDir(async (dir) => {
    const payloads = Array.from({ length: 5000 }, (_, i) => new Uint8Array(300).fill(i & 255));
    for (const name of ['many.tfrecord', 'many.tfrecord.gz']) {
      const path = join(dir, name);
      await writeTFRecord(path, payloads);
      const before = openFds(dir);
      let during = 0;
      let n = 0;
      for await (const r of readTFRecord(path)) {
        assert.equal(r.length, 300);
        if (++n === 3) {
          during = openFds(dir);
          break;
        }
      }
      assert.ok(during > before, `${name}: the file was open while reading (${during} > ${before})`);
      assert.equal(openFds(dir), before, `${name}: no descriptor left after break`);
      // Same through the chunk protocol.
      const it = readTFRecord(path)[CHUNKS]();
      const first = await it.next();
      assert.ok(!first.done && first.value.length > 0);
      await it.return?.();
      assert.equal(openFds(dir), before, `${name}: no descriptor left after return() on chunks`);
    }
  });
});

test('a read that throws closes the file too', async () => {
  const before = openFds();
  await assert.rejects(async () => {
    for await (const _ of readTFRecord(join(GOLDEN, 'bad-data-crc.tfrecord'))) void _;
  }, DataLossError);
  assert.equal(openFds(), before);
});

test('AbortSignal: aborting stops the read, closes the file and rejects with the reason', async () => {
  await withDir(async (dir) => {
    const path = join(dir, 'a.tfrecord');
    await writeTFRecord(path, Array.from({ length: 20000 }, () => new Uint8Array(200)));
    const before = openFds();
    const ac = new AbortController();
    let n = 0;
    await assert.rejects(
      async () => {
        for await (const _ of readTFRecord(path, { signal: ac.signal })) {
          void _;
          if (++n === 10) ac.abort(new Error('stop here'));
        }
      },
      { message: 'stop here' },
    );
    assert.ok(n < 20000, 'stopped early');
    assert.equal(openFds(), before);
    // An aborted signal refuses to start.
    await assert.rejects(async () => {
      for await (const _ of readTFRecord(path, { signal: AbortSignal.abort() })) void _;
    }, { name: 'AbortError' });
  });
});

test('AbortSignal interrupts a source that never delivers', { timeout: 20_000 }, async () => {
  const stalled: AsyncIterable<Uint8Array> = {
    [Symbol.asyncIterator]: () => ({ next: () => new Promise<IteratorResult<Uint8Array>>(() => {}) }),
  };
  // Without the abort this read never ends (the test's timeout would report it).
  const ac = new AbortController();
  setTimeout(() => ac.abort(new Error('gave up')), 50); // a ref'd timer (AbortSignal.timeout is unref'd)
  await assert.rejects(async () => {
    for await (const _ of readTFRecord(stalled, { signal: ac.signal })) void _;
  }, { message: 'gave up' });
});

test('a length claim is never allocated before its bytes arrive', async () => {
  // 1.5 GB claimed with a valid length CRC, then 64 pieces of 64 KB: memory held must track
  // the 4 MB that arrived, not the claim. Measured while the reader is still gathering.
  let peak = 0;
  const base = process.memoryUsage().arrayBuffers;
  async function* source(): AsyncGenerator<Uint8Array> {
    yield header(1_500_000_000);
    for (let i = 0; i < 64; i++) {
      peak = Math.max(peak, process.memoryUsage().arrayBuffers - base);
      yield new Uint8Array(65536);
    }
  }
  await assert.rejects(
    async () => {
      for await (const _ of readTFRecord(source())) void _;
    },
    (e: unknown) => e instanceof DataLossError && e.kind === 'truncated_data' && e.recordIndex === 0 && e.offset === 0,
  );
  assert.ok(peak < 64e6, `held ${peak} bytes while a 1.5 GB record was claimed`);
  // A claim no buffer could hold (2^40) through a stream: truncated_data, not a RangeError.
  await assert.rejects(
    async () => {
      async function* huge(): AsyncGenerator<Uint8Array> {
        yield header(2 ** 40);
        yield new Uint8Array(100);
      }
      for await (const _ of readTFRecord(huge())) void _;
    },
    (e: unknown) => e instanceof DataLossError && e.kind === 'truncated_data',
  );
  // Beyond 2^53 (uint64 lengths JS numbers cannot hold exactly): still truncated_data.
  const beyond = new Uint8Array([...header(0), 0, 0, 0]);
  beyond.set([0, 0, 0, 0, 0, 0, 0, 0x40]); // length 2^62
  new DataView(beyond.buffer).setUint32(8, maskedCrc32c(beyond, 0, 8), true);
  await assert.rejects(
    async () => {
      for await (const _ of readTFRecord(beyond)) void _;
    },
    (e: unknown) => e instanceof DataLossError && e.kind === 'truncated_data' && e.offset === 0,
  );
});

test('chunks: whole blocks of payloads, the same records as per-record iteration', async () => {
  await withDir(async (dir) => {
    const rand = rng(5);
    const payloads = Array.from({ length: 3000 }, () => randomBytes(rand, Math.floor(rand() * 2000)));
    const path = join(dir, 'c.tfrecord');
    await writeTFRecord(path, payloads);
    const chunks: Uint8Array[][] = [];
    const it = readTFRecord(path)[CHUNKS]();
    for (let r = await it.next(); !r.done; r = await it.next()) chunks.push(r.value);
    assert.ok(chunks.length < 20, `${chunks.length} chunks for ${payloads.length} records`);
    assert.ok(chunks.every((c) => c.length > 0));
    const flat = chunks.flat();
    assert.equal(flat.length, payloads.length);
    flat.forEach((p, i) => assert.ok(equalBytes(p, payloads[i]!), `record ${i}`));
  });
});

test('records larger than the read block, and payloads that stay valid after the read', async () => {
  await withDir(async (dir) => {
    const rand = rng(9);
    const sizes = [3_000_000, 5, 1_048_560, 1_048_576, 0, 2_500_001, 77];
    const payloads = sizes.map((n) => randomBytes(rand, n));
    const path = join(dir, 'big.tfrecord');
    writeFileSync(path, Buffer.concat(payloads.map(frameRecord)));
    const got: Uint8Array[] = [];
    for await (const r of readTFRecord(path)) got.push(r);
    // Every payload compared after the whole file was read: no block was reused under them.
    assert.equal(got.length, payloads.length);
    got.forEach((p, i) => assert.ok(equalBytes(p, payloads[i]!), `record ${i} (${sizes[i]} bytes)`));
  });
});

test('an array of paths is read in order; an error names the file it is in', async () => {
  const plain = join(GOLDEN, 'plain.tfrecord');
  const bad = join(GOLDEN, 'bad-data-crc.tfrecord');
  let n = 0;
  for await (const _ of readTFRecord([plain, join(GOLDEN, 'gzip.tfrecord.gz'), join(GOLDEN, 'empty.tfrecord')])) {
    void _;
    n++;
  }
  assert.equal(n, 28);
  await assert.rejects(
    async () => {
      for await (const _ of readTFRecord([plain, bad])) void _;
    },
    (e: unknown) => e instanceof DataLossError && e.file === bad && e.recordIndex === 5 && e.message.includes(bad),
  );
});

test('missing files and bad sources are InputErrors; a stream can only be read once', async () => {
  await assert.rejects(async () => {
    for await (const _ of readTFRecord('/nonexistent/x.tfrecord')) void _;
  }, (e: unknown) => e instanceof InputError && /no such file/.test(e.message));
  assert.throws(() => readTFRecord(42 as never), InputError);
  async function* once(): AsyncGenerator<Uint8Array> {
    yield frameRecord(new Uint8Array([1, 2, 3]));
  }
  const s = readTFRecord(once());
  let n = 0;
  for await (const _ of s) n += _.length;
  assert.equal(n, 3);
  await assert.rejects(async () => {
    for await (const _ of s) void _;
  }, InputError);
});

test('a path source can be iterated again (each iteration rereads the file)', async () => {
  const s = readTFRecord(join(GOLDEN, 'plain.tfrecord'));
  let a = 0;
  let b = 0;
  for await (const _ of s) a += _.length;
  for await (const _ of s) b += _.length;
  assert.equal(a, b);
  assert.ok(a > 0);
});
