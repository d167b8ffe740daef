import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { createBackbone } from '../../src/train/model.js';
import { fileHandler, loadModel, saveModel } from '../../src/train/checkpoint.js';

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
    await assert.rejects(fileHandler(join(dir, 'missing')).load!(), /cannot read a tfjs model/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
