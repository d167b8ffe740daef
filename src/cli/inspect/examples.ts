// Records of the inspection commands' inputs, one after the other, with where each one sits
// (input, index, byte offset in the uncompressed stream), and their decoding as Examples with an
// error that names the record.
import type { DecodedFeatures } from '../../io/index.js';
import type { InspectInput } from './inputs.js';
import { STDIN_NAME } from '../files.js';

export interface PlacedRecord {
  input: InspectInput;
  /** Index of the record in its input. */
  index: number;
  /** Offset of its header in the input's uncompressed bytes. */
  offset: number;
  payload: Uint8Array;
}

/** Every record of every input, in order; payload CRCs are checked. */
export async function* recordsOf(inputs: readonly InspectInput[]): AsyncGenerator<PlacedRecord, void, undefined> {
  const io = await import('../../io/index.js');
  for (const input of inputs) {
    let index = 0;
    let offset = 0;
    const stream = io.readTFRecord(input.source as Parameters<typeof io.readTFRecord>[0], { compression: input.compression, name: STDIN_NAME });
    for await (const chunk of io.chunksOf(stream)) {
      for (const payload of chunk) {
        yield { input, index, offset, payload };
        index++;
        offset += payload.length + 16;
      }
    }
  }
}

/** Decodes a record as a tf.train.Example, or throws an InputError naming the file, record and offset. */
export async function decodeRecord(record: PlacedRecord): Promise<DecodedFeatures> {
  const io = await import('../../io/index.js');
  try {
    return io.decodeExample(record.payload);
  } catch (err) {
    const why = err instanceof Error ? err.message.split('\n')[0] : String(err);
    const name = record.input.name === '-' ? STDIN_NAME : record.input.name;
    throw new io.InputError(`record ${record.index} at offset ${record.offset} is not a tf.train.Example (${why})`, name);
  }
}
