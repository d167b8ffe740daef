// Loading a trained model directory (model.json + weights) and predicting boxes for frames.
// tfjs is imported lazily: commands that never touch a model stay fast to start.
import { choiceOption, type OptionSpec, type OptionValues } from './command.js';
import { assertFile } from './files.js';
import { join } from 'node:path';
import { BACKEND_CHOICES, type BackendChoice } from '../train/backend/choices.js';

export const BACKEND_OPTION: OptionSpec = { type: 'string', value: 'B', description: `tfjs backend: ${BACKEND_CHOICES.join(', ')}`, defaultText: 'auto' };

/** The --backend option; an unknown name is a usage error naming the choices. */
export function backendOption(values: OptionValues): BackendChoice | undefined {
  return choiceOption(values, 'backend', BACKEND_CHOICES);
}

/** Selects the tfjs backend once per process; later calls reuse the first choice. */
let backendChoice: Promise<string> | undefined;
export function useBackend(backend: BackendChoice | undefined, log?: (line: string) => void): Promise<string> {
  backendChoice ??= (async () => {
    const train = await import('../train/index.js');
    const chosen = await train.selectBackend({ backend: backend ?? 'auto', ...(log ? { log } : {}) });
    return chosen.name;
  })();
  return backendChoice;
}

/** Predicted [x, y, w, h] per frame (frames are 768 floats in [0, 1]). */
export async function predictBoxes(modelDir: string, images: Float32Array[], backend?: BackendChoice, batchSize = 64): Promise<Float32Array[]> {
  await assertFile(join(modelDir, 'model.json'));
  await useBackend(backend);
  const train = await import('../train/index.js');
  const model = await train.loadModel(modelDir);
  try {
    return await predictWith(model, images, batchSize);
  } finally {
    model.dispose();
  }
}

export async function predictWith(
  model: { predict(x: import('@tensorflow/tfjs').Tensor, config?: object): unknown },
  images: Float32Array[],
  batchSize = 64,
): Promise<Float32Array[]> {
  const tf = await import('@tensorflow/tfjs');
  const out: Float32Array[] = [];
  for (let s = 0; s < images.length; s += batchSize) {
    const part = images.slice(s, s + batchSize);
    const flat = new Float32Array(part.length * 768);
    part.forEach((img, i) => flat.set(img, i * 768));
    const x = tf.tensor4d(flat, [part.length, 24, 32, 1]);
    const y = model.predict(x) as import('@tensorflow/tfjs').Tensor;
    const data = (await y.data()) as Float32Array;
    x.dispose();
    y.dispose();
    for (let i = 0; i < part.length; i++) out.push(data.slice(i * 4, i * 4 + 4));
  }
  return out;
}
