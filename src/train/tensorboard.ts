import { EventWriter } from '../io/events.js';

/**
 * TensorBoard scalars for the trainer, written through the io room's EventWriter
 * (`events.out.tfevents.<time>.<host>`: TFRecord-framed Event protos, first record
 * file_version "brain.Event:2").
 */
export interface ScalarWriter {
  scalar(tag: string, value: number, step: number): Promise<void>;
  flush(): Promise<void>;
  close(): Promise<void>;
}

export async function openTensorBoard(logdir: string): Promise<ScalarWriter> {
  return EventWriter.open(logdir);
}

/** The per-epoch scalars, in the tags Keras's TensorBoard callback would use for them. */
export async function writeEpochScalars(
  board: ScalarWriter,
  epoch: number,
  m: { loss: number; iou: number; valLoss?: number; valIoU?: number; validationIoU?: number; learningRate: number },
): Promise<void> {
  const values: [string, number | undefined][] = [
    ['loss', m.loss],
    ['iou', m.iou],
    ['val_loss', m.valLoss],
    ['val_iou', m.valIoU],
    ['validation_iou', m.validationIoU],
    ['learning_rate', m.learningRate],
  ];
  for (const [tag, value] of values) if (value !== undefined) await board.scalar(tag, value, epoch);
  await board.flush();
}
