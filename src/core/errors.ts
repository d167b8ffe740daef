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

/**
 * The words every command uses for a file the system refused, by errno code: the same damage
 * reads the same everywhere (`PATH: no such file or directory`).
 */
export const FILE_PROBLEMS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EISDIR: 'is a directory, expected a file',
  ENOTDIR: 'not a directory',
  EEXIST: 'already exists',
  ENOSPC: 'no space left on device',
  EMFILE: 'too many open files',
  ELOOP: 'too many levels of symbolic links',
  ENAMETOOLONG: 'file name too long',
};

/**
 * The shared words for a file the system refused (`no such file or directory`, ...); an errno
 * without words of its own is shown as `cannot open (CODE)`.
 *
 * @example
 * console.log(fileProblem(Object.assign(new Error('EISDIR'), { code: 'EISDIR' }))); // is a directory, expected a file
 */
export function fileProblem(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  return (code === undefined ? undefined : FILE_PROBLEMS[code]) ?? `cannot open (${code ?? (err instanceof Error ? err.message : String(err))})`;
}

/**
 * A file that could not be opened or read, as an InputError naming `path` (the user's name for
 * it, not the one the system saw) in the shared words.
 *
 * @example
 * const e = fileError(Object.assign(new Error('ENOENT'), { code: 'ENOENT' }), 'data.tfr');
 * console.log(e.message); // data.tfr: no such file or directory
 */
export function fileError(err: unknown, path: string): InputError {
  return err instanceof InputError ? err : new InputError(fileProblem(err), path, { cause: err });
}
