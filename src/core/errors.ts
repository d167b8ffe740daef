// Typed errors shared by every room. The CLI maps InputError/DataLossError to exit code 2 with a
// one-line message, so messages must name the file and the problem without a stack trace.

/** Base class of every error recordflow throws on purpose. */
export class RecordflowError extends Error {
  override name = 'RecordflowError';
}

/** Bad user input: a missing file, a missing key, a wrong shape, dtype or schema. */
export class InputError extends RecordflowError {
  override name = 'InputError';
  constructor(message: string, readonly file?: string, options?: { cause?: unknown }) {
    super(file !== undefined && !message.includes(file) ? `${file}: ${message}` : message, options);
  }
}

/**
 * What is wrong with a damaged TFRecord: a cut-off header or payload, a CRC that does not match
 * (length or data), or a compressed stream that fails to inflate.
 */
export type DataLossKind =
  | 'truncated_header'
  | 'truncated_data'
  | 'length_crc_mismatch'
  | 'data_crc_mismatch'
  | 'decompression_error';

/** A TFRecord stream that is cut short, corrupt, or fails to decompress (TensorFlow's DataLoss). */
export class DataLossError extends RecordflowError {
  override name = 'DataLossError';
  constructor(
    readonly kind: DataLossKind,
    readonly file: string | undefined,
    readonly recordIndex: number,
    /** Where the record starts in the uncompressed stream. */
    readonly offset: number,
    detail?: string,
    options?: { cause?: unknown },
  ) {
    super(
      `${file ?? '<stream>'}: ${kind} at record ${recordIndex}, offset ${offset}` +
        (detail ? ` (${detail})` : ''),
      options,
    );
  }
}
