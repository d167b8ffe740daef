// The pipeline over real TFRecord files: Dataset.fromTFRecord, the shuffle fallback with io's
// indexed reader, the file cache, and no file handle left open after a break.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, readlink, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { indexTFRecord } from '../../src/io/tfrecord-index.js';
import { writeTFRecord } from '../../src/io/tfrecord-writer.js';
import { Dataset } from '../../src/pipeline/index.js';
import { range } from './helpers.js';
import { idOf, payloads } from './ra-source.js';
import { chiSquareBound, chiSquareOverPositions } from './stats.js';

let dir = '';
let fileA = '';
let fileB = '';
let small = '';
/** Larger than the reader's worker reads ahead (3 MiB), so it is still open mid-iteration. */
let large = '';

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'recordflow-pipeline-'));
  fileA = join(dir, 'a.tfrecord');
  fileB = join(dir, 'b.tfrecord');
  small = join(dir, 'small.tfrecord');
  const all = payloads(3000, 1500); // ~4.5 MB: more than one read block
  await writeTFRecord(fileA, all.slice(0, 2000));
  await writeTFRecord(fileB, all.slice(2000));
  await writeTFRecord(small, payloads(6));
  large = join(dir, 'large.tfrecord');
  await writeTFRecord(large, payloads(2000, 5000));
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Paths of the files this process holds open. */
async function openFiles(): Promise<string[]> {
  const fds = await readdir('/proc/self/fd');
  const out: string[] = [];
  for (const fd of fds) {
    try {
      out.push(await readlink(`/proc/self/fd/${fd}`));
    } catch {
      // closed meanwhile
    }
  }
  return out;
}

const holdsOpen = async (file: string): Promise<boolean> => (await openFiles()).some((p) => p.startsWith(file));

test('fromTFRecord: payloads of several files in order; cardinality known once indexed', async () => {
  const ds = Dataset.fromTFRecord([fileA, fileB]);
  assert.equal(ds.cardinality, undefined);
  assert.deepEqual((await ds.map(idOf).toArray()), range(3000));
  await indexTFRecord(fileA);
  await indexTFRecord(fileB);
  assert.equal(Dataset.fromTFRecord([fileA, fileB]).cardinality, 3000);
  assert.equal(Dataset.fromTFRecord([fileA, fileB]).batch(7, { dropRemainder: true }).cardinality, 428);
});

test('no file handle left open after a break (sequential, prefetched, shuffled by index)', async () => {
  const variants: [string, Dataset<unknown>][] = [
    ['sequential', Dataset.fromTFRecord(large)],
    ['map+prefetch', Dataset.fromTFRecord(large).map(idOf).prefetch(8)],
    ['index shuffle', Dataset.fromTFRecord(fileA).map(idOf).shuffle(2000, { seed: 1 }).batch(4)],
    ['buffer shuffle', Dataset.fromTFRecord(large).shuffle(100, { seed: 1 })],
    ['concurrent map', Dataset.fromTFRecord([large, fileB]).map(async (p) => idOf(p), { concurrency: 4 })],
  ];
  for (const [name, ds] of variants) {
    let n = 0;
    for await (const _ of ds) {
      if (++n === 3) {
        assert.ok(await holdsOpen(dir), `${name}: the file is open while iterating`);
        break;
      }
    }
    assert.equal(n, 3);
    assert.equal(await holdsOpen(dir), false, `${name}: a file is still open after the break`);
  }
});

test('an error downstream closes the file', async () => {
  const ds = Dataset.fromTFRecord(fileA).map((p, i) => {
    if (i === 500) throw new Error('bad record');
    return p;
  }).prefetch(4);
  await assert.rejects(ds.toArray(), /map: element 500: bad record/);
  assert.equal(await holdsOpen(dir), false);
});

test('an AbortSignal stops the iteration and closes the file', async () => {
  const controller = new AbortController();
  const ds = Dataset.fromTFRecord(fileA).map(async (p) => {
    await new Promise((r) => setTimeout(r, 1));
    return idOf(p);
  }).prefetch(4);
  let seen = 0;
  await assert.rejects(
    ds.forEach(() => {
      if (++seen === 5) controller.abort(new Error('stop now'));
    }, { signal: controller.signal }),
    /stop now/,
  );
  assert.equal(seen, 5);
  await new Promise((r) => setTimeout(r, 10));
  assert.equal(await holdsOpen(dir), false);
});

