// Boxes from a trained model: the backend chosen once per process, a model directory loaded and
// run over frames in batches. The CLI's eval, show and start, and the training run's summary,
// all predict through here.
import type * as tfTypes from '@tensorflow/tfjs';
import type { BackendChoice } from './backend/index.js';
import { FRAME_BYTES, FRAME_HEIGHT, FRAME_WIDTH } from '../transforms/reference-schema.js';

let backendChoice: Promise<string> | undefined;

/**
 * Selects the tfjs backend the first time it is called and returns its name; later calls reuse
 * that first choice (tfjs has one active backend per process, and switching would move every
 * live tensor).
 */
export function useBackend(backend: BackendChoice | undefined, log?: (line: string) => void): Promise<string> {
  backendChoice ??= (async () => {
    const { selectBackend } = await import('./backend/index.js');
    const chosen = await selectBackend({ backend: backend ?? 'auto', ...(log ? { log } : {}) });
    return chosen.name;
  })();
  return backendChoice;
}

/** Predicted [x, y, w, h] per frame (FRAME_BYTES floats in [0, 1] each) by the model saved in `modelDir`. */
export async function predictBoxes(modelDir: string, images: Float32Array[], backend?: BackendChoice, batchSize = 64): Promise<Float32Array[]> {
  await useBackend(backend);
  await refuseDetector(modelDir);
  const { loadModel } = await import('./checkpoint.js');
  const model = await loadModel(modelDir);
  try {
    // A detector (train --task) has several outputs; its boxes are not x, y, w, h.
    const outputs = model.outputs.length;
    const shape = model.outputs[0]?.shape;
    if (outputs !== 1 || shape?.length !== 2 || shape[1] !== 4) {
      const { InputError } = await import('../core/errors.js');
      throw new InputError(`not a localization model (its ${outputs} output(s) are not one [x, y, w, h] box; a detector from train --task?)`, modelDir);
    }
    return await predictWith(model, images, batchSize);
  } finally {
    model.dispose();
  }
}

/**
 * Refuses a detector's model directory before its layers are built: `train --task` records the
 * task in model.json, and a CornerNet's corner-pooling layers are unknown where the detect room
 * was never loaded (tfjs would fail on them with a plain Error).
 */
async function refuseDetector(modelDir: string): Promise<void> {
  const { readFile } = await import('node:fs/promises');
  const { join } = await import('node:path');
  const file = join(modelDir, 'model.json');
  let task: unknown;
  try {
    const json = JSON.parse(await readFile(file, 'utf8')) as { userDefinedMetadata?: { recordflow?: { task?: unknown } } };
    task = json.userDefinedMetadata?.recordflow?.task;
  } catch {
    return; // loading the model reports what is wrong with the file
  }
  if (typeof task === 'string') {
    const { InputError } = await import('../core/errors.js');
    throw new InputError(`not a localization model (a ${task} detector from train --task ${task}; recordflow detect runs it)`, file);
  }
}

/** Predicted [x, y, w, h] per frame by a model in memory, `batchSize` frames per call. */
export async function predictWith(model: { predict(x: tfTypes.Tensor, config?: object): unknown }, images: Float32Array[], batchSize = 64): Promise<Float32Array[]> {
  const tf = await import('@tensorflow/tfjs');
  const out: Float32Array[] = [];
  for (let s = 0; s < images.length; s += batchSize) {
    const part = images.slice(s, s + batchSize);
    const flat = new Float32Array(part.length * FRAME_BYTES);
    part.forEach((img, i) => flat.set(img, i * FRAME_BYTES));
    const x = tf.tensor4d(flat, [part.length, FRAME_HEIGHT, FRAME_WIDTH, 1]);
    const y = model.predict(x) as tfTypes.Tensor;
    const data = (await y.data()) as Float32Array;
    x.dispose();
    y.dispose();
    for (let i = 0; i < part.length; i++) out.push(data.slice(i * 4, i * 4 + 4));
  }
  return out;
}
