/**
 * TensorBoard scalars for the trainer, written through the io room's EventWriter
 * (`events.out.tfevents.*` files: TFRecord-framed Event protos).
 */
export interface ScalarWriter {
  scalar(tag: string, value: number, step: number): unknown;
  flush(): unknown;
  close(): unknown;
}

interface EventWriterClass {
  open(logdir: string): Promise<ScalarWriter> | ScalarWriter;
}

export async function openTensorBoard(logdir: string): Promise<ScalarWriter> {
  // Loaded lazily: most runs never write TensorBoard files.
  const specifier = '../io/events.js';
  const mod = (await import(specifier)) as { EventWriter: EventWriterClass };
  return await mod.EventWriter.open(logdir);
}
