// The reference chain end to end on small generated npz files:
// npz → filterCount → polygonToBox → split → TFRecord → parse → shuffle → batch(7, dropRemainder),
// checked against an independent computation with plain loops on the generator's arrays.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readTFRecord, writeTFRecord } from '../../src/io/index.js';
import { Dataset } from '../../src/pipeline/index.js';
import { expectedLocalizationRows, synthesizeThermal, writeSyntheticSets } from '../../src/synth/index.js';
import {
  collate,
  filterCount,
  parseLocalization,
  polygonToBox,
  REFERENCE_ORDER,
  splitTrainVal,
  toExample,
  type BoxSample,
  type CollatedField,
  type ReferenceRow,
} from '../../src/transforms/index.js';

const OPTS = { seed: 11, scale: 0.08 };
const BATCH = 7;

interface Expected {
  image: Uint8Array;
  box: number[];
  label: number[];
}

/** Step 0 and step 1's per-row math by hand on the generator's in-memory arrays. */
function expectedRows(): Expected[] {
  const sets = synthesizeThermal(OPTS);
  const out: Expected[] = [];
  for (const name of REFERENCE_ORDER) {
    const s = sets[name];
    const numbers = s.numbers.data as BigInt64Array;
    const images = s.images.data as Uint8Array;
    const coords = s.coordinates.data as BigInt64Array;
    for (let r = 0; r < numbers.length; r++) {
      if (numbers[r] !== 1n) continue;
      const v = Array.from(coords.subarray(r * 24, r * 24 + 8), Number);
      const xs = [v[0]!, v[2]!, v[4]!, v[6]!];
      const ys = [v[1]!, v[3]!, v[5]!, v[7]!];
      const [x0, y0, x1, y1] = [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
      const label = [(x0 + x1) / 2 / 32, (y0 + y1) / 2 / 24, (x1 - x0) / 32, (y1 - y0) / 24].map(Math.fround);
      out.push({ image: images.slice(r * 768, (r + 1) * 768), box: [x0, y0, x1, y1], label });
    }
  }
  return out;
}

let dir = '';
let files: string[] = [];
let expected: Expected[] = [];
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rf-chain-'));
  files = await writeSyntheticSets(join(dir, 'npz'), OPTS);
  expected = expectedRows();
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Which expected row a parsed element is: label and every pixel must match exactly. */
function identify(image: Float32Array, label: Float32Array, candidates: readonly number[]): number {
  const hits = candidates.filter((i) => {
    const e = expected[i]!;
    if (!e.label.every((v, k) => v === label[k])) return false;
    for (let p = 0; p < 768; p++) if (image[p] !== Math.fround(e.image[p]! / 255)) return false;
    return true;
  });
  assert.equal(hits.length >= 1, true, 'a parsed element matches no expected row');
  return hits[0]!;
}

function elements(batches: Record<string, CollatedField>[]): Array<{ image: Float32Array; label: Float32Array }> {
  return batches.flatMap((b) =>
    Array.from({ length: b.image!.shape[0]! }, (_, i) => ({
      image: b.image!.data.subarray(i * 768, (i + 1) * 768),
      label: b.label!.data.subarray(i * 4, (i + 1) * 4),
    })),
  );
}

test('the whole reference chain gives the right counts, shapes and values', async () => {
  const keys = ['images', 'numbers', 'coordinates'];
  // npz (eight files in reference order) → filterCount(1) → polygonToBox
  let rows = Dataset.fromNpz<ReferenceRow>(files[0]!, keys);
  for (const f of files.slice(1)) rows = rows.concatenate(Dataset.fromNpz<ReferenceRow>(f, keys));
  const samples: BoxSample[] = await rows.filter(filterCount(1)).map(polygonToBox).toArray();

  const n = expected.length;
  assert.equal(n, expectedLocalizationRows(OPTS.scale));
  assert.equal(samples.length, n);
  samples.forEach((s, i) => {
    assert.deepEqual(Array.from(s.box), expected[i]!.box, `box of row ${i}`);
    assert.deepEqual(s.image, expected[i]!.image, `image of row ${i}`);
  });

  // split → TFRecord
  const split = splitTrainVal(n, { seed: 5 });
  assert.equal(split.trainCount, Math.floor(n * 0.7));
  const trainPath = join(dir, 'loc_train.tfr');
  const valPath = join(dir, 'loc_val.tfr');
  const wroteTrain = await writeTFRecord(trainPath, split.train.map((i) => toExample(samples[i]!)));
  const wroteVal = await writeTFRecord(valPath, split.val.map((i) => toExample(samples[i]!)));
  assert.equal(wroteTrain.records, split.trainCount);
  assert.equal(wroteVal.records, n - split.trainCount);
  let onDisk = 0;
  for await (const _ of readTFRecord(trainPath)) onDisk++;
  assert.equal(onDisk, split.trainCount);

  // parse → shuffle(N_TRAIN) → batch(7, drop_remainder) → collate
  const trainDs = (seed: number) =>
    Dataset.fromTFRecord(trainPath)
      .map(parseLocalization)
      .shuffle(split.trainCount, { seed })
      .batch(BATCH, { dropRemainder: true })
      .map((b) => collate(b));
  const batches = await trainDs(3).toArray();
  assert.equal(batches.length, Math.floor(split.trainCount / BATCH));
  for (const b of batches) {
    assert.deepEqual(b.image!.shape, [BATCH, 24, 32, 1]);
    assert.deepEqual(b.label!.shape, [BATCH, 4]);
    assert.ok(b.image!.data instanceof Float32Array && b.label!.data instanceof Float32Array);
  }
  const got = elements(batches).map((e) => identify(e.image, e.label, split.train));
  assert.equal(got.length, batches.length * BATCH);
  assert.equal(new Set(got).size, got.length, 'no training row appears twice in an epoch');
  assert.notDeepEqual(got, split.train.slice(0, got.length), 'the shuffle changed the file order');
  // the same seed gives the same order
  const again = elements(await trainDs(3).toArray()).map((e) => identify(e.image, e.label, split.train));
  assert.deepEqual(again, got);

  // validation: parse → batch(7, drop_remainder), file order kept
  const valBatches = await Dataset.fromTFRecord(valPath)
    .map(parseLocalization)
    .batch(BATCH, { dropRemainder: true })
    .map((b) => collate(b))
    .toArray();
  const nVal = n - split.trainCount;
  assert.equal(valBatches.length, Math.floor(nVal / BATCH));
  const valGot = elements(valBatches).map((e) => identify(e.image, e.label, split.val));
  assert.deepEqual(valGot, split.val.slice(0, valBatches.length * BATCH));
});
