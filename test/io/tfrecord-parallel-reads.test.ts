// readTFRecord(files, { numParallelReads }): TensorFlow's order (cycle N, block 1 over the
// files, a file that ends handing its place to the next one), plain, gzip and zlib files
// mixed, large files through the worker; damage reported as the sequential reader reports it;
// a break or an error closes every file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataLossError, InputError } from '../../src/core/errors.js';
import { readTFRecord } from '../../src/io/tfrecord-reader.js';
import { writeTFRecord } from '../../src/io/tfrecord-writer.js';
import { interleave, pipe } from '../../src/pipeline/index.js';
import { openFds, withDir as withTempDir } from './tfrecord-fixtures.js';

const withDir = <T>(fn: (dir: string) => Promise<T>): Promise<T> => withTempDir('rf-parallel-', fn);
const text = (b: Uint8Array): string => Buffer.from(b).toString();

async function records(files: string[], options: Parameters<typeof readTFRecord>[1] = {}): Promise<string[]> {
  const out: string[] = [];
  for await (const r of readTFRecord(files, options)) out.push(text(r));
  return out;
}

async function writeFiles(dir: string, spec: [string, number][]): Promise<string[]> {
  const files: string[] = [];
  for (const [name, n] of spec) {
    const path = join(dir, name);
    await writeTFRecord(path, Array.from({ length: n }, (_, i) => new TextEncoder().encode(`${name.split('.')[0]}${i}`)));
    files.push(path);
  }
  return files;
}

test('numParallelReads: TensorFlow\'s order, cycle N and block 1', async () => {
  await withDir(async (dir) => {
    const files = await writeFiles(dir, [['a.tfrecord', 3], ['b.tfrecord.gz', 1], ['c.tfrecord.zz', 0], ['d.tfrecord', 2], ['e.tfrecord.gz', 4]]);
    // Worked by hand from tf.data's interleave: slots (a, b); b ends, c (empty) and then d take its place.
    assert.deepEqual(await records(files, { numParallelReads: 2 }), ['a0', 'b0', 'a1', 'a2', 'd0', 'e0', 'd1', 'e1', 'e2', 'e3']);
    const sequential = await records(files);
    assert.deepEqual(sequential, ['a0', 'a1', 'a2', 'b0', 'd0', 'd1', 'e0', 'e1', 'e2', 'e3']);
    assert.deepEqual(await records(files, { numParallelReads: 1 }), sequential);
    for (const n of [2, 3, 4, 5, 8]) {
      // The same as the sequential interleave of the files' records.
      const want: string[] = [];
      for await (const r of pipe(files, interleave((f: string) => readTFRecord(f), { cycleLength: n }))) want.push(text(r));
      assert.deepEqual(await records(files, { numParallelReads: n }), want, `numParallelReads ${n}`);
    }
    assert.throws(() => readTFRecord(files, { numParallelReads: 0 }), InputError);
  });
});

test('numParallelReads: large plain files go through the worker and keep the order', async () => {
  await withDir(async (dir) => {
    const payload = (f: number, i: number): Uint8Array => new Uint8Array(1000).fill((f * 31 + i) & 255);
    const files: string[] = [];
    for (let f = 0; f < 3; f++) {
      const path = join(dir, `big${f}.tfrecord${f === 2 ? '.gz' : ''}`);
      await writeTFRecord(path, Array.from({ length: 3000 + f * 500 }, (_, i) => payload(f, i)));
      files.push(path);
    }
    const seen = [0, 0, 0];
    let k = 0;
    for await (const r of readTFRecord(files, { numParallelReads: 3 })) {
      // While all three files last, records come one from each in turn.
      const which = [0, 1, 2].find((g) => r[0] === ((g * 31 + seen[g]!) & 255) && seen[g]! < 3000 + g * 500) as number;
      assert.notEqual(which, undefined);
      if (k < 9000) assert.equal(which, k % 3, `record ${k}`);
      seen[which]!++;
      k++;
    }
    assert.deepEqual(seen, [3000, 3500, 4000]);
  });
});

test('numParallelReads: damage is a DataLossError naming the file; a break or an error closes every file', async () => {
  await withDir(async (dir) => {
    const files = await writeFiles(dir, [['a.tfrecord', 50], ['b.tfrecord.gz', 50], ['c.tfrecord', 50]]);
    const before = openFds(dir);
    let n = 0;
    for await (const _ of readTFRecord(files, { numParallelReads: 3 })) if (++n === 4) break;
    assert.equal(openFds(dir), before);
    const cut = join(dir, 'cut.tfrecord');
    const whole = await writeFiles(dir, [['whole.tfrecord', 10]]);
    const bytes = Buffer.from(await (await import('node:fs/promises')).readFile(whole[0] as string));
    writeFileSync(cut, bytes.subarray(0, bytes.length - 5));
    await assert.rejects(records([files[0] as string, cut, files[2] as string], { numParallelReads: 2 }),
      (e: unknown) => e instanceof DataLossError && e.file === cut && e.recordIndex === 9);
    assert.equal(openFds(dir), before);
  });
});
