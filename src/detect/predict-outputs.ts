// Running a detector over frames in batches, each of its outputs gathered into one typed array.
import * as tf from '@tensorflow/tfjs';
import { FRAME_BYTES, FRAME_HEIGHT, FRAME_WIDTH } from '../transforms/reference-schema.js';

/**
 * Every output of `model` for every frame (768 floats each, row-major 24 x 32), run in
 * inference mode `batchSize` frames at a time: one Float32Array per output, the frames'
 * values concatenated in frame order.
 *
 * @example
 * const model = createCornerNet({ seed: 1, channels: 4 });
 * const outputs = await predictOutputs(model, [new Float32Array(768), new Float32Array(768)]);
 * console.log(outputs.map((o) => o.length)); // [1536, 1536, 1536, 1536, 3072, 3072]
 */
export async function predictOutputs(model: tf.LayersModel, images: readonly Float32Array[], batchSize = 64): Promise<Float32Array[]> {
  const perFrame = model.outputs.map((o) => o.shape.slice(1).reduce((a: number, d) => a * (d ?? 1), 1));
  const out = perFrame.map((n) => new Float32Array(images.length * n));
  for (let s = 0; s < images.length; s += batchSize) {
    const part = images.slice(s, s + batchSize);
    const flat = new Float32Array(part.length * FRAME_BYTES);
    part.forEach((img, i) => flat.set(img, i * FRAME_BYTES));
    const x = tf.tensor4d(flat, [part.length, FRAME_HEIGHT, FRAME_WIDTH, 1]);
    const predicted = model.predict(x);
    const outs = Array.isArray(predicted) ? predicted : [predicted];
    try {
      for (const [k, t] of outs.entries()) out[k]!.set((await t.data()) as Float32Array, s * perFrame[k]!);
    } finally {
      tf.dispose([x, ...outs]);
    }
  }
  return out;
}
