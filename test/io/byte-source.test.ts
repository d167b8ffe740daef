// Paths that are not regular files (FIFOs, pipes, character devices): stat() says 0 bytes, yet
// they are read to their end. Real FIFOs (mkfifo) fed by a separate `cat` process.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { writeFileSync } from 'node:fs';
import { DataLossError, InputError } from '../../src/core/errors.js';
import { blockSource } from '../../src/io/byte-source.js';
import { readTFRecord } from '../../src/io/tfrecord-reader.js';
import { indexTFRecord, openTFRecordIndexed } from '../../src/io/tfrecord-index.js';
import { frameRecord } from '../../src/io/tfrecord-writer.js';
import { equalBytes, randomBytes, rng, withDir as withTempDir } from './tfrecord-fixtures.js';

const withDir = <T>(fn: (dir: string) => Promise<T>): Promise<T> => withTempDir('rf-streams-', fn);

/** A FIFO at `dir/name` fed `bytes` by a `cat FILE > FIFO` writer (a process of its own). */
function fifoFrom(dir: string, name: string, bytes: Uint8Array): { path: string; writer: ChildProcess; exited: Promise<number | null> } {
  const path = join(dir, name);
  const source = `${path}.source`;
  writeFileSync(source, bytes);
  execFileSync('mkfifo', [path]);
  const writer = spawn('sh', ['-c', 'cat "$1" > "$2"', 'sh', source, path], { stdio: 'ignore' });
  const exited = new Promise<number | null>((resolve) => writer.on('close', (code) => resolve(code)));
  return { path, writer, exited };
}

/** Payloads of random sizes (some well over a pipe's 64 KiB and the 1 MiB file block). */
function payloads(seed: number, n: number): Uint8Array[] {
  const rand = rng(seed);
  return Array.from({ length: n }, (_, i) => randomBytes(rand, i % 17 === 5 ? 1_500_000 + ((rand() * 9000) | 0) : (rand() * 70_000) | 0));
}

function framed(list: Uint8Array[]): Buffer {
  return Buffer.concat(list.map((p) => frameRecord(p)));
}

async function collect(source: Parameters<typeof readTFRecord>[0], options: Parameters<typeof readTFRecord>[1] = {}): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for await (const r of readTFRecord(source, options)) out.push(r);
  return out;
}

test('a FIFO is read to its end (not stopped at stat().size = 0), records equal to the file', async () => {
  await withDir(async (dir) => {
    const list = payloads(1, 60);
    const fifo = fifoFrom(dir, 'plain.fifo', framed(list));
    const got = await collect(fifo.path);
    assert.equal(await fifo.exited, 0);
    assert.equal(got.length, list.length);
    got.forEach((r, i) => assert.ok(equalBytes(r, list[i]!), `record ${i}`));
  });
});

test('a gzip stream through a FIFO decompresses to the same records', async () => {
  await withDir(async (dir) => {
    const list = payloads(2, 25);
    const fifo = fifoFrom(dir, 'z.fifo', gzipSync(framed(list)));
    const got = await collect(fifo.path, { compression: 'gzip' });
    await fifo.exited;
    assert.deepEqual(
      got.map((r) => r.length),
      list.map((r) => r.length),
    );
  });
});

test('a FIFO cut mid-record is truncated_data at the right record and offset, never a clean end', async () => {
  await withDir(async (dir) => {
    const list = payloads(3, 8);
    const whole = framed(list);
    const cutAt = 16 * 5 + list.slice(0, 5).reduce((a, p) => a + p.length, 0) + 12 + 3;
    const fifo = fifoFrom(dir, 'cut.fifo', whole.subarray(0, cutAt));
    const seen: Uint8Array[] = [];
    const err = await (async () => {
      try {
        for await (const r of readTFRecord(fifo.path)) seen.push(r);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    await fifo.exited;
    assert.ok(err instanceof DataLossError, String(err));
    assert.equal(err.kind, 'truncated_data');
    assert.equal(err.recordIndex, 5);
    assert.equal(err.offset, cutAt - 15);
    assert.match(err.message, new RegExp(`^${fifo.path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: `));
    assert.equal(seen.length, 5);
  });
});

test('an empty FIFO is 0 records; an empty stream is the only way to get 0 records', async () => {
  await withDir(async (dir) => {
    const fifo = fifoFrom(dir, 'empty.fifo', new Uint8Array(0));
    assert.deepEqual(await collect(fifo.path), []);
    await fifo.exited;
  });
});

test('a character device streams too: /dev/zero is a header whose length CRC fails, not 0 records', async () => {
  await assert.rejects(collect('/dev/zero'), (e: unknown) => e instanceof DataLossError && e.kind === 'length_crc_mismatch' && e.offset === 0);
  assert.deepEqual(await collect('/dev/null'), []);
});

test('breaking out of a FIFO read returns at once; the writer then sees the pipe closed', async () => {
  await withDir(async (dir) => {
    const list = payloads(4, 120);
    const fifo = fifoFrom(dir, 'long.fifo', framed(list));
    let n = 0;
    for await (const r of readTFRecord(fifo.path)) {
      assert.ok(equalBytes(r, list[n]!));
      if (++n === 3) break;
    }
    assert.equal(n, 3);
    // cat gets EPIPE/SIGPIPE once the descriptor is closed: it ends, with an error status.
    assert.notEqual(await fifo.exited, undefined);
  });
});

test('blockSource(fifo, { start }) drops the first bytes of a stream (it cannot seek)', async () => {
  await withDir(async (dir) => {
    const bytes = randomBytes(rng(5), 300_000);
    const fifo = fifoFrom(dir, 'bytes.fifo', bytes);
    const src = blockSource(fifo.path, { start: 100_001 });
    const parts: Uint8Array[] = [];
    for (let b = await src.next(); b; b = await src.next()) parts.push(b);
    assert.equal(src.remaining(), undefined, 'a stream does not know what remains');
    await src.close();
    await fifo.exited;
    assert.ok(equalBytes(Buffer.concat(parts), bytes.subarray(100_001)));
  });
});

test('random access refuses a FIFO or a device with an InputError naming it (no 0-record index)', async () => {
  await withDir(async (dir) => {
    const path = join(dir, 'idx.fifo');
    execFileSync('mkfifo', [path]);
    // O_RDONLY on a FIFO waits for a writer: give it one that writes nothing.
    const writer = spawn('sh', ['-c', ': > "$1"', 'sh', path], { stdio: 'ignore' });
    const exited = new Promise((resolve) => writer.on('close', resolve));
    await assert.rejects(indexTFRecord(path, { save: false }), (e: unknown) => e instanceof InputError && /not a regular file/.test(e.message) && e.message.startsWith(path));
    await exited;
  });
  await assert.rejects(openTFRecordIndexed('/dev/null'), (e: unknown) => e instanceof InputError && /^\/dev\/null: not a regular file/.test(e.message));
});

test('a directory given as a path is an InputError, not an untyped EISDIR', async () => {
  await withDir(async (dir) => {
    await assert.rejects(collect(dir), (e: unknown) => e instanceof InputError && /is a directory/.test(e.message));
  });
});
