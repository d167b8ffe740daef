import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../../src/core/errors.js';
import { writeNpz } from '../../src/io/npz.js';
import { synthesizeThermal, writeSyntheticSets } from '../../src/synth/index.js';
import { buildLocalizationSet, localizationFromSets, REFERENCE_ORDER } from '../../src/transforms/index.js';

let dir = '';
const opts = { seed: 2, scale: 0.1 };
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rf-synth-'));
  await writeSyntheticSets(dir, opts);
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const sha = (a: ArrayBufferView): string => createHash('sha256').update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength)).digest('hex');

// The reference's step 0 written in numpy, independent of recordflow's reader and transforms.
const NUMPY_STEP0 = `
import hashlib, json, sys, numpy as np
d = sys.argv[1]
order = ['dataset1_origin','dataset2_origin','dataset1_horizon','dataset2_horizon',
         'dataset1_vertical','dataset2_vertical','dataset1_vh','dataset2_vh']
sets = [np.load(f'{d}/{n}.npz') for n in order]
layout = {k: [str(sets[0][k].dtype), list(sets[0][k].shape[1:])] for k in ('images','filters','numbers','coordinates')}
images = np.concatenate([s['images'] for s in sets]); numbers = np.concatenate([s['numbers'] for s in sets])
coords = np.concatenate([s['coordinates'] for s in sets])
keep = numbers == 1
images, coords = images[keep], coords[keep][:, 0, :]
boxes = np.stack([coords[:, 0::2].min(1), coords[:, 1::2].min(1), coords[:, 0::2].max(1), coords[:, 1::2].max(1)], 1).astype(np.int64)
print(json.dumps({'n': int(keep.sum()), 'layout': layout, 'images': hashlib.sha256(images.tobytes()).hexdigest(),
                  'boxes': hashlib.sha256(np.ascontiguousarray(boxes).tobytes()).hexdigest()}))
`;

test('numpy loads the written sets in the reference layout and its step 0 equals buildLocalizationSet', async () => {
  const loc = await buildLocalizationSet(dir);
  const py = JSON.parse(execFileSync('/usr/bin/python3', ['-c', NUMPY_STEP0, dir], { encoding: 'utf8' })) as {
    n: number; layout: Record<string, [string, number[]]>; images: string; boxes: string;
  };
  assert.deepEqual(py.layout, {
    images: ['uint8', [24, 32]],
    filters: ['uint8', [24, 32]],
    numbers: ['int64', []],
    coordinates: ['int64', [3, 8]],
  });
  assert.equal(loc.images.shape[0], py.n);
  assert.equal(py.n, 4 * (32 + 32)); // round(324 * 0.1) + round(323 * 0.1) one-person frames, 4 variants
  assert.deepEqual(loc.images.shape, [py.n, 24, 32]);
  assert.deepEqual(loc.coordinates.shape, [py.n, 4]);
  assert.equal(sha(loc.images.data), py.images);
  assert.equal(sha(loc.coordinates.data), py.boxes);
});

test('buildLocalizationSet from files equals step 0 on the in-memory sets', async () => {
  const fromFiles = await buildLocalizationSet(dir);
  const inMemory = localizationFromSets(synthesizeThermal(opts));
  assert.deepEqual(fromFiles, inMemory);
});

test('buildLocalizationSet names the file of a missing set or a bad array', async () => {
  const bad = await mkdtemp(join(tmpdir(), 'rf-synth-bad-'));
  try {
    await writeSyntheticSets(bad, { seed: 1, scale: 0.02 });
    const sets = synthesizeThermal({ seed: 1, scale: 0.02 });
    const { numbers: _n, ...noNumbers } = sets.dataset2_vertical;
    await writeNpz(join(bad, 'dataset2_vertical.npz'), noNumbers);
    await assert.rejects(buildLocalizationSet(bad), (e: unknown) => e instanceof InputError && /dataset2_vertical\.npz.*'numbers'/.test(e.message));
    await writeNpz(join(bad, 'dataset2_vertical.npz'), sets.dataset2_vertical);
    await unlink(join(bad, 'dataset1_vh.npz'));
    await assert.rejects(buildLocalizationSet(bad), (e: unknown) => e instanceof InputError && /dataset1_vh\.npz/.test(e.message));
    const s = sets.dataset1_origin;
    await writeSyntheticSets(bad, { seed: 1, scale: 0.02 });
    await writeNpz(join(bad, 'dataset1_origin.npz'), { ...s, images: { dtype: 'int32', shape: s.images.shape, data: new Int32Array(s.images.data.length) } });
    await assert.rejects(buildLocalizationSet(bad), (e: unknown) => e instanceof InputError && /dataset1_origin\.npz.*uint8/.test(e.message));
  } finally {
    await rm(bad, { recursive: true, force: true });
  }
});

test('writeSyntheticSets writes exactly the eight reference files (timed in bench/synth.ts)', async () => {
  const d = await mkdtemp(join(tmpdir(), 'rf-synth-full-'));
  try {
    const paths = await writeSyntheticSets(d, { seed: 0, scale: 1 });
    assert.deepEqual(paths, REFERENCE_ORDER.map((n) => join(d, `${n}.npz`)));
    assert.deepEqual((await readdir(d)).sort(), REFERENCE_ORDER.map((n) => `${n}.npz`).sort(), 'nothing else left in the directory');
  } finally {
    await rm(d, { recursive: true, force: true });
  }
});
