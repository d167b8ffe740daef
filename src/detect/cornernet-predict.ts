// Running a CornerNet model over frames into the typed arrays decodeCornerNet reads.
import type * as tf from '@tensorflow/tfjs';
import type { CornerNetOutputs } from './cornernet-decode.js';
import { cornerNetGrid } from './cornernet-train.js';
import { predictOutputs } from './predict-outputs.js';

/**
 * The model's six heads for every frame (768 floats each, row-major 24 x 32), run in
 * inference mode `batchSize` frames at a time and concatenated in frame order.
 *
 * @example
 * const model = createCornerNet({ seed: 1, channels: 4 });
 * const outputs = await predictCornerNet(model, [new Float32Array(768)]);
 * const [detections] = decodeCornerNet(outputs, { topK: 5 });
 * console.log(detections!.length); // up to 5 boxes
 */
export async function predictCornerNet(model: tf.LayersModel, images: readonly Float32Array[], batchSize = 64): Promise<CornerNetOutputs> {
  const { stride, outH, outW } = cornerNetGrid(model);
  const [topLeft, bottomRight, topLeftEmbedding, bottomRightEmbedding, topLeftOffset, bottomRightOffset] = await predictOutputs(model, images, batchSize);
  return { topLeft: topLeft!, bottomRight: bottomRight!, topLeftEmbedding: topLeftEmbedding!, bottomRightEmbedding: bottomRightEmbedding!, topLeftOffset: topLeftOffset!, bottomRightOffset: bottomRightOffset!, height: outH, width: outW, stride };
}
