// io functions that may not be in the io room's index yet (npzRows is being written by
// io-proto-npz). They are loaded on first use with the signature fixed in notes/SEAMS.md, so
// the pipeline type-checks meanwhile; once they land they can become static imports.
import { RecordflowError } from '../io/errors.js';

export interface PendingIo {
  npzRows(path: string, keys?: string[]): AsyncIterable<Record<string, unknown>>;
}

let loaded: Promise<Record<string, unknown>> | undefined;

/** One io function by name, or a clear error when the io room does not provide it. */
export async function ioFunction<K extends keyof PendingIo>(name: K): Promise<PendingIo[K]> {
  loaded ??= import('../io/index.js') as Promise<Record<string, unknown>>;
  const mod = await loaded;
  const value = mod[name];
  if (value === undefined) throw new RecordflowError(`pipeline: the io room does not export ${name} yet`);
  return value as PendingIo[K];
}