test('fallback with a real file: shuffle(N) reads by position, a uniform permutation', async () => {
  const ds = Dataset.fromTFRecord([fileA, fileB]).map(idOf).shuffle(3000, { seed: 8 });
  const a = await ds.toArray();
  assert.deepEqual([...a].sort((x, y) => x - y), range(3000));
  // Identical order to the buffered path over the same payloads (same draws per epoch).
  const buffered = await Dataset.from(payloads(3000, 1500)).map(idOf).shuffle(3000, { seed: 8 }).toArray();
  assert.deepEqual(a, buffered);
  const n = 6;
  const smallDs = Dataset.fromTFRecord(small).shuffle(n, { seed: 99 }).map(idOf);
  const orders: number[][] = [];
  for (let epoch = 0; epoch < 600; epoch++) orders.push(await smallDs.toArray());
  const { statistic, df } = chiSquareOverPositions(orders, n);
  assert.ok(statistic < chiSquareBound(df), `chi-square ${statistic.toFixed(1)} with df ${df}`);
  assert.equal(await holdsOpen(dir), false);
});

test('the shuffle fallback indexes a file once per Dataset, and again when the file changes', async () => {
  const file = join(dir, 'reindexed.tfrecord');
  await writeTFRecord(file, payloads(40));
  const ds = Dataset.fromTFRecord(file).shuffle(40, { seed: 3 }).map(idOf);
  assert.deepEqual((await ds.toArray()).sort((x, y) => x - y), range(40));
  // A PATH.idx newer than the file and consistent with its size, but pairing the 20-byte
  // records into 40-byte ones: an open that looked for an index would take it and fail on the
  // framing; this Dataset keeps the index its first epoch found.
  const idx = await readFile(`${file}.idx`, 'utf8').catch(() => '');
  assert.equal(idx, '', 'no index was saved by reading');
  await writeFile(`${file}.idx`, Array.from({ length: 20 }, (_, i) => `${i * 40} 40`).join('\n') + '\n');
  await assert.rejects(Dataset.fromTFRecord(file).shuffle(40, { seed: 3 }).toArray(), 'a fresh Dataset uses the wrong idx');
  assert.deepEqual((await ds.toArray()).sort((x, y) => x - y), range(40));
  // The file changes (new size and mtime): the cached index is stale and not used.
  await rm(`${file}.idx`);
  await writeTFRecord(file, payloads(50));
  assert.deepEqual((await ds.toArray()).sort((x, y) => x - y), range(50));
  assert.equal(await holdsOpen(file), false);
});

test('cache(file): first full pass writes a TFRecord cache, later passes read it', async () => {
  const cacheFile = join(dir, 'cache.tfrecord');
  let pulls = 0;
  const ds = Dataset.from(payloads(50)).map((p) => {
    pulls++;
    return p;
  }).cache(cacheFile);
  // A pass that stops early leaves no cache file behind.
  for await (const _ of ds) break;
  await assert.rejects(stat(cacheFile));
  const first = (await ds.toArray()).map(idOf);
  assert.deepEqual(first, range(50));
  const pullsAfterFill = pulls;
  assert.deepEqual((await ds.toArray()).map(idOf), range(50));
  assert.equal(pulls, pullsAfterFill, 'the second pass did not touch the source');
  assert.ok((await stat(cacheFile)).size > 50 * 16);
  // Only byte records can go to a file cache.
  await assert.rejects(Dataset.from([1, 2]).cache(join(dir, 'bad.tfrecord')).toArray(), /not a Uint8Array/);
});

test('fromNpz: one element per row of a numpy-written npz, fields as row views', async () => {
  const golden = new URL('../../golden/npz/', import.meta.url);
  const manifest = JSON.parse(await readFile(new URL('manifest.json', golden), 'utf8'))['reference_like.npz'];
  const hex = (key: string): Buffer => Buffer.from(manifest[key].hex, 'hex');
  const path = fileURLToPath(new URL('reference_like.npz', golden));
  const rows = await Dataset.fromNpz(path, ['images', 'numbers']).toArray();
  assert.equal(rows.length, 6);
  for (const [i, row] of rows.entries()) {
    assert.deepEqual(Object.keys(row).sort(), ['images', 'numbers']);
    assert.deepEqual(Buffer.from((row.images as Uint8Array).buffer, (row.images as Uint8Array).byteOffset, 768), hex('images').subarray(i * 768, (i + 1) * 768));
    assert.equal((row.numbers as BigInt64Array)[0], hex('numbers').readBigInt64LE(i * 8));
  }
  const counted = await Dataset.fromNpz(path).filter((r) => (r.numbers as BigInt64Array)[0] === 1n).toArray();
  assert.equal(counted.length, [...range(6)].filter((i) => hex('numbers').readBigInt64LE(i * 8) === 1n).length);
  for await (const _ of Dataset.fromNpz(path)) break;
  assert.equal((await openFiles()).some((p) => p.endsWith('reference_like.npz')), false);
});
