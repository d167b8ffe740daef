// Running a CenterNet model over frames in batches into the typed arrays decodeCenterNet reads.
import * as tf from '@tensorflow/tfjs';
import { FRAME_BYTES, FRAME_HEIGHT, FRAME_WIDTH } from '../transforms/reference-schema.js';
import type { CenterNetOutputs } from './centernet-decode.js';
import { centerNetGrid } from './centernet-train.js';

/**
 * The model's heads for every frame (768 floats in [0, 1] each, row-major 24 x 32), run in
 * inference mode `batchSize` frames at a time and concatenated in frame order.
 *
 * @example
 * const model = createCenterNet({ seed: 1, channels: 4 });
 * const outputs = await predictCenterNet(model, [new Float32Array(768)]);
 * const [detections] = decodeCenterNet(outputs, { topK: 5 });
 * console.log(detections!.length); // up to 5 boxes
 */
export async function predictCenterNet(model: tf.LayersModel, images: readonly Float32Array[], batchSize = 64): Promise<CenterNetOutputs> {
  const { stride, outH, outW } = centerNetGrid(model);
  const cells = outH * outW;
  const heatmap = new Float32Array(images.length * cells);
  const offset = new Float32Array(images.length * cells * 2);
  const size = new Float32Array(images.length * cells * 2);
  for (let s = 0; s < images.length; s += batchSize) {
    const part = images.slice(s, s + batchSize);
    const flat = new Float32Array(part.length * FRAME_BYTES);
    part.forEach((img, i) => flat.set(img, i * FRAME_BYTES));
    const x = tf.tensor4d(flat, [part.length, FRAME_HEIGHT, FRAME_WIDTH, 1]);
    const outs = model.predict(x) as tf.Tensor[];
    try {
      heatmap.set((await outs[0]!.data()) as Float32Array, s * cells);
      offset.set((await outs[1]!.data()) as Float32Array, s * cells * 2);
      size.set((await outs[2]!.data()) as Float32Array, s * cells * 2);
    } finally {
      tf.dispose([x, ...outs]);
    }
  }
  return { heatmap, offset, size, height: outH, width: outW, stride };
}
