import * as tf from '@tensorflow/tfjs';
import { InputError } from '../core/errors.js';

/**
 * The batch form the trainer consumes: the transforms room's `collate` output, one flat
 * float array per field with its shape (leading dimension = batch size).
 */
export interface TensorField {
  data: Float32Array | ArrayLike<number>;
  shape: readonly number[];
}
/**
 * One batch as the trainer takes it: each field a flat array with its shape (e.g. image and label).
 */
export type Batch = Record<string, TensorField>;
/** Batches to train or evaluate on: a Dataset, any async iterable, or an array. */
export type BatchSource = AsyncIterable<Batch> | Iterable<Batch>;

/** One upload per field: the typed array goes to the backend as is. */
export function fieldTensor(batch: Batch, key: string): tf.Tensor {
  const field = batch[key];
  if (field == null || field.data == null || field.shape == null) {
    throw new InputError(`batch has no field "${key}" with {data, shape} (fields: ${Object.keys(batch).join(', ')})`);
  }
  const size = field.shape.reduce((a, b) => a * b, 1);
  if (field.data.length !== size) {
    throw new InputError(`batch field "${key}" holds ${field.data.length} values but its shape [${field.shape}] needs ${size}`);
  }
  const data = field.data instanceof Float32Array ? field.data : Float32Array.from(field.data);
  return tf.tensor(data, [...field.shape], 'float32');
}

export function batchSize(batch: Batch, key: string): number {
  return batch[key]?.shape[0] ?? 0;
}
