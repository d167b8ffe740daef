import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { createBackbone } from '../../src/train/model.js';
import { fileHandler, loadModel, saveModel } from '../../src/train/checkpoint.js';
import { InputError } from '../../src/core/errors.js';
import { readCheckpointState, saveCheckpoint, type TrainerState } from '../../src/train/checkpoint-state.js';
import { tinyModel } from './helpers.js';

await tf.setBackend('cpu');

test('the BackBone saves as model.json + weights.bin and loads back identical (no tfjs-node)', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'rf-ckpt-'));
  try {
    const model = createBackbone({ seed: 5 });
    await saveModel(model, dir);
    const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8'));
    assert.equal(json.format, 'layers-model');
    assert.deepEqual(json.weightsManifest[0].paths, ['./weights.bin']);
    const bytes = (await readFile(join(dir, 'weights.bin'))).byteLength;
    assert.equal(bytes, model.countParams() * 4); // float32 weights, nothing else
    const names = json.weightsManifest[0].weights.map((w: { name: string }) => w.name);
    assert.ok(names.includes('fe1_conv1/kernel') && names.includes('box/bias'));
    const loaded = await loadModel(dir);
    const x = tf.randomUniform([2, 24, 32, 1], 0, 1, 'float32', 3);
    const a = model.predict(x) as tf.Tensor;
    const b = loaded.predict(x) as tf.Tensor;
    assert.deepEqual(Array.from(a.dataSync()), Array.from(b.dataSync()));
    // file:// URLs route to the same handler.
    const dir2 = join(dir, 'via-url');
    await model.save(`file://${dir2}`);
    const viaUrl = await tf.loadLayersModel(`file://${dir2}/model.json`);
    const c = viaUrl.predict(x) as tf.Tensor;
    assert.deepEqual(Array.from(c.dataSync()), Array.from(a.dataSync()));
    tf.dispose([x, a, b, c]);
    [model, loaded, viaUrl].forEach((m) => m.dispose());
    await assert.rejects(fileHandler(join(dir, 'missing')).load!(), (e: unknown) => e instanceof InputError && e.message === `${join(dir, 'missing', 'model.json')}: no such file or directory`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a checkpoint save replaces the directory whole; an interrupted one leaves a complete checkpoint', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'rf-ckpt-swap-'));
  try {
    const model = tinyModel(1);
    const optimizer = tf.train.adam(0.01);
    const state = (epoch: number): TrainerState => ({ epoch, step: epoch * 3, history: [], bestEpoch: undefined, best: undefined });
    const last = join(dir, 'last');
    await saveCheckpoint(last, model, optimizer, state(1));
    const first = (await stat(last)).ino;
    await saveCheckpoint(last, model, optimizer, state(2));
    assert.notEqual((await stat(last)).ino, first, 'the second save moved a new directory into place');
    assert.deepEqual((await readdir(dir)).sort(), ['last'], 'no sibling left after a completed save');
    // Interrupted while writing epoch 3: the partial sibling is ignored.
    await mkdir(`${last}.next`);
    await writeFile(join(`${last}.next`, 'model.json'), '{}');
    assert.equal((await readCheckpointState(last))?.epoch, 2);
    // Interrupted between the two renames of the swap: the complete new one is moved into place.
    await saveCheckpoint(join(dir, 'other'), model, optimizer, state(3));
    await rm(`${last}.next`, { recursive: true });
    await rename(last, `${last}.old`);
    await rename(join(dir, 'other'), `${last}.next`);
    assert.equal((await readCheckpointState(last))?.epoch, 3);
    // Interrupted before the new one was complete, with the old one already moved aside.
    await rename(last, `${last}.old`);
    assert.equal((await readCheckpointState(last))?.epoch, 3);
    assert.equal(await readCheckpointState(join(dir, 'none')), undefined);
    optimizer.dispose();
    model.dispose();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('weightsManifest paths stay in the model directory: .., absolute paths and symlinks out are InputErrors; a cut weights.bin is named', async () => {
  const { symlink, mkdir: mk } = await import('node:fs/promises');
  const root = await mkdtemp(join(tmpdir(), 'rf-ckpt-paths-'));
  try {
    const dir = join(root, 'model');
    const model = tinyModel(2);
    await saveModel(model, dir);
    const weights = await readFile(join(dir, 'weights.bin'));
    await mk(join(root, 'elsewhere'));
    await writeFile(join(root, 'elsewhere', 'secret.bin'), weights);
    const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8'));
    const withPaths = async (paths: string[]): Promise<void> => {
      json.weightsManifest[0].paths = paths;
      await writeFile(join(dir, 'model.json'), JSON.stringify(json));
    };
    const refused = async (paths: string[], why: RegExp): Promise<void> => {
      await withPaths(paths);
      await assert.rejects(loadModel(dir), (e: unknown) => e instanceof InputError && e.message.startsWith(join(dir, 'model.json')) && why.test(e.message), paths.join());
    };
    await refused(['../elsewhere/secret.bin'], /leads out of the model directory/);
    await refused(['./sub/../../elsewhere/secret.bin'], /leads out of the model directory/);
    await refused([join(root, 'elsewhere', 'secret.bin')], /is absolute/);
    await refused(['.'], /leads out of the model directory/);
    await symlink(join(root, 'elsewhere', 'secret.bin'), join(dir, 'link.bin'));
    await refused(['./link.bin'], /symbolic link to .*secret\.bin/);
    await symlink(join(root, 'elsewhere'), join(dir, 'linkdir'));
    await refused(['linkdir/secret.bin'], /symbolic link/);
    // a link that stays inside is fine, and so is the usual path
    await symlink(join(dir, 'weights.bin'), join(dir, 'inner.bin'));
    await withPaths(['./inner.bin']);
    (await loadModel(dir)).dispose();
    await withPaths(['./weights.bin']);
    (await loadModel(dir)).dispose();
    // a cut weights.bin names the file and both byte counts
    await writeFile(join(dir, 'weights.bin'), weights.subarray(0, weights.length - 3));
    await assert.rejects(loadModel(dir), (e: unknown) => e instanceof InputError && e.message === `${join(dir, 'weights.bin')}: weights are truncated: ${weights.length - 3} bytes, the manifest needs ${weights.length}`);
    await withPaths(['./gone.bin']);
    await assert.rejects(loadModel(dir), (e: unknown) => e instanceof InputError && e.message.startsWith(`${join(dir, 'gone.bin')}: no such file`));
    model.dispose();
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
