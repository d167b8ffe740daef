// Writing objects: multipart uploads byte-identical to the local writer's files, the object
// present only after a successful close, none after an abort, a failure or a SIGKILL.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Random } from '../../src/core/random.js';
import { TFRecordWriter, writeTFRecord } from '../../src/io/tfrecord-writer.js';
import { readTFRecord } from '../../src/io/tfrecord-reader.js';
import { configureStorage } from '../../src/storage/client.js';
import { getObjectBytes, headObject } from '../../src/storage/objects.js';
import { ObjectWriteStream } from '../../src/storage/object-writer.js';
import { NO_FAULTS, startS3, type S3Harness } from './s3-harness.js';

const SLOW_WRITER = fileURLToPath(new URL('./fixtures/slow-writer.ts', import.meta.url));

/** Seeded records, about `mb` MB in all, some larger than a write block. */
function records(mb: number, seed: number): Uint8Array[] {
  const rng = new Random(seed);
  const out: Uint8Array[] = [];
  for (let total = 0; total < mb << 20; ) {
    const n = rng.int(20) === 0 ? 300_000 + rng.int(900_000) : rng.int(40_000);
    const r = new Uint8Array(n);
    for (let k = 0; k < n; k += 4096) r[k] = rng.int(256);
    out.push(r);
    total += n;
  }
  return out;
}

describe('writing objects', () => {
  let s3: S3Harness;
  let dir: string;
  before(async () => {
    s3 = await startS3(['out']);
    configureStorage({ backoffMs: 1, partSize: 5 << 20 });
    dir = await mkdtemp(join(tmpdir(), 'rf-s3-write-'));
  });
  after(async () => {
    await s3.close();
    await rm(dir, { recursive: true, force: true });
  });

  for (const file of ['big.tfr', 'big.tfr.gz', 'small.tfr', 'empty.tfr.deflate']) {
    test(`writeTFRecord to s3://out/${file}: byte-identical to the local file, through 503 SlowDown`, async () => {
      const data = file.startsWith('big') ? records(11, 1) : file.startsWith('small') ? records(1, 2) : [];
      const local = join(dir, file);
      await writeTFRecord(local, data);
      s3.faults = { ...NO_FAULTS, slowDown: 0.25 };
      const r = await writeTFRecord(`s3://out/${file}`, data);
      s3.faults = { ...NO_FAULTS };
      const want = await readFile(local);
      assert.equal(r.bytes, want.length);
      const got = await getObjectBytes(`s3://out/${file}`);
      assert.ok(got && Buffer.from(got).equals(want), `${got?.length} vs ${want.length} bytes`);
      let n = 0;
      for await (const _ of readTFRecord(`s3://out/${file}`)) n++;
      assert.equal(n, data.length);
    });
  }

  test('the object appears only on close; an abort leaves none', async () => {
    const data = records(12, 3);
    const w = await TFRecordWriter.open('s3://out/later.tfr');
    await w.writeMany(data);
    await w.flush();
    assert.equal(await headObject('s3://out/later.tfr'), undefined, 'parts uploaded, no object yet');
    await w.close();
    assert.ok((await headObject('s3://out/later.tfr'))!.size > 12 << 20);

    const a = await TFRecordWriter.open('s3://out/aborted.tfr');
    await a.writeMany(data);
    await a.flush();
    await a.abort();
    assert.equal(await headObject('s3://out/aborted.tfr'), undefined);
  });

  test('a source that throws, or a store that stays down, leaves no object', async () => {
    async function* failing(): AsyncGenerator<Uint8Array> {
      yield* records(11, 4);
      throw new Error('source broke');
    }
    await assert.rejects(writeTFRecord('s3://out/broken.tfr', failing()), /source broke/);
    assert.equal(await headObject('s3://out/broken.tfr'), undefined);

    const w = await TFRecordWriter.open('s3://out/down.tfr');
    await w.writeMany(records(6, 5));
    s3.faults = { ...NO_FAULTS, down: true };
    await assert.rejects(
      (async () => {
        await w.writeMany(records(6, 6));
        await w.close();
      })(),
      (e: unknown) => e instanceof Error && /s3:\/\/out\/down\.tfr/.test(e.message),
    );
    s3.faults = { ...NO_FAULTS };
    assert.equal(await headObject('s3://out/down.tfr'), undefined);
  });

  test('memory: at most uploadConcurrency + 1 parts held, however fast the writer', async () => {
    configureStorage({ backoffMs: 1, partSize: 5 << 20, uploadConcurrency: 2 });
    const out = new ObjectWriteStream('s3://out/bounded.bin');
    const chunk = new Uint8Array(1 << 20).fill(7);
    for (let i = 0; i < 21; i++) if (!out.write(chunk)) await new Promise((r) => out.once('drain', r));
    await new Promise<void>((resolve, reject) => out.end(() => resolve()).once('error', reject));
    assert.ok(out.peakParts <= 3, `peak ${out.peakParts} parts`);
    assert.equal((await headObject('s3://out/bounded.bin'))!.size, 21 << 20);
  });

  test('a writer killed with SIGKILL mid-upload leaves no object', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', SLOW_WRITER, 's3://out/killed.tfr'], {
      env: { ...process.env, ...s3.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    const started = await new Promise<boolean>((resolve) => {
      child.stdout.on('data', (d: Buffer) => d.toString().includes('uploading') && resolve(true));
      child.on('exit', () => resolve(false));
    });
    assert.ok(started, stderr);
    // Give the second part time to go up too, then kill mid-upload.
    await new Promise((r) => setTimeout(r, 200));
    const exited = new Promise((r) => child.on('exit', r));
    child.kill('SIGKILL');
    await exited;
    assert.equal(await headObject('s3://out/killed.tfr'), undefined);
  });
});
